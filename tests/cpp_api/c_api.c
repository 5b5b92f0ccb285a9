/* c_api.c: the library's C ABI (nvinfer_c.h) used from plain C99, with no C++ anywhere in the
 * program: a builder with a C logger callback, a one-layer ReLU network made with the generic
 * nvt_network_add_layer / nvt_layer_set_ints / nvt_network_finish_layer calls, built, serialized,
 * deserialized and run on host buffers (the CPU backend: enqueue is synchronous and takes a null
 * stream). Also the failure paths: null handles, bad parameters, damaged plans, an error
 * recorder callback. Every object is destroyed; run.sh also runs this under valgrind.
 *
 * Prints one "ok   ..." or "FAIL ..." line per check and exits non-zero if any failed. */

#define _POSIX_C_SOURCE 200809L

#include "nvinfer_c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int g_passed = 0;
static int g_failed = 0;

static void check(int ok, const char *what, int line)
{
    if (ok)
    {
        ++g_passed;
        printf("ok   %s\n", what);
    }
    else
    {
        ++g_failed;
        printf("FAIL %s (c_api.c:%d)\n", what, line);
    }
    fflush(stdout);
}

#define CHECK(cond, what) check((cond) ? 1 : 0, (what), __LINE__)

/* ---- logger: counts messages by severity and keeps the last error ---- */

typedef struct
{
    int count[5];
    char last_error[512];
} LogState;

static void on_log(void *user, int32_t severity, const char *msg)
{
    LogState *s = (LogState *) user;
    if (severity >= 0 && severity < 5) s->count[severity]++;
    if (severity <= 1 && msg)
    {
        strncpy(s->last_error, msg, sizeof(s->last_error) - 1);
        s->last_error[sizeof(s->last_error) - 1] = '\0';
    }
    if (getenv("CPP_API_VERBOSE")) fprintf(stderr, "[log %d] %s\n", (int) severity, msg ? msg : "(null)");
}

static int errors(const LogState *s)
{
    return s->count[0] + s->count[1];
}

/* ---- error recorder ---- */

typedef struct
{
    int reports;
    int32_t last_code;
    char last_desc[512];
} RecState;

static bool on_report(void *user, int32_t code, const char *desc)
{
    RecState *r = (RecState *) user;
    r->reports++;
    r->last_code = code;
    strncpy(r->last_desc, desc ? desc : "", sizeof(r->last_desc) - 1);
    r->last_desc[sizeof(r->last_desc) - 1] = '\0';
    return true;
}

/* stderr capture: a call on a null handle has no logger to report to, so the library writes
 * its message to stderr; these send stderr to a temporary file and read it back. */
static FILE *g_capture = NULL;
static int g_saved_stderr = -1;

static int begin_capture(void)
{
    g_capture = tmpfile();
    if (!g_capture) return 0;
    fflush(stderr);
    g_saved_stderr = dup(STDERR_FILENO);
    if (g_saved_stderr < 0 || dup2(fileno(g_capture), STDERR_FILENO) < 0)
    {
        fclose(g_capture);
        g_capture = NULL;
        return 0;
    }
    return 1;
}

static void end_capture(char *text, size_t capacity)
{
    size_t n = 0;
    text[0] = '\0';
    if (!g_capture) return;
    fflush(stderr);
    dup2(g_saved_stderr, STDERR_FILENO);
    close(g_saved_stderr);
    rewind(g_capture);
    n = fread(text, 1, capacity - 1, g_capture);
    text[n] = '\0';
    fclose(g_capture);
    g_capture = NULL;
}

int main(void)
{
    LogState log_state;
    NvtLogger logger;
    NvtBuilder *builder;
    NvtNetwork *network;
    NvtConfig *config;
    NvtHostMemory *plan;
    NvtRuntime *runtime;
    NvtEngine *engine;
    NvtContext *context;
    NvtHostMemory *again;
    int32_t in_tensor, out_tensor, layer, before;
    int64_t dims[4] = {1, 2, 3, 4};
    int64_t relu = 0; /* ActivationType::kRELU */
    int64_t got_dims[8];
    float input[24], output[24];
    char message[1024];
    int i, ok, err_before;

    memset(&log_state, 0, sizeof(log_state));
    logger.user = &log_state;
    logger.log = on_log;

    CHECK(nvt_version() == 8601, "nvt_version() == 8601");

    /* ---- network ---- */
    builder = nvt_builder_create(logger);
    CHECK(builder != NULL, "nvt_builder_create with a C logger callback");
    if (!builder) goto done;

    err_before = errors(&log_state);
    CHECK(nvt_builder_create_network(builder, 1u << 5) == NULL, "nvt_builder_create_network with an unknown flag is refused");
    CHECK(errors(&log_state) > err_before, "...and the C logger got an error");
    network = nvt_builder_create_network(builder, 0);
    CHECK(network != NULL && nvt_network_has_implicit_batch(network), "nvt_builder_create_network(flags 0): an implicit-batch network");
    nvt_network_destroy(network);

    network = nvt_builder_create_network(builder, 1u /* 1 << kEXPLICIT_BATCH */);
    CHECK(network != NULL, "nvt_builder_create_network(explicit batch)");
    if (!network)
    {
        nvt_builder_destroy(builder);
        goto done;
    }

    in_tensor = nvt_network_add_input(network, "in", 0 /* kFLOAT */, dims, 4);
    CHECK(in_tensor >= 0, "nvt_network_add_input");
    CHECK(nvt_network_nb_inputs(network) == 1 && nvt_network_input(network, 0) == in_tensor, "nvt_network_input(0) is the tensor added");
    CHECK(nvt_tensor_is_input(network, in_tensor), "nvt_tensor_is_input");
    CHECK(strcmp(nvt_tensor_name(network, in_tensor), "in") == 0, "nvt_tensor_name");

    /* An unknown layer kind and an unknown parameter are refused. */
    err_before = errors(&log_state);
    CHECK(nvt_network_add_layer(network, "NoSuchLayer", &in_tensor, 1) < 0, "nvt_network_add_layer of an unknown kind returns -1");
    CHECK(errors(&log_state) > err_before, "...and logs an error");
    before = nvt_network_nb_layers(network);

    layer = nvt_network_add_layer(network, "Activation", &in_tensor, 1);
    CHECK(layer >= 0, "nvt_network_add_layer(\"Activation\")");
    if (layer < 0) goto destroy_network;
    err_before = errors(&log_state);
    CHECK(!nvt_layer_set_ints(network, layer, "no_such_key", &relu, 1), "nvt_layer_set_ints of an unknown key returns false");
    CHECK(errors(&log_state) > err_before, "...and logs an error");
    CHECK(nvt_layer_set_ints(network, layer, "activation_type", &relu, 1), "nvt_layer_set_ints(\"activation_type\", kRELU)");
    CHECK(nvt_network_finish_layer(network), "nvt_network_finish_layer");
    CHECK(nvt_network_nb_layers(network) == before + 1, "the network has one more layer");
    CHECK(nvt_layer_type(network, layer) == 2 /* LayerType::kACTIVATION */, "nvt_layer_type == kACTIVATION");
    {
        int64_t t = -1;
        CHECK(nvt_layer_get_ints(network, layer, "activation_type", &t, 1) == 1 && t == relu, "nvt_layer_get_ints(\"activation_type\") reads kRELU back");
    }

    /* A layer whose parameters are bad is removed by nvt_network_finish_layer. */
    {
        int64_t bad_type = 99;
        int32_t bad = nvt_network_add_layer(network, "Activation", &in_tensor, 1);
        nvt_layer_set_ints(network, bad, "activation_type", &bad_type, 1);
        err_before = errors(&log_state);
        CHECK(bad >= 0 && !nvt_network_finish_layer(network), "nvt_network_finish_layer refuses activation type 99");
        CHECK(errors(&log_state) > err_before, "...and logs an error");
        CHECK(nvt_network_nb_layers(network) == before + 1, "...and removes the layer");
    }

    out_tensor = nvt_layer_output(network, layer, 0);
    CHECK(out_tensor >= 0, "nvt_layer_output(layer, 0)");
    nvt_tensor_set_name(network, out_tensor, "out");
    CHECK(strcmp(nvt_tensor_name(network, out_tensor), "out") == 0, "nvt_tensor_set_name / nvt_tensor_name");
    CHECK(nvt_tensor_dims(network, out_tensor, got_dims, 8) == 4 && got_dims[0] == 1 && got_dims[1] == 2 && got_dims[2] == 3 && got_dims[3] == 4,
        "nvt_tensor_dims of the output is [1,2,3,4]");

    config = nvt_builder_create_config(builder);
    CHECK(config != NULL, "nvt_builder_create_config");
    if (!config) goto destroy_network;

    /* Nothing marked as output: the build fails. */
    err_before = errors(&log_state);
    plan = nvt_builder_build_serialized(builder, network, config);
    CHECK(plan == NULL, "nvt_builder_build_serialized without outputs returns NULL");
    CHECK(errors(&log_state) > err_before, "...and logs an error");
    nvt_host_memory_destroy(plan);

    CHECK(nvt_network_mark_output(network, out_tensor), "nvt_network_mark_output");
    CHECK(nvt_network_nb_outputs(network) == 1 && nvt_tensor_is_output(network, out_tensor), "the output is marked");
    err_before = errors(&log_state);
    plan = nvt_builder_build_serialized(builder, network, config);
    CHECK(plan != NULL && nvt_host_memory_size(plan) > 0 && nvt_host_memory_data(plan) != NULL, "nvt_builder_build_serialized returns a plan");
    CHECK(errors(&log_state) == err_before, "...without logging an error");
    nvt_config_destroy(config);
    nvt_network_destroy(network);
    nvt_builder_destroy(builder);
    if (!plan) goto done;

    /* ---- runtime ---- */
    runtime = nvt_runtime_create(logger);
    CHECK(runtime != NULL, "nvt_runtime_create");
    if (!runtime)
    {
        nvt_host_memory_destroy(plan);
        goto done;
    }
    {
        unsigned char garbage[64];
        for (i = 0; i < 64; ++i) garbage[i] = (unsigned char) (i * 37 + 11);
        err_before = errors(&log_state);
        CHECK(nvt_runtime_deserialize(runtime, garbage, sizeof(garbage)) == NULL, "nvt_runtime_deserialize of garbage returns NULL");
        CHECK(errors(&log_state) > err_before, "...and logs an error");
        CHECK(nvt_runtime_deserialize(runtime, nvt_host_memory_data(plan), nvt_host_memory_size(plan) / 2) == NULL,
            "nvt_runtime_deserialize of a truncated plan returns NULL");
        CHECK(nvt_runtime_deserialize(runtime, NULL, 0) == NULL, "nvt_runtime_deserialize(NULL, 0) returns NULL");
    }
    engine = nvt_runtime_deserialize(runtime, nvt_host_memory_data(plan), nvt_host_memory_size(plan));
    CHECK(engine != NULL, "nvt_runtime_deserialize of the plan");
    if (!engine) goto destroy_runtime;

    CHECK(nvt_engine_nb_io_tensors(engine) == 2, "nvt_engine_nb_io_tensors == 2");
    CHECK(strcmp(nvt_engine_io_tensor_name(engine, 0), "in") == 0 && strcmp(nvt_engine_io_tensor_name(engine, 1), "out") == 0,
        "nvt_engine_io_tensor_name: in, out");
    CHECK(nvt_engine_io_index(engine, "out") == 1 && nvt_engine_io_index(engine, "nope") == -1, "nvt_engine_io_index");
    CHECK(nvt_engine_tensor_io_mode(engine, "in") == 1 && nvt_engine_tensor_io_mode(engine, "out") == 2, "nvt_engine_tensor_io_mode: kINPUT, kOUTPUT");
    CHECK(nvt_engine_tensor_location(engine, "in") == 0, "nvt_engine_tensor_location == kDEVICE (an execution tensor)");
    CHECK(nvt_engine_tensor_type(engine, "out") == 0, "nvt_engine_tensor_type == kFLOAT");
    CHECK(nvt_engine_tensor_shape(engine, "out", got_dims, 8) == 4 && got_dims[3] == 4, "nvt_engine_tensor_shape(out)");
    CHECK(nvt_engine_tensor_shape(engine, "nope", got_dims, 8) == -1, "nvt_engine_tensor_shape of an unknown name is -1");

    again = nvt_engine_serialize(engine);
    CHECK(again != NULL && nvt_host_memory_size(again) == nvt_host_memory_size(plan)
            && memcmp(nvt_host_memory_data(again), nvt_host_memory_data(plan), (size_t) nvt_host_memory_size(plan)) == 0,
        "nvt_engine_serialize gives the bytes of the plan");
    nvt_host_memory_destroy(again);
    nvt_host_memory_destroy(plan);
    plan = NULL;

    context = nvt_engine_create_context(engine);
    CHECK(context != NULL, "nvt_engine_create_context");
    if (!context) goto destroy_engine;

    err_before = errors(&log_state);
    CHECK(!nvt_context_enqueue_v3(context, NULL), "nvt_context_enqueue_v3 without addresses returns false");
    CHECK(errors(&log_state) > err_before, "...and logs an error");

    for (i = 0; i < 24; ++i)
    {
        input[i] = (float) (i - 12) * 0.5f;
        output[i] = -100.0f;
    }
    CHECK(nvt_context_set_tensor_address(context, "in", input), "nvt_context_set_tensor_address(in)");
    CHECK(nvt_context_set_tensor_address(context, "out", output), "nvt_context_set_tensor_address(out)");
    CHECK(!nvt_context_set_tensor_address(context, "nope", output), "nvt_context_set_tensor_address of an unknown name returns false");
    CHECK(nvt_context_tensor_address(context, "out") == (void *) output, "nvt_context_tensor_address");
    CHECK(nvt_context_enqueue_v3(context, NULL), "nvt_context_enqueue_v3(ctx, NULL)");
    ok = 1;
    for (i = 0; i < 24; ++i) ok = ok && output[i] == (input[i] > 0.0f ? input[i] : 0.0f);
    CHECK(ok, "the outputs are ReLU of the inputs");

    {
        float out2[24];
        void *bindings[2];
        bindings[0] = input;
        bindings[1] = out2;
        for (i = 0; i < 24; ++i) out2[i] = -100.0f;
        CHECK(nvt_context_execute_v2(context, bindings) && memcmp(out2, output, sizeof(out2)) == 0, "nvt_context_execute_v2 gives the same outputs");
    }
    {
        int64_t wrong[4] = {1, 2, 3, 5};
        CHECK(!nvt_context_set_input_shape(context, "in", wrong, 4), "nvt_context_set_input_shape with a wrong shape returns false");
        CHECK(nvt_context_set_input_shape(context, "in", dims, 4), "nvt_context_set_input_shape with the engine's shape returns true");
    }
    nvt_context_set_name(context, "c0");
    CHECK(strcmp(nvt_context_name(context), "c0") == 0, "nvt_context_set_name / nvt_context_name");

    /* An error recorder callback receives errors instead of the logger. */
    {
        RecState rec;
        NvtErrorRecorder recorder;
        memset(&rec, 0, sizeof(rec));
        recorder.user = &rec;
        recorder.report = on_report;
        nvt_context_set_error_recorder(context, recorder);
        err_before = errors(&log_state);
        CHECK(!nvt_context_set_tensor_address(context, "nope", output), "with a recorder: unknown tensor name still returns false");
        CHECK(rec.reports == 1 && rec.last_code != 0 && rec.last_desc[0] != '\0', "the C recorder got an ErrorCode and a description");
        CHECK(errors(&log_state) == err_before, "...and the logger got nothing");
        recorder.report = NULL;
        nvt_context_set_error_recorder(context, recorder);
        CHECK(!nvt_context_set_tensor_address(context, "nope", output) && errors(&log_state) > err_before && rec.reports == 1,
            "a recorder with no callback sends errors back to the logger");
    }

    nvt_context_destroy(context);
destroy_engine:
    nvt_engine_destroy(engine);
destroy_runtime:
    nvt_runtime_destroy(runtime);
    nvt_host_memory_destroy(plan);
    goto done;

destroy_network:
    nvt_network_destroy(network);
    nvt_builder_destroy(builder);

done:
    /* ---- null handles: a neutral value and a message, never a crash ---- */
    {
        int captured = begin_capture();
        int32_t nb = nvt_network_nb_layers(NULL);
        end_capture(message, sizeof(message));
        CHECK(captured, "stderr can be captured");
        CHECK(nb == 0, "nvt_network_nb_layers(NULL) returns 0");
        CHECK(strstr(message, "getNbLayers") != NULL && strstr(message, "null") != NULL,
            "...and reports on stderr that the object pointer is null");
    }
    {
        int engine_ok, enqueue_ok, add_ok;
        begin_capture();
        engine_ok = nvt_engine_nb_io_tensors(NULL) == 0 && nvt_engine_io_tensor_name(NULL, 0) == NULL;
        enqueue_ok = !nvt_context_enqueue_v3(NULL, NULL);
        add_ok = nvt_network_add_input(NULL, "x", 0, dims, 4) == -1 && nvt_builder_build_serialized(NULL, NULL, NULL) == NULL;
        end_capture(message, sizeof(message));
        CHECK(engine_ok, "engine queries on NULL return 0 / NULL");
        CHECK(enqueue_ok, "nvt_context_enqueue_v3(NULL, NULL) returns false");
        CHECK(add_ok, "nvt_network_add_input(NULL, ...) is -1, nvt_builder_build_serialized(NULL, ...) is NULL");
        CHECK(strstr(message, "enqueueV3") != NULL, "...each reported");
    }
    CHECK(nvt_host_memory_size(NULL) == 0 && nvt_host_memory_data(NULL) == NULL, "host memory queries on NULL return 0 / NULL");
    nvt_builder_destroy(NULL);
    nvt_network_destroy(NULL);
    nvt_config_destroy(NULL);
    nvt_runtime_destroy(NULL);
    nvt_engine_destroy(NULL);
    nvt_context_destroy(NULL);
    nvt_host_memory_destroy(NULL);
    CHECK(1, "every nvt_*_destroy(NULL) is a no-op");

    printf("c_api: %d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}

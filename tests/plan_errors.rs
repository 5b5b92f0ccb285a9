//! Damaged, foreign and mismatched plans are refused by `Engine::deserialize` with a message
//! that says what is wrong, never with a panic; and execution-context misuse is an error.

mod common;

use nvinfer::plan::proto::PlanEnvelope;
use nvinfer::plan::{LIBRARY_VERSION, MAGIC};
use nvinfer::runtime::{Engine, ExecutionContext};
use prost::Message;
use std::sync::{Arc, OnceLock};

fn mnist_plan() -> &'static [u8] {
    static PLAN: OnceLock<Vec<u8>> = OnceLock::new();
    PLAN.get_or_init(|| common::cpu_plan(&common::mnist_network()).expect("build the MNIST plan"))
}

fn envelope(plan: &[u8]) -> PlanEnvelope {
    assert_eq!(&plan[..MAGIC.len()], MAGIC);
    PlanEnvelope::decode(&plan[MAGIC.len()..]).expect("a good plan's envelope decodes")
}

fn reencode(env: &PlanEnvelope) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    env.encode(&mut out).unwrap();
    out
}

/// The deserialize error's message, lower-cased; panics if the plan was accepted.
fn refused(bytes: &[u8], what: &str) -> String {
    let result = std::panic::catch_unwind(|| Engine::deserialize(bytes).map(|_| ()));
    match result {
        Err(_) => panic!("{what}: Engine::deserialize panicked"),
        Ok(Ok(())) => panic!("{what}: the plan was accepted"),
        Ok(Err(e)) => {
            assert!(e.message.contains("plan"), "{what}: the message should say it is about the plan: {}", e.message);
            e.message.to_lowercase()
        }
    }
}

#[test]
fn the_good_plan_loads() {
    let engine = Engine::deserialize(mnist_plan()).expect("the plan itself is fine");
    assert_eq!(engine.nb_io(), 2);
    assert_eq!(envelope(mnist_plan()).library_version, LIBRARY_VERSION);
}

#[test]
fn truncated_plans_say_truncated() {
    let plan = mnist_plan();
    let n = plan.len();
    for cut in [4, MAGIC.len(), MAGIC.len() + 1, MAGIC.len() + 3, 20, n / 3, n / 2, n - 40, n - 3, n - 1] {
        let m = refused(&plan[..cut], &format!("cut to {cut} of {n} bytes"));
        assert!(m.contains("truncated"), "cut to {cut} of {n} bytes: {m}");
    }
    // And every 101st cut point: refused (whatever the reason), never a panic.
    for cut in (0..n).step_by(101) {
        refused(&plan[..cut], &format!("cut to {cut}"));
    }
}

#[test]
fn a_flipped_payload_byte_fails_the_checksum() {
    let plan = mnist_plan();
    let env = envelope(plan);
    // Find the payload inside the plan bytes and flip bytes in it.
    let probe = &env.payload[..64];
    let start = plan.windows(64).position(|w| w == probe).expect("the payload is stored verbatim");
    for offset in [0, 1, env.payload.len() / 2, env.payload.len() - 1] {
        let mut bad = plan.to_vec();
        bad[start + offset] ^= 0x01;
        let m = refused(&bad, &format!("payload byte {offset} flipped"));
        assert!(m.contains("checksum"), "payload byte {offset} flipped: {m}");
    }
}

#[test]
fn bytes_without_the_magic_are_not_a_plan() {
    let plan = mnist_plan();
    let m = refused(&plan[MAGIC.len()..], "no magic");
    assert!(m.contains("magic") || m.contains("not a plan"), "{m}");
    let mut wrong = plan.to_vec();
    wrong[0] = b'X';
    let m = refused(&wrong, "wrong magic");
    assert!(m.contains("magic"), "{m}");
    // An ONNX file handed to the runtime by mistake.
    let onnx = std::fs::read(common::mnist_dir().join("mnist.onnx")).unwrap();
    assert!(refused(&onnx, "an ONNX model").contains("magic"));
    // Random bytes.
    let noise: Vec<u8> = common::random(4096, 3).iter().map(|v| ((v + 1.0) * 127.0) as u8).collect();
    refused(&noise, "noise");
}

#[test]
fn an_empty_slice_is_refused() {
    let m = refused(&[], "empty");
    assert!(m.contains("empty") || m.contains("0 bytes"), "{m}");
}

#[test]
fn another_library_version_is_refused() {
    let mut env = envelope(mnist_plan());
    env.library_version = "9.9.9".into();
    env.payload_crc32 = crc32fast::hash(&env.payload); // still a correct checksum
    let m = refused(&reencode(&env), "library 9.9.9");
    assert!(m.contains("version") && m.contains("9.9.9") && m.contains(LIBRARY_VERSION), "{m}");
    assert!(m.contains("rebuild"), "the message should say what to do: {m}");
    // Another plan format version.
    let mut env = envelope(mnist_plan());
    env.format_version += 1;
    let m = refused(&reencode(&env), "format + 1");
    assert!(m.contains("format"), "{m}");
}

#[test]
fn a_plan_for_another_gpu_is_refused() {
    let mut env = envelope(mnist_plan());
    env.target = "sm_10".into();
    let m = refused(&reencode(&env), "sm_10");
    // Without a GPU: "built for a CUDA GPU (sm_10) and this process has none";
    // with one: "built for sm_10 but this GPU ... is sm_XY".
    assert!(m.contains("sm_10"), "{m}");
    assert!(m.contains("gpu"), "{m}");
    if nvinfer::backend::cuda::device().is_err() {
        assert!(m.contains("none"), "{m}");
    }
    let mut env = envelope(mnist_plan());
    env.target = "tpu".into();
    assert!(refused(&reencode(&env), "tpu").contains("tpu"));
}

#[test]
fn a_damaged_payload_with_a_matching_checksum_is_refused() {
    // The checksum is recomputed, so only the payload's own checks can catch these.
    let env = envelope(mnist_plan());
    let mut record = nvinfer::plan::proto::EngineRecord::decode(env.payload.clone()).unwrap();
    let with = |record: &nvinfer::plan::proto::EngineRecord| {
        let mut e = env.clone();
        e.payload = record.encode_to_vec().into();
        e.payload_crc32 = crc32fast::hash(&e.payload);
        reencode(&e)
    };
    let good = record.clone();
    record.layers[0].kind = "Teleport".into();
    assert!(refused(&with(&record), "unknown kind").contains("teleport"));
    record = good.clone();
    record.layers[0].inputs = vec![10_000];
    assert!(refused(&with(&record), "tensor index").contains("out of range"));
    record = good.clone();
    let out = record.layers.iter().position(|l| l.kind == "Convolution").unwrap();
    let t = record.layers[out].outputs[0] as usize;
    record.tensors[t].dims[1] += 1;
    assert!(refused(&with(&record), "wrong shape").contains("shape"));
    record = good.clone();
    record.profiles[0].inputs[0].max[0] = i64::MAX / 2;
    assert!(refused(&with(&record), "a profile that contradicts the static shape").contains("profile"));
    record = good.clone();
    record.io.push(0);
    assert!(refused(&with(&record), "an input listed twice").contains("inconsistently"));
    record = good.clone();
    record.layers[out].tactic = "teleport".into();
    assert!(refused(&with(&record), "unknown tactic").contains("teleport"));
    record = good.clone();
    record.tensors[0].dtype = 99;
    assert!(refused(&with(&record), "bad dtype").contains("99"));
    record = good;
    record.layers[out].params = vec![0xff; 7].into();
    refused(&with(&record), "bad params");
}

#[test]
fn an_io_tensor_retyped_in_the_plan_is_refused() {
    // Regression (issue 6, finding 1): an input or output record rewritten to a narrower
    // type, with the checksum recomputed, was accepted; the caller then sized its buffer for
    // the narrow type and the CPU copy moved 4 bytes per element, past its end.
    let env = envelope(mnist_plan());
    let good = nvinfer::plan::proto::EngineRecord::decode(env.payload.clone()).unwrap();
    for io in 0..good.io.len() {
        for dtype in [1, 2, 4, 5, 6] {
            let mut record = good.clone();
            let t = record.io[io] as usize;
            record.tensors[t].dtype = dtype;
            let mut e = env.clone();
            e.payload = record.encode_to_vec().into();
            e.payload_crc32 = crc32fast::hash(&e.payload);
            let m = refused(&reencode(&e), &format!("I/O tensor {io} retyped to {dtype}"));
            assert!(m.contains("type"), "I/O tensor {io} retyped to {dtype}: {m}");
        }
    }
}

#[test]
fn foreign_kernel_images_are_refused() {
    // Kernel images are GPU code: a plan may only carry images of this library's own kernel
    // files, once each, and a CPU plan none at all.
    use nvinfer::plan::proto::{EngineRecord, KernelRecord};
    let env = envelope(mnist_plan());
    let good = EngineRecord::decode(env.payload.clone()).unwrap();
    let with_kernels = |kernels: Vec<(&str, &[u8])>| {
        let mut record = good.clone();
        record.kernels = kernels.into_iter().map(|(n, c)| KernelRecord { name: n.into(), cubin: c.to_vec().into() }).collect();
        let mut e = env.clone();
        e.payload = record.encode_to_vec().into();
        e.payload_crc32 = crc32fast::hash(&e.payload);
        reencode(&e)
    };
    assert!(refused(&with_kernels(vec![("activation", b"\x7fELF")]), "CPU plan with a kernel").contains("cpu plan carries gpu kernel"));
    // On a GPU plan, the same records fail on the names, before any image is loaded.
    let mut gpu_env = env.clone();
    gpu_env.target = "sm_90".into();
    let gpu = |kernels: Vec<(&str, &[u8])>| {
        let mut e = envelope(&with_kernels(kernels));
        e.target = gpu_env.target.clone();
        reencode(&e)
    };
    for (kernels, expect) in [
        (vec![("payload", &b"\x7fELF"[..])], "not one of this library's kernels"),
        (vec![("activation", &b""[..])], "empty"),
        (vec![("activation", &b"\x7fELF"[..]), ("activation", &b"\x7fELF"[..])], "twice"),
    ] {
        let desc = nvinfer::plan::deserialize(&gpu(kernels.clone()), |_| Ok(())).expect("the records decode");
        let e = nvinfer::runtime::Engine::verify(&desc).map(|_| ()).unwrap_err();
        assert!(e.message.contains(expect), "{kernels:?}: {}", e.message);
    }
}

// ---------------------------------------------------------------- execution contexts

fn context() -> ExecutionContext {
    ExecutionContext::new(Arc::new(Engine::deserialize(mnist_plan()).unwrap())).unwrap()
}

#[test]
fn enqueue_without_addresses_is_an_error() {
    let mut ctx = context();
    let e = ctx.enqueue(std::ptr::null_mut()).unwrap_err();
    assert!(e.message.contains(common::MNIST_INPUT) && e.message.contains("address"), "{}", e.message);
    // With only the input set, the output is named.
    let input = common::read_digit(3);
    ctx.set_tensor_address(common::MNIST_INPUT, input.as_ptr() as u64).unwrap();
    let e = ctx.enqueue(std::ptr::null_mut()).unwrap_err();
    assert!(e.message.contains(common::MNIST_OUTPUT), "{}", e.message);
    // Once both are set it runs.
    let mut out = vec![f32::NAN; 10];
    ctx.set_tensor_address(common::MNIST_OUTPUT, out.as_mut_ptr() as u64).unwrap();
    ctx.enqueue(std::ptr::null_mut()).unwrap();
    common::assert_all_written(&out, "logits");
    assert_eq!(common::argmax(&out), 3);
}

#[test]
fn a_null_address_is_refused() {
    let mut ctx = context();
    let e = ctx.set_tensor_address(common::MNIST_INPUT, 0).unwrap_err();
    assert!(e.message.contains("null"), "{}", e.message);
    assert_eq!(ctx.tensor_address(common::MNIST_INPUT).unwrap(), 0);
}

#[test]
fn set_input_shape_checks_the_shape() {
    let mut ctx = context();
    ctx.set_input_shape(common::MNIST_INPUT, &[1, 1, 28, 28]).expect("the engine's own shape");
    for bad in [&[1, 1, 28, 27][..], &[2, 1, 28, 28], &[1, 28, 28], &[]] {
        let e = ctx.set_input_shape(common::MNIST_INPUT, bad).unwrap_err();
        assert!(e.message.contains("[1,1,28,28]"), "{}", e.message);
    }
    let e = ctx.set_input_shape(common::MNIST_OUTPUT, &[1, 10]).unwrap_err();
    assert!(e.message.contains("not an input"), "{}", e.message);
}

#[test]
fn unknown_tensor_names_are_errors() {
    let mut ctx = context();
    let x = [0f32; 4];
    for name in ["no_such_tensor", "", "input3"] {
        let e = ctx.set_tensor_address(name, x.as_ptr() as u64).unwrap_err();
        assert!(e.message.contains(&format!("'{name}'")), "{}", e.message);
        assert!(ctx.tensor_address(name).is_err());
        assert!(ctx.set_input_shape(name, &[1]).is_err());
    }
    // An intermediate tensor is not an I/O tensor either.
    let engine = &ctx.engine;
    let inner = engine.desc.tensors.iter().find(|t| t.io_mode == nvinfer::types::TensorIOMode::None).unwrap().name.clone();
    assert!(engine.io_index(&inner).is_none());
    assert!(ctx.set_tensor_address(&inner, x.as_ptr() as u64).is_err());
}

#[test]
fn set_bindings_sets_inputs_then_outputs() {
    let mut ctx = context();
    let input = common::read_digit(7);
    let mut out = vec![f32::NAN; 10];
    ctx.set_bindings(&[input.as_ptr() as u64, out.as_mut_ptr() as u64]).unwrap();
    ctx.execute().unwrap();
    common::assert_all_written(&out, "logits");
    assert_eq!(common::argmax(&out), 7);
    assert!(ctx.set_bindings(&[0, 0]).is_err(), "null bindings");
}

#[test]
fn a_plan_whose_layers_read_unwritten_tensors_is_refused() {
    // Hand-made engine descriptions with a correct checksum but an impossible execution
    // order: a layer reading its own output, a layer reading a tensor written only later,
    // and a tensor written by two layers. Running such a plan would read garbage (or alias
    // a layer's input and output), so deserialization must refuse it.
    use nvinfer::engine::{EngineDesc, EngineLayer, EngineTensor, InputRange, Profile};
    use nvinfer::layers::generated::Convolution;
    use nvinfer::plan::serialize;
    use nvinfer::types::{DataType, TensorIOMode};
    use nvinfer::weights::Weights;
    let t = |name: &str, io: TensorIOMode| EngineTensor {
        name: name.into(),
        dtype: DataType::Float,
        dims: vec![1, 2, 3, 3],
        io_mode: io,
        shape_tensor: false,
    };
    let conv =
        || Box::new(Convolution::of(2, vec![1, 1], Weights::from_f32(&[1.0, 0.5, -0.5, 2.0]), None)) as Box<dyn nvinfer::layers::Layer>;
    let layer = |name: &str, i: usize, o: usize| EngineLayer {
        name: name.into(),
        op: conv(),
        inputs: vec![Some(i)],
        outputs: vec![o],
        tactic: "reference".into(),
    };
    let desc = |layers: Vec<EngineLayer>| EngineDesc {
        name: String::new(),
        target: nvinfer::backend::Target::Cpu,
        tensors: vec![t("x", TensorIOMode::Input), t("mid", TensorIOMode::None), t("y", TensorIOMode::Output)],
        layers,
        io: vec![0, 2],
        profiles: vec![Profile {
            inputs: vec![InputRange { min: vec![1, 2, 3, 3], opt: vec![1, 2, 3, 3], max: vec![1, 2, 3, 3], values: None }],
        }],
        kernels: vec![],
        allow_tf32: false,
        implicit_batch: false,
    };
    // The well-formed version loads and runs.
    let good = serialize(&desc(vec![layer("a", 0, 1), layer("b", 1, 2)]));
    let engine = Arc::new(Engine::deserialize(&good).expect("a well-formed hand-made plan"));
    let mut ctx = ExecutionContext::new(engine).unwrap();
    let x = common::random(18, 5);
    let mut y = vec![0f32; 18];
    common::run_cpu_context(&mut ctx, &[("x", &x)], &mut [("y", &mut y)]);

    let cases = [
        ("reads its own output", vec![layer("a", 0, 1), layer("b", 1, 1), layer("c", 1, 2)]),
        ("reads a tensor written later", vec![layer("b", 1, 2), layer("a", 0, 1)]),
        ("two writers", vec![layer("a", 0, 1), layer("a2", 0, 1), layer("b", 1, 2)]),
        ("writes a network input", vec![layer("a", 2, 0), layer("b", 0, 2)]),
        ("output never written", vec![layer("a", 0, 1)]),
    ];
    for (what, layers) in cases {
        let m = refused(&serialize(&desc(layers)), what);
        assert!(m.contains("tensor"), "{what}: {m}");
    }
}

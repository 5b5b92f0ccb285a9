"""Makes the ONNX RNN/GRU/LSTM cases of tests/onnx_recurrent.rs that run through the loop
form (src/onnx/ops/recurrent_loop.rs) and a bidirectional LSTM with sequence lengths on
IRNNv2Layer: model.onnx, inputs and expected outputs as raw little-endian values, and
manifest.txt (`input|output NAME float32|int32 RANK DIMS... FILE`).

onnx.reference (onnx 1.16.2) runs one forward direction only and ignores sequence_lens,
clip and the activation attributes, so the expected outputs come from `recurrence` below,
a direct transcription of the ONNX operator definitions. It is first checked against
onnx.reference on every form both take (forward, all three operators, GRU's two
linear_before_reset forms, LSTM peepholes, both layouts).

Run from the repository root: PYTHONPATH=.deps/onnx-python python3 tests/data/onnx_recurrent/generate.py
(the cases written before this script, lstm_fwd, lstm_states, gru_fwd and rnn_fwd, are
left as they are).
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

HERE = os.path.dirname(os.path.abspath(__file__))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# name: (function of x, alpha, beta), takes_alpha, takes_beta, default alpha, default beta
ACTIVATIONS = {
    "relu": (lambda x, a, b: np.maximum(x, 0), False, False, 0, 0),
    "tanh": (lambda x, a, b: np.tanh(x), False, False, 0, 0),
    "sigmoid": (lambda x, a, b: sigmoid(x), False, False, 0, 0),
    "affine": (lambda x, a, b: a * x + b, True, True, 1.0, 0.0),
    "leakyrelu": (lambda x, a, b: np.where(x >= 0, x, a * x), True, False, 0.01, 0),
    "thresholdedrelu": (lambda x, a, b: np.where(x > a, x, 0), True, False, 1.0, 0),
    "scaledtanh": (lambda x, a, b: a * np.tanh(b * x), True, True, 1.0, 1.0),
    "hardsigmoid": (lambda x, a, b: np.clip(a * x + b, 0, 1), True, True, 0.2, 0.5),
    "elu": (lambda x, a, b: np.where(x >= 0, x, a * (np.exp(x) - 1)), True, False, 1.0, 0),
    "softsign": (lambda x, a, b: x / (1 + np.abs(x)), False, False, 0, 0),
    "softplus": (lambda x, a, b: np.log1p(np.exp(x)), False, False, 0, 0),
}

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
DEFAULT_ACTS = {"RNN": ["tanh"], "GRU": ["sigmoid", "tanh"], "LSTM": ["sigmoid", "tanh", "tanh"]}


def activation_functions(op, attrs, dirs):
    """Per direction, callables bound to their alpha and beta (alphas and betas consumed in
    order by the activations that take them)."""
    names = [n.lower() for n in attrs.get("activations", DEFAULT_ACTS[op])]
    per_dir = len(DEFAULT_ACTS[op])
    if len(names) == per_dir and dirs == 2:
        names = names * 2
    alphas = list(attrs.get("activation_alpha", []))
    betas = list(attrs.get("activation_beta", []))
    funcs = []
    for n in names:
        f, takes_a, takes_b, da, db = ACTIVATIONS[n]
        a = (alphas.pop(0) if alphas else da) if takes_a else 0
        b = (betas.pop(0) if betas else db) if takes_b else 0
        funcs.append(lambda x, f=f, a=a, b=b: f(x, a, b))
    return [funcs[d * per_dir:(d + 1) * per_dir] for d in range(dirs)]


def recurrence(op, attrs, X, W, R, B=None, lens=None, h0=None, c0=None, P=None):
    """The ONNX definition in float64: returns Y, Y_h (and Y_c for LSTM) in the node's layout."""
    layout = attrs.get("layout", 0)
    direction = attrs.get("direction", "forward")
    dirs = 2 if direction == "bidirectional" else 1
    clip = attrs.get("clip")
    H = R.shape[-1]
    G = GATES[op]
    X = X.astype(np.float64)
    if layout == 1:
        X = X.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    T, N, _ = X.shape
    lens = np.full(N, T) if lens is None else lens
    acts = activation_functions(op, attrs, dirs)
    bound = (lambda v: np.clip(v, -clip, clip)) if clip is not None else (lambda v: v)
    Y = np.zeros((T, dirs, N, H))
    Yh = np.zeros((dirs, N, H))
    Yc = np.zeros((dirs, N, H))
    for d in range(dirs):
        w, r = W[d].astype(np.float64), R[d].astype(np.float64)
        b = np.zeros(2 * G * H) if B is None else B[d].astype(np.float64)
        wb, rb = b[: G * H], b[G * H:]
        p = np.zeros(3 * H) if P is None else P[d].astype(np.float64)
        f = acts[d]
        reverse = direction == "reverse" or d == 1
        for n in range(N):
            h = np.zeros(H) if h0 is None else h0[d, n].astype(np.float64)
            c = np.zeros(H) if c0 is None else c0[d, n].astype(np.float64)
            steps = range(lens[n] - 1, -1, -1) if reverse else range(lens[n])
            for t in steps:
                x = X[t, n]
                if op == "RNN":
                    h = f[0](bound(x @ w.T + h @ r.T + wb + rb))
                elif op == "GRU":
                    xs = np.split(x @ w.T + wb, 3)
                    rz = np.split(r, 3)
                    rbs = np.split(rb, 3)
                    z = f[0](bound(xs[0] + h @ rz[0].T + rbs[0]))
                    rr = f[0](bound(xs[1] + h @ rz[1].T + rbs[1]))
                    if attrs.get("linear_before_reset", 0):
                        pre = xs[2] + rr * (h @ rz[2].T + rbs[2])
                    else:
                        pre = xs[2] + (rr * h) @ rz[2].T + rbs[2]
                    hh = f[1](bound(pre))
                    h = (1 - z) * hh + z * h
                else:
                    i_, o_, f_, c_ = np.split(x @ w.T + h @ r.T + wb + rb, 4)
                    pi, po, pf = np.split(p, 3)
                    ig = f[0](bound(i_ + pi * c))
                    fg = 1 - ig if attrs.get("input_forget", 0) else f[0](bound(f_ + pf * c))
                    c = fg * c + ig * f[1](bound(c_))
                    og = f[0](bound(o_ + po * c))
                    h = og * f[2](bound(c))
                Y[t, d, n] = h
            Yh[d, n], Yc[d, n] = h, c
    if layout == 1:
        Y = Y.transpose(2, 0, 1, 3)
        Yh = Yh.transpose(1, 0, 2)
        Yc = Yc.transpose(1, 0, 2)
    out = [Y.astype(np.float32), Yh.astype(np.float32)]
    if op == "LSTM":
        out.append(Yc.astype(np.float32))
    return out


INPUT_NAMES = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]


def make_model(op, attrs, values, runtime, dims_override, with_yc=True):
    """`values`: input name -> array (None: absent); `runtime`: names given as graph inputs
    (the rest are initializers); `dims_override`: graph-input dims (strings are symbolic)."""
    node_inputs = []
    last = max(i for i, n in enumerate(INPUT_NAMES) if values.get(n) is not None)
    for n in INPUT_NAMES[: last + 1]:
        node_inputs.append(n if values.get(n) is not None else "")
    outputs = ["Y", "Y_h"] + (["Y_c"] if op == "LSTM" and with_yc else [])
    node = helper.make_node(op, node_inputs, outputs, **attrs)
    graph_inputs, inits = [], []
    for n in INPUT_NAMES:
        v = values.get(n)
        if v is None:
            continue
        if n in runtime:
            elem = TensorProto.INT32 if v.dtype == np.int32 else TensorProto.FLOAT
            graph_inputs.append(helper.make_tensor_value_info(n, elem, dims_override.get(n, list(v.shape))))
        else:
            inits.append(numpy_helper.from_array(v, n))
    graph_outputs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, dims_override.get(o)) for o in outputs]
    graph = helper.make_graph([node], op.lower(), graph_inputs, graph_outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def random_inputs(rng, op, dirs, T, N, I, H, layout, with_b=True, with_states=False, with_p=False):
    G = GATES[op]
    x_dims = (T, N, I) if layout == 0 else (N, T, I)
    state_dims = (dirs, N, H) if layout == 0 else (N, dirs, H)
    v = {
        "X": rng.uniform(-1, 1, x_dims).astype(np.float32),
        "W": rng.uniform(-0.6, 0.6, (dirs, G * H, I)).astype(np.float32),
        "R": rng.uniform(-0.6, 0.6, (dirs, G * H, H)).astype(np.float32),
    }
    if with_b:
        v["B"] = rng.uniform(-0.5, 0.5, (dirs, 2 * G * H)).astype(np.float32)
    if with_states:
        v["initial_h"] = rng.uniform(-1, 1, state_dims).astype(np.float32)
        if op == "LSTM":
            v["initial_c"] = rng.uniform(-1, 1, state_dims).astype(np.float32)
    if with_p:
        v["P"] = rng.uniform(-0.5, 0.5, (dirs, 3 * H)).astype(np.float32)
    return v


def expected(op, attrs, v):
    return recurrence(op, attrs, v["X"], v["W"], v["R"], v.get("B"), v.get("sequence_lens"), v.get("initial_h"), v.get("initial_c"), v.get("P"))


def check_against_onnx_reference():
    rng = np.random.default_rng(7)
    forms = [
        ("RNN", {}),
        ("GRU", {"linear_before_reset": 0}),
        ("GRU", {"linear_before_reset": 1}),
        ("LSTM", {}),
    ]
    for op, extra in forms:
        for layout in (0, 1):
            for with_p in ((False, True) if op == "LSTM" else (False,)):
                attrs = dict(extra, hidden_size=4, layout=layout)
                # onnx.reference takes initial states in layout 0 only, its Y_h in layout 1
                # is not the last state (there, only Y is compared), and in layout 1 it sizes
                # the state by the sequence length (equal to the batch size there).
                steps = 3 if layout == 1 else 5
                v = random_inputs(rng, op, 1, steps, 3, 2, 4, layout, with_states=layout == 0, with_p=with_p)
                # (onnx.reference gives no Y_c.)
                model = make_model(op, attrs, v, runtime=set(v), dims_override={}, with_yc=False)
                got = ReferenceEvaluator(model).run(None, v)
                want = expected(op, attrs, v)
                compared = 2 if layout == 0 else 1
                for g, w in zip(got[:compared], want[:compared]):
                    assert g.shape == w.shape, (op, attrs, g.shape, w.shape)
                    assert np.abs(g - w).max() < 1e-5, (op, attrs, np.abs(g - w).max())
    print("the reference agrees with onnx.reference on the forms both take")


def write_case(name, op, attrs, v, runtime, dims_override=None):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    want = expected(op, attrs, v)
    dims = dict(dims_override or {})
    for n, a in zip(["Y", "Y_h", "Y_c"], want):
        dims.setdefault(n, list(a.shape))
    model = make_model(op, attrs, v, runtime, dims)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(d, "model.onnx"))
    lines = []
    k = 0
    for n in INPUT_NAMES:
        if n in runtime and v.get(n) is not None:
            a = v[n]
            kind = "int32" if a.dtype == np.int32 else "float32"
            f = f"in{k}.bin"
            a.tofile(os.path.join(d, f))
            lines.append(f"input {n} {kind} {a.ndim} {' '.join(map(str, a.shape))} {f}")
            k += 1
    outs = ["Y", "Y_h", "Y_c"]
    for n, a in zip(outs, want):
        f = f"ref_{n.lower()}.bin"
        a.tofile(os.path.join(d, f))
        lines.append(f"output {n} float32 {a.ndim} {' '.join(map(str, a.shape))} {f}")
    with open(os.path.join(d, "manifest.txt"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("wrote", name)


def main():
    check_against_onnx_reference()
    rng = np.random.default_rng(2024)

    # Bidirectional GRU, linear_before_reset=0, weights as graph inputs, sequence lengths
    # (the reverse direction reverses each item within its own length), initial state.
    v = random_inputs(rng, "GRU", 2, 5, 3, 3, 4, 0, with_states=True)
    v["sequence_lens"] = np.array([5, 2, 3], dtype=np.int32)
    write_case(
        "loop_gru_bidir_lens",
        "GRU",
        {"hidden_size": 4, "direction": "bidirectional"},
        v,
        runtime={"X", "W", "R", "B", "sequence_lens", "initial_h"},
    )

    # Reverse LSTM, layout 1, peepholes, clip, input_forget, initial states.
    v = random_inputs(rng, "LSTM", 1, 4, 2, 3, 3, 1, with_states=True, with_p=True)
    v["X"] *= 3.0
    write_case(
        "loop_lstm_reverse_peepholes_clip",
        "LSTM",
        {"hidden_size": 3, "direction": "reverse", "layout": 1, "clip": 0.9, "input_forget": 1},
        v,
        runtime={"X", "initial_h", "initial_c"},
    )

    # Bidirectional RNN with other activations and their parameters, X of unknown
    # sequence length and batch size, sequence lengths, no bias.
    v = random_inputs(rng, "RNN", 2, 4, 3, 2, 5, 0, with_b=False)
    v["sequence_lens"] = np.array([4, 1, 3], dtype=np.int32)
    write_case(
        "loop_rnn_activations_dynamic",
        "RNN",
        {
            "hidden_size": 5,
            "direction": "bidirectional",
            "activations": ["LeakyRelu", "ScaledTanh"],
            "activation_alpha": [0.2, 0.8],
            "activation_beta": [1.3],
        },
        v,
        runtime={"X", "sequence_lens"},
        dims_override={
            "X": ["seq", "batch", 2],
            "sequence_lens": ["batch"],
            "Y": ["seq", 2, "batch", 5],
            "Y_h": [2, "batch", 5],
        },
    )

    # GRU, linear_before_reset=1 (IRNNv2Layer's form) but W given at run time, layout 1.
    v = random_inputs(rng, "GRU", 1, 3, 2, 4, 3, 1, with_states=True)
    write_case(
        "loop_gru_runtime_weights",
        "GRU",
        {"hidden_size": 3, "linear_before_reset": 1, "layout": 1},
        v,
        runtime={"X", "W", "initial_h"},
    )

    # Reverse GRU with HardSigmoid and Affine: alphas and betas go to the activations that
    # take them, in order (HardSigmoid 0.3 and 0.4, Affine 0.7 and its default beta 0).
    v = random_inputs(rng, "GRU", 1, 4, 2, 3, 3, 0)
    write_case(
        "loop_gru_reverse_affine",
        "GRU",
        {
            "hidden_size": 3,
            "direction": "reverse",
            "linear_before_reset": 1,
            "activations": ["HardSigmoid", "Affine"],
            "activation_alpha": [0.3, 0.7],
            "activation_beta": [0.4],
        },
        v,
        runtime={"X"},
    )

    # Stays on IRNNv2Layer: bidirectional LSTM with initializer weights and sequence lengths.
    v = random_inputs(rng, "LSTM", 2, 4, 3, 2, 3, 0, with_states=True)
    v["sequence_lens"] = np.array([4, 2, 1], dtype=np.int32)
    write_case(
        "rnnv2_lstm_bidir_lens",
        "LSTM",
        {"hidden_size": 3, "direction": "bidirectional"},
        v,
        runtime={"X", "sequence_lens", "initial_h", "initial_c"},
    )


if __name__ == "__main__":
    main()

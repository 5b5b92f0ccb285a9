#!/usr/bin/env python3
"""Real models through the ONNX parser and engine, compared with PyTorch (issue 8).

Runs on the GPU machine (PyTorch, torchvision and transformers there): exports each model with
torch.onnx.export (random weights; TorchScript exporter, opsets 13 and 17), runs it through the
public C++ API with tests/onnx_node/runner.cpp (parse, build, enqueueV3 on CUDA) and compares
every output with PyTorch's own FP32 result (TF32 off on both sides), and once more as a
dynamic-batch export (opset 17) whose one engine runs batch 1 and batch 32:

    max |ours - torch| / max |torch|   <= 1e-3 (FP32), 2e-2 (FP16 allowed)

Prints one line per run, `REAL-MODEL <model> opset=<o> <precision> <PASS|FAIL> <detail>`, which
scripts/gpu_check.sh puts in its summary.

    python3 scripts/real_models.py --runner build/onnx-node/onnx_node_runner [--work DIR] [--only NAME]
"""

import argparse
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "onnx_node"))
from compare import read_outputs  # noqa: E402

TOLERANCE = {"fp32": 1e-3, "fp16": 2e-2}


def resnet50(torch):
    import torchvision

    return torchvision.models.resnet50(weights=None), (torch.randn(1, 3, 224, 224),), ["input"], ["logits"]


def mobilenet_v2(torch):
    import torchvision

    return torchvision.models.mobilenet_v2(weights=None), (torch.randn(1, 3, 224, 224),), ["input"], ["logits"]


def bert_base(torch):
    import transformers

    config = transformers.BertConfig()  # bert-base: 12 layers, hidden 768, 12 heads
    # Plain attention ops (opset 13 has no scaled_dot_product_attention export).
    config._attn_implementation = "eager"
    model = transformers.BertModel(config, add_pooling_layer=True)

    class Wrapped(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, input_ids, attention_mask):
            out = self.m(input_ids=input_ids, attention_mask=attention_mask)
            return out.last_hidden_state, out.pooler_output

    seq = 128
    ids = torch.randint(0, config.vocab_size, (1, seq), dtype=torch.int64)
    mask = torch.ones(1, seq, dtype=torch.int64)
    mask[0, 100:] = 0
    return Wrapped(model), (ids, mask), ["input_ids", "attention_mask"], ["last_hidden_state", "pooler_output"]


MODELS = {"resnet50": resnet50, "mobilenet_v2": mobilenet_v2, "bert_base": bert_base}


def write_manifest(folder, names, arrays):
    """The runner's manifest: `input NAME DTYPE RANK D... FILE` per input (int64 as int32)."""
    with open(os.path.join(folder, "manifest.txt"), "w") as m:
        for i, (name, a) in enumerate(zip(names, arrays)):
            if a.dtype == np.int64:
                a = a.astype(np.int32)
            dtype = {np.dtype(np.float32): "float32", np.dtype(np.int32): "int32"}[a.dtype]
            file = f"input_{i}.bin"
            a.tofile(os.path.join(folder, file))
            m.write(" ".join(str(f) for f in ["input", name, dtype, a.ndim, *a.shape, file]) + "\n")


def calibrate_batch_norm(torch, model, example):
    """Running statistics from a few random batches (train mode), as a trained network has
    them: with the initial ones (mean 0, var 1) activations of a deep random network shrink
    block after block to around 1e-8, below what FP16 represents, and no FP16 engine (ours or
    PyTorch's) can be compared on it."""
    if not any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules()):
        return
    dev = torch.device("cuda")
    model.to(dev).train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(16, *example.shape[1:], device=dev))
    model.cpu()


def run(args, torch, name, opset):
    model, inputs, in_names, out_names = MODELS[name](torch)
    calibrate_batch_norm(torch, model, inputs[0])
    model.eval()
    folder = os.path.abspath(os.path.join(args.work, f"{name}-opset{opset}"))
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, inputs, path, opset_version=opset, input_names=in_names, output_names=out_names, dynamo=False)
        dev = torch.device("cuda")
        ref = model.to(dev)(*[x.to(dev) for x in inputs])
    ref = [r.float().cpu().numpy() for r in (ref if isinstance(ref, (tuple, list)) else (ref,))]
    write_manifest(folder, in_names, [x.numpy() for x in inputs])
    lines = []
    for precision in ("fp32", "fp16"):
        out_dir = os.path.join(folder, precision)
        os.makedirs(out_dir, exist_ok=True)
        env = dict(os.environ, ONNX_RUNNER_FP16="1" if precision == "fp16" else "0")
        # The manifest names its data files relative to the folder the runner runs in.
        runner = os.path.abspath(args.runner)
        p = subprocess.run([runner, path, "manifest.txt", out_dir], capture_output=True, text=True, env=env, timeout=1200, cwd=folder)
        tag = f"REAL-MODEL {name} opset={opset} {precision}"
        if p.returncode != 0:
            last = (p.stdout.strip().splitlines() or ["(no output)"])[-1]
            with open(os.path.join(out_dir, "runner.log"), "w") as f:
                f.write(p.stdout + p.stderr)
            lines.append(f"{tag} FAIL {last}")
            continue
        worst, details = relative_errors(out_dir, out_names, ref)
        ok = worst <= TOLERANCE[precision]
        lines.append(f"{tag} {'PASS' if ok else 'FAIL'} rel err {', '.join(details)} (tol {TOLERANCE[precision]:g})")
    return lines


def batched(torch, x, batch):
    """`x` (batch 1) grown to `batch` rows that differ: float rows get noise, integer rows are
    rolled along their last axis by their index."""
    rows = []
    for i in range(batch):
        if x.is_floating_point():
            rows.append(x[0] + torch.randn_like(x[0]))
        else:
            rows.append(torch.roll(x[0], shifts=i, dims=-1))
    return torch.stack(rows)


def relative_errors(out_dir, out_names, ref):
    """The worst relative error over the outputs and a detail per output."""
    ours = read_outputs(out_dir)
    worst, details = 0.0, []
    for n, r in zip(out_names, ref):
        o = ours.get(n)
        if o is None or o.shape != r.shape:
            details.append(f"{n}: shape {None if o is None else o.shape} vs {r.shape}")
            worst = float("inf")
            continue
        err = float(np.max(np.abs(o.astype(np.float64) - r)) / max(np.max(np.abs(r)), 1e-30))
        worst = max(worst, err)
        details.append(f"{n} {err:.2e}")
    return worst, details


def run_dynamic(args, torch, name, opset, batches=(1, 32)):
    """A dynamic-batch export (axis 0 of every input and output named 'batch'); one engine
    (profile from the smallest to the largest batch) and one context run every batch, FP32."""
    model, inputs, in_names, out_names = MODELS[name](torch)
    calibrate_batch_norm(torch, model, inputs[0])
    model.eval()
    folder = os.path.abspath(os.path.join(args.work, f"{name}-opset{opset}-dynamic"))
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    axes = {n: {0: "batch"} for n in in_names + out_names}
    with torch.no_grad():
        torch.onnx.export(model, inputs, path, opset_version=opset, input_names=in_names, output_names=out_names,
                          dynamic_axes=axes, dynamo=False)
    dev = torch.device("cuda")
    model.to(dev)
    argv, refs = [os.path.abspath(args.runner), path], []
    for b in batches:
        sub = os.path.join(folder, f"batch{b}")
        os.makedirs(sub, exist_ok=True)
        xs = [batched(torch, x, b) for x in inputs]
        with torch.no_grad():
            ref = model(*[x.to(dev) for x in xs])
        refs.append([r.float().cpu().numpy() for r in (ref if isinstance(ref, (tuple, list)) else (ref,))])
        write_manifest(sub, in_names, [x.numpy() for x in xs])
        # Absolute data paths: the runner reads every manifest from one folder.
        with open(os.path.join(sub, "manifest.txt")) as f:
            lines = [ln.rsplit(" ", 1) for ln in f.read().splitlines()]
        with open(os.path.join(sub, "manifest.txt"), "w") as f:
            f.write("".join(f"{head} {os.path.join(sub, file)}\n" for head, file in lines))
        argv += [os.path.join(sub, "manifest.txt"), sub]
    tag = f"REAL-MODEL {name} opset={opset} fp32 dynamic batch {'+'.join(str(b) for b in batches)} (one engine)"
    p = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, ONNX_RUNNER_FP16="0"), timeout=1200)
    if p.returncode != 0:
        last = (p.stdout.strip().splitlines() or ["(no output)"])[-1]
        return [f"{tag} FAIL {last}"]
    worst, details = 0.0, []
    for b, ref in zip(batches, refs):
        w, d = relative_errors(os.path.join(folder, f"batch{b}"), out_names, ref)
        worst = max(worst, w)
        details.append(f"batch {b}: {', '.join(d)}")
    ok = worst <= TOLERANCE["fp32"]
    return [f"{tag} {'PASS' if ok else 'FAIL'} rel err {'; '.join(details)} (tol {TOLERANCE['fp32']:g})"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--work", default="/tmp/real-models")
    ap.add_argument("--only", default=None)
    ap.add_argument("--opsets", default="13,17")
    ap.add_argument("--no-dynamic", action="store_true", help="skip the dynamic-batch runs (batch 1 and 32 from one engine)")
    args = ap.parse_args()
    import torch

    torch.manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    failed = 0
    for name in MODELS:
        if args.only and name != args.only:
            continue
        for opset in [int(o) for o in args.opsets.split(",")]:
            try:
                lines = run(args, torch, name, opset)
            except Exception as e:  # an export or reference failure is a failed row, not the end
                lines = [f"REAL-MODEL {name} opset={opset} - FAIL {type(e).__name__}: {str(e).splitlines()[0][:200]}"]
            for line in lines:
                print(line, flush=True)
                failed += " FAIL " in line
        if not args.no_dynamic:
            try:
                lines = run_dynamic(args, torch, name, 17)
            except Exception as e:
                lines = [f"REAL-MODEL {name} opset=17 dynamic batch - FAIL {type(e).__name__}: {str(e).splitlines()[0][:200]}"]
            for line in lines:
                print(line, flush=True)
                failed += " FAIL " in line
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

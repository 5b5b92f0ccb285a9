#!/usr/bin/env python3
"""One engine, several batch sizes: builds a small convolutional model whose batch axis is
dynamic ('N'), runs batches 1 and 5 through one engine and one execution context of the runner
(several manifests), and compares each with onnx.reference (tolerance rtol 1e-4, atol 1e-5).
The same runner mode runs the dynamic-batch real models on the GPU machine.

    dynamic_batch.py RUNNER WORKDIR      (needs onnx and numpy; CPU backend when NVINFER_BACKEND=cpu)
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
from onnx.reference import ReferenceEvaluator


def model():
    rng = np.random.default_rng(3)
    w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "W")
    b = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "B")
    fc = numpy_helper.from_array(rng.standard_normal((4, 2)).astype(np.float32), "FC")
    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("MatMul", ["f", "FC"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "dynamic_batch",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
        [w, b, fc],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def main():
    runner, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(work, exist_ok=True)
    m = model()
    path = os.path.join(work, "model.onnx")
    onnx.save(m, path)
    rng = np.random.default_rng(4)
    args, expected = [runner, path], []
    for batch in (1, 5):
        x = rng.standard_normal((batch, 3, 8, 8)).astype(np.float32)
        folder = os.path.join(work, f"batch{batch}")
        os.makedirs(folder, exist_ok=True)
        x.tofile(os.path.join(folder, "x.bin"))
        with open(os.path.join(folder, "manifest.txt"), "w") as f:
            f.write(f"input x float32 4 {batch} 3 8 8 {os.path.join(folder, 'x.bin')}\n")
        args += [os.path.join(folder, "manifest.txt"), folder]
        expected.append(ReferenceEvaluator(m).run(None, {"x": x})[0])
    p = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        print(f"FAIL dynamic batch: runner exit {p.returncode}: {p.stdout.strip().splitlines()[-1:]}")
        return 1
    for batch, want in zip((1, 5), expected):
        got = np.fromfile(os.path.join(work, f"batch{batch}", "output_0.bin"), dtype=np.float32)
        if got.size != want.size or not np.allclose(got.reshape(want.shape), want, rtol=1e-4, atol=1e-5):
            print(f"FAIL dynamic batch: batch {batch} differs from onnx.reference")
            return 1
    print("ok   dynamic batch: one engine ran batches 1 and 5, each matching onnx.reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())

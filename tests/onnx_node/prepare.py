#!/usr/bin/env python3
"""Turns the ONNX backend node tests of the installed `onnx` package into cases the C++ runner
reads without protobuf: per case a folder with model.onnx, manifest.txt (inputs as raw files in
the types TensorRT 8.6 has), the expected outputs as .npy (in those types) and case.json (operator,
opset, whether TensorRT 8.6 can represent the case's inputs and outputs, and why not).

    prepare.py OUTDIR        (needs onnx==1.16.2 and numpy importable)

Run once per wheel version; the result needs only numpy to use (so it can be carried to a GPU
machine without onnx). Like onnx-tensorrt, int64 is carried as int32 (values must fit) and
double as float.
"""
import json
import os
import re
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper

ONNX_VERSION = "1.16.2"

# ONNX element type -> (numpy type TensorRT sees, name in the runner's manifest).
CARRIED = {
    "FLOAT": (np.float32, "float32"),
    "FLOAT16": (np.float16, "float16"),
    "INT32": (np.int32, "int32"),
    "INT8": (np.int8, "int8"),
    "UINT8": (np.uint8, "uint8"),
    "BOOL": (np.bool_, "bool"),
    "INT64": (np.int32, "int32"),  # range-checked
    "DOUBLE": (np.float32, "float32"),
}


def value_type(value_info):
    """The element type name of a graph input/output, or why it is not a tensor."""
    kind = value_info.type.WhichOneof("value")
    if kind != "tensor_type":
        kind = kind.replace("_type", "")
        return None, f"{value_info.name} is {'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    elem = onnx.TensorProto.DataType.Name(value_info.type.tensor_type.elem_type)
    if elem not in CARRIED:
        return None, f"{value_info.name} is {elem.lower()}"
    return elem, None


def declared_shape(value_info):
    """The static shape a graph input/output declares, or None when a dimension is unknown."""
    tensor_type = value_info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    dims = tensor_type.shape.dim
    if any(not d.HasField("dim_value") for d in dims):
        return None
    return tuple(d.dim_value for d in dims)


def convert(array, elem, name):
    """The array in the type TensorRT sees; raises ValueError when int64 values do not fit."""
    target = CARRIED[elem][0]
    if elem == "INT64" and array.size and (array.min() < -(2**31) or array.max() >= 2**31):
        raise ValueError(f"{name} has int64 values outside int32")
    return array.astype(target, order="C")  # (np.ascontiguousarray would make scalars 1-D)


def operator_of(case, models):
    """(op_type with its domain when not the default one, opset): expanded cases
    (`*_expanded[_verN]`, a function body) are counted under the operator they expand."""
    base = re.sub(r"_ver\d+$", "", case.replace("_expanded", ""))
    model = models(base) if base != case else models(case)
    node = model.graph.node[0]
    domain = node.domain if node.domain not in ("", "ai.onnx") else ""
    opset = next((o.version for o in models(case).opset_import if o.domain in ("", "ai.onnx")), 0)
    if domain:
        opset = next((o.version for o in model.opset_import if o.domain == domain), opset)
    return (f"{domain}.{node.op_type}" if domain else node.op_type), opset


def prepare_case(src, dst, case, models):
    model = models(case)
    op, opset = operator_of(case, models)
    info = {"case": case, "op": op, "opset": opset, "representable": True, "reason": "", "outputs": []}
    data_dir = os.path.join(src, "test_data_set_0")
    problems = []
    inputs, outputs = [], []
    for kind, values, into in (("input", model.graph.input, inputs), ("output", model.graph.output, outputs)):
        for i, v in enumerate(values):
            elem, why = value_type(v)
            if why:
                problems.append(f"{kind} {why}")
                continue
            path = os.path.join(data_dir, f"{kind}_{i}.pb")
            tensor = onnx.load_tensor(path)
            array = numpy_helper.to_array(tensor)
            declared = declared_shape(v)
            # A few cases' data disagree with the model's own static shape in rank only
            # (test_pow_bcast_scalar feeds shape (1,) to a scalar input): the model's shape is the
            # one a user would feed.
            if declared is not None and declared != array.shape and np.prod(declared, dtype=np.int64) == array.size:
                array = array.reshape(declared)
            try:
                into.append((v.name, elem, convert(array, elem, v.name)))
            except ValueError as e:
                problems.append(f"{kind} {e}")
    os.makedirs(dst, exist_ok=True)
    if problems:
        info["representable"] = False
        info["reason"] = "; ".join(problems)
    else:
        shutil.copyfile(os.path.join(src, "model.onnx"), os.path.join(dst, "model.onnx"))
        with open(os.path.join(dst, "manifest.txt"), "w") as m:
            for i, (name, elem, array) in enumerate(inputs):
                if re.search(r"\s", name) or not name:
                    raise SystemExit(f"{case}: input name {name!r} cannot go in the manifest")
                file = os.path.join(dst, f"input_{i}.bin")
                array.tofile(file)
                fields = ["input", name, CARRIED[elem][1], array.ndim, *array.shape, f"input_{i}.bin"]
                m.write(" ".join(str(f) for f in fields) + "\n")
        for i, (name, elem, array) in enumerate(outputs):
            np.save(os.path.join(dst, f"expected_{i}.npy"), array)
            info["outputs"].append({"name": name, "onnx_type": elem.lower()})
    with open(os.path.join(dst, "case.json"), "w") as f:
        json.dump(info, f, indent=1)
    return info


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    if onnx.__version__ != ONNX_VERSION:
        raise SystemExit(f"onnx {onnx.__version__} is installed; the node tests are those of onnx=={ONNX_VERSION}")
    out = sys.argv[1]
    src_root = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
    cache = {}

    def models(case):
        if case not in cache:
            cache[case] = onnx.load(os.path.join(src_root, case, "model.onnx"))
        return cache[case]

    cases = sorted(c for c in os.listdir(src_root) if os.path.isfile(os.path.join(src_root, c, "model.onnx")))
    shutil.rmtree(out, ignore_errors=True)
    representable = 0
    for case in cases:
        representable += prepare_case(os.path.join(src_root, case), os.path.join(out, case), case, models)["representable"]
    with open(os.path.join(out, "VERSION"), "w") as f:
        f.write(f"onnx=={ONNX_VERSION}\n")
    print(f"prepared {len(cases)} node-test cases into {out} ({representable} representable)")


if __name__ == "__main__":
    main()

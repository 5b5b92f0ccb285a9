"""Compares the runner's outputs of one case with the expected ones, as the ONNX backend tests
do (numpy.testing.assert_allclose with rtol 1e-3, atol 1e-7; NaN equals NaN). Needs numpy only.
Returns None when they agree, else the reason (one line)."""
import os

import numpy as np

RTOL = 1e-3
ATOL = 1e-7
DTYPES = {"float32": np.float32, "float16": np.float16, "int32": np.int32, "int8": np.int8,
          "uint8": np.uint8, "bool": np.bool_}


def read_outputs(out_dir):
    """{name: array} from the runner's outputs.txt."""
    outputs = {}
    with open(os.path.join(out_dir, "outputs.txt")) as f:
        for line in f:
            fields = line.split()
            name, dtype, rank = fields[1], fields[2], int(fields[3])
            shape = tuple(int(d) for d in fields[4:4 + rank])
            data = np.fromfile(fields[4 + rank], dtype=DTYPES[dtype])
            if data.size != int(np.prod(shape, dtype=np.int64)):
                raise ValueError(f"output {name}: {data.size} values for shape {shape}")
            outputs[name] = data.reshape(shape)
    return outputs


def compare(case_dir, info, out_dir):
    try:
        actual = read_outputs(out_dir)
    except (OSError, ValueError, KeyError, IndexError) as e:
        return f"unreadable runner outputs: {e}"
    expected_names = [o["name"] for o in info["outputs"]]
    if sorted(actual) != sorted(expected_names):
        return f"outputs {sorted(actual)}, expected {sorted(expected_names)}"
    for i, name in enumerate(expected_names):
        want = np.load(os.path.join(case_dir, f"expected_{i}.npy"))
        got = actual[name]
        if got.shape != want.shape:
            return f"output {name}: shape {got.shape}, expected {want.shape}"
        if got.dtype != want.dtype:
            return f"output {name}: type {got.dtype}, expected {want.dtype}"
        g, w = got.astype(np.float64), want.astype(np.float64)
        if np.issubdtype(want.dtype, np.floating):
            ok = np.isclose(g, w, rtol=RTOL, atol=ATOL, equal_nan=True)
        else:
            ok = got == want
        if not ok.all():
            with np.errstate(invalid="ignore"):  # inf - inf
                diff = np.abs(g - w)[~ok]
            worst = float(np.max(np.where(np.isnan(diff), np.inf, diff)))  # NaN against a number: inf
            return (f"output {name}: {int((~ok).sum())} of {ok.size} values differ, "
                    f"max abs err {worst:.3g} (rtol {RTOL:g}, atol {ATOL:g})")
    return None

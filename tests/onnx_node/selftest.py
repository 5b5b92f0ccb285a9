#!/usr/bin/env python3
"""Shows that the harness's two judgements can fail: compare() on outputs that differ in value,
NaN, shape, type or name, and check() on every kind of status change. Needs numpy only; exits
non-zero on the first judgement that is wrong."""
import json
import os
import sys
import tempfile

import numpy as np

from compare import compare
from run_cases import check


def outputs_case(tmp, expected, actual):
    """A case folder with `expected` (name -> array) and a runner output folder with `actual`."""
    case_dir = tempfile.mkdtemp(dir=tmp)
    out_dir = tempfile.mkdtemp(dir=tmp)
    info = {"outputs": [{"name": n} for n in expected]}
    for i, array in enumerate(expected.values()):
        np.save(os.path.join(case_dir, f"expected_{i}.npy"), array)
    with open(os.path.join(out_dir, "outputs.txt"), "w") as f:
        for i, (name, array) in enumerate(actual.items()):
            file = os.path.join(out_dir, f"output_{i}.bin")
            array.tofile(file)
            dtype = "bool" if array.dtype == np.bool_ else str(array.dtype)
            f.write(" ".join(str(x) for x in ["output", name, dtype, array.ndim, *array.shape, file]) + "\n")
    return case_dir, info, out_dir


def main():
    failures = 0
    x = np.array([[1.0, -2.0, np.nan], [0.0, 1e-8, np.inf]], dtype=np.float32)
    within = x * np.float32(1 + 5e-4)
    beyond = x.copy()
    beyond[0, 0] = 1.002
    nan_for_number = x.copy()
    nan_for_number[1, 0] = np.nan
    ints = np.array([1, 2, 3], dtype=np.int32)
    cmp_cases = [
        ("identical", {"y": x}, {"y": x}, True),
        ("within rtol 1e-3", {"y": x}, {"y": within}, True),
        ("off by 2e-3 relative", {"y": x}, {"y": beyond}, False),
        ("NaN for a number", {"y": x}, {"y": nan_for_number}, False),
        ("shape", {"y": x}, {"y": x.reshape(3, 2)}, False),
        ("type", {"y": x}, {"y": x.astype(np.float16)}, False),
        ("output name", {"y": x}, {"z": x}, False),
        ("output count", {"y": x, "z": x}, {"y": x}, False),
        ("ints exact", {"y": ints}, {"y": ints.copy()}, True),
        ("ints off by one", {"y": ints}, {"y": ints + np.int32([0, 0, 1])}, False),
        ("empty", {"y": np.zeros((0, 3), np.float32)}, {"y": np.zeros((0, 3), np.float32)}, True),
        ("scalar", {"y": np.float32(2.0).reshape(())}, {"y": np.float32(2.5).reshape(())}, False),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name, expected, actual, agree in cmp_cases:
            reason = compare(*outputs_case(tmp, expected, actual))
            if (reason is None) != agree:
                failures += 1
                print(f"FAIL compare {name}: {'agreed' if reason is None else reason}")

    def rows(**statuses):
        return {c: {"case": c, "op": "Op", "opset": "1", "status": s, "reason": ""} for c, s in statuses.items()}

    chk_cases = [
        ("unchanged", rows(a="pass", b="fail"), rows(a="pass", b="fail"), "exact", 0),
        ("regression", rows(a="pass"), rows(a="fail"), "exact", 1),
        ("newly passing", rows(a="fail"), rows(a="pass"), "exact", 1),
        ("new crash", rows(a="fail"), rows(a="crash"), "exact", 1),
        ("fail to timeout (load)", rows(a="fail"), rows(a="timeout"), "exact", 0),
        ("pass to timeout", rows(a="pass"), rows(a="timeout"), "exact", 1),
        ("case not expected", rows(a="pass"), rows(a="pass", b="fail"), "exact", 1),
        ("case not run", rows(a="pass", b="fail"), rows(a="pass"), "exact", 1),
        ("cuda regression", rows(a="pass"), rows(a="fail"), "passes", 1),
        ("cuda crash", rows(a="fail"), rows(a="crash"), "passes", 1),
        ("cuda newly passing", rows(a="fail"), rows(a="pass"), "passes", 0),
    ]
    for name, expected, results, mode, problems in chk_cases:
        got = check(results, expected, mode)
        if len(got) != problems:
            failures += 1
            print(f"FAIL check {name}: {len(got)} problems, expected {problems}: {json.dumps(got)}")
    total = len(cmp_cases) + len(chk_cases)
    print(f"onnx node harness self-test: {total - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

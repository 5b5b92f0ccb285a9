#!/usr/bin/env python3
"""Runs every prepared ONNX node-test case (prepare.py) through the C++ runner, one process per
case with a time limit, compares the outputs (compare.py), writes a results table and checks it
against the committed expectations. Needs numpy only.

    run_cases.py --cases DIR --runner BIN --backend cpu|cuda --results OUT.tsv
                 [--expected tests/onnx_node/expected.tsv [--check exact|passes] | --update FILE]
                 [--jobs N] [--timeout S] [--only SUBSTRING] [--keep DIR]

Statuses: pass, fail, not-representable, crash (killed by a signal or an unexpected exit
status), timeout. --check exact (CI, CPU): any status change fails, except between fail and
timeout (load-dependent); a case newly passing fails too, so the file stays exact.
--check passes (GPU): every case expected to pass must pass, and none may crash.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from compare import compare

HEADER = "case\top\topset\tstatus\treason"
CPU_FALLBACK = "building for the CPU reference backend"
# Cases whose reference outputs in onnx 1.16.2 disagree with the operator's specification
# (case, then why); a mismatch there is reported with that explanation. They stay failures.
ERRATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_errata.tsv")


def read_errata():
    errata = {}
    with open(ERRATA) as f:
        for line in f.read().splitlines():
            if line and not line.startswith("#"):
                case, why = line.split("\t", 1)
                errata[case] = why
    return errata


def run_case(args, case, work):
    case_dir = os.path.join(args.cases, case)
    with open(os.path.join(case_dir, "case.json")) as f:
        info = json.load(f)
    row = {"case": case, "op": info["op"], "opset": str(info["opset"])}
    if not info["representable"]:
        return dict(row, status="not-representable", reason=info["reason"])
    out_dir = os.path.join(work, case)
    os.makedirs(out_dir)
    env = dict(os.environ, NVINFER_BACKEND=args.backend)
    with open(os.path.join(out_dir, "stderr.log"), "w+") as err:
        proc = subprocess.Popen([args.runner, "model.onnx", "manifest.txt", out_dir], cwd=case_dir, env=env,
                                stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
        try:
            stdout, _ = proc.communicate(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the runner and anything it started
            proc.communicate()
            return dict(row, status="timeout", reason=f"over {args.timeout:g} s")
        err.seek(0)
        stderr = err.read()
    last = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    if proc.returncode < 0:
        tail = stderr.strip().splitlines()[-1][:200] if stderr.strip() else ""
        return dict(row, status="crash", reason=f"{signal.Signals(-proc.returncode).name} {tail}".strip())
    if proc.returncode == 1 and last.startswith("ERROR "):
        return dict(row, status="fail", reason=last[len("ERROR "):])
    if proc.returncode != 0 or last != "OK":
        return dict(row, status="crash", reason=f"exit status {proc.returncode}, last line {last[:200]!r}")
    if args.backend == "cuda" and CPU_FALLBACK in stderr:
        return dict(row, status="fail", reason="built for the CPU backend, not CUDA")
    reason = compare(case_dir, info, out_dir)
    if reason is not None and case in args.errata:
        reason = f"the onnx 1.16.2 reference output contradicts the spec ({args.errata[case]}): {reason}"
    if reason is None and not args.keep:
        shutil.rmtree(out_dir, ignore_errors=True)
    return dict(row, status="pass" if reason is None else "fail", reason=reason or "")


def read_table(path):
    rows = {}
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or lines[0] != HEADER:
        raise SystemExit(f"{path}: first line must be the header {HEADER!r}")
    for line in lines[1:]:
        case, op, opset, status, reason = line.split("\t")
        rows[case] = {"case": case, "op": op, "opset": opset, "status": status, "reason": reason}
    return rows


def write_table(path, rows):
    with open(path, "w") as f:
        f.write(HEADER + "\n")
        for case in sorted(rows):
            r = rows[case]
            reason = r["reason"].replace("\t", " ").replace("\n", " ")
            f.write(f"{case}\t{r['op']}\t{r['opset']}\t{r['status']}\t{reason}\n")


def check(results, expected, mode):
    """Problems (one line each) of the results against the expectations."""
    problems = []
    for case in sorted(set(expected) - set(results)):
        problems.append(f"{case}: in the expectations but not run")
    for case, r in sorted(results.items()):
        e = expected.get(case)
        got = r["status"]
        if e is None:
            problems.append(f"{case}: not in the expectations (status {got})")
            continue
        want = e["status"]
        if got == want:
            continue
        if want == "pass":
            problems.append(f"{case}: REGRESSION, expected pass, got {got}: {r['reason']}")
        elif mode == "passes":
            if got == "crash":
                problems.append(f"{case}: crash: {r['reason']}")
        elif got == "pass":
            problems.append(f"{case}: now passes (expected {want}): run scripts/onnx_node_tests.sh --update")
        elif {got, want} != {"fail", "timeout"}:
            problems.append(f"{case}: expected {want}, got {got}: {r['reason']}"
                            " (run scripts/onnx_node_tests.sh --update if intended)")
    return problems


def summary(backend, rows):
    n = collections.Counter(r["status"] for r in rows.values())
    representable = len(rows) - n["not-representable"]
    pct = 100.0 * n["pass"] / representable if representable else 0.0
    return (f"onnx node tests ({backend}): {representable} representable of {len(rows)}, {n['pass']} pass "
            f"({pct:.1f}%), {n['crash']} crash, {n['timeout']} timeout")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", required=True)
    p.add_argument("--runner", required=True)
    p.add_argument("--backend", choices=["cpu", "cuda"], required=True)
    p.add_argument("--results", required=True)
    p.add_argument("--expected")
    p.add_argument("--check", choices=["exact", "passes"], default="exact")
    p.add_argument("--update")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--only", help="run only cases whose name contains this (no expectation check)")
    p.add_argument("--keep", help="keep every case's runner outputs and log in this folder")
    args = p.parse_args()
    args.runner = os.path.abspath(args.runner)
    args.cases = os.path.abspath(args.cases)
    args.errata = read_errata()

    cases = sorted(c for c in os.listdir(args.cases) if os.path.isfile(os.path.join(args.cases, c, "case.json")))
    if args.only:
        cases = [c for c in cases if args.only in c]
    if not cases:
        raise SystemExit(f"no cases in {args.cases}")
    work = args.keep or tempfile.mkdtemp(prefix="onnx-node-")
    os.makedirs(work, exist_ok=True)
    start = time.time()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for r in pool.map(lambda c: run_case(args, c, work), cases):
            results[r["case"]] = r
            if r["status"] in ("crash", "timeout"):
                print(f"  {r['case']}: {r['status']} {r['reason']}", flush=True)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    write_table(args.results, results)
    print(f"ran {len(cases)} cases in {time.time() - start:.0f} s with {args.jobs} workers; results in {args.results}")
    print(summary(args.backend, results))

    if args.update:
        write_table(args.update, results)
        print(f"wrote {args.update}")
        return 0
    if args.expected and not args.only:
        problems = check(results, read_table(args.expected), args.check)
        for line in problems:
            print("  " + line)
        if problems:
            print(f"onnx node tests ({args.backend}): {len(problems)} cases differ from {args.expected}")
            return 1
        print(f"onnx node tests ({args.backend}): every case as expected in {args.expected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

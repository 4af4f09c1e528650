"""Instructions per op call at a small size, counted by valgrind's callgrind; prints a table, writes JSON.

    python benchmarks/bench_call_instructions.py [--size 1000] [--calls 100 1100] [--dtype float32]
                                                 [--out benchmarks/results/call_instructions.json]

Wall time at 1,000 elements is a few microseconds and moves with the machine and its load; the count of
instructions a call executes does not (runs differ by ~2%: the launch's host threads, Python's hashing).
Each op runs in two processes under callgrind, one making `calls[0]` calls and one `calls[1]`,
after the same warm-up; the difference divided by the difference in calls is one call's instructions,
startup and imports cancelled out. numpy's OpenBLAS threads are kept to one (OPENBLAS_NUM_THREADS=1):
under valgrind its idle threads spin and would be counted.

valgrind cannot run AVX-512 code, which `-march=native` emits on such CPUs (opkit's default build, the
CMake option OPKIT_NATIVE_ARCH). There, install a baseline build to count:
`pip install . -Ccmake.define.OPKIT_NATIVE_ARCH=OFF` (the counts are then those of the portable build,
which runs its element loops where the native one runs SIMD).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LOOP = """
import sys
import numpy as np
import opkit.ops as ops
name, n, calls, dtype = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(0)
a, b = (rng.uniform(1, 2, n).astype(dtype) for _ in range(2))
c = rng.uniform(1, 2, n).astype(dtype)
f = {"add_custom": lambda: ops.add_custom(a, b), "addcdiv_custom": lambda: ops.addcdiv_custom(a, b, c, value=0.5),
     "sinh_custom": lambda: ops.sinh_custom(a)}[name]
for _ in range(50):
    f()
for _ in range(calls):
    f()
"""

OPS = ["add_custom", "addcdiv_custom", "sinh_custom"]


def count(script: Path, op: str, size: int, calls: int, dtype: str, work: Path) -> int:
    out = work / f"cg.{op}.{calls}"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, str(script),
                           op, str(size), str(calls), dtype], capture_output=True, text=True, env=env, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        hint = ""
        if "unhandled instruction" in done.stderr:
            hint = (" (valgrind cannot run this build's AVX-512 code: install opkit with "
                    "-Ccmake.define.OPKIT_NATIVE_ARCH=OFF to count)")
        raise SystemExit(f"callgrind failed for {op}{hint}:\n{done.stderr[-1500:]}")
    return int(found.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--calls", type=int, nargs=2, default=[100, 1100])
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "call_instructions.json")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    lo, hi = args.calls
    if not 0 <= lo < hi:
        raise SystemExit(f"--calls: need 0 <= FEW < MANY, got {lo} {hi}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        script = work / "loop.py"
        script.write_text(LOOP)
        print(f"instructions per call at {args.size} {args.dtype} elements (callgrind, {lo} vs {hi} calls)")
        print(f"{'op':<16}{'per call':>12}")
        for op in OPS:
            few, many = (count(script, op, args.size, c, args.dtype, work) for c in (lo, hi))
            per = (many - few) / (hi - lo)
            rows.append({"op": op, "size": args.size, "dtype": args.dtype, "instructions_per_call": per})
            print(f"{op:<16}{per:>12,.0f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": platform.machine(), "python": platform.python_version(),
                                    "calls": [lo, hi], "rows": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

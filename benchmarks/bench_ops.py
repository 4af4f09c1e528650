"""Wall time of each built-in op in cpu mode against the same computation in numpy; prints a table, writes JSON.

    python benchmarks/bench_ops.py [--sizes 1000 1000000 16000000] [--repeat 5] [--out benchmarks/results/ops.json]

Each figure is the median of --repeat runs after one warm-up run, measured in one process, so the
ratios (opkit / numpy) compare like with like on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

import opkit


def _time(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _cases(n: int, dtype: str, rng: np.random.Generator):
    x = rng.uniform(-4, 4, n).astype(dtype)
    y = rng.uniform(-4, 4, n).astype(dtype)
    z = rng.uniform(0.5, 4, n).astype(dtype)
    v = np.dtype(dtype).type(0.5)
    yield "add_custom", (lambda: opkit.ops.add_custom(x, y)), (lambda: x + y)
    yield ("addcdiv_custom", (lambda: opkit.ops.addcdiv_custom(x, y, z, value=0.5)),
           (lambda: x + v * y / z))
    yield "sinh_custom", (lambda: opkit.ops.sinh_custom(x)), (lambda: np.sinh(x))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 1_000_000, 16_000_000])
    ap.add_argument("--dtypes", nargs="+", default=["float16", "float32"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "ops.json"))
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    rows = []
    print(f"opkit cpu mode vs numpy, median of {args.repeat} runs ({os.cpu_count()} CPUs, {platform.processor() or platform.machine()})")
    print(f"{'op':<16}{'dtype':<9}{'elements':>11}{'opkit ms':>11}{'numpy ms':>11}{'opkit/numpy':>13}")
    for n in args.sizes:
        for dtype in args.dtypes:
            for name, ours, theirs in _cases(n, dtype, rng):
                t_ours, t_np = _time(ours, args.repeat), _time(theirs, args.repeat)
                rows.append({"op": name, "dtype": dtype, "elements": n, "opkit_s": t_ours, "numpy_s": t_np,
                             "ratio": t_ours / t_np})
                print(f"{name:<16}{dtype:<9}{n:>11}{t_ours * 1e3:>11.3f}{t_np * 1e3:>11.3f}{t_ours / t_np:>13.2f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"mode": "cpu", "cpus": os.cpu_count(), "repeat": args.repeat, "rows": rows}, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

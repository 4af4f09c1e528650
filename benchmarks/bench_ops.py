"""Wall time of each built-in op in cpu mode against the same computation in numpy; prints a table, writes JSON.

    python benchmarks/bench_ops.py [--sizes 1000 1000000 16000000] [--repeat 5] [--out benchmarks/results/ops.json]
    python benchmarks/bench_ops.py --simulate [--sim-sizes 16000000] [--sim-dtypes float16] [--sizes]
                                   (--sizes with no value skips the cpu-vs-numpy table)

Each figure is the median of --repeat runs after one warm-up run, measured in one process, so the
ratios (opkit / numpy) compare like with like on a noisy machine. --simulate adds a second table:
the same opkit call with the npu_simulator model on (opkit.simulator.simulating(), with and without
tracing) against it off, the cost of the model as sim wall / cpu wall (the goal is at most 3x), and
what the model predicts: the kernel's time on the SoC and its share of the GM bandwidth roofline.
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
from opkit import simulator


def _time(fn, repeat: int) -> float:
    """Seconds per call: the median of ``repeat`` samples, each a batch of calls lasting at least 20 ms
    (a single call of a few microseconds is below the clock's and the scheduler's noise)."""
    fn()  # warm-up: the first call loads the op's libraries
    t0 = time.perf_counter()
    fn()
    batch = max(1, min(10000, int(0.02 / max(time.perf_counter() - t0, 1e-7))))
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter() - t0) / batch)
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


def _simulated(fn, trace: bool):
    def run():
        with simulator.simulating(trace=trace):
            fn()
    return run


def _simulate_rows(sizes: list[int], dtypes: list[str], repeat: int, rng: np.random.Generator) -> list[dict]:
    """Wall time of each opkit call with the simulator off, on, and on with tracing; the model's prediction."""
    rows = []
    print(f"\nnpu_simulator cost: the same opkit call with the model on vs off, median of {repeat} runs")
    print(f"{'op':<16}{'dtype':<9}{'elements':>11}{'cpu ms':>9}{'sim ms':>9}{'sim/cpu':>9}{'+trace/cpu':>12}"
          f"{'model us':>10}{'roofline':>10}  bound")
    for n in sizes:
        for dtype in dtypes:
            for name, ours, _ in _cases(n, dtype, rng):
                t_cpu = _time(ours, repeat)
                t_sim = _time(_simulated(ours, False), repeat)
                t_trace = _time(_simulated(ours, True), repeat)
                sim = simulator.last()
                rows.append({"op": name, "dtype": dtype, "elements": n, "cpu_s": t_cpu, "sim_s": t_sim,
                             "sim_trace_s": t_trace, "ratio": t_sim / t_cpu, "trace_ratio": t_trace / t_cpu,
                             "model": sim.model, "soc": sim.soc, "model_us": sim.microseconds,
                             "roofline_share": sim.bandwidth_share, "bound": sim.bound})
                print(f"{name:<16}{dtype:<9}{n:>11}{t_cpu * 1e3:>9.2f}{t_sim * 1e3:>9.2f}{t_sim / t_cpu:>9.2f}"
                      f"{t_trace / t_cpu:>12.2f}{sim.microseconds:>10.1f}{sim.bandwidth_share:>10.0%}  {sim.bound}")
    if rows:
        print(f"model: {rows[-1]['model']} on {rows[-1]['soc']}")
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 1_000_000, 16_000_000])
    ap.add_argument("--dtypes", nargs="+", default=["float16", "float32"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--simulate", action="store_true", help="add the npu_simulator cost table (model on vs off)")
    ap.add_argument("--sim-sizes", type=int, nargs="+", default=[16_000_000], help="sizes for --simulate")
    ap.add_argument("--sim-dtypes", nargs="+", default=["float16"], help="dtypes for --simulate")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "ops.json"))
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    rows = []
    print(f"opkit cpu mode vs numpy, median of {args.repeat} runs ({os.cpu_count()} CPUs, {platform.processor() or platform.machine()})")
    if args.sizes:  # `--sizes` with no value: only the --simulate table
        print(f"{'op':<16}{'dtype':<9}{'elements':>11}{'opkit ms':>11}{'numpy ms':>11}{'opkit/numpy':>13}")
    for n in args.sizes:
        for dtype in args.dtypes:
            for name, ours, theirs in _cases(n, dtype, rng):
                t_ours, t_np = _time(ours, args.repeat), _time(theirs, args.repeat)
                rows.append({"op": name, "dtype": dtype, "elements": n, "opkit_s": t_ours, "numpy_s": t_np,
                             "ratio": t_ours / t_np})
                print(f"{name:<16}{dtype:<9}{n:>11}{t_ours * 1e3:>11.3f}{t_np * 1e3:>11.3f}{t_ours / t_np:>13.2f}")
    result = {"mode": "cpu", "cpus": os.cpu_count(), "repeat": args.repeat, "rows": rows}
    if args.simulate:
        result["simulate_rows"] = _simulate_rows(args.sim_sizes, args.sim_dtypes, args.repeat, rng)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

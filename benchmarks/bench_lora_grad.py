"""Model time of the LoRA backward (lora_matmul_grad_custom) against the forward base matmul; prints a table, writes JSON.

    python benchmarks/bench_lora_grad.py [--cases 1024x1024x1024x16 4096x4096x4096x16x4] [--dtype float16]
                                         [--soc Ascend910B1] [--x-lora] [--out benchmarks/results/lora_grad.json]

Each case is M x in x out x r, or M x in x out x r x n for n adapters (a [n, r, in], b [n, out, r], the rows
given to the adapters in n equal consecutive runs, as a batch of n requests). Under the npu_simulator
model (opkit.simulator.simulating), the script runs
`matmul_custom(x, W, transpose_w=True)` (the forward's base product y = x·Wᵀ) and
`lora_matmul_grad_custom(dy, x, W, A, B, scale=2.0)` (dx, dA and dB together) on the same x and W, and
reports each launch's modelled time and GM traffic and their ratio. These are figures of opkit's AI Core
model (runtime/src/sim.cpp, Note [Model parameters]), not measurements of hardware; the CPU time a case
takes to simulate grows with M·in·out (the 4096 case takes minutes on a shared 2-core machine).
--x-lora also runs the backward with x_lora = dropout(x), p = 0.1 (LoRA dropout; it reads x_lora where
it read x, so it should cost the same) and prints its time.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _case(text: str) -> tuple[int, ...]:
    parts = [int(v) for v in text.lower().split("x")]
    if len(parts) not in (4, 5) or min(parts) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected M x in x out x r [x n], e.g. 4096x4096x4096x16")
    return tuple(parts)


def _inputs(m: int, k_in: int, k_out: int, r: int, n: int, dtype: str):
    from opkit.library import _np_dtype

    rng = np.random.default_rng(0)
    dt = _np_dtype(dtype)
    u = lambda *shape: rng.uniform(-1, 1, shape).astype(dt)  # noqa: E731
    if n == 0:
        return u(m, k_out), u(m, k_in), u(k_out, k_in), u(r, k_in), u(k_out, r), None
    ids = (np.arange(m) * n // m).astype(np.int32)
    return u(m, k_out), u(m, k_in), u(k_out, k_in), u(n, r, k_in), u(n, k_out, r), ids


def run_case(case: tuple[int, ...], dtype: str, soc: str, x_lora: bool = False) -> dict:
    import opkit
    from opkit.simulator import simulating

    m, k_in, k_out, r = case[:4]
    n = case[4] if len(case) == 5 else 0
    dy, x, w, a, b, ids = _inputs(m, k_in, k_out, r, n, dtype)
    with simulating() as sims:
        opkit.ops.matmul_custom(x, w, transpose_w=True, soc=soc)
        opkit.ops.lora_matmul_grad_custom(dy, x, w, a, b, ids, scale=2.0, soc=soc)
        if x_lora:
            rng = np.random.default_rng(1)
            xd = (x.astype(np.float32) * ((rng.random(x.shape) >= 0.1) / 0.9)).astype(x.dtype)
            opkit.ops.lora_matmul_grad_custom(dy, x, w, a, b, ids, xd, scale=2.0, soc=soc)
    fwd, bwd = sims[0], sims[1]
    extra = {} if not x_lora else {"backward_x_lora_us": sims[2].microseconds, "backward_x_lora_gm_bytes": sims[2].gm_bytes,
                                   "backward_x_lora_findings": len(sims[2].findings)}
    return extra | {"M": m, "in": k_in, "out": k_out, "r": r, "adapters": max(n, 1), "dtype": dtype, "soc": soc,
            "forward_us": fwd.microseconds, "forward_gm_bytes": fwd.gm_bytes, "forward_bound": fwd.bound,
            "backward_us": bwd.microseconds, "backward_gm_bytes": bwd.gm_bytes, "backward_bound": bwd.bound,
            "backward_findings": len(bwd.findings), "ratio": bwd.microseconds / fwd.microseconds}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=_case, nargs="+", default=[_case("1024x1024x1024x16"), _case("2048x2048x2048x16")],
                    help="M x in x out x r of each case")
    ap.add_argument("--dtype", default="float16", choices=["float16", "bfloat16"])
    ap.add_argument("--soc", default="Ascend910B1")
    ap.add_argument("--x-lora", action="store_true", help="also the backward with x_lora = dropout(x)")
    ap.add_argument("--out", default=str(HERE / "results" / "lora_grad.json"))
    args = ap.parse_args()
    import opkit

    opkit.set_isolation(False)
    rows = []
    print(f"{'M x in x out x r [x n]':>24} {'forward us':>11} {'backward us':>12} {'bwd/fwd':>8} {'fwd GB':>7} {'bwd GB':>7}  bound (bwd)")
    for case in args.cases:
        start = time.perf_counter()
        row = run_case(case, args.dtype, args.soc, args.x_lora)
        row["simulation_seconds"] = time.perf_counter() - start
        rows.append(row)
        print(f"{'x'.join(map(str, case)):>24} {row['forward_us']:11.1f} {row['backward_us']:12.1f} {row['ratio']:8.2f} "
              f"{row['forward_gm_bytes'] / 1e9:7.3f} {row['backward_gm_bytes'] / 1e9:7.3f}  {row['backward_bound']}",
              flush=True)
        if args.x_lora:
            print(f"{'(with x_lora)':>24} {'':11} {row['backward_x_lora_us']:12.1f} {'':8} {'':7} "
                  f"{row['backward_x_lora_gm_bytes'] / 1e9:7.3f}  findings {row['backward_x_lora_findings']}", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": platform.platform(), "python": sys.version.split()[0],
                               "model": "opkit npu_simulator (not calibrated against hardware)", "cases": rows}, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

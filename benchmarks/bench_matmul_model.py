"""npu_simulator's figures for the built-in Matmul-API op `matmul_custom`; prints a table, writes JSON.

    python benchmarks/bench_matmul_model.py [--sizes 1024 2048 4096] [--soc Ascend910B1]
                                            [--out benchmarks/results/matmul_model.json]

Each case runs `opkit.ops.matmul_custom(a, w)` once (fp16, M = N = K) under `simulating(trace=True)`
and reports opkit's AI Core model, which is not calibrated against hardware (Note [Model parameters],
Note [Cube model parameters] in runtime/src/sim.cpp):
- model us, and the cube's share of its modelled peak (the MAC cycles over time x cube cores);
- the pipe utilisation of M, MTE1 and MTE2 over the cube cores, and what the model says bounds it;
- L0 overlap: the share of MTE1's LoadData time that runs while the M pipe computes (L0A/L0B double
  buffering at work: without it each LoadData waits for the Mmad before it, and this is near 0);
- the spread of the cores' finishing times (slowest / fastest).
The wall time is the host's (cpu emulation plus the model), for orientation only.
"""

from __future__ import annotations

import argparse
import bisect
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

import opkit
from opkit import simulator

HERE = Path(__file__).resolve().parent


def _overlap(mte1: list[tuple[float, float]], m: list[tuple[float, float]]) -> float:
    """Share of the MTE1 intervals' length that lies inside the (sorted, disjoint) M intervals."""
    starts = [s for s, _ in m]
    inside = total = 0.0
    for s, e in mte1:
        total += e - s
        i = max(bisect.bisect_right(starts, s) - 1, 0)
        while i < len(m) and m[i][0] < e:
            inside += max(0.0, min(e, m[i][1]) - max(s, m[i][0]))
            i += 1
    return inside / total if total > 0 else 0.0


def _case(size: int, soc: str, rng: np.random.Generator) -> dict:
    a = rng.uniform(-1, 1, (size, size)).astype(np.float16)
    w = rng.uniform(-1, 1, (size, size)).astype(np.float16)
    t0 = time.perf_counter()
    with simulator.simulating(trace=True) as sims:
        opkit.ops.matmul_custom(a, w, soc=soc)
    wall = time.perf_counter() - t0
    s = sims.last
    ends: dict[int, float] = defaultdict(float)
    mte1: dict[int, list] = defaultdict(list)
    mm: dict[int, list] = defaultdict(list)
    for core, pipe, _name, start, end, _bytes in s.events:
        ends[core] = max(ends[core], end)
        if pipe == "MTE1":
            mte1[core].append((start, end))
        elif pipe == "M":
            mm[core].append((start, end))
    overlaps = [_overlap(mte1[c], sorted(mm[c])) for c in mm]
    return {"size": size, "soc": s.soc, "cores": s.block_dim, "model_us": s.microseconds, "cycles": s.cycles,
            "cube_peak_share": s.cube_peak_share, "bound": s.bound,
            "m_util": s.pipe_utilisation.get("M", 0.0), "mte1_util": s.pipe_utilisation.get("MTE1", 0.0),
            "mte2_util": s.pipe_utilisation.get("MTE2", 0.0),
            "l0_overlap": sum(overlaps) / len(overlaps) if overlaps else 0.0,
            "core_spread": max(ends.values()) / min(ends.values()), "findings": len(s.findings), "wall_s": wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048, 4096], help="M = N = K of each case")
    ap.add_argument("--soc", default="Ascend910B1")
    ap.add_argument("--out", default=str(HERE / "results" / "matmul_model.json"))
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"matmul_custom fp16 under npu_simulator on {args.soc} (opkit's model, not calibrated against hardware)")
    print(f"{'M=N=K':>7}{'model us':>10}{'cube peak':>10}{'M':>6}{'MTE1':>6}{'MTE2':>6}{'L0 overlap':>11}"
          f"{'spread':>8}{'wall s':>8}  bound")
    rows = []
    for size in args.sizes:
        r = _case(size, args.soc, rng)
        rows.append(r)
        print(f"{size:>7}{r['model_us']:>10.1f}{r['cube_peak_share']:>10.1%}{r['m_util']:>6.0%}{r['mte1_util']:>6.0%}"
              f"{r['mte2_util']:>6.0%}{r['l0_overlap']:>11.0%}{r['core_spread']:>8.3f}{r['wall_s']:>8.1f}  {r['bound']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"mode": "npu_simulator", "op": "matmul_custom", "rows": rows}, indent=2))
    print(f"wrote {out}")
    return 0 if all(r["findings"] == 0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The data-parallel LoRA fine-tune: step time and samples/s for 1 vs 2 processes, with the all-reduce share.

    python benchmarks/bench_mindspore_dp.py [--steps 30] [--json bench_mindspore_dp.json]

Three runs of examples/mindspore_lora/dp_worker.py (opkit's fused LoRA in every adapted projection,
GRAPH_MODE on CPU, global batch 8 sequences of 32 tokens), one after another on this machine:
  1 process, the whole batch; 2 processes (data_parallel.py: mccl all-reduce over TCP), 4 rows each;
  1 process, 4 rows (what one rank computes, without communication).
The all-reduce share is (2-process step - 4-row step) / 2-process step: the time a rank spends on the
gradient all-reduce and waiting for its peer. Medians over the steps after the first two (compilation).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mindspore_lora"
sys.path.insert(0, str(EXAMPLE))


def _single(steps: int, out: Path, rows: int = 0) -> float:
    cmd = [sys.executable, str(EXAMPLE / "dp_worker.py"), "--single", "--steps", str(steps), "--out", str(out)]
    subprocess.run(cmd + (["--rows", str(rows)] if rows else []), check=True, capture_output=True, timeout=1800)
    return float(np.median(np.load(out / "single.npz")["step_s"][2:]))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--json", default="bench_mindspore_dp.json")
    args = p.parse_args()
    import data_parallel

    with tempfile.TemporaryDirectory() as tmp:
        one = _single(args.steps, Path(tmp) / "one")
        ranks = data_parallel.run(2, ["--steps", str(args.steps)], Path(tmp) / "two", timeout=3600)
        two = max(float(np.median(np.load(r)["step_s"][2:])) for r in ranks)
        part = _single(args.steps, Path(tmp) / "part", rows=4)
    share = max(0.0, (two - part) / two)
    rows = [("1 process, batch 8", one, 8 / one), ("2 processes, 4 rows each", two, 8 / two),
            ("1 process, 4 rows (one rank's compute)", part, 4 / part)]
    print(f"{'LoRA fine-tune step (fused kernel, CPU)':42s} {'median ms':>10s} {'samples/s':>10s}")
    for label, t, rate in rows:
        print(f"{label:42s} {1e3 * t:10.1f} {rate:10.1f}")
    print(f"all-reduce and waiting: {100 * share:.0f}% of a 2-process step; 2 processes / 1 process: {two / one:.2f}x time "
          "per step for the same global batch")
    Path(args.json).write_text(json.dumps({"machine": platform.platform(), "steps": args.steps,
                                           "median_s": {r[0]: r[1] for r in rows}, "allreduce_share": share}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

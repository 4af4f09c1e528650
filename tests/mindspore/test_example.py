"""examples/mindspore_lora/train.py end to end (a short run): the fused and mindpet fine-tunes agree
per step, the loss falls, frozen weights stay, the adapter checkpoint reloads, and the PNG is written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mindspore_lora" / "train.py"


def test_lora_example_runs_and_checks_itself(ms, tmp_path) -> None:
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, str(EXAMPLE), "--steps", "12", "--out", str(out)], capture_output=True,
                         text=True, timeout=900, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    summary = json.loads((out / "losses.json").read_text())
    fused, mindpet = summary["fused"]["losses"], summary["mindpet"]["losses"]
    assert len(fused) == len(mindpet) == 12
    worst = max(abs(a - b) for a, b in zip(fused, mindpet))
    assert worst == summary["max_loss_diff"] <= 2e-3
    assert sum(fused[-3:]) < sum(fused[:3])
    assert len(summary["fused"]["adapters"]) == 16  # A and B of wq/wk/wv/wo in 2 layers
    assert (out / "loss.png").stat().st_size > 10_000 and (out / "adapter.ckpt").is_file()

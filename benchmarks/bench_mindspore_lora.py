"""A LoRA training step in MindSpore with opkit's fused kernel against mindpet's LoRA (GRAPH_MODE, CPU).

    python benchmarks/bench_mindspore_lora.py [--steps 60] [--dropout 0.05] [--json bench_mindspore_lora.json]

The model is the example's (examples/mindspore_lora: 2 layers, hidden 64, sequence 32, batch 8, LoRA
rank 8 on wq/wk/wv/wo): once with mindpet's LoRADense (plain MindSpore ops) and once after
``opkit.mindspore.fuse_lora`` (every adapted projection one ``lora_matmul_custom`` launch forward and one
``lora_matmul_grad_custom`` launch backward on opkit's software AI Core). Their training steps are
interleaved, so both see the same machine load, and the medians are compared. The target (issue 11):
fused at most 1.5x mindpet's step.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples" / "mindspore_lora"))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--dropout", type=float, default=0.05)
    p.add_argument("--json", default="bench_mindspore_lora.json")
    args = p.parse_args()

    import mindspore as ms
    from model import LMLoss
    from train import batches, build

    ms.set_context(mode=ms.GRAPH_MODE, device_target="CPU")
    steps = {}
    for kind in ("mindpet", "fused"):
        net = build(kind, 0, args.dropout)
        cell = ms.nn.TrainOneStepCell(LMLoss(net), ms.nn.Adam(net.trainable_params(), learning_rate=1e-2))
        cell.set_train(True)
        steps[kind] = cell
    data = [ms.Tensor(t) for t in batches(args.steps + 5, 8, 1)]
    times: dict[str, list[float]] = {k: [] for k in steps}
    for i, tokens in enumerate(data):
        for kind, cell in steps.items():
            t0 = time.perf_counter()
            cell(tokens).asnumpy()
            if i >= 5:  # the first steps compile the graphs
                times[kind].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    ratio = med["fused"] / med["mindpet"]
    print(f"{'LoRA training step (GRAPH_MODE, CPU)':40s} {'median ms':>10s} {'samples/s':>10s}")
    for kind, ms_ in med.items():
        label = "opkit fused (fuse_lora)" if kind == "fused" else "mindpet LoRADense"
        print(f"{label:40s} {ms_:10.1f} {8 / (ms_ / 1e3):10.1f}")
    print(f"fused / mindpet: {ratio:.2f} (target <= 1.5), {args.steps} interleaved steps, dropout {args.dropout}")
    Path(args.json).write_text(json.dumps({
        "machine": platform.platform(), "steps": args.steps, "dropout": args.dropout, "median_ms": med,
        "ratio_fused_to_mindpet": ratio}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""LoRA fine-tuning of a small transformer in MindSpore (CPU, GRAPH_MODE) with opkit's fused LoRA kernel.

    python examples/mindspore_lora/train.py [--steps 40] [--lora fused|mindpet|both] [--out DIR]

The base model (2 layers, hidden 64, sequence 32) gets LoRA on the seeds' target modules, wq/wk/wv/wo
(rank 8, alpha 16, dropout 0.05), the way mindformers' pet_config does it: mindpet's ``LoRADense`` in
place of each target ``nn.Dense``, everything but the adapters frozen with mindpet's ``freeze_delta``.
``--lora fused`` then swaps them for opkit's fused layer with ``opkit.mindspore.fuse_lora``, so every
adapted projection runs ``lora_matmul_custom`` forward and ``lora_matmul_grad_custom`` backward on
opkit's software AI Core; ``--lora mindpet`` keeps mindpet's own layers (plain MindSpore ops);
``both`` trains the two from the same seed and compares their per-step losses.

Dropout: MindSpore's GRAPH_MODE dropout does not give two model instances the same masks call by call
(measured with MindSpore 2.10 on CPU: two identical mindpet models from one seed part after 5-6 calls),
so when both kinds train (``--lora both``) each step's masks are drawn once with numpy and given to the
same layer of both models (``model.MaskDropout``: x * mask, mindpet's semantics with a known mask), and
the per-step losses can be compared. A single kind trains with mindpet's own ``nn.Dropout``.

The task: sequences that follow a fixed random permutation of the vocabulary (token t is followed by
perm[t]); the frozen random base cannot predict it, the adapters learn part of it. The script checks
what a fine-tune must keep: the frozen weights unchanged after training, and the adapter checkpoint
(saved to DIR/adapter.ckpt, adapter parameters only) reloading into a fresh model with the same
outputs. It writes DIR/loss.png and DIR/losses.json, and exits nonzero when a check fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGETS = ".*wq|.*wk|.*wv|.*wo"


def build(kind: str, seed: int, dropout: float, shared_masks: bool = False):
    """The base model with LoRA (mindpet's, or opkit's fused after fuse_lora), frozen but the adapters.
    ``shared_masks``: each LoRA layer's dropout takes its mask from :func:`set_masks` (see the module doc)."""
    import mindspore as ms
    from mindpet.graph import freeze_delta
    from model import Config, MaskDropout, TinyLM, add_lora

    from opkit.mindspore import fuse_lora, mindpet_lora

    ms.set_seed(seed)
    net = TinyLM(Config())
    add_lora(net, TARGETS, rank=8, alpha=16, dropout=dropout, lora_dense=mindpet_lora().LoRADense)
    if shared_masks:
        for _, cell in net.cells_and_names():
            if hasattr(cell, "mindpet_delta_lora_a"):
                cell.lora_dropout = MaskDropout(dropout, (BATCH * (SEQ - 1), cell.in_channels))
        for full, param in net.parameters_and_names():  # unique names for the masks
            param.name = full
    freeze_delta(net, "lora")
    if kind == "fused":
        fuse_lora(net)
    return net


def set_masks(nets: list, rng: np.random.Generator, dropout: float) -> None:
    """One step's dropout masks, drawn once and given to the same layer of every net in ``nets``."""
    import mindspore as ms
    from model import MaskDropout

    layers = [[c for _, c in net.cells_and_names() if isinstance(c, MaskDropout)] for net in nets]
    for same in zip(*layers):
        mask = ((rng.random(same[0].mask.shape) >= dropout) / (1.0 - dropout)).astype(np.float16)
        for cell in same:
            cell.mask.set_data(ms.Tensor(mask))


BATCH, SEQ = 8, 33  # a step's batch: 8 sequences of 33 tokens (32 in, 32 targets)


def batches(steps: int, batch: int, seed: int, vocab: int = 64, seq: int = SEQ) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    perm = rng.permutation(vocab)
    out = []
    for _ in range(steps):
        tokens = np.empty((batch, seq), np.int32)
        tokens[:, 0] = rng.integers(0, vocab, batch)
        for i in range(1, seq):
            tokens[:, i] = perm[tokens[:, i - 1]]
        out.append(tokens)
    return out


def train(kinds: tuple[str, ...], steps: int, lr: float = 1e-2, dropout: float = 0.05, seed: int = 0) -> list[dict]:
    """Train one model per kind, step by step side by side (the same batches, and with two kinds the same
    dropout masks); returns per kind its losses, step times and the model."""
    import mindspore as ms
    from model import LMLoss

    shared = len(kinds) > 1 and dropout > 0
    runs = []
    for kind in kinds:
        net = build(kind, seed, dropout, shared_masks=shared)
        frozen = {p.name: p.asnumpy().copy() for p in net.get_parameters()
                  if not p.requires_grad and "lora_dropout" not in p.name}
        adapters = list(net.trainable_params())
        step = ms.nn.TrainOneStepCell(LMLoss(net), ms.nn.Adam(adapters, learning_rate=lr))
        step.set_train(True)
        runs.append({"kind": kind, "net": net, "step": step, "frozen": frozen, "losses": [], "step_s": [],
                     "adapters": [p.name for p in adapters]})
    rng = np.random.default_rng(seed + 2)
    for tokens in batches(steps, BATCH, seed + 1):
        if shared:
            set_masks([r["net"] for r in runs], rng, dropout)
        for r in runs:
            t0 = time.perf_counter()
            r["losses"].append(float(r["step"](ms.Tensor(tokens)).asnumpy()))
            r["step_s"].append(time.perf_counter() - t0)
    for r in runs:
        r["frozen_changed"] = [p.name for p in r["net"].get_parameters()
                               if p.name in r["frozen"] and not np.array_equal(p.asnumpy(), r["frozen"][p.name])]
        r["frozen"] = len(r["frozen"])
    return runs


def check_checkpoint(result: dict, out: Path, seed: int, dropout: float) -> float:
    """Save the adapters alone, load them into a fresh model of the same kind; the largest output difference."""
    import mindspore as ms

    net = result["net"]
    path = out / "adapter.ckpt"
    ms.save_checkpoint([{"name": p.name, "data": p} for p in net.trainable_params()], str(path))
    fresh = build(result["kind"], seed + 100, dropout)  # other initial adapters (B random after load only)
    missing, _ = ms.load_param_into_net(fresh, ms.load_checkpoint(str(path)))
    names = set(result["adapters"])
    if any(m in names for m in missing):
        raise SystemExit(f"adapter checkpoint did not load: {sorted(set(missing) & names)}")
    base = build(result["kind"], seed, dropout)  # same frozen base as the trained one
    ms.load_param_into_net(base, ms.load_checkpoint(str(path)))
    net.set_train(False)
    base.set_train(False)
    tokens = ms.Tensor(batches(1, 4, seed + 7)[0][:, :-1])
    return float(np.abs(net(tokens).asnumpy() - base(tokens).asnumpy()).max())


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for r in results:
        label = "opkit fused LoRA kernel" if r["kind"] == "fused" else "mindpet LoRADense (MindSpore ops)"
        ax.plot(range(1, len(r["losses"]) + 1), r["losses"], label=label, linestyle="-" if r["kind"] == "fused" else "--")
    ax.set_xlabel("step")
    ax.set_ylabel("next-token cross-entropy")
    ax.set_title("LoRA fine-tune, MindSpore GRAPH_MODE on CPU")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--lora", choices=("fused", "mindpet", "both"), default="both")
    p.add_argument("--out", type=Path, default=Path("mindspore_lora_out"))
    p.add_argument("--dropout", type=float, default=0.05, help="lora_dropout (the seeds' 0.05)")
    p.add_argument("--tolerance", type=float, default=2e-3, help="largest per-step loss difference, fused vs mindpet")
    args = p.parse_args(argv)

    import mindspore as ms

    ms.set_context(mode=ms.GRAPH_MODE, device_target="CPU")
    args.out.mkdir(parents=True, exist_ok=True)
    kinds = ("fused", "mindpet") if args.lora == "both" else (args.lora,)
    results = train(kinds, args.steps, dropout=args.dropout)
    failures = []
    summary = {}
    for r in results:
        first, last = np.mean(r["losses"][:5]), np.mean(r["losses"][-5:])
        ckpt = check_checkpoint(r, args.out, 0, args.dropout)
        step_ms = 1e3 * float(np.median(r["step_s"][2:] or r["step_s"]))
        print(f"{r['kind']:8s} loss {first:.4f} -> {last:.4f} (means of the first and last 5 steps), "
              f"median step {step_ms:.1f} ms, {r['frozen']} frozen tensors changed: {len(r['frozen_changed'])}, "
              f"adapter checkpoint reload max |diff| {ckpt:.2e}")
        if not last < first:
            failures.append(f"{r['kind']}: the loss did not decrease ({first:.4f} -> {last:.4f})")
        if r["frozen_changed"]:
            failures.append(f"{r['kind']}: frozen weights changed: {r['frozen_changed'][:4]}")
        if ckpt > 0:
            failures.append(f"{r['kind']}: the reloaded adapters give other outputs (max |diff| {ckpt:.3e})")
        summary[r["kind"]] = {"losses": r["losses"], "median_step_ms": step_ms, "adapters": r["adapters"]}
    if len(results) == 2:
        diff = float(np.max(np.abs(np.array(results[0]["losses"]) - np.array(results[1]["losses"]))))
        ratio = summary["fused"]["median_step_ms"] / summary["mindpet"]["median_step_ms"]
        print(f"per-step loss, fused vs mindpet: max |diff| {diff:.2e} (tolerance {args.tolerance:g}); "
              f"step time fused / mindpet {ratio:.2f}")
        summary["max_loss_diff"], summary["step_ratio"] = diff, ratio
        if diff > args.tolerance:
            failures.append(f"fused and mindpet losses differ by {diff:.3e} > {args.tolerance:g}")
    plot(results, args.out / "loss.png")
    (args.out / "losses.json").write_text(json.dumps(summary, indent=1))
    print(f"wrote {args.out / 'loss.png'}, {args.out / 'losses.json'}, {args.out / 'adapter.ckpt'}")
    for f in failures:
        print(f"FAILED: {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

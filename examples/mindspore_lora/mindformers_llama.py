"""The same LoRA fine-tune on mindformers' own tiny llama, where mindformers can be installed (README.md).

    python examples/mindspore_lora/mindformers_llama.py [--steps 10]

Builds ``LlamaForCausalLM`` (2 layers, hidden 64, sequence 32; ``use_rope_slice=True,
fused_rms_norm=False`` so it runs on CPU), applies the seeds' ``pet_config`` through mindformers'
``get_pet_model`` (mindpet's LoRADense on wq/wk/wv/wo, rank 8, alpha 16, dropout 0.05), and trains the
adapters twice side by side: as mindformers made them, and after ``opkit.mindspore.fuse_lora``. Both get
the same batches and the same dropout masks (train.py's ``MaskDropout``/``set_masks``); the per-step
losses are printed with their largest difference, and the script exits nonzero above ``--tolerance``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def build(fused: bool, dropout: float, batch: int, seq: int):
    import mindspore as ms
    from mindformers import LlamaConfig, LlamaForCausalLM
    from mindformers.pet import LoraConfig, get_pet_model
    from model import MaskDropout

    from opkit.mindspore import fuse_lora

    ms.set_seed(0)
    cfg = LlamaConfig(batch_size=batch, seq_length=seq, hidden_size=64, num_layers=2, num_heads=4, vocab_size=128,
                      intermediate_size=128, use_rope_slice=True, fused_rms_norm=False, use_flash_attention=False,
                      compute_dtype="float16", param_init_type="float32")
    pet = LoraConfig(lora_rank=8, lora_alpha=16, lora_dropout=dropout, target_modules=".*wq|.*wk|.*wv|.*wo")
    model = get_pet_model(LlamaForCausalLM(cfg), pet)
    for _, cell in model.cells_and_names():
        if hasattr(cell, "mindpet_delta_lora_a"):
            cell.lora_dropout = MaskDropout(dropout, (batch * seq, cell.in_channels))
    for full, param in model.parameters_and_names():
        param.name = full
    if fused:
        swapped = fuse_lora(model)
        print(f"fuse_lora swapped {len(swapped)} layers: {', '.join(swapped[:2])}, ...")
    return model


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--tolerance", type=float, default=5e-3)
    args = p.parse_args(argv)

    import mindspore as ms
    from train import set_masks

    ms.set_context(mode=ms.GRAPH_MODE, device_target="CPU")
    batch, seq, dropout = 2, 32, 0.05
    nets = [build(fused, dropout, batch, seq) for fused in (False, True)]
    steps = []
    for net in nets:
        net.set_train(True)
        step = ms.nn.TrainOneStepCell(net, ms.nn.Adam(net.trainable_params(), learning_rate=1e-2))
        step.set_train(True)
        steps.append(step)
    rng = np.random.default_rng(1)
    losses: list[list[float]] = [[], []]
    for _ in range(args.steps):
        ids = ms.Tensor(rng.integers(0, 128, (batch, seq + 1)).astype(np.int32))
        set_masks(nets, rng, dropout)
        for i, step in enumerate(steps):
            losses[i].append(float(step(ids).asnumpy()))
    diff = max(abs(a - b) for a, b in zip(*losses))
    print("mindformers pet_config: " + " ".join(f"{v:.4f}" for v in losses[0]))
    print("after fuse_lora:        " + " ".join(f"{v:.4f}" for v in losses[1]))
    print(f"per-step loss max |diff| {diff:.2e} (tolerance {args.tolerance:g})")
    return 0 if diff <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())

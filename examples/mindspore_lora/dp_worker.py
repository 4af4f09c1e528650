"""One worker of the data-parallel LoRA fine-tune (the script msrun, or data_parallel.py, starts per rank).

    msrun --worker_num=2 --local_worker_num=2 --master_addr=127.0.0.1 --master_port=8118 --join=True \\
          --log_dir=dp_logs examples/mindspore_lora/dp_worker.py --steps 20 --out dp_out

Each rank builds the example's model (train.py: same seed, so the same frozen base and initial adapters on
every rank), swaps in opkit's fused LoRA layers, and trains on its shard of each global batch of 8
sequences; MindSpore's data-parallel mode (``init()`` and ``DATA_PARALLEL`` with ``gradients_mean``)
all-reduces the adapters' gradients (mccl over TCP on CPU, HCCL on Ascend). ``--single`` runs one process
on the whole global batch, the reference the data-parallel result must match. At the end each rank
writes ``OUT/rank<r>.npz`` (``single.npz``): its adapters, its per-step losses and step times, and the
names of frozen parameters that changed (there must be none).
"""

from __future__ import annotations

import argparse
import faulthandler
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

GLOBAL_BATCH = 8


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--dropout", type=float, default=0.05)
    p.add_argument("--out", type=Path, default=Path("dp_out"))
    p.add_argument("--single", action="store_true", help="one process, the whole global batch (the reference)")
    p.add_argument("--rows", type=int, default=0, help="with --single: train on this many rows of each batch")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam",
                   help="sgd: updates linear in the gradient (Adam turns rounding-level gradient differences of "
                        "near-zero gradients into full steps), for comparing with --single")
    p.add_argument("--lr", type=float, default=1e-2)
    args = p.parse_args(argv)
    faulthandler.enable()  # a crash (in MindSpore's threads too) leaves the Python stacks in this rank's log

    import mindspore as ms
    from model import LMLoss
    from train import batches, build

    ms.set_context(mode=ms.GRAPH_MODE, device_target="CPU")
    if args.single:
        rank, size = 0, 1
    else:
        from mindspore.communication import get_group_size, get_rank, init

        init()
        rank, size = get_rank(), get_group_size()
        ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True)
    if GLOBAL_BATCH % size:
        raise SystemExit(f"dp_worker: {size} ranks do not split the global batch of {GLOBAL_BATCH} evenly")
    share = args.rows or GLOBAL_BATCH // size
    net = build("fused", 0, args.dropout)
    frozen = {q.name: q.asnumpy().copy() for q in net.get_parameters() if not q.requires_grad}
    initial = {id(q): q.asnumpy().copy() for q in net.trainable_params()}  # names change once wrapped
    optim = ms.nn.Adam if args.optimizer == "adam" else ms.nn.SGD
    step = ms.nn.TrainOneStepCell(LMLoss(net), optim(net.trainable_params(), learning_rate=args.lr))
    step.set_train(True)
    losses, times = [], []
    for i, tokens in enumerate(batches(args.steps, GLOBAL_BATCH, 1)):
        shard = ms.Tensor(tokens[rank * share:(rank + 1) * share])
        t0 = time.perf_counter()
        losses.append(float(step(shard).asnumpy()))
        times.append(time.perf_counter() - t0)
        print(f"rank {rank}/{size} step {i} loss {losses[-1]:.6f} {1e3 * times[-1]:.1f} ms", flush=True)
    moved = [q.name for q in net.get_parameters() if q.name in frozen and not np.array_equal(q.asnumpy(), frozen[q.name])]
    args.out.mkdir(parents=True, exist_ok=True)
    adapters = {f"adapter:{q.name}": q.asnumpy() for q in net.trainable_params()}
    adapters.update({f"init:{q.name}": initial[id(q)] for q in net.trainable_params()})
    np.savez(args.out / ("single.npz" if args.single else f"rank{rank}.npz"), losses=np.array(losses),
             step_s=np.array(times), frozen_changed=np.array(moved, dtype=str), **adapters)
    return 0


if __name__ == "__main__":
    sys.exit(main())

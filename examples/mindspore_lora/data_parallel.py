"""The data-parallel LoRA fine-tune on one machine: start, watch and check MindSpore workers.

    python examples/mindspore_lora/data_parallel.py [--workers 2] [--steps 20] [--port 0] [--out dp_out]

Starts MindSpore's scheduler and ``--workers`` workers of dp_worker.py on 127.0.0.1 through MindSpore's
``MS_ROLE`` variables (what msrun sets; msrun itself works too, see README.md), each logging to
``OUT/logs/``. It watches them: a worker that dies (an error, a signal) stops the whole job at once with
an error naming the worker, its exit status and its log, instead of leaving the others blocked in an
all-reduce; so does ``--timeout``. A port in use is refused before anything starts. When all workers
finish it checks that every rank ended with the same adapters and unchanged frozen weights, and prints
the per-step losses.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


class JobError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_port(port: int) -> None:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            raise JobError(f"port {port} on 127.0.0.1 is in use ({e.strerror}): another job's scheduler may hold it; "
                           "pass --port with a free port, or --port 0 to pick one") from None


def _tail(path: Path, lines: int = 12) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    keep = [ln for ln in text if "[WARNING]" not in ln] or text
    return "\n".join("    " + ln for ln in keep[-lines:])


def _role(name: str, log: Path) -> str:
    if name == "scheduler":
        return "MindSpore's scheduler"
    try:  # the rank the worker printed (MindSpore assigns ranks; MS_NODE_ID is only a name)
        found = re.search(r"^rank (\d+)/", log.read_text(errors="replace"), re.M)
    except OSError:
        found = None
    return f"rank {found.group(1)}" if found else "rank not assigned yet"


def _status(code: int) -> str:
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"


def run(workers: int, worker_args: list[str], out: Path, port: int = 0, timeout: float = 600.0) -> list[Path]:
    """Run the job; returns the per-rank result files, or raises JobError naming what failed."""
    port = port or free_port()
    check_port(port)
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    base = dict(os.environ, MS_WORKER_NUM=str(workers), MS_SCHED_HOST="127.0.0.1", MS_SCHED_PORT=str(port))
    procs: dict[str, tuple[subprocess.Popen, Path]] = {}

    def start(name: str, env: dict, cmd: list[str]) -> None:
        log = logs / f"{name}.log"
        with open(log, "w") as f:
            procs[name] = (subprocess.Popen(cmd, env=env, stdout=f, stderr=subprocess.STDOUT), log)

    worker = [sys.executable, str(HERE / "dp_worker.py"), "--out", str(out), *worker_args]
    start("scheduler", dict(base, MS_ROLE="MS_SCHED"), worker)
    for i in range(workers):
        start(f"worker_{i}", dict(base, MS_ROLE="MS_WORKER", MS_NODE_ID=str(i)), worker)
    (logs / "pids.txt").write_text("".join(f"{name} {p.pid}\n" for name, (p, _) in procs.items()))
    deadline = time.monotonic() + timeout
    try:
        while True:
            done = {name: p.poll() for name, (p, _) in procs.items()}
            # the cause first: a worker killed by a signal, then a worker's error, then the scheduler
            failed = sorted((n for n, c in done.items() if c not in (None, 0)),
                            key=lambda n: (done[n] >= 0, n == "scheduler"))
            if failed:
                name, log = failed[0], procs[failed[0]][1]
                raise JobError(f"{name} ({_role(name, log)}) stopped with {_status(done[name])}; the job was "
                               f"stopped. Its log, {log}, ends:\n{_tail(log)}")
            if all(done[f"worker_{i}"] == 0 for i in range(workers)):
                break
            if time.monotonic() > deadline:
                running = [n for n, c in done.items() if c is None]
                raise JobError(f"the job did not finish in {timeout:.0f} s; still running: {', '.join(running)}; "
                               f"logs in {logs}")
            time.sleep(0.2)
    finally:
        for p, _ in procs.values():
            if p.poll() is None:
                p.kill()
        for p, _ in procs.values():
            p.wait()
    return [out / f"rank{i}.npz" for i in range(workers)]


def check(results: list[Path]) -> dict:
    """Every rank ends with the same adapters and no frozen parameter moved; returns the rank 0 result."""
    loaded = [dict(np.load(r)) for r in results]
    for i, res in enumerate(loaded):
        if res["frozen_changed"].size:
            raise JobError(f"rank {i}: frozen parameters changed: {list(res['frozen_changed'][:4])}")
        for key, value in res.items():
            if key.startswith("adapter:") and not np.array_equal(value, loaded[0][key]):
                raise JobError(f"rank {i} and rank 0 differ in {key[8:]} (max |diff| "
                               f"{np.abs(value - loaded[0][key]).max():.3e}): the all-reduce did not keep them equal")
    return loaded[0]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--dropout", type=float, default=0.05)
    p.add_argument("--port", type=int, default=0, help="the scheduler's port on 127.0.0.1 (0: a free one)")
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--out", type=Path, default=Path("dp_out"))
    args = p.parse_args(argv)
    try:
        results = run(args.workers, ["--steps", str(args.steps), "--dropout", str(args.dropout)], args.out,
                      args.port, args.timeout)
        first = check(results)
    except JobError as e:
        print(f"data_parallel: {e}", file=sys.stderr)
        return 1
    print(f"{args.workers} ranks, {args.steps} steps: adapters identical on every rank, frozen weights unchanged")
    print("rank 0 losses: " + " ".join(f"{v:.4f}" for v in first["losses"]))
    print(f"median step {1e3 * float(np.median(first['step_s'][2:])):.1f} ms; results in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

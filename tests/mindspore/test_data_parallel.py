"""The LoRA fine-tune data-parallel on MindSpore's own engine (2 workers on 127.0.0.1, mccl over TCP):
the adapters stay identical across ranks and match one process trained on the concatenated batches,
frozen weights stay, a killed worker stops the job naming it, and a port in use is refused."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mindspore_lora"


def _launcher():
    spec = importlib.util.spec_from_file_location("opkit_example_data_parallel", EXAMPLE / "data_parallel.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_ranks_match_one_process_on_the_whole_batch(ms, tmp_path) -> None:
    dp = _launcher()
    # SGD: updates linear in the gradients, so the averaged half-batch gradients must give the whole
    # batch's update (Adam would turn rounding-level differences of near-zero gradients into full steps)
    how = ["--steps", "4", "--dropout", "0", "--optimizer", "sgd", "--lr", "0.5"]
    ranks = dp.run(2, how, tmp_path, timeout=600)
    first = dp.check(ranks)  # identical adapters on both ranks, no frozen weight moved
    single = subprocess.run([sys.executable, str(EXAMPLE / "dp_worker.py"), "--single", *how, "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=600)
    assert single.returncode == 0, single.stdout[-2000:] + single.stderr[-2000:]
    ref = dict(np.load(tmp_path / "single.npz"))
    assert not ref["frozen_changed"].size
    names = [k for k in ref if k.startswith("adapter:")]
    assert len(names) == 16
    moved = 0
    for k in names:  # float16 compute: two half-batch gradients averaged vs one whole-batch gradient
        step_dp, step_ref = first[k] - first["init:" + k[8:]], ref[k] - ref["init:" + k[8:]]
        moved += np.abs(step_ref).max() > 0
        # B starts at zero, so A's first gradients pass through dy·B values in float16's subnormal range
        # (the kernel rounds that intermediate to the dtype, as the NPU does): their updates carry a few
        # percent of rounding, still far below A's own size; B's updates agree to ~1e-3
        bound = 2e-2 * np.abs(step_ref).max() + 1e-4 * np.abs(ref[k]).max()
        assert np.abs(step_dp - step_ref).max() <= bound, (k, np.abs(step_dp - step_ref).max(), bound)
    assert moved == 16
    # each rank's loss is its half's; their mean is the whole batch's loss
    rank1 = dict(np.load(tmp_path / "rank1.npz"))
    np.testing.assert_allclose((first["losses"] + rank1["losses"]) / 2, ref["losses"], rtol=2e-3)


def test_a_killed_worker_stops_the_job_naming_it(ms, tmp_path) -> None:
    job = subprocess.Popen([sys.executable, str(EXAMPLE / "data_parallel.py"), "--steps", "400", "--dropout", "0",
                            "--out", str(tmp_path), "--timeout", "500"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    logs = tmp_path / "logs"
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and job.poll() is None:  # until worker_1 trains
        if "step 1 " in ((logs / "worker_1.log").read_text(errors="replace") if (logs / "worker_1.log").exists() else ""):
            break
        time.sleep(0.5)
    assert job.poll() is None, job.communicate()
    pids = dict(line.split() for line in (logs / "pids.txt").read_text().splitlines())
    os.kill(int(pids["worker_1"]), signal.SIGKILL)
    out, err = job.communicate(timeout=120)  # stops at once: never waits out the all-reduce
    assert job.returncode == 1
    assert re.search(r"worker_1 \(rank [01]\) stopped with killed by SIGKILL", err), err
    # the log's path and its last lines (a step line: which step depends on how fast the worker ran
    # between the poll that saw step 1 and the kill; at ~20 ms a step, step 1 had left the tail)
    assert str(logs / "worker_1.log") in err and re.search(r"rank [01]/2 step \d+ loss", err), err


def test_a_port_in_use_is_refused(ms, tmp_path) -> None:
    dp = _launcher()
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(dp.JobError, match=f"port {port} on 127.0.0.1 is in use.*--port 0"):
            dp.run(2, ["--steps", "1"], tmp_path, port=port)
    assert not (tmp_path / "logs").exists()  # refused before anything started

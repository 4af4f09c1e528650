"""MIX launches (1 cube core + 2 vector cores per AI Core) and cross-core synchronisation.

programs/mix_kernels.cpp holds the kernels: a matmul on the AIC handed to the AIVs through a GM
workspace and CrossCoreSetFlag/WaitFlag (then LeakyRelu), the same through RunOnCube/ServeCube,
the core identity of each simulated core, a two-phase sum across cores with SyncAll (hardware and
software forms), and broken kernels for each finding (deadlocks, SyncAll on more cores than the SoC
has, a flag counter overflow, an unordered GM hand-over). Semantics: runtime/src/xcore.cpp,
Note [Cross-core execution] and Note [Cross-core flags].

Run: pytest tests/runtime/test_mix.py -q
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")  # the programs choose their own mode

SEED = 20240611
SIM = "npu_simulator"
MODES = ["cpu", SIM]


def run(exe: Path, *args: object, mode: str = "cpu", soc: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_MODE", "OPKIT_SOC")}
    if mode == SIM:
        env["OPKIT_MODE"] = SIM
    if soc is not None:
        env["OPKIT_SOC"] = soc
    return subprocess.run([str(exe), *map(str, args)], check=False, capture_output=True, text=True, env=env,
                          timeout=60)


def ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, f"status {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"


def leakyrelu_inputs(tmp_path: Path, blocks: int) -> np.ndarray:
    """Writes a.bin (blocks*32 x 32) and w.bin (32 x 32), fp16; returns the float64 golden."""
    rng = np.random.default_rng(SEED)
    a = rng.uniform(-1, 1, (blocks * 32, 32)).astype(np.float16)
    w = rng.uniform(-1, 1, (32, 32)).astype(np.float16)
    a.tofile(tmp_path / "a.bin")
    w.tofile(tmp_path / "w.bin")
    c = a.astype(np.float64) @ w.astype(np.float64)
    return np.where(c > 0, c, 0.1 * c)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", ["leakyrelu", "runoncube"])
@pytest.mark.parametrize("blocks", [1, 3])
def test_cube_result_post_processed_by_the_vector_cores(programs, tmp_path, mode, case, blocks):
    golden = leakyrelu_inputs(tmp_path, blocks)
    proc = run(programs["mix_kernels"], case, tmp_path, blocks, mode=mode)
    ok(proc)
    y = np.fromfile(tmp_path / "y.bin", dtype=np.float32).reshape(blocks * 32, 32)
    assert_close(y, golden, "float32")
    if mode == SIM:
        assert f"blockDim {blocks} (MIX: 1 AIC + 2 AIV per block)" in proc.stderr
        assert "findings    none" in proc.stderr


def test_declared_kernel_type_makes_the_launch_mix(programs, tmp_path):
    # "+DIR": the program launches in AIV_MODE; KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2) relaunches it
    golden = leakyrelu_inputs(tmp_path, 2)
    ok(run(programs["mix_kernels"], "leakyrelu", f"+{tmp_path}", 2))
    assert_close(np.fromfile(tmp_path / "y.bin", dtype=np.float32).reshape(64, 32), golden, "float32")


def test_the_sync_costs_time_in_the_model(programs, tmp_path):
    leakyrelu_inputs(tmp_path, 1)
    cycles = {}
    for case in ("leakyrelu", "leakyrelu_noflag"):
        err = run(programs["mix_kernels"], case, tmp_path, 1, mode=SIM).stderr
        cycles[case] = float(err.split("time", 1)[1].split("cycles")[0])
    # with the flag, the AIVs' work starts after the AIC's Fixpipe: the two sides add up
    assert cycles["leakyrelu"] > cycles["leakyrelu_noflag"] + 100


def test_core_identity_in_a_mix_launch(programs, tmp_path):
    blocks = 3
    ok(run(programs["mix_kernels"], "identity", tmp_path, blocks))
    ids = np.fromfile(tmp_path / "id.bin", dtype=np.int32).reshape(blocks, 3, 5)
    for b in range(blocks):
        # kind (1 AIC, 2 AIV), GetBlockIdx, GetBlockNum, GetSubBlockIdx, GetTaskRation (GetBlockIdx.md, GetBlockNum.md)
        assert ids[b, 0].tolist() == [1, b, blocks, 0, 1]
        assert ids[b, 1].tolist() == [2, 2 * b, blocks, 0, 2]
        assert ids[b, 2].tolist() == [2, 2 * b + 1, blocks, 1, 2]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", ["syncall", "syncall_soft"])
@pytest.mark.parametrize("blocks", [2, 8, 48])
def test_syncall_two_phase_sum(programs, tmp_path, mode, case, blocks):
    rng = np.random.default_rng(SEED)
    x = rng.uniform(-1, 1, blocks * 64).astype(np.float32)
    x.tofile(tmp_path / "x.bin")
    proc = run(programs["mix_kernels"], case, tmp_path, blocks, mode=mode)
    ok(proc)
    y = np.fromfile(tmp_path / "y.bin", dtype=np.float32).reshape(blocks, 8)
    assert_close(y, np.full((blocks, 8), x.astype(np.float64).sum()), "float32")
    if mode == SIM:
        assert "findings    none" in proc.stderr


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("blocks", [1, 4, 24])
def test_syncall_of_cube_and_vector_cores(programs, tmp_path, mode, blocks):
    ok(run(programs["mix_kernels"], "mixsync", tmp_path, blocks, mode=mode))
    res = np.fromfile(tmp_path / "res.bin", dtype=np.int32).reshape(blocks, 2)
    want = (np.arange(blocks) + 1) % blocks + 1
    assert res.tolist() == np.stack([want, want], axis=1).tolist()


def test_syncall_of_cube_and_vector_cores_needs_a_mix_launch(programs, tmp_path):
    proc = run(programs["mix_kernels"], "mixsync_aiv", tmp_path, 2)
    assert proc.returncode == 1
    assert "SyncAll<false> synchronises a cube core with its vector cores" in proc.stderr


@pytest.mark.parametrize("mode", MODES)
def test_a_wait_nobody_satisfies_is_a_deadlock(programs, tmp_path, mode):
    start = time.monotonic()
    proc = run(programs["mix_kernels"], "deadlock", tmp_path, 2, mode=mode)
    assert proc.returncode == 1, proc.stderr
    assert time.monotonic() - start < 10
    assert "deadlock" in proc.stderr
    assert "block 1 AIV 1 (GetBlockIdx 3) waits in CrossCoreWaitFlag(flag 5, mode 0) at" in proc.stderr
    assert "mix_kernels.cpp:" in proc.stderr
    if mode == SIM:
        assert "finding     [deadlock]" in proc.stderr


@pytest.mark.parametrize("mode", MODES)
def test_syncall_called_by_only_some_cores(programs, tmp_path, mode):
    np.zeros(8 * 64, np.float32).tofile(tmp_path / "x.bin")
    proc = run(programs["mix_kernels"], "syncall_some", tmp_path, 8, mode=mode)
    assert proc.returncode == 1, proc.stderr
    assert "core 0 waits in SyncAll()" in proc.stderr
    assert "finished without releasing them: core 3" in proc.stderr


def test_syncall_with_more_blocks_than_cores(programs, tmp_path):
    proc = run(programs["mix_kernels"], "syncall_too_many", tmp_path, 49)
    assert proc.returncode == 1
    assert "waits for all 49 blocks" in proc.stderr and "at most 48 vector cores" in proc.stderr


def test_flag_counter_overflow(programs, tmp_path):
    proc = run(programs["mix_kernels"], "overflow", tmp_path, 1)
    assert proc.returncode == 1
    assert "past 15" in proc.stderr


def test_unordered_hand_over_through_gm_is_a_finding(programs, tmp_path):
    leakyrelu_inputs(tmp_path, 2)
    proc = run(programs["mix_kernels"], "leakyrelu_noflag", tmp_path, 2, mode=SIM)
    assert proc.returncode == 1
    assert "[unsynced-gm-access]" in proc.stderr
    # both sides are named, whichever ran first on the CPU
    assert "AIV" in proc.stderr.split("[unsynced-gm-access]")[1] and "AIC" in proc.stderr.split("[unsynced-gm-access]")[1]


def test_hardware_syncall_does_not_exist_on_coupled_socs(programs, tmp_path):
    x = np.random.default_rng(SEED).uniform(-1, 1, 8 * 64).astype(np.float32)
    x.tofile(tmp_path / "x.bin")
    proc = run(programs["mix_kernels"], "syncall", tmp_path, 8, soc="Ascend910A")
    assert proc.returncode == 1
    assert "does not exist on Ascend910A" in proc.stderr
    ok(run(programs["mix_kernels"], "syncall_soft", tmp_path, 8, soc="Ascend910A"))  # the software form does
    y = np.fromfile(tmp_path / "y.bin", dtype=np.float32).reshape(8, 8)
    assert_close(y, np.full((8, 8), x.astype(np.float64).sum()), "float32")

"""The Matmul API in MIX kernels, and CPU-debug's default kernel mode (MIX).

programs/mix_matmul.cpp holds the kernels (its header says what each computes): two AIVs per block
each drive a Matmul whose cube work runs on the block's AIC, with a LeakyRelu epilogue in UB; the
clients' L1 budget on the shared AIC; an AIV reading another AIV's Matmul output with and without
SyncAll; and a vector-only kernel launched without SetKernelMode. Semantics: Note [The cube funnel]
and Note [Matmul clients on the AIC] (runtime/include/lib/matrix/matmul/matmul_impl.h), Note
[CPU-debug kernel mode] (runtime/src/cpu_debug.cpp), Note [Vector work on a MIX launch's cube core]
(runtime/src/core.cpp).

Run: pytest tests/runtime/test_mix_matmul.py -q
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")  # the program runs itself in both modes

SEED = 20240611
SIM = "npu_simulator"
MODES = ["cpu", SIM]
# M N K baseM baseN baseK stepKa stepKb dbA1 (per AIV: an M x N block of Y)
SMALL = [64, 64, 128, 32, 32, 32, 2, 2, 2]
# float accumulation of K products of values in [-1, 1], in the cube's order, against a float64
# golden: the sum's rounding error grows with K, ~K * 2**-24 of the partial sums (1e-5 for K = 128,
# 5e-5 for K = 512); the table's float32 atol (1e-6) is for elementwise results.
MM_TOL = {"atol": 1e-4}


def run(exe: Path, *args: object, mode: str = "cpu") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_MODE", "OPKIT_SOC")}
    if mode == SIM:
        env["OPKIT_MODE"] = SIM
    return subprocess.run([str(exe), *map(str, args)], check=False, capture_output=True, text=True, env=env,
                          timeout=120)


def ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, f"status {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"


def matmul_inputs(tmp_path: Path, blocks: int, m: int, n: int, k: int) -> np.ndarray:
    """Writes a.bin (2*blocks*m x k) and w.bin (k x n), fp16; returns A @ W in float64."""
    rng = np.random.default_rng(SEED)
    a = rng.uniform(-1, 1, (2 * blocks * m, k)).astype(np.float16)
    w = rng.uniform(-1, 1, (k, n)).astype(np.float16)
    a.tofile(tmp_path / "a.bin")
    w.tofile(tmp_path / "w.bin")
    return a.astype(np.float64) @ w.astype(np.float64)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("blocks", [1, 3])
def test_two_aivs_drive_matmuls_through_their_aic(programs, tmp_path, mode, blocks):
    m, n, k = SMALL[:3]
    c = matmul_inputs(tmp_path, blocks, m, n, k)
    proc = run(programs["mix_matmul"], "leaky", tmp_path, blocks, *SMALL, mode=mode)
    ok(proc)
    y = np.fromfile(tmp_path / "y.bin", dtype=np.float32).reshape(2 * blocks * m, n)
    assert_close(y, np.where(c > 0, c, 0.1 * c), "float32", MM_TOL)
    if mode == SIM:
        assert f"blockDim {blocks} (MIX: 1 AIC + 2 AIV per block)" in proc.stderr
        assert "findings    none" in proc.stderr


def test_the_cube_work_is_charged_to_the_aic(programs, tmp_path):
    # The AIVs issue no cube instruction: a cube-side step on an AIV would have no L1 to use
    # (an AIV of a MIX launch has only UB) and fail; the run passing under the model with the cube
    # pipes busy says they ran on the AICs.
    matmul_inputs(tmp_path, 1, *SMALL[:3])
    proc = run(programs["mix_matmul"], "leaky", tmp_path, 1, *SMALL, mode=SIM)
    ok(proc)
    util = proc.stderr.split("pipe utilisation:", 1)[1].splitlines()[0].split()
    busy = {util[i]: int(util[i + 1].rstrip("%")) for i in range(0, len(util) - 1, 2)}
    assert busy["M"] > 0 and busy["MTE1"] > 0 and busy["FIX"] > 0, proc.stderr


@pytest.mark.parametrize("mode", MODES)
def test_clients_take_turns_in_the_aics_l1(programs, tmp_path, mode):
    # 128 x 128 x 512 with stepKa = stepKb = 8 and double buffers: one client's A1 + B1 tiles take
    # all of 910B's 512 KiB L1, as CANN's tiler plans a MIX kernel's L1. The second AIV's tiles take
    # the same place; the two AIVs' Iterate/GetTensorC requests interleave, so each request reloads
    # the tiles the other client's request overwrote (Note [Matmul clients on the AIC]).
    shape = [128, 128, 512, 128, 128, 64, 8, 8, 2]
    c = matmul_inputs(tmp_path, 1, *shape[:3])
    proc = run(programs["mix_matmul"], "budget", tmp_path, 1, *shape, mode=mode)
    ok(proc)
    if mode == SIM:
        assert "findings    none" in proc.stderr, proc.stderr
    y = np.fromfile(tmp_path / "y.bin", dtype=np.float32).reshape(256, 128)
    assert_close(y, np.where(c > 0, c, 0.1 * c), "float32", MM_TOL)


def test_one_clients_tiles_must_fit_l1(programs, tmp_path):
    # K = 1024 whole in L1, double-buffered: 1 MiB of A1 + B1 tiles for one client.
    shape = [128, 128, 1024, 128, 128, 64, 16, 16, 2]
    matmul_inputs(tmp_path, 1, *shape[:3])
    proc = run(programs["mix_matmul"], "budget", tmp_path, 1, *shape)
    assert proc.returncode == 1, proc.stderr
    assert "exceed L1 (524288)" in proc.stderr, proc.stderr


@pytest.mark.parametrize("mode", MODES)
def test_reading_another_aivs_matmul_output_after_syncall(programs, tmp_path, mode):
    m, n, k = SMALL[:3]
    c = matmul_inputs(tmp_path, 2, m, n, k)
    proc = run(programs["mix_matmul"], "peek", tmp_path, 2, *SMALL, 1, mode=mode)
    ok(proc)
    y = np.fromfile(tmp_path / "y.bin", dtype=np.float32).reshape(4 * m, n)
    z = np.fromfile(tmp_path / "z.bin", dtype=np.float32).reshape(4, m, n)
    assert_close(y, c, "float32", MM_TOL)
    for b in range(2):  # AIV 1 of block b holds AIV 0's rows
        assert_close(z[2 * b + 1], c[2 * b * m:(2 * b + 1) * m], "float32", MM_TOL)
    if mode == SIM:
        assert "findings    none" in proc.stderr


def test_reading_another_aivs_matmul_output_unsynchronised_is_a_finding(programs, tmp_path):
    matmul_inputs(tmp_path, 1, *SMALL[:3])
    proc = run(programs["mix_matmul"], "peek", tmp_path, 1, *SMALL, 0, mode=SIM)
    assert proc.returncode == 1, proc.stderr
    found = proc.stderr.split("[unsynced-gm-access]", 1)
    assert len(found) == 2, proc.stderr
    assert "block 0 AIV 1" in found[1] and "block 0 AIC" in found[1]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("blocks", [1, 4])
def test_vector_only_kernel_under_the_default_mix_mode(programs, tmp_path, mode, blocks):
    x = np.random.default_rng(SEED).uniform(-1, 1, blocks * 2 * 1024).astype(np.float32)
    x.tofile(tmp_path / "x.bin")
    proc = run(programs["mix_matmul"], "vector", tmp_path, blocks, mode=mode)
    ok(proc)
    assert_close(np.fromfile(tmp_path / "y.bin", dtype=np.float32), 2 * x.astype(np.float64), "float32")
    if mode == SIM:
        # MIX (CANN's CPU-debug default): blockDim AI Cores, each 1 AIC (idle) + 2 AIVs
        assert f"blockDim {blocks} (MIX: 1 AIC + 2 AIV per block)" in proc.stderr
        assert "findings    none" in proc.stderr

"""The cube path of the kernel API: a basic-API matmul (GM -> L1 -> L0A/L0B -> Mmad -> L0C -> Fixpipe -> GM)
written by us as a CPU-debug program, checked against numpy, plus the rules and the npu_simulator model.

programs/cube_matmul.cpp computes C = R * (A x B) for fp16 A (M x K) and B (K x N, or N x K) with fp32
accumulation; its header comment has the tiling. Layout facts: runtime/src/cube.cpp, Note [Cube layouts].

Run: pytest tests/runtime/test_cube.py -q
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")  # the programs choose their own mode

SEED = 20240601
SIM = "npu_simulator"


def run(exe: Path, *args: object, mode: str | None = None, soc: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_MODE", "OPKIT_SOC")}
    if mode is not None:
        env["OPKIT_MODE"] = mode
    if soc is not None:
        env["OPKIT_SOC"] = soc
    return subprocess.run([str(exe), *map(str, args)], check=False, capture_output=True, text=True, env=env,
                          timeout=120)


def matmul(programs: dict[str, Path], tmp_path: Path, case: str, m: int, n: int, k: int, k_tile: int = 128,
           repeat: int = 1, integers: bool = False, **kw: str) -> tuple[np.ndarray, np.ndarray, subprocess.CompletedProcess]:
    """Run cube_matmul; return (C, golden R*(A@B) in float64, the process)."""
    rng = np.random.default_rng(SEED)
    if integers:  # small integers: every product and sum is exact in fp32, so C must match exactly
        a = rng.integers(-3, 4, (m, k)).astype(np.float16)
        b = rng.integers(-3, 4, (k, n)).astype(np.float16)
    else:  # positive values: fp32 accumulation stays within float32 tolerance of the exact sum
        a = rng.uniform(0.5, 1.0, (m, k)).astype(np.float16)
        b = rng.uniform(0.5, 1.0, (k, n)).astype(np.float16)
    a.tofile(tmp_path / "a.bin")
    (b.T.copy() if case == "bt" else b).tofile(tmp_path / "b.bin")
    proc = run(programs["cube_matmul"], case, tmp_path, m, n, k, k_tile, repeat, **kw)
    out_dtype = np.float16 if case == "nd_half" else np.float32
    c = np.fromfile(tmp_path / "c.bin", dtype=out_dtype).reshape(m, n) if proc.returncode == 0 else np.empty(0)
    golden = repeat * (a.astype(np.float64) @ b.astype(np.float64))
    return c, golden, proc


def ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, f"status {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"


def kernel_error(proc: subprocess.CompletedProcess, kernel: str, *words: str) -> str:
    assert proc.returncode == 1, f"expected status 1, got {proc.returncode}\nstderr: {proc.stderr}"
    line = proc.stderr.strip().splitlines()[-1]
    m = re.fullmatch(rf"opkit: error: {re.escape(kernel)} core 0: (.+)", line)
    assert m, f"not `opkit: error: {kernel} core 0: ...`: {line!r}"
    missing = [w for w in words if w not in m.group(1)]
    assert not missing, f"message lacks {missing}: {m.group(1)!r}"
    return m.group(1)


# ---- results against numpy -----------------------------------------------------------------------

SHAPES = [(16, 16, 16), (32, 48, 64), (40, 50, 70), (17, 33, 15), (1, 40, 64), (64, 64, 160), (128, 96, 144)]


@pytest.mark.parametrize("m, n, k", [pytest.param(*s, id="x".join(map(str, s))) for s in SHAPES])
@pytest.mark.parametrize("case", ["nd", "bt"])
def test_matmul_matches_numpy(programs: dict[str, Path], tmp_path: Path, case: str, m: int, n: int, k: int) -> None:
    # nd: B (K x N) reaches L0B through LoadData's ifTranspose; bt: B^T (N x K) without it.
    c, golden, proc = matmul(programs, tmp_path, case, m, n, k)
    ok(proc)
    assert_close(c, golden, "float32")


@pytest.mark.parametrize("m, n, k, k_tile", [(40, 50, 70, 16), (32, 32, 96, 32), (128, 128, 256, 64)])
def test_accumulating_mmad_over_k_chunks(programs: dict[str, Path], tmp_path: Path, m: int, n: int, k: int,
                                         k_tile: int) -> None:
    # The first chunk's Mmad starts C at 0, the others add onto L0C (cmatrixInitVal = false).
    c, golden, proc = matmul(programs, tmp_path, "nd", m, n, k, k_tile=k_tile, integers=True)
    ok(proc)
    np.testing.assert_array_equal(c, golden.astype(np.float32))


def test_repeated_accumulation_is_exact_on_integers(programs: dict[str, Path], tmp_path: Path) -> None:
    c, golden, proc = matmul(programs, tmp_path, "nd", 48, 40, 80, k_tile=32, repeat=3, integers=True)
    ok(proc)
    np.testing.assert_array_equal(c, golden.astype(np.float32))


def test_fixpipe_casts_to_float16(programs: dict[str, Path], tmp_path: Path) -> None:
    # F322F16 rounds each fp32 result to nearest even: the fp16 of the fp32 result.
    c, golden, proc = matmul(programs, tmp_path, "nd_half", 40, 50, 70)
    ok(proc)
    assert c.dtype == np.float16
    assert_close(c, golden, "float16")


# ---- rules ---------------------------------------------------------------------------------------

def test_l0a_capacity_is_enforced(programs: dict[str, Path], tmp_path: Path) -> None:
    # Two 40 KiB A2 buffers do not fit the 64 KiB L0A of 910B.
    _, _, proc = matmul(programs, tmp_path, "l0a_overflow", 32, 32, 32)
    kernel_error(proc, "cube_matmul", "InitBuffer", "L0A", "65536")


def test_mmad_limits_are_enforced(programs: dict[str, Path]) -> None:
    kernel_error(run(programs["cube_matmul"], "too_big"), "too_big", "Mmad", "4096", "4095")


def test_nd2nz_is_refused_on_910a(programs: dict[str, Path], tmp_path: Path) -> None:
    _, _, proc = matmul(programs, tmp_path, "nd", 32, 32, 32, soc="Ascend910A")
    kernel_error(proc, "cube_matmul", "Nd2NzParams", "does not exist on Ascend910A")


def test_fixpipe_is_refused_on_310p(programs: dict[str, Path], tmp_path: Path) -> None:
    # 310P has the ND->NZ copy, LoadData and Mmad, but no FIX pipe.
    _, _, proc = matmul(programs, tmp_path, "nd", 32, 32, 32, soc="Ascend310P3")
    kernel_error(proc, "cube_matmul", "Fixpipe does not exist on Ascend310P3")


# ---- the npu_simulator model ---------------------------------------------------------------------

def summary(stderr: str) -> dict[str, object]:
    util = re.search(r"^  pipe utilisation:(.*)$", stderr, re.MULTILINE)
    bound = re.search(r"^  bound by    (.+)$", stderr, re.MULTILINE)
    assert util and bound, stderr
    return {"util": {p: int(v) / 100 for p, v in re.findall(r"(\w+) (\d+)%", util.group(1))},
            "bound": bound.group(1), "findings": re.findall(r"^  finding     (.+)$", stderr, re.MULTILINE)}


def test_compute_heavy_matmul_is_cube_bound(programs: dict[str, Path], tmp_path: Path) -> None:
    # 128 x 256 x 256 loaded once and multiplied 16 times: 16 x 4 chunks of 8 x 16 x 4 fractal cycles
    # against 320 KiB of GM traffic. Multiplied once, the same kernel is bound by its copies instead.
    runs = {}
    for repeat in (1, 16):
        c, golden, proc = matmul(programs, tmp_path, "nd", 128, 256, 256, k_tile=64, repeat=repeat, integers=True,
                                 mode=SIM)
        ok(proc)
        runs[repeat] = summary(proc.stderr)
        assert runs[repeat]["findings"] == [] and "findings    none" in proc.stderr
        np.testing.assert_array_equal(c, golden.astype(np.float32))
    heavy, light = runs[16], runs[1]
    assert heavy["bound"] == "cube", heavy
    assert heavy["util"]["M"] > 0.6 and heavy["util"]["MTE1"] > 0 and heavy["util"]["FIX"] > 0, heavy
    assert light["bound"] != "cube" and light["util"]["M"] < heavy["util"]["M"] / 2, light


def test_small_matmul_has_no_findings(programs: dict[str, Path], tmp_path: Path) -> None:
    # Tails in m, n and k (the NZ padding is never written, and never read by Mmad) and K chunks.
    c, golden, proc = matmul(programs, tmp_path, "nd", 40, 50, 70, k_tile=32, integers=True, mode=SIM)
    ok(proc)
    assert summary(proc.stderr)["findings"] == []
    np.testing.assert_array_equal(c, golden.astype(np.float32))


def test_missing_pipe_m_barrier_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    # 40 x 50: (40/16)*(50/16) = 6 < 10, so accumulating Mmads need PipeBarrier<PIPE_M> between them.
    _, _, proc = matmul(programs, tmp_path, "no_barrier", 40, 50, 70, k_tile=32, integers=True, mode=SIM)
    assert proc.returncode == 1
    findings = summary(proc.stderr)["findings"]
    assert len(findings) == 1 and "[mmad-barrier]" in findings[0], findings

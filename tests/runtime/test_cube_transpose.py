"""LoadDataWithTranspose on 910B: a matmul whose A arrives as A^T (or whose B arrives as K x N) and reaches
L0A/L0B through the square transposes of int8, half and float, checked exactly against numpy.

programs/cube_transpose.cpp has the tiling (the parameters of the asc-devkit load_data_l12l0 sample); the
facts are Note [LoadDataWithTranspose] in runtime/src/cube_load.cpp.

Run: pytest tests/runtime/test_cube_transpose.py -q
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_cube import kernel_error, ok, run, summary

pytestmark = pytest.mark.modes("cpu")  # the programs choose their own mode

SIM = "npu_simulator"
MODES = ["cpu", SIM]
DTYPES = {"int8": np.int8, "half": np.float16, "float": np.float32}


def transpose_matmul(programs: dict[str, Path], tmp_path: Path, case: str, m: int, n: int, k: int, mode: str = "cpu",
                     soc: str = "Ascend910B1") -> tuple[np.ndarray, np.ndarray, subprocess.CompletedProcess]:
    """Run cube_transpose on small integers (exact in every accumulator); return (C, A @ B, process)."""
    rng = np.random.default_rng(7)
    dtype = DTYPES[case.split("_", 1)[1]]
    a = rng.integers(-9, 10, (m, k)).astype(dtype)
    b = rng.integers(-9, 10, (k, n)).astype(dtype)
    a_t = case.startswith(("a_", "overlap_", "small_"))
    np.ascontiguousarray(a.T if a_t else a).tofile(tmp_path / "a.bin")
    np.ascontiguousarray(b.T if a_t else b).tofile(tmp_path / "b.bin")
    proc = run(programs["cube_transpose"], case, tmp_path, m, n, k, mode=mode, soc=soc)
    out = np.int32 if dtype == np.int8 else np.float32
    c = np.fromfile(tmp_path / "c.bin", dtype=out).reshape(m, n) if proc.returncode == 0 else np.empty(0)
    return c, (a.astype(np.int64) @ b.astype(np.int64)).astype(out), proc


SHAPES = {"int8": [(32, 64, 32), (64, 32, 96)], "half": [(16, 32, 48), (48, 16, 32)],
          "float": [(16, 32, 32), (32, 48, 64)]}
CASES = [(f"{side}_{t}", *s) for side in "ab" for t, shapes in SHAPES.items() for s in shapes]


@pytest.mark.parametrize("case, m, n, k", CASES, ids=[f"{c[0]}-{c[1]}x{c[2]}x{c[3]}" for c in CASES])
@pytest.mark.parametrize("mode", MODES)
def test_transposed_operand_matmul(programs: dict[str, Path], tmp_path: Path, mode: str, case: str, m: int, n: int,
                                   k: int) -> None:
    # a_*: A^T (K x M) in GM, transposed into L0A; b_*: B (K x N) in GM, transposed into L0B.
    c, golden, proc = transpose_matmul(programs, tmp_path, case, m, n, k, mode=mode)
    ok(proc)
    if mode == SIM:
        s = summary(proc.stderr)
        assert s["findings"] == [], proc.stderr
        assert s["util"]["MTE1"] > 0, s
    np.testing.assert_array_equal(c, golden)


def test_refused_on_910a(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = transpose_matmul(programs, tmp_path, "a_half", 16, 32, 48, soc="Ascend910A")[2]
    assert proc.returncode == 1, proc.stderr
    assert "does not exist on Ascend910A" in proc.stderr


def test_overlapping_repeats_are_found(programs: dict[str, Path], tmp_path: Path) -> None:
    # int8 with dstGap 0 and dstFracGap 0: repeat r writes fractals r and r+1, repeat r+1 writes r+1 again.
    c, golden, proc = transpose_matmul(programs, tmp_path, "overlap_int8", 32, 64, 96)
    ok(proc)  # the NPU runs it; the result is wrong
    assert not np.array_equal(c, golden)
    proc = transpose_matmul(programs, tmp_path, "overlap_int8", 32, 64, 96, mode=SIM)[2]
    assert proc.returncode == 1
    findings = summary(proc.stderr)["findings"]
    assert "[loadtranspose-overlap]" in findings[0] and "dstGap 0, dstFracGap 0" in findings[0], findings
    # ... and Mmad then reads the L0A fractals nothing wrote
    assert all("[loadtranspose-overlap]" in f or "nothing wrote" in f for f in findings), findings


def test_destination_past_its_tensor_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = transpose_matmul(programs, tmp_path, "small_int8", 32, 64, 96, mode=SIM)[2]
    assert proc.returncode == 1
    findings = summary(proc.stderr)["findings"]
    assert any("[cube-operand-size]" in f and "LoadDataWithTranspose(L1->L0A)" in f for f in findings), findings


def test_source_must_be_l1(programs: dict[str, Path], tmp_path: Path) -> None:
    # The destination must be L0A/L0B and the source L1: a kernel that passes them the other way round.
    proc = run(programs["cube_transpose"], "swap_int8", tmp_path, 32, 32, 32)
    kernel_error(proc, "transpose_swap", "LoadDataWithTranspose: the destination must be in A2 (L0A) or B2 (L0B)",
                 "in L1")

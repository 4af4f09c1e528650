"""SoftMax and SimpleSoftMax against numpy (rows of [M, K], max and sum as [M, one block]), in cpu and npu_simulator mode,
with the tiling from SoftMaxTilingFunc and both temporary-buffer forms; plus its host queries and errors.
Program: programs/hl_softmax.cpp.

Run: pytest tests/hlapi/test_softmax.py -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hl_run import MODES, check_ok, kernel_error, run_program

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")

SEED = 20240901
TYPES = {"half": ("float16", "float16"), "float": ("float32", "float32"), "mixed": ("float16", "float32")}


def softmax(exe: Path, tmp_path: Path, types: str, form: str, m: int, k: int, tmp: int, mode: str = "cpu"):
    t, u = TYPES[types]
    x = (np.random.default_rng(SEED).standard_normal((m, k)) * 3).astype(t)
    x.tofile(tmp_path / "x.bin")
    proc = run_program(exe, types, form, m, k, tmp, tmp_path, mode=mode)
    xd = x.astype(np.float64)
    mx = xd.max(axis=1, keepdims=True)
    e = np.exp(xd - mx)
    s = e.sum(axis=1, keepdims=True)
    golden = {"y": (e / s).astype(t), "y2": (e / s).astype(t), "max": np.repeat(mx, 32 // np.dtype(u).itemsize, 1).astype(u),
              "sum": np.repeat(s, 32 // np.dtype(u).itemsize, 1).astype(u)}
    if proc.returncode != 0:
        return None, golden, proc
    blk = 32 // np.dtype(u).itemsize
    out = {"y": np.fromfile(tmp_path / "y.bin", dtype=t).reshape(m, k)}
    if "plain" not in form:
        out["max"] = np.fromfile(tmp_path / "max.bin", dtype=u).reshape(m, blk)
        out["sum"] = np.fromfile(tmp_path / "sum.bin", dtype=u).reshape(m, blk)
        out["y2"] = np.fromfile(tmp_path / "y2.bin", dtype=t).reshape(m, k)  # SimpleSoftMax from sum and max
    return out, golden, proc


def one_row_bytes(k: int, u: str) -> int:  # GetSoftMaxMinTmpSize: one block + k + 64 floats
    return (32 // np.dtype(u).itemsize + k + 64) * 4


# (M, K, temporary bytes as a number of rows' worth): one row per pass, a tail pass, all rows at once.
SHAPES = [(5, 64, 1), (13, 96, 4), (8, 1024, 8), (3, 16, 1)]


# The overload without max/sum exists for one data type only (not for half data with float max/sum).
CASES = [pytest.param(types, form, id=f"{types}-{form}") for types in TYPES
         for form in ("shared", "framework", "shared-plain", "framework-plain") if not (types == "mixed" and "plain" in form)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("types, form", CASES)
@pytest.mark.parametrize("m, k, rows", [pytest.param(*s, id=f"{s[0]}x{s[1]}-{s[2]}rows") for s in SHAPES])
def test_matches_numpy(hl_programs: dict[str, Path], tmp_path: Path, types: str, form: str, m: int, k: int,
                       rows: int, mode: str) -> None:
    t, u = TYPES[types]
    out, golden, proc = softmax(hl_programs["hl_softmax"], tmp_path, types, form, m, k, rows * one_row_bytes(k, u), mode)
    check_ok(proc, mode)
    assert f"splitM {min(rows, m)} " in proc.stdout, proc.stdout  # the passes the test meant to exercise
    for name, value in out.items():
        dtype = t if name in ("y", "y2") else u
        assert_close(value, golden[name], dtype)


def test_too_small_buffer(hl_programs: dict[str, Path], tmp_path: Path) -> None:
    exe = hl_programs["hl_softmax"]
    # SoftMaxTilingFunc with less than one row's worth: splitM 0, refused by the kernel naming the minimum.
    *_, proc = softmax(exe, tmp_path, "float", "shared", 4, 64, one_row_bytes(64, "float32") - 4)
    kernel_error(proc, "SoftMax", "splitM is 0", f"GetSoftMaxMinTmpSize ({one_row_bytes(64, 'float32')} bytes")


def test_unaligned_last_axis_is_refused(hl_programs: dict[str, Path], tmp_path: Path) -> None:
    *_, proc = softmax(hl_programs["hl_softmax"], tmp_path, "half", "shared", 2, 24, 4096)
    assert proc.returncode == 1, proc.stderr
    assert "opkit: error: SoftMaxTilingFunc: the last axis (24 elements of 2 bytes) must be a positive multiple of 32 bytes" in proc.stderr

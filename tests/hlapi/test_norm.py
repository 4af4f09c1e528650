"""RmsNorm against numpy on [B, S, H] (H padded to 32 bytes, the mean over the original H), in cpu and
npu_simulator mode, with the tiling from GetRmsNormTilingInfo and both temporary-buffer forms; plus
its host queries and errors. Program: programs/hl_norm.cpp.

Run: pytest tests/hlapi/test_norm.py -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hl_run import MODES, check_ok, kernel_error, run_program

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")

SEED = 20241001
EPS = 1e-5  # the program's epsilon


def rms_min_bytes(h: int, dtype: str) -> int:  # GetRmsNormMaxMinTmpSize's minValue
    return (h * (2 if dtype == "float16" else 1) + 8) * 4


def rmsnorm(exe: Path, tmp_path: Path, dtype: str, form: str, b: int, s: int, h: int, ori_h: int, tmp: int,
            mode: str = "cpu"):
    rng = np.random.default_rng(SEED)
    x = np.zeros((b, s, h), dtype)
    x[..., :ori_h] = rng.standard_normal((b, s, ori_h)).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, h).astype(dtype)
    x.tofile(tmp_path / "x.bin")
    gamma.tofile(tmp_path / "gamma.bin")
    proc = run_program(exe, "rmsnorm", "half" if dtype == "float16" else "float", form, b, s, h, ori_h, tmp, tmp_path,
                       mode=mode)
    xd = x.astype(np.float64)
    golden = xd / np.sqrt((xd**2).sum(-1, keepdims=True) / ori_h + EPS) * gamma.astype(np.float64)
    y = np.fromfile(tmp_path / "y.bin", dtype=dtype).reshape(b, s, h) if proc.returncode == 0 else None
    return y, golden.astype(dtype), proc


# (B, S, H, original H, temporary bytes in rows' worth): one row per pass, a tail, H with padding, long H.
SHAPES = [(1, 3, 16, 16, 1), (2, 5, 160, 150, 3), (2, 3, 64, 60, 6), (1, 4, 1024, 1000, 2)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("form", ["shared", "framework"])
@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("b, s, h, ori_h, rows", [pytest.param(*x, id="x".join(map(str, x[:3])) + f"-ori{x[3]}-{x[4]}rows")
                                                  for x in SHAPES])
def test_matches_numpy(hl_programs: dict[str, Path], tmp_path: Path, dtype: str, form: str, b: int, s: int, h: int,
                       ori_h: int, rows: int, mode: str) -> None:
    tmp = rms_min_bytes(h, dtype) + (rows - 1) * h * 4 * (2 if dtype == "float16" else 1)
    y, golden, proc = rmsnorm(hl_programs["hl_norm"], tmp_path, dtype, form, b, s, h, ori_h, tmp, mode)
    check_ok(proc, mode)
    assert f"mainBsLength {min(rows, b * s)} " in proc.stdout, proc.stdout
    # Only the original H columns are the result; the padding columns hold 0 * gamma.
    assert_close(y[..., :ori_h], golden[..., :ori_h], dtype)


def test_tiling_refuses_what_it_cannot_serve(hl_programs: dict[str, Path], tmp_path: Path) -> None:
    exe = hl_programs["hl_norm"]
    *_, proc = rmsnorm(exe, tmp_path, "float32", "shared", 1, 2, 64, 64, rms_min_bytes(64, "float32") - 4)
    assert proc.returncode == 3 and "tiling: false" in proc.stdout  # below GetRmsNormMaxMinTmpSize's minimum
    *_, proc = rmsnorm(exe, tmp_path, "float16", "shared", 1, 2, 24, 24, 4096)
    assert proc.returncode == 3 and "tiling: false" in proc.stdout  # H of 48 bytes is not 32-byte aligned


# ---- LayerNorm ([B, S, H] with mean and variance) ---------------------------------------------------

def ln_min_bytes(b: int, s: int, h: int) -> int:  # GetLayerNormMaxMinTmpSize's minValue (isReuseSource false)
    return 3 * ((h * 4 + 31) // 32 * 32) + 2 * ((b * s * 4 + 31) // 32 * 32)


def layernorm(exe: Path, tmp_path: Path, dtype: str, form: str, b: int, s: int, h: int, ori_h: int, tmp: int,
              mode: str = "cpu"):
    rng = np.random.default_rng(SEED)
    x = np.zeros((b, s, h), dtype)
    x[..., :ori_h] = (rng.standard_normal((b, s, ori_h)) * 2 + 1).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, h).astype(dtype)
    beta = rng.uniform(-1, 1, h).astype(dtype)
    for name, a in (("x", x), ("gamma", gamma), ("beta", beta)):
        a.tofile(tmp_path / f"{name}.bin")
    proc = run_program(exe, "layernorm", "half" if dtype == "float16" else "float", form, b, s, h, ori_h, tmp,
                       tmp_path, mode=mode)
    xd = x[..., :ori_h].astype(np.float64)
    mean, var = xd.mean(-1), xd.var(-1)
    y = (xd - mean[..., None]) / np.sqrt(var[..., None] + EPS) * gamma[:ori_h] + beta[:ori_h]
    golden = {"y": y.astype(dtype), "mean": mean.astype(dtype), "var": var.astype(dtype)}
    if proc.returncode != 0:
        return None, golden, proc
    out = {"y": np.fromfile(tmp_path / "y.bin", dtype=dtype).reshape(b, s, h)[..., :ori_h],
           "mean": np.fromfile(tmp_path / "mean.bin", dtype=dtype).reshape(b, s),
           "var": np.fromfile(tmp_path / "var.bin", dtype=dtype).reshape(b, s)}
    return out, golden, proc


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("form", ["shared", "framework"])
@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("b, s, h, ori_h, rows", [pytest.param(*x, id="x".join(map(str, x[:3])) + f"-ori{x[3]}-{x[4]}rows")
                                                  for x in SHAPES])
def test_layernorm_matches_numpy(hl_programs: dict[str, Path], tmp_path: Path, dtype: str, form: str, b: int, s: int,
                                 h: int, ori_h: int, rows: int, mode: str) -> None:
    tmp = ln_min_bytes(b, s, h) + (rows - 1) * 3 * h * 4
    out, golden, proc = layernorm(hl_programs["hl_norm"], tmp_path, dtype, form, b, s, h, ori_h, tmp, mode)
    check_ok(proc, mode)
    assert f"rows per pass {min(rows, b * s)} " in proc.stdout, proc.stdout
    for name, value in out.items():
        # The variance of a half input is a sum of squares rounded once to fp16: the table's fp16 tolerance.
        assert_close(value, golden[name], dtype)


def test_layernorm_below_minimum(hl_programs: dict[str, Path], tmp_path: Path) -> None:
    # GetLayerNormNDTilingInfo leaves the tiling unfilled (as CANN does); the kernel names what to do.
    *_, proc = layernorm(hl_programs["hl_norm"], tmp_path, "float32", "shared", 1, 2, 64, 64, 200)
    kernel_error(proc, "LayerNorm: the tiling has hLength 0", "GetLayerNormNDTilingInfo")

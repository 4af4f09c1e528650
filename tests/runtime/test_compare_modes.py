"""Compare, Compares and Select on every mode and float type, against numpy, bit for bit.

programs/compare_modes.cpp runs the four instructions on one core. The runtime computes them with
SIMD where the CPU has it (Note [Compare and Select in SIMD] in runtime/src/vec_cast.cpp) and with
element loops elsewhere; either way each result bit is C++'s (and numpy's) comparison: a NaN
compares false but for NE, and -0 equals +0. Select moves raw bits, so a NaN payload survives.

Run: pytest tests/runtime/test_compare_modes.py -q --mode=cpu
"""

from __future__ import annotations

import operator
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.modes("cpu")

SEED = 20240601
MODES = {"LT": operator.lt, "GT": operator.gt, "EQ": operator.eq, "LE": operator.le, "GE": operator.ge,
         "NE": operator.ne}


def operands(dtype: type, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    a = rng.integers(-4, 5, n).astype(dtype) / dtype(4)  # small grid: many equal pairs
    b = rng.integers(-4, 5, n).astype(dtype) / dtype(4)
    b[0] = dtype(0.25)  # the scalar of Compares and of Select's scalar mode
    a[3::97] = np.nan
    b[5::89] = np.nan
    a[7::61], b[7::61] = dtype(-0.0), dtype(0.0)
    a[11::53], b[13::47] = np.inf, -np.inf
    a[1::101] = dtype(0.25)
    return a.astype(dtype), b.astype(dtype)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("dtype, tag", [(np.float32, "f32"), (np.float16, "f16")], ids=["float32", "float16"])
def test_compare_and_select_match_numpy(programs: dict[str, Path], tmp_path: Path, mode: str, dtype: type,
                                        tag: str) -> None:
    n = 2048  # 32 repeats of float32, 16 of float16
    a, b = operands(dtype, n)
    a.tofile(tmp_path / "a.bin")
    b.tofile(tmp_path / "b.bin")
    env = {k: v for k, v in os.environ.items() if k != "OPKIT_SOC"}
    done = subprocess.run([str(programs["compare_modes"]), tag, str(list(MODES).index(mode)), str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    op = MODES[mode]
    with np.errstate(invalid="ignore"):
        want = op(a, b)
        want_s = op(a, b[0])
    bits = np.unpackbits(np.fromfile(tmp_path / "bits.bin", np.uint8), bitorder="little").astype(bool)
    sbits = np.unpackbits(np.fromfile(tmp_path / "sbits.bin", np.uint8), bitorder="little").astype(bool)
    np.testing.assert_array_equal(bits, want, err_msg=f"Compare {mode}")
    np.testing.assert_array_equal(sbits, want_s, err_msg=f"Compares {mode}")
    raw = np.uint32 if dtype == np.float32 else np.uint16
    z = np.fromfile(tmp_path / "z.bin", dtype).view(raw)
    zs = np.fromfile(tmp_path / "zs.bin", dtype).view(raw)
    np.testing.assert_array_equal(z, np.where(want, a.view(raw), b.view(raw)), err_msg="Select tensor mode")
    np.testing.assert_array_equal(zs, np.where(want_s, a.view(raw), b[:1].view(raw)[0]), err_msg="Select scalar mode")

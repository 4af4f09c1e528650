"""The basic API's Exp against float64 numpy: within one ulp of the correctly rounded result over the
whole range, subnormal results and overflow included, and exact on the special values.

float32 runs runtime/src/vec.cpp's ExpF (a vectorised Cody-Waite reduction and polynomial whose
comment claims 0.85 ulp); float16 widens to float32 and rounds back once (Note [Per-instruction
rounding]), so it may be one float16 ulp off the correctly rounded value. In place and out of place
must agree bit for bit (programs/vec_exp.cpp).

Run: pytest tests/runtime/test_vec_exp.py -q --mode=cpu
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.modes("cpu")

SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 88.72, 88.73, 89.0, 89.5, -87.33, -87.34, -103.9,
            -104.0, -104.5]


def ordered(bits: np.ndarray, width: int) -> np.ndarray:
    """Float bit patterns as integers that count ulps across zero."""
    sign = np.int64(1) << (width - 1)
    b = bits.astype(np.int64)
    return np.where(b & sign, sign - b, b)


def run_exp(programs: dict[str, Path], tmp_path: Path, x: np.ndarray, tag: str) -> tuple[np.ndarray, np.ndarray]:
    x.tofile(tmp_path / "x.bin")
    env = {k: v for k, v in os.environ.items() if k != "OPKIT_SOC"}
    done = subprocess.run([str(programs["vec_exp"]), tag, str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return np.fromfile(tmp_path / "y.bin", x.dtype), np.fromfile(tmp_path / "z.bin", x.dtype)


# 16384: whole 16-lane vectors; 16376 float32: the specials at the end fall in a last, partial vector
# (the AVX-512 loop's masked tail, Note [Exp with scalef]); float16 comes in whole 16-element blocks.
@pytest.mark.parametrize("n", [16384, 16376])
@pytest.mark.parametrize("dtype, tag, raw", [(np.float32, "f32", np.uint32), (np.float16, "f16", np.uint16)],
                         ids=["float32", "float16"])
def test_exp_within_one_ulp(programs: dict[str, Path], tmp_path: Path, dtype: type, tag: str, raw: type,
                            n: int) -> None:
    lo, hi = (-106.0, 90.0) if dtype == np.float32 else (-18.0, 11.5)  # past both ends of each type's range
    n -= n % (32 // np.dtype(dtype).itemsize)
    x = np.concatenate([np.linspace(lo, hi, n - len(SPECIALS)), SPECIALS]).astype(dtype)
    y, z = run_exp(programs, tmp_path, x, tag)
    np.testing.assert_array_equal(y.view(raw), z.view(raw), err_msg="in place differs from out of place")
    with np.errstate(over="ignore"):
        want = np.exp(x.astype(np.float64)).astype(dtype)
    nan = np.isnan(x)
    assert np.isnan(y[nan]).all()
    inf = ~nan & np.isinf(want)
    np.testing.assert_array_equal(y[inf], want[inf], err_msg="overflow and exp(+-inf)")
    finite = ~nan & ~inf
    width = 8 * np.dtype(dtype).itemsize
    ulps = np.abs(ordered(y[finite].view(raw), width) - ordered(want[finite].view(raw), width))
    worst = int(np.argmax(ulps))
    assert ulps.max() <= 1, f"Exp({x[finite][worst]!r}) = {y[finite][worst]!r}, want {want[finite][worst]!r}"
    assert (y[x == 0] == 1).all() and (y[x == -np.inf] == 0).all()

"""Sum and Mean over the last axis against numpy, in cpu and npu_simulator mode, with both
temporary-buffer forms; plus their size queries. Program: programs/hl_reduce.cpp.

The result of a row is one basic ReduceSum in the input type (the NPU's pairwise order), so a half sum
rounds every partial sum to fp16. The half inputs are therefore multiples of 0.5 in [-1, 1]: every
partial sum is exact in fp16 and the sum must match numpy's to the table's tolerance (Mean adds one
rounding); the float inputs are uniform in [0, 1) (no cancellation), at the float table's tolerance.

Run: pytest tests/hlapi/test_reduce.py -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hl_run import MODES, check_ok, kernel_error, run_program

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")

SEED = 20241101


def sum_tmp(n: int, size: int) -> int:  # GetSumMaxMinTmpSize
    reps = (n + 256 // size - 1) // (256 // size)
    return (reps + 32 // size - 1) // (32 // size) * (32 // size) * size


def mean_tmp(n: int, size: int) -> int:  # GetMeanMaxMinTmpSize with accType = T
    reps = (n + 256 // size - 1) // (256 // size)
    return (reps + 31) // 32 * 32


def reduce(exe: Path, tmp_path: Path, api: str, dtype: str, form: str, outter: int, n: int, tmp: int,
           mode: str = "cpu"):
    size = np.dtype(dtype).itemsize
    inner = (n * size + 31) // 32 * 32 // size
    x = np.zeros((outter, inner), dtype)
    rng = np.random.default_rng(SEED)
    if dtype == "float16":
        x[:, :n] = rng.integers(-2, 3, (outter, n)) / 2
    else:
        x[:, :n] = rng.uniform(0, 1, (outter, n))
    x.tofile(tmp_path / "x.bin")
    proc = run_program(exe, api, "half" if dtype == "float16" else "float", form, outter, n, tmp, tmp_path, mode=mode)
    g = x[:, :n].astype(np.float64).sum(axis=1)
    golden = (g / n if api == "mean" else g).astype(dtype)
    y = np.fromfile(tmp_path / "y.bin", dtype=dtype) if proc.returncode == 0 else None
    return y, golden, proc


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("form", ["shared", "framework"])
@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("api", ["sum", "mean"])
@pytest.mark.parametrize("outter, n", [(1, 5), (7, 64), (3, 1000), (20, 200)])
def test_matches_numpy(hl_programs: dict[str, Path], tmp_path: Path, api: str, dtype: str, form: str, outter: int,
                       n: int, mode: str) -> None:
    size = np.dtype(dtype).itemsize
    tmp = (sum_tmp if api == "sum" else mean_tmp)(n, size)
    y, golden, proc = reduce(hl_programs["hl_reduce"], tmp_path, api, dtype, form, outter, n, max(tmp, 32), mode)
    check_ok(proc, mode)
    assert_close(y[:outter], golden, dtype)


def test_shared_buffer_too_small(hl_programs: dict[str, Path], tmp_path: Path) -> None:
    # n = 4000 floats: 63 repeats -> 64 floats of temporaries (256 bytes); 224 is too few.
    *_, proc = reduce(hl_programs["hl_reduce"], tmp_path, "sum", "float32", "shared", 1, 4000, 224)
    kernel_error(proc, "Sum: sharedTmpBuffer holds 224 bytes", "at least 256", "GetSumMaxMinTmpSize")

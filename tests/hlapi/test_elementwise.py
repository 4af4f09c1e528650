"""The element-wise high-level APIs (Tanh, Sigmoid, Silu, Swish, Gelu, FasterGelu, the Taylor Exp, Log,
Log2, Log10, Erf, Sin, Cos) against numpy, in cpu and npu_simulator mode, with both temporary-buffer forms, plus their
buffer rules. Program: programs/hl_elementwise.cpp (its header has the layout).

Goldens are float64 numpy on the same (rounded) inputs; tolerances come from opkit.tolerances, loosened
only where a half result goes through several fp16 instructions (named per API below).

Run: pytest tests/hlapi/test_elementwise.py -q
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hl_run import MODES, check_ok, kernel_error, padded, run_program

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")  # the program chooses its own mode

SEED = 20240807
N = 1000  # not a multiple of a repeat: the last pass is partial


def _gelu(x: np.ndarray) -> np.ndarray:  # the tanh form the asc-devkit page documents
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


# api -> (golden, input range, fp16 override). The override: Sigmoid, Silu, Swish and Log10 on half run
# in fp16 (no float temporary in CANN's sizes), so their results carry 3-4 fp16 roundings, not one.
APIS = {
    "tanh": (np.tanh, (-6, 6), None),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), (-8, 8), {"rtol": 2e-3}),
    "silu": (lambda x: x / (1 + np.exp(-x)), (-8, 8), {"rtol": 4e-3}),
    "swish": (lambda x: x / (1 + np.exp(-1.5 * x)), (-8, 8), {"rtol": 4e-3}),  # beta = 1.5 in the program
    "gelu": (_gelu, (-5, 5), None),
    "fastergelu": (lambda x: x / (1 + np.exp(-1.702 * x)), (-5, 5), None),
    "exp": (np.exp, (-10, 10), None),
    "log": (np.log, (0.01, 100), None),
    "log2": (np.log2, (0.01, 100), None),
    "log10": (np.log10, (0.01, 100), {"rtol": 2e-3}),
    "erf": (np.vectorize(math.erf), (-5, 5), None),
    "sin": (np.sin, (-20, 20), None),
    "cos": (np.cos, (-20, 20), None),
}
NO_TMP = {"silu", "swish", "log", "log10"}  # APIs without a sharedTmpBuffer overload
DTYPES = {"float16": "half", "float32": "float"}
# The documented minimum temporary bytes (CANN's formulas; test_queries.py checks the host queries give them).
MIN_TMP = {("tanh", "half"): 1024, ("tanh", "float"): 256, ("sigmoid", "half"): 256, ("sigmoid", "float"): 256,
           ("gelu", "half"): 768, ("gelu", "float"): 768, ("fastergelu", "half"): 768, ("fastergelu", "float"): 768,
           ("exp", "half"): 1024, ("exp", "float"): 768, ("log2", "half"): 256,
           ("erf", "half"): 2048, ("erf", "float"): 768, ("sin", "half"): 2048, ("sin", "float"): 768,
           ("cos", "half"): 2048, ("cos", "float"): 768}


def run_api(exe: Path, tmp_path: Path, api: str, dtype: str, form: str, tmp: int, mode: str = "cpu",
            x: np.ndarray | None = None):
    golden, (lo, hi), _ = APIS[api]
    if x is None:
        x = np.random.default_rng(SEED).uniform(lo, hi, N).astype(dtype)
    padded(x).tofile(tmp_path / "x.bin")
    proc = run_program(exe, api, DTYPES[dtype], form, x.size, tmp, tmp_path, mode=mode)
    y = np.fromfile(tmp_path / "y.bin", dtype=dtype)[: x.size] if proc.returncode == 0 else None
    return x, y, golden(x.astype(np.float64)), proc


# APIs without a sharedTmpBuffer overload run only in the framework form (they need no temporary).
FORMS = [pytest.param(api, form, id=f"{api}-{form}") for api in APIS for form in ("shared-min", "framework")
         if not (api in NO_TMP and form == "shared-min")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize("api, form", FORMS)
def test_matches_numpy(hl_programs: dict[str, Path], tmp_path: Path, api: str, dtype: str, form: str,
                       mode: str) -> None:
    # shared-min: the documented minimum buffer, so the API works in many one-repeat passes;
    # framework: all the UB the TPipe left free, so one pass.
    tmp = MIN_TMP.get((api, DTYPES[dtype]), 0) if form == "shared-min" else 0
    x, y, golden, proc = run_api(hl_programs["hl_elementwise"], tmp_path, api, dtype,
                                 "shared" if form == "shared-min" else "framework", tmp, mode)
    check_ok(proc, mode)
    override = APIS[api][2] if dtype == "float16" else None
    assert_close(y, golden.astype(dtype), dtype, override)


def test_simulator_gives_cpu_numbers_and_costs_the_passes(hl_programs: dict[str, Path], tmp_path: Path) -> None:
    # Same bits in both modes; the multi-pass form issues more instructions, so the model charges more.
    exe = hl_programs["hl_elementwise"]
    _, y_cpu, _, p = run_api(exe, tmp_path, "tanh", "float16", "shared", 1024)
    check_ok(p, "cpu")
    _, y_sim, _, p_small = run_api(exe, tmp_path, "tanh", "float16", "shared", 1024, "npu_simulator")
    check_ok(p_small, "npu_simulator")
    assert np.array_equal(y_cpu.view(np.uint16), y_sim.view(np.uint16))
    _, _, _, p_big = run_api(exe, tmp_path, "tanh", "float16", "shared", 8192, "npu_simulator")
    check_ok(p_big, "npu_simulator")

    def cycles(proc) -> float:
        return float(proc.stderr.split("time")[1].split("cycles")[0])

    assert cycles(p_small) > cycles(p_big) > 0


def test_special_values(hl_programs: dict[str, Path], tmp_path: Path) -> None:
    # Saturation ends: tanh, erf -> +-1, sigmoid -> 0/1, gelu -> 0/x, no NaN from inf/inf.
    x = np.array([-100, -30, -9.5, -1e-4, 0, 1e-4, 9.5, 30, 100] * 8, dtype=np.float32)
    for api in ("tanh", "sigmoid", "gelu", "fastergelu", "silu", "erf"):
        _, y, golden, proc = run_api(hl_programs["hl_elementwise"], tmp_path, api, "float32", "framework", 0, x=x)
        check_ok(proc, "cpu")
        assert not np.isnan(y).any(), api
        assert_close(y, golden.astype(np.float32), "float32")


@pytest.mark.parametrize("api, dtype, need", [("tanh", "half", 1024), ("gelu", "float", 768), ("exp", "float", 768),
                                              ("sigmoid", "half", 256), ("log2", "half", 256),
                                              ("erf", "half", 2048)])
def test_shared_buffer_too_small(hl_programs: dict[str, Path], tmp_path: Path, api: str, dtype: str, need: int) -> None:
    name = {"gelu": "Gelu", "tanh": "Tanh", "exp": "Exp", "sigmoid": "Sigmoid", "log2": "Log2", "erf": "Erf"}[api]
    npdtype = "float16" if dtype == "half" else "float32"
    *_, proc = run_api(hl_programs["hl_elementwise"], tmp_path, api, npdtype, "shared", need - 32)
    kernel_error(proc, f"{name}: sharedTmpBuffer holds {need - 32} bytes", f"at least {need}")


def test_framework_buffer_too_small(hl_programs: dict[str, Path], tmp_path: Path) -> None:
    *_, proc = run_api(hl_programs["hl_elementwise"], tmp_path, "gelu", "float16", "framework", 512)
    kernel_error(proc, "Gelu", "needs 768 bytes of UB left free", "only 512", "GetGeluMaxMinTmpSize")

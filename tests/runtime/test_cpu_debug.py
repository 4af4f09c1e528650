"""CPU-debug programs against the installed opkit: results, rounding, and the rules a kernel may break.

Each program in programs/ is a CANN kernel-launch program (tikicpulib.h, ICPU_RUN_KF) built by the
session fixture in conftest.py. Data goes in and out through binary files in the test's tmp_path;
a kernel that breaks a rule must end the program with status 1 and exactly one stderr line
``opkit: error: <kernel> core <n>: <message>``.

Run: pytest tests/runtime -q --mode=cpu
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from opkit.tolerances import assert_close

pytestmark = pytest.mark.modes("cpu")  # these programs always run on the software AI Core

SEED = 20240601
PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"


def run(exe: Path, *args: object, soc: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("OPKIT_SOC", None)
    if soc is not None:
        env["OPKIT_SOC"] = soc
    return subprocess.run([str(exe), *map(str, args)], check=False, capture_output=True, text=True, env=env,
                          timeout=timeout)


def expect_ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, f"status {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"


def expect_kernel_error(proc: subprocess.CompletedProcess, kernel: str, core: int, *words: str) -> str:
    """Assert the program stopped with opkit's one-line kernel error naming kernel, core and words."""
    assert proc.returncode == 1, f"expected status 1, got {proc.returncode}\nstderr: {proc.stderr}"
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}:\n{proc.stderr}"
    m = re.fullmatch(rf"opkit: error: {re.escape(kernel)} core {core}: (.+)", lines[0])
    assert m, f"not `opkit: error: {kernel} core {core}: ...`: {lines[0]!r}"
    missing = [w for w in words if w not in m.group(1)]
    assert not missing, f"message lacks {missing}: {m.group(1)!r}"
    return m.group(1)


# ---- 1. a correct multi-core add ----------------------------------------------------------------

@pytest.mark.parametrize("dtype", [pytest.param(t, id=f"{t}-8x2048") for t in ("float16", "float32")])
def test_vector_add(programs: dict[str, Path], tmp_path: Path, dtype: str) -> None:
    rng = np.random.default_rng(SEED)
    x = rng.uniform(-100, 100, 8 * 2048).astype(dtype)
    y = rng.uniform(-100, 100, 8 * 2048).astype(dtype)
    x.tofile(tmp_path / "x.bin")
    y.tofile(tmp_path / "y.bin")
    expect_ok(run(programs["vector_add"], "fp16" if dtype == "float16" else "fp32", tmp_path))
    z = np.fromfile(tmp_path / "z.bin", dtype=dtype)
    # Both fp16 adds are correctly rounded (the NPU's and numpy's), so the match is exact.
    np.testing.assert_array_equal(z, x + y)


# ---- 2-5. TPipe/TQue rules ----------------------------------------------------------------------

@pytest.mark.parametrize("case, core, words", [
    pytest.param("ub_overflow", 0, ("InitBuffer", "UB"), id="ub_overflow"),
    pytest.param("queue_too_deep", 0, ("EnQue", "depth"), id="queue_too_deep"),
    pytest.param("deque_empty", 3, ("DeQue", "empty"), id="deque_empty"),  # only core 3 breaks the rule
    pytest.param("alloc_exhausted", 0, ("AllocTensor", "in use"), id="alloc_exhausted"),
    pytest.param("double_free", 0, ("FreeTensor", "already freed"), id="double_free"),
    pytest.param("two_pipes", 0, ("second TPipe", "Destroy"), id="two_pipes"),
])
def test_pipe_rule_broken(programs: dict[str, Path], case: str, core: int, words: tuple[str, ...]) -> None:
    expect_kernel_error(run(programs["pipe_rules"], case), case, core, *words)


def test_pipe_rules_kept(programs: dict[str, Path]) -> None:
    proc = run(programs["pipe_rules"], "well_behaved")
    expect_ok(proc)
    assert proc.stdout.strip() == "well_behaved: ok"


# ---- 6-7. DataCopy of 40 bytes ------------------------------------------------------------------

SENTINEL = np.float16(-7.0)


def _copy_20(programs: dict[str, Path], tmp_path: Path, case: str, soc: str | None = None):
    x = np.arange(1, 33, dtype=np.float16)
    x.tofile(tmp_path / "x.bin")
    np.full(32, SENTINEL, dtype=np.float16).tofile(tmp_path / "z.bin")
    proc = run(programs["data_copy"], case, tmp_path, soc=soc)
    return proc, x, np.fromfile(tmp_path / "z.bin", dtype=np.float16)


def test_datacopy_round_down(programs: dict[str, Path], tmp_path: Path) -> None:
    proc, x, z = _copy_20(programs, tmp_path, "round_down")
    expect_ok(proc)
    # 40 bytes round down to one 32-byte block: 16 elements arrive, the rest keep the sentinel.
    np.testing.assert_array_equal(z[:16], x[:16])
    np.testing.assert_array_equal(z[16:], np.full(16, SENTINEL))


def test_datacopy_pad_copies_exactly(programs: dict[str, Path], tmp_path: Path) -> None:
    proc, x, z = _copy_20(programs, tmp_path, "copy_pad")
    expect_ok(proc)
    np.testing.assert_array_equal(z[:20], x[:20])
    np.testing.assert_array_equal(z[20:], np.full(12, SENTINEL))


def test_datacopy_pad_missing_on_910a(programs: dict[str, Path], tmp_path: Path) -> None:
    proc, _, _ = _copy_20(programs, tmp_path, "copy_pad", soc="Ascend910A")
    expect_kernel_error(proc, "copy_pad", 0, "DataCopyPad", "Ascend910A")


# ---- 8. Cast rounding ---------------------------------------------------------------------------

HALF_MODES = ["CAST_RINT", "CAST_FLOOR", "CAST_CEIL", "CAST_ROUND", "CAST_TRUNC", "CAST_ODD"]
INT_MODES = ["CAST_RINT", "CAST_FLOOR", "CAST_CEIL", "CAST_ROUND", "CAST_TRUNC"]

_ULP1 = 2.0 ** -10  # fp16 spacing in [1, 2)
HALF_CASES = [
    1 + _ULP1 / 2, 1 + 3 * _ULP1 / 2,                    # ties: RINT goes to the even neighbour
    1 + _ULP1 / 2 + 2.0 ** -23, 1 + _ULP1 / 2 - 2.0 ** -23,  # just above / below halfway
    -(1 + _ULP1 / 2), -(1 + 3 * _ULP1 / 2), -(1 + _ULP1 / 2 + 2.0 ** -23), -(1 + _ULP1 / 2 - 2.0 ** -23),
    2049.0, 2051.0, -2049.0, 4097.0,                     # ties where the fp16 spacing is 2 and 4
    2.0 ** -25, 3 * 2.0 ** -25, -(2.0 ** -25), 2.0 ** -24, 1e-8, -1e-8,  # subnormal ties and underflow
    5e-6, -5e-6, 2.0 ** -14 - 2.0 ** -26, 2.0 ** -14 + 2.0 ** -25, 6.1e-5,
    65504.0, 65519.0, 65520.0, -65520.0, 65535.0, 70000.0, -70000.0, 1e30,  # the top of the range
    0.1, -0.1, 1 / 3, -2 / 3, 1000.7, -1000.3, 0.0, -0.0,
    np.inf, -np.inf, np.nan,
]
INT_CASES = [
    2.5, -2.5, 3.5, -3.5, 0.5, -0.5, 1.5, -1.5, 0.49999997, -0.49999997, 2.7, -2.7,
    123456.5, -123456.5, 8388607.5, -8388607.5, 1e-3, -1e-3,
    3e9, -3e9, 2147483520.0, 2147483648.0, -2147483648.0, 1e20,  # saturation at the int32 limits
]


def _padded(values: list[float], rng: np.random.Generator) -> np.ndarray:
    x = np.array(values, dtype=np.float32)
    extra = -len(x) % 64  # fill up to whole repeats with random values over many magnitudes
    fill = rng.standard_normal(extra) * 10.0 ** rng.integers(-6, 5, extra)
    return np.concatenate([x, fill.astype(np.float32)])


def half_golden(v: float, mode: str) -> np.float16:
    """float32 value -> float16 by `mode`, from numpy's nearest result and its fp16 neighbours."""
    with np.errstate(over="ignore"):  # 70000 -> inf, 65504 -> its upper neighbour inf
        nearest = np.float16(v)
        if mode == "CAST_RINT" or not np.isfinite(v) or float(nearest) == v:
            return nearest
        lo, hi = ((nearest, np.nextafter(nearest, np.float16(np.inf))) if float(nearest) < v
                  else (np.nextafter(nearest, np.float16(-np.inf)), nearest))
    if mode == "CAST_FLOOR":
        return lo
    if mode == "CAST_CEIL":
        return hi
    if mode == "CAST_TRUNC":
        return lo if v > 0 else hi
    if mode == "CAST_ODD":  # of two neighbours exactly one has an odd significand (65504 before inf)
        return lo if int(lo.view(np.uint16)) & 1 else hi
    # CAST_ROUND: nearest, ties away from zero. Past 65504 the next step would be 65536.
    lo_v = -65536.0 if np.isinf(lo) else float(lo)
    hi_v = 65536.0 if np.isinf(hi) else float(hi)
    below, above = v - lo_v, hi_v - v  # exact in float64
    if below != above:
        return lo if below < above else hi
    return hi if v > 0 else lo


def int_golden(x: np.ndarray, mode: str) -> np.ndarray:
    v = x.astype(np.float64)
    r = {"CAST_RINT": np.rint, "CAST_FLOOR": np.floor, "CAST_CEIL": np.ceil, "CAST_TRUNC": np.trunc,
         "CAST_ROUND": lambda a: np.sign(a) * np.floor(np.abs(a) + 0.5)}[mode](v)
    return np.clip(r, -2.0 ** 31, 2.0 ** 31 - 1).astype(np.int32)


@pytest.fixture(scope="module")
def cast_results(programs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    """(x, {mode: float16 result}, {mode: int32 result}) from one run of cast_modes."""
    rng = np.random.default_rng(SEED)
    x = np.concatenate([_padded(HALF_CASES, rng), _padded(INT_CASES, rng)])
    d = tmp_path_factory.mktemp("cast")
    x.tofile(d / "x.bin")
    expect_ok(run(programs["cast_modes"], "cast", d))
    f16 = np.fromfile(d / "f16.bin", dtype=np.float16).reshape(len(HALF_MODES), -1)
    i32 = np.fromfile(d / "i32.bin", dtype=np.int32).reshape(len(INT_MODES), -1)
    return x, dict(zip(HALF_MODES, f16)), dict(zip(INT_MODES, i32))


def _describe(x: np.ndarray, got: np.ndarray, want: np.ndarray, bad: np.ndarray) -> str:
    return "; ".join(f"x={float(x[i])!r}: got {got[i]!r} want {want[i]!r}" for i in np.flatnonzero(bad)[:6])


@pytest.mark.parametrize("mode", HALF_MODES)
def test_cast_float32_to_float16(cast_results, mode: str) -> None:
    x, f16, _ = cast_results
    got = f16[mode]
    want = np.array([half_golden(float(v), mode) for v in x], dtype=np.float16)
    if mode == "CAST_RINT":
        with np.errstate(over="ignore"):
            np.testing.assert_array_equal(want.view(np.uint16), x.astype(np.float16).view(np.uint16))
    both_nan = np.isnan(got) & np.isnan(want)
    bad = (got.view(np.uint16) != want.view(np.uint16)) & ~both_nan  # bits: the sign of zero counts
    assert not bad.any(), f"{int(bad.sum())} wrong: {_describe(x, got, want, bad)}"


@pytest.mark.parametrize("mode", INT_MODES)
def test_cast_float32_to_int32(cast_results, mode: str) -> None:
    x, _, i32 = cast_results
    finite = np.isfinite(x)  # inf/NaN -> int32 is not asserted
    got, want = i32[mode][finite], int_golden(x[finite], mode)
    bad = got != want
    assert not bad.any(), f"{int(bad.sum())} wrong: {_describe(x[finite], got, want, bad)}"


def test_cast_saturates_to_int32_max(cast_results) -> None:
    x, _, i32 = cast_results
    at = int(np.flatnonzero(x == np.float32(3e9))[0])
    assert {m: int(i32[m][at]) for m in INT_MODES} == dict.fromkeys(INT_MODES, 2147483647)


# ---- 9. what the 910B vector unit does not have -------------------------------------------------

def test_bf16_add_rejected(programs: dict[str, Path]) -> None:
    expect_kernel_error(run(programs["cast_modes"], "bf16_add"), "bf16_add", 0, "Add", "bfloat16")


def test_bf16_does_not_exist_on_910a(programs: dict[str, Path]) -> None:
    # 910A and 310P have no bfloat16 at all (only 910B-class SoCs do): the first bf16 instruction stops
    # the kernel, pointing at per-SoC registration
    for soc in ("Ascend910A", "Ascend310P3"):
        expect_kernel_error(run(programs["cast_modes"], "bf16_add", soc=soc), "bf16_add", 0,
                            f"bfloat16 does not exist on {soc}", "OpAICoreConfig")


def test_cast_none_to_int32_rejected(programs: dict[str, Path]) -> None:
    expect_kernel_error(run(programs["cast_modes"], "cast_none"), "cast_none_to_int32", 0,
                        "CAST_NONE", "float32 -> int32")


# ---- 10-11. core identity and tiling keys --------------------------------------------------------

def test_block_idx_and_num(programs: dict[str, Path]) -> None:
    proc = run(programs["core_identity"], "block_idx")
    expect_ok(proc)
    assert proc.stdout.splitlines() == [f"slot {b}: idx={b} num=5" for b in range(5)]


@pytest.mark.parametrize("key, branch", [(2, "2"), (1, "1"), (7, "none")], ids=["key2", "key1", "key7"])
def test_tiling_key(programs: dict[str, Path], key: int, branch: str) -> None:
    proc = run(programs["core_identity"], "tiling_key", key)
    expect_ok(proc)
    assert proc.stdout.strip() == f"branch={branch}"


# ---- 12-13. Compare/Select and reductions ---------------------------------------------------------

def test_compare_select(programs: dict[str, Path], tmp_path: Path) -> None:
    rng = np.random.default_rng(SEED)
    s = np.float32(0.25)
    a = rng.uniform(-2, 2, 64).astype(np.float32)
    a[[5, 9]] = s                                   # equal: not less than, so b is taken
    a[17] = np.nextafter(s, np.float32(-np.inf))    # just below: a is taken
    b = rng.uniform(10, 20, 64).astype(np.float32)
    a.tofile(tmp_path / "a.bin")
    b.tofile(tmp_path / "b.bin")
    np.array([s], dtype=np.float32).tofile(tmp_path / "s.bin")
    expect_ok(run(programs["select_reduce"], "compare_select", tmp_path))
    z = np.fromfile(tmp_path / "z.bin", dtype=np.float32)
    np.testing.assert_array_equal(z, np.where(a < s, a, b))


def test_reduce_sum_and_max_with_index(programs: dict[str, Path], tmp_path: Path) -> None:
    rng = np.random.default_rng(SEED)
    x = rng.uniform(0, 1, 2048).astype(np.float32)
    x[[1500, 701, 700]] = 7.0  # three maxima, two in one repeat: the smallest index wins
    x.tofile(tmp_path / "x.bin")
    expect_ok(run(programs["select_reduce"], "reduce", tmp_path))
    r = np.fromfile(tmp_path / "r.bin", dtype=np.float32)
    np.testing.assert_allclose(r[0], np.sum(x, dtype=np.float64), rtol=1e-5)
    assert r[8] == np.max(x)
    assert int(r[9:10].view(np.uint32)[0]) == int(np.argmax(x)) == 700


# ---- 14. find_package(opkit) -----------------------------------------------------------------------

CMAKE_PROJECT = """\
cmake_minimum_required(VERSION 3.16)
project(opkit_consumer LANGUAGES CXX)
find_package(opkit REQUIRED)
add_executable(core_identity "{src}")
target_include_directories(core_identity PRIVATE "{inc}")
target_link_libraries(core_identity PRIVATE opkit::rt)
"""
# A guard against a hanging configure/build, not a speed target: a loaded machine, or a sanitizer build
# (which instruments the consumer too), takes several times longer.
CMAKE_BUDGET_S = 180.0


@pytest.mark.cmake
def test_find_package_build(tmp_path: Path, opkit_cmake_dir: str) -> None:
    cmake = shutil.which("cmake")
    if cmake is None:
        pytest.fail("cmake was not found on PATH: this test builds a project with find_package(opkit); "
                    "install cmake (pip install cmake)", pytrace=False)
    src, build = tmp_path / "src", tmp_path / "build"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(CMAKE_PROJECT.format(
        src=(PROGRAMS_DIR / "core_identity.cpp").as_posix(), inc=PROGRAMS_DIR.as_posix()))
    deadline = time.monotonic() + CMAKE_BUDGET_S

    def step(*cmd: str) -> None:
        left = deadline - time.monotonic()
        try:
            proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=max(left, 0.1))
        except subprocess.TimeoutExpired:
            pytest.fail(f"{' '.join(cmd)} overran the {CMAKE_BUDGET_S:.0f} s budget")
        assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"

    step(cmake, "-S", str(src), "-B", str(build), f"-Dopkit_DIR={opkit_cmake_dir}",
         "-DCMAKE_BUILD_TYPE=Release")
    step(cmake, "--build", str(build), "-j", "2")
    proc = run(build / "core_identity", "tiling_key", 2)
    expect_ok(proc)
    assert proc.stdout.strip() == "branch=2"
    proc = run(build / "core_identity", "block_idx")
    expect_ok(proc)
    assert proc.stdout.splitlines()[-1] == "slot 4: idx=4 num=5"


# ---- LocalTensor operator expressions and the TPipe's event IDs ------------------------------------

def test_tensor_exprs(programs: dict[str, Path], tmp_path: Path) -> None:
    rng = np.random.default_rng(SEED)
    x = rng.uniform(-10, 10, 256).astype(np.float32)
    y = rng.uniform(0.5, 10, 256).astype(np.float32) * rng.choice([-1, 1], 256).astype(np.float32)
    x.tofile(tmp_path / "x.bin")
    y.tofile(tmp_path / "y.bin")
    expect_ok(run(programs["tensor_exprs"], "exprs", tmp_path))
    z = np.fromfile(tmp_path / "z.bin", np.float32).reshape(4, 256)
    for got, want in zip(z, (x * y, x + y, x - y, x / y)):
        assert_close(got, want, "float32")


def test_tensor_event_ids(programs: dict[str, Path]) -> None:
    proc = run(programs["tensor_exprs"], "events")
    assert proc.stdout.splitlines() == ["fetch 3", "alloc 0 1 2 3 4 5 6 7", "fetch 5", "again 5", "other kind 0"]
    expect_kernel_error(proc, "events", 0, "TPipe::AllocEventID", "all 8 event IDs of HardEvent::V_S",
                        "ReleaseEventID")
    expect_kernel_error(run(programs["tensor_exprs"], "release"), "release", 0, "event ID 2 of HardEvent::MTE2_V",
                        "was not allocated by AllocEventID")


def test_host_runtime_attrs(programs: dict[str, Path]) -> None:
    proc = run(programs["host_attrs"])
    expect_ok(proc)
    assert proc.stdout.splitlines() == ["int as uint32 7", "int as int64 4294967303", "float 0.25", "bool 1",
                                        "string mean", "list 3 5", "unset 1, out of range 1"]

"""Mmad's arithmetic against a float64 reference, for every 910B cube input type, through the basic API.

programs/cube_dtypes.cpp runs A (M x K) x B (K x N) on one cube core (DataCopy Nd2Nz -> LoadData -> Mmad
over K chunks -> Fixpipe). The bound is Note [Host GEMM for Mmad] (runtime/src/cube_gemm.cpp): with
u = 2^-24, an fp32 sum of k products (each exact for 16-bit inputs, rounded once for float32 inputs),
added in any order, is within (k + 1) * u * sum_q |a_iq * b_qj| of the exact result. That holds for our
k-ordered sum and for the NPU's fractal partial sums alike, so it is the tolerance both must meet.
int8 x int8 -> int32 is exact.

The benchmark's kernel (benchmarks/kernels/matmul_basic.cpp, multi-core) is held to the same bound here.

Run: pytest tests/runtime/test_cube_faithful.py -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cpu_programs import compile_all
from test_cube import ok, run

pytestmark = pytest.mark.modes("cpu")  # the programs choose their own mode

BENCH_KERNELS = Path(__file__).resolve().parents[2] / "benchmarks" / "kernels"
U = 2.0 ** -24
C0 = {"float16": 16, "bfloat16": 16, "float32": 8, "int8": 32}


def _bf16(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bfloat16 bits as uint16, their values as float64): round to nearest even from float32."""
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    bits = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    return bits, (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def _operand(rng: np.random.Generator, dtype: str, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(the bytes to write, the values as float64). Signed values, so sums cancel."""
    if dtype == "int8":
        v = rng.integers(-128, 128, shape).astype(np.int8)
        return v, v.astype(np.float64)
    x = rng.standard_normal(shape) * rng.choice([1.0, 8.0, 1 / 8], shape)
    if dtype == "bfloat16":
        return _bf16(x)
    v = x.astype(dtype)
    return v, v.astype(np.float64)


def cube(programs: dict[str, Path], tmp_path: Path, dtype: str, m: int, n: int, k: int, k_tile: int,
         seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run cube_dtypes; return (C, exact A@B in float64, |A|@|B| in float64)."""
    rng = np.random.default_rng(seed)
    a, a64 = _operand(rng, dtype, (m, k))
    b, b64 = _operand(rng, dtype, (k, n))
    a.tofile(tmp_path / "a.bin")
    np.ascontiguousarray(b.T).tofile(tmp_path / "b.bin")
    ok(run(programs["cube_dtypes"], dtype, tmp_path, m, n, k, k_tile))
    out = np.int32 if dtype == "int8" else np.float32
    c = np.fromfile(tmp_path / "c.bin", dtype=out).reshape(m, n)
    return c, a64 @ b64, np.abs(a64) @ np.abs(b64)


CASES = [  # (m, n, k, k_tile): k_tile < k makes several accumulating Mmads (cmatrixInitVal = false)
    (16, 16, 16, 64),
    (40, 50, 70, 32),  # tails in m, n and k (k not a multiple of 16: padding)
    (33, 47, 129, 64),
    (128, 96, 256, 64),
    (1, 40, 100, 128),  # GEMV (m = 1), k not a multiple of 16, one Mmad
    (1, 64, 256, 64),  # GEMV over several accumulating Mmads
    (7, 200, 200, 32),
]


@pytest.mark.parametrize("m, n, k, k_tile", [pytest.param(*c, id="x".join(map(str, c[:3])) + f"-kt{c[3]}")
                                             for c in CASES])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "int8"])
def test_mmad_matches_float64(programs: dict[str, Path], tmp_path: Path, dtype: str, m: int, n: int, k: int,
                              k_tile: int) -> None:
    k_tile = max(k_tile // C0[dtype], 1) * C0[dtype]  # chunks of whole fractals
    c, exact, magnitude = cube(programs, tmp_path, dtype, m, n, k, k_tile)
    if dtype == "int8":  # |sum| <= 128*128*k < 2^31: no wrap, exact
        np.testing.assert_array_equal(c, exact.astype(np.int32))
        return
    bound = (k + 1) * U * magnitude
    err = np.abs(c.astype(np.float64) - exact)
    worst = np.unravel_index(np.argmax(err - bound), err.shape)
    assert np.all(err <= bound), (f"C{worst} = {c[worst]!r}, exact {exact[worst]!r}: error {err[worst]:.3g} "
                                  f"> bound {bound[worst]:.3g}")
    # The bound is not vacuous: the result is no better than float32 but far better than float16.
    assert np.all(err <= 1e-5 * magnitude + 1e-30)


def test_int8_long_sums_are_exact(programs: dict[str, Path], tmp_path: Path) -> None:
    # 4064 products of -128 * -128 = 2^14 over four accumulating Mmads: 66 584 576, exact in int32.
    k = 4064
    a = np.full((16, k), -128, np.int8)
    b = np.full((k, 16), -128, np.int8)
    a.tofile(tmp_path / "a.bin")
    b.T.copy().tofile(tmp_path / "b.bin")
    ok(run(programs["cube_dtypes"], "int8", tmp_path, 16, 16, k, 1024))
    c = np.fromfile(tmp_path / "c.bin", dtype=np.int32).reshape(16, 16)
    np.testing.assert_array_equal(c, np.full((16, 16), k * 128 * 128, np.int32))


@pytest.fixture(scope="module")
def bench_kernels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return compile_all(BENCH_KERNELS, tmp_path_factory.mktemp("bench_kernels"), ["-O1", "-Wall"], "the benchmark kernels")


@pytest.mark.parametrize("mode", ["cpu", "npu_simulator"])
def test_benchmark_kernel_meets_the_bound(bench_kernels: dict[str, Path], tmp_path: Path, mode: str) -> None:
    # 272 x 400 x 320: 3 x 2 tiles of at most 128 x 256 on 6 cores, with M and N tail tiles, and K in an
    # L1 chunk of 256 and one of 64 (each 4 and 1 accumulating Mmads).
    m, n, k = 272, 400, 320
    rng = np.random.default_rng(11)
    a = rng.uniform(-1, 1, (m, k)).astype(np.float16)
    b = rng.uniform(-1, 1, (k, n)).astype(np.float16)
    a.tofile(tmp_path / "a.bin")
    b.tofile(tmp_path / "b.bin")
    proc = run(bench_kernels["matmul_basic"], tmp_path, m, n, k, 1, mode=mode)
    ok(proc)
    assert proc.stdout.startswith("seconds: "), proc.stdout
    if mode == "npu_simulator":
        assert "findings    none" in proc.stderr, proc.stderr
    c = np.fromfile(tmp_path / "c.bin", dtype=np.float32).reshape(m, n)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    assert np.all(np.abs(c - a64 @ b64) <= (k + 1) * U * (np.abs(a64) @ np.abs(b64)))

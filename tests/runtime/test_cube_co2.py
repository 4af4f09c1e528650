"""The 910A/310P way out of L0C: DataCopy CO1 -> CO2 with DataCopyEnhancedParams, checked against numpy.

programs/cube_co2.cpp multiplies A x B on one coupled AI Core (fp16 -> fp32, or int8 -> int32), copies
ROWS fractals of each column block of the L0C result to UB (matrix mode: whole 16x16 fractals; vector
mode: row 0 of each) with GAP 32-byte blocks between the column blocks, and writes UB to GM. Its header
has the tiling; the facts are Note [CO1 -> CO2 copy] in runtime/src/cube_co2.cpp.

Run: pytest tests/runtime/test_cube_co2.py -q
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_cube import kernel_error, ok, run, summary

pytestmark = pytest.mark.modes("cpu")  # the programs choose their own mode

SIM = "npu_simulator"
MODES = ["cpu", SIM]
A910 = "Ascend910A"
P310 = "Ascend310P3"


def co2(programs: dict[str, Path], tmp_path: Path, case: str, m: int, n: int, k: int, rows: int, gap: int,
        low: int, high: int, soc: str = A910, mode: str = "cpu", scale: float | int | None = None,
        seed: int = 5, table: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, subprocess.CompletedProcess]:
    """Run cube_co2 on integer-valued A (m x k) and B (k x n); return (R, the rows of exact C it copies, process).

    `scale`: DEQ's float scale, or DEQ16's 64-bit deqValue; `table`: VDEQ16's n uint64 parameters."""
    rng = np.random.default_rng(seed)
    dtype = np.int8 if "int_" in case else np.float16
    a = rng.integers(low, high, (m, k)).astype(dtype)
    b = rng.integers(low, high, (k, n)).astype(dtype)
    a.tofile(tmp_path / "a.bin")
    np.ascontiguousarray(b.T).tofile(tmp_path / "bt.bin")
    if table is not None:
        table.astype(np.uint64).tofile(tmp_path / "q.bin")
    args = [case, tmp_path, m, n, k, rows, gap] + ([scale] if scale is not None else [])
    proc = run(programs["cube_co2"], *args, mode=mode, soc=soc)
    c = a.astype(np.int64) @ b.astype(np.int64)  # exact; fp32 and int32 accumulation are exact on these
    vector = "vector" in case
    picked = c[0:rows * 16:16] if vector else c[:rows * 16]
    out = {"f32": np.float32, "f16": np.float16, "i32": np.int32, "i8": np.int8,
           "i16": np.int16}[case.rsplit("_", 1)[1]]
    r = np.fromfile(tmp_path / "r.bin", dtype=out).reshape(len(picked), n) if proc.returncode == 0 else np.empty(0)
    return r, picked, proc


def no_findings(proc: subprocess.CompletedProcess, mode: str) -> None:
    ok(proc)
    if mode == SIM:
        assert summary(proc.stderr)["findings"] == [], proc.stderr


# ---- results against numpy -----------------------------------------------------------------------

MATRIX = [  # (m, n, k, rows, gap): rows < m/16 skips fractals (srcStride), gap spaces the bursts in UB (dstStride)
    (32, 48, 64, 2, 0),
    (48, 32, 64, 2, 3),
    (16, 16, 16, 1, 0),
    (64, 80, 96, 4, 1),
]


def ids(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape[:3])) + f"-rows{shape[3]}-gap{shape[4]}"


@pytest.mark.parametrize("shape", MATRIX, ids=ids)
@pytest.mark.parametrize("mode", MODES)
def test_matrix_mode_moves_whole_fractals(programs: dict[str, Path], tmp_path: Path, mode: str,
                                          shape: tuple[int, int, int, int, int]) -> None:
    r, c, proc = co2(programs, tmp_path, "matrix_f32", *shape, low=-8, high=8, mode=mode)
    no_findings(proc, mode)
    np.testing.assert_array_equal(r, c.astype(np.float32))


@pytest.mark.parametrize("shape", [(48, 32, 64, 3, 1), (32, 48, 64, 1, 0), (1, 64, 64, 1, 0)], ids=ids)
@pytest.mark.parametrize("mode", MODES)
def test_vector_mode_moves_row_0_of_each_fractal(programs: dict[str, Path], tmp_path: Path, mode: str,
                                                 shape: tuple[int, int, int, int, int]) -> None:
    # m = 1 is GEMV, whose result has one valid row per fractal: the way CANN's Matmul takes a vector A out.
    r, c, proc = co2(programs, tmp_path, "vector_f32", *shape, low=-8, high=8, mode=mode)
    no_findings(proc, mode)
    np.testing.assert_array_equal(r, c.astype(np.float32))


@pytest.mark.parametrize("case", ["matrix_f16", "vector_f16"])
@pytest.mark.parametrize("mode", MODES)
def test_float32_to_float16_rounds_to_nearest_even(programs: dict[str, Path], tmp_path: Path, mode: str,
                                                   case: str) -> None:
    # Positive products of 0..15 put C in [2048, 14400], where float16 steps by 2, 4 or 8: odd sums are ties.
    r, c, proc = co2(programs, tmp_path, case, 64, 48, 64, 4, 0, low=0, high=16, mode=mode)
    no_findings(proc, mode)
    assert np.count_nonzero((c >= 2048) & (c % 2 == 1)) > 0, "no ties to round"
    np.testing.assert_array_equal(r.view(np.uint16), c.astype(np.float32).astype(np.float16).view(np.uint16))


@pytest.mark.parametrize("case", ["matrix_relu_f32", "matrix_relu_f16", "vector_relu_f32"])
@pytest.mark.parametrize("mode", MODES)
def test_relu_on_the_way(programs: dict[str, Path], tmp_path: Path, mode: str, case: str) -> None:
    r, c, proc = co2(programs, tmp_path, case, 32, 48, 64, 2, 1, low=-16, high=16, mode=mode)
    no_findings(proc, mode)
    assert (c < 0).any()
    np.testing.assert_array_equal(r, np.maximum(c, 0).astype(np.float32).astype(r.dtype))


@pytest.mark.parametrize("mode", MODES)
def test_310p_takes_the_same_path(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    r, c, proc = co2(programs, tmp_path, "matrix_f16", 48, 32, 64, 3, 2, low=-8, high=8, soc=P310, mode=mode)
    no_findings(proc, mode)
    np.testing.assert_array_equal(r, c.astype(np.float16))


@pytest.mark.parametrize("case", ["int_i32", "int_relu_i32"])
@pytest.mark.parametrize("mode", MODES)
def test_int32_results(programs: dict[str, Path], tmp_path: Path, mode: str, case: str) -> None:
    r, c, proc = co2(programs, tmp_path, case, 32, 48, 64, 2, 0, low=-128, high=128, soc=P310, mode=mode)
    no_findings(proc, mode)
    np.testing.assert_array_equal(r, np.maximum(c, 0) if "relu" in case else c)


def deq_golden(c: np.ndarray, scale: float) -> np.ndarray:
    """int32 x M (a float16) rounded once to float16; overflow saturates to +-65504 on 310P."""
    m = float(np.float16(scale))
    with np.errstate(over="ignore"):
        h = (c.astype(np.float64) * m).astype(np.float16)
    return np.where(np.isinf(h), np.copysign(np.float16(65504), h), h).astype(np.float16)


@pytest.mark.parametrize("scale, low, high", [(0.3, -128, 128), (0.09, 90, 128)], ids=["signed", "saturating"])
@pytest.mark.parametrize("mode", MODES)
def test_deq_scales_int32_to_float16(programs: dict[str, Path], tmp_path: Path, mode: str, scale: float, low: int,
                                     high: int) -> None:
    r, c, proc = co2(programs, tmp_path, "int_deq_f16", 32, 48, 64, 2, 0, low=low, high=high, soc=P310, mode=mode,
                     scale=scale)
    no_findings(proc, mode)
    golden = deq_golden(c, scale)
    if high == 128 and low > 0:
        assert (np.abs(golden) == 65504).any() and (np.abs(golden) < 65504).any()
    np.testing.assert_array_equal(r.view(np.uint16), golden.view(np.uint16))


# Note [DEQ16 and VDEQ16]: parameters are uint64 with the float32 scale in bits 0..31.
RELU_BIT = 1 << 47
MCB = 1 << 36


def param(scale: float, matmul_style: bool = False) -> int:
    """The 64-bit parameter of a float32 scale; `matmul_style`: as SetQuantScalar builds it (bits 31..13, bit 46)."""
    bits = int(np.float32(scale).view(np.uint32))
    return (bits & 0xFFFFE000) | (1 << 46) if matmul_style else bits


def deq16_golden(c: np.ndarray, scales: np.ndarray, relu: bool = False) -> np.ndarray:
    """float32(x) * M in float32, ReLU on the product, rounded to float16; overflow saturates (310P)."""
    with np.errstate(over="ignore"):
        p = c.astype(np.float32) * scales.astype(np.float32)
        if relu:
            p = np.where(p < 0, np.float32(0), p)
        h = p.astype(np.float16)
    return np.where(np.isinf(h), np.copysign(np.float16(65504), h), h).astype(np.float16)


def table_of(scales: np.ndarray, extra: int = 0) -> np.ndarray:
    return np.array([int(np.float32(x).view(np.uint32)) | extra for x in scales], dtype=np.uint64)


@pytest.mark.parametrize("scale, matmul_style, low, high",
                         [(0.0123456789, False, -128, 128), (0.0123456789, True, -128, 128), (-0.088, False, 90, 128)],
                         ids=["full-float32", "setquantscalar", "saturating"])
@pytest.mark.parametrize("mode", MODES)
def test_deq16_scales_int32_by_a_float32(programs: dict[str, Path], tmp_path: Path, mode: str, scale: float,
                                         matmul_style: bool, low: int, high: int) -> None:
    bits = param(scale, matmul_style)
    r, c, proc = co2(programs, tmp_path, "int_deq16_f16", 32, 48, 64, 2, 1, low=low, high=high, soc=P310, mode=mode,
                     scale=bits)
    no_findings(proc, mode)
    m = np.uint32(bits & 0xFFFFFFFF).view(np.float32)  # all 32 bits: a scale that kept its low bits differs
    golden = deq16_golden(c, np.full(c.shape[1], m))
    if low > 0:
        assert (np.abs(golden) == 65504).any() and (np.abs(golden) < 65504).any()
    elif not matmul_style:  # the low 13 mantissa bits of M change results: a 910B-style reading would fail
        assert (deq16_golden(c, np.full(c.shape[1], np.uint32(bits & 0xFFFFE000).view(np.float32))) != golden).any()
    np.testing.assert_array_equal(r.view(np.uint16), golden.view(np.uint16))


@pytest.mark.parametrize("case", ["int_relu_deq16_f16", "int_deq16_f16"], ids=["isRelu", "bit47"])
@pytest.mark.parametrize("mode", MODES)
def test_deq16_relu(programs: dict[str, Path], tmp_path: Path, mode: str, case: str) -> None:
    # isRelu sets the parameter's ReLU bit on the NPU; the bit alone also applies ReLU, and disagreeing
    # with isRelu is a finding (the documentation requires them to agree).
    extra = 0 if "relu" in case else RELU_BIT
    r, c, proc = co2(programs, tmp_path, case, 32, 48, 64, 2, 0, low=-64, high=64, soc=P310, mode=mode,
                     scale=param(0.37) | extra)
    assert (c < 0).any()
    if extra and mode == SIM:  # a finding stops the program before it writes R
        assert proc.returncode == 1
        findings = summary(proc.stderr)["findings"]
        assert len(findings) == 1 and "[co2-deq-relu]" in findings[0] and "bit (47) set" in findings[0], findings
        return
    no_findings(proc, mode)
    np.testing.assert_array_equal(r.view(np.uint16), deq16_golden(c, np.full(c.shape[1], np.float32(0.37)),
                                                                   relu=True).view(np.uint16))


@pytest.mark.parametrize("case, shape", [("int_vdeq16_f16", (48, 64, 64, 3, 2)),
                                         ("int_vector_vdeq16_f16", (32, 48, 64, 2, 1)),
                                         ("int_relu_vdeq16_f16", (32, 48, 64, 2, 0))], ids=["matrix", "vector", "relu"])
@pytest.mark.parametrize("mode", MODES)
def test_vdeq16_scales_each_column(programs: dict[str, Path], tmp_path: Path, mode: str, case: str,
                                   shape: tuple[int, int, int, int, int]) -> None:
    # Burst j (column block j) reads the 16 parameters at deqTensorAddr + 128 j: column 16 j + i takes Q[16 j + i].
    n = shape[1]
    scales = np.random.default_rng(3).uniform(-0.5, 0.5, n).astype(np.float32)
    relu = "relu" in case
    r, c, proc = co2(programs, tmp_path, case, *shape, low=-100, high=100, soc=P310, mode=mode,
                     table=table_of(scales, RELU_BIT if relu else 0))
    no_findings(proc, mode)
    golden = deq16_golden(c, scales, relu=relu)
    assert (deq16_golden(c, scales[::-1]) != golden).any()  # a column mix-up would show
    np.testing.assert_array_equal(r.view(np.uint16), golden.view(np.uint16))


def test_the_copy_runs_on_the_vector_pipe(programs: dict[str, Path], tmp_path: Path) -> None:
    _, _, proc = co2(programs, tmp_path, "matrix_f32", 64, 80, 96, 4, 0, low=-8, high=8, mode=SIM)
    no_findings(proc, SIM)
    util = summary(proc.stderr)["util"]
    assert util["V"] > 0 and util["FIX"] == 0, util


def test_enhanced_params_do_nothing_off_l0c(programs: dict[str, Path], tmp_path: Path) -> None:
    # GM -> UB -> UB -> GM, each DataCopy with blockMode MATRIX and isRelu set: a plain copy (the docs).
    x = np.arange(256, dtype=np.float32) - 100
    x.tofile(tmp_path / "x.bin")
    for mode in MODES:
        no_findings(run(programs["cube_co2"], "ub_to_ub", tmp_path, mode=mode, soc=A910), mode)
        np.testing.assert_array_equal(np.fromfile(tmp_path / "y.bin", dtype=np.float32), x)


# ---- rules ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_refused_on_910b(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    proc = co2(programs, tmp_path, "matrix_f32", 32, 48, 64, 2, 0, low=-8, high=8, soc="Ascend910B1", mode=mode)[2]
    kernel_error(proc, "co2_half_f32", "does not exist on Ascend910B1", "use Fixpipe")


def test_destination_must_be_ub(programs: dict[str, Path]) -> None:
    kernel_error(run(programs["cube_co2"], "wrong_dst", soc=A910), "wrong_dst", "must be in CO2 (UB)", "in L1")


@pytest.mark.parametrize("mode", MODES)
def test_ub_destination_must_be_32_byte_aligned(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    proc = co2(programs, tmp_path, "unaligned_matrix_f32", 32, 48, 64, 2, 0, low=-8, high=8, mode=mode)[2]
    kernel_error(proc, "co2_half_f32", "UB address offset 16", "32-byte aligned")


def test_source_must_stay_inside_l0c(programs: dict[str, Path]) -> None:
    kernel_error(run(programs["cube_co2"], "l0c_overrun", soc=A910), "l0c_overrun", "2048 bytes at L0C offset 261120",
                 "outside the core's L0C")


def test_block_count_range(programs: dict[str, Path]) -> None:
    kernel_error(run(programs["cube_co2"], "block_count", soc=A910), "block_count", "blockCount 4096 exceeds 4095")


def test_block_mode_must_be_set(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = co2(programs, tmp_path, "normal_mode_matrix_f32", 32, 48, 64, 2, 0, low=-8, high=8)[2]
    kernel_error(proc, "co2_half_f32", "BLOCK_MODE_NORMAL (the default)", "BLOCK_MODE_MATRIX", "BLOCK_MODE_VECTOR")


def test_only_l0c_converts_types(programs: dict[str, Path]) -> None:
    kernel_error(run(programs["cube_co2"], "ub_convert", soc=A910), "ub_convert", "float32 -> float16",
                 "only the copy out of L0C")


def test_deq_is_refused_on_910a(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = co2(programs, tmp_path, "int_deq_f16", 32, 48, 64, 2, 0, low=-8, high=8, soc=A910, scale=0.5)[2]
    kernel_error(proc, "co2_int_f16", "deqScale DEQ on Ascend910A", "DEQSCALE")


@pytest.mark.parametrize("case, kernel, words", [
    ("int_deq8_i8", "co2_int_i8", ["deqScale DEQ8 (int32 -> int8) is not implemented by opkit", "rounding",
                                   "saturates", "quantise with the vector unit"]),
    ("int_deq16_i16", "co2_int_i16", ["DEQ16 int32 -> int16 is not implemented by opkit", "N + 1", "int16 saturation"]),
    ("int_vdeq_f16", "co2_int_f16", ["deqScale VDEQ (int32 -> float16) is not implemented by opkit",
                                     "which element scales which column", "Use VDEQ16"]),
])
def test_undocumented_quantising_modes_are_refused(programs: dict[str, Path], tmp_path: Path, case: str, kernel: str,
                                                   words: list[str]) -> None:
    table = table_of(np.ones(48)) if "vdeq" in case else None
    proc = co2(programs, tmp_path, case, 32, 48, 64, 2, 0, low=-8, high=8, soc=P310, scale=param(1.0), table=table)[2]
    kernel_error(proc, kernel, *words)


@pytest.mark.parametrize("case", ["int_deq16_f16", "int_vdeq16_f16"])
def test_mcb_shift_is_refused(programs: dict[str, Path], tmp_path: Path, case: str) -> None:
    extra = MCB | (3 << 32)
    vector = "vdeq" in case
    proc = co2(programs, tmp_path, case, 32, 48, 64, 2, 0, low=-8, high=8, soc=P310,
               scale=None if vector else param(0.5) | extra, table=table_of(np.ones(48), extra) if vector else None)[2]
    kernel_error(proc, "co2_int_f16", "VDEQ16 parameter 0" if vector else "DEQ16 deqValue", "MCB bit (36)", "N + 1",
                 "reference scripts shift by N")


def test_deq16_is_refused_on_910a(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = co2(programs, tmp_path, "int_deq16_f16", 32, 48, 64, 2, 0, low=-8, high=8, soc=A910, scale=param(0.5))[2]
    kernel_error(proc, "co2_int_f16", "deqScale DEQ16 on Ascend910A", "310P AI Core only")


def test_vdeq16_table_must_be_32_byte_aligned(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = co2(programs, tmp_path, "unaligned_table_int_vdeq16_f16", 32, 48, 64, 2, 0, low=-8, high=8, soc=P310,
               table=table_of(np.ones(48)))[2]
    kernel_error(proc, "co2_int_f16", "VDEQ16 deqTensorAddr", "not 32-byte aligned")


def test_vdeq16_table_without_hand_over_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    # MTE2 writes the parameters; with no queue hand-over the copy on V may read them first.
    proc = co2(programs, tmp_path, "no_sync_table_int_vdeq16_f16", 32, 48, 64, 2, 0, low=-8, high=8, soc=P310,
               mode=SIM, table=table_of(np.ones(48)))[2]
    assert proc.returncode == 1
    findings = summary(proc.stderr)["findings"]
    assert len(findings) == 1 and "[unsynced-read]" in findings[0], findings
    assert re.search(r"on pipe V reads UB .* that pipe MTE2 wrote", findings[0]), findings


@pytest.mark.parametrize("mode", MODES)
def test_vdeq16_relu_flags_disagreeing_with_isrelu_are_found(programs: dict[str, Path], tmp_path: Path,
                                                             mode: str) -> None:
    # The NPU follows isRelu (off here) and ignores the entries' ReLU bits; the documentation wants them equal.
    scales = np.full(48, 0.25, dtype=np.float32)
    r, c, proc = co2(programs, tmp_path, "int_vdeq16_f16", 32, 48, 64, 2, 0, low=-8, high=8, soc=P310, mode=mode,
                     table=table_of(scales, RELU_BIT))
    if mode == SIM:  # a finding stops the program before it writes R
        assert proc.returncode == 1
        findings = summary(proc.stderr)["findings"]
        assert len(findings) == 1 and "[co2-deq-relu]" in findings[0] and "isRelu is false" in findings[0], findings
        return
    ok(proc)
    assert (c < 0).any()
    np.testing.assert_array_equal(r.view(np.uint16), deq16_golden(c, scales).view(np.uint16))


def test_a_too_small_ub_buffer_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    # Inside UB, so the CPU runs it; the bytes after the buffer belong to another one on the NPU.
    proc = co2(programs, tmp_path, "ub_small_matrix_f32", 32, 48, 64, 2, 0, low=-8, high=8, mode=SIM)[2]
    assert proc.returncode == 1
    findings = summary(proc.stderr)["findings"]
    assert len(findings) == 1 and "[cube-operand-size]" in findings[0] and "6144 bytes" in findings[0], findings


def test_copy_without_hand_over_from_mmad_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    # Mmad writes L0C on M; with no queue hand-over the copy on V may overtake it.
    proc = co2(programs, tmp_path, "no_sync_matrix_f32", 32, 48, 64, 2, 0, low=-8, high=8, mode=SIM)[2]
    assert proc.returncode == 1
    findings = summary(proc.stderr)["findings"]
    assert len(findings) == 1 and "[unsynced-read]" in findings[0], findings
    assert re.search(r"on pipe V reads L0C .* that pipe M wrote", findings[0]), findings

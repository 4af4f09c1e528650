"""Fixpipe's quantising modes on 910B: DEQF16, QF322B8_PRE, REQ8 (one scalar parameter) and VDEQF16,
VQF322B8_PRE, VREQ8 (one parameter per column, in L1), with and without ReLU, checked bit for bit against numpy.

programs/cube_fixpipe.cpp multiplies integer-valued A x B (int8 -> int32, or float16 -> float32, both exact)
and moves C out through Fixpipe with the mode the case names. The arithmetic and its assumptions are
Note [Fixpipe quantisation] in runtime/src/cube_fixpipe.cpp; quant() below is the same reading in numpy.

Run: pytest tests/runtime/test_cube_fixpipe.py -q
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
SIGN = 1 << 46
MCB = 1 << 36


def param(scale: float, offset: int = 0, signed: bool = True) -> int:
    """A 64-bit quantisation parameter: the float32 bits of `scale`, a 9-bit offset, the sign bit."""
    bits = int(np.array(scale, dtype=np.float32).view(np.uint32))
    return bits | ((offset & 0x1FF) << 37) | (SIGN if signed else 0)


def quant(c: np.ndarray, mode: str, out: str, params: np.ndarray, relu: bool) -> np.ndarray:
    """The NPU's result of `mode` on C (int32 or float32), one parameter per column (broadcast for scalars)."""
    params = params.astype(np.uint64)
    m1 = (params & np.uint64(0xFFFFE000)).astype(np.uint32).view(np.float32)
    off = ((params >> np.uint64(37)) & np.uint64(0x1FF)).astype(np.int64)
    off = np.where(off >= 256, off - 512, off)
    sign = ((params >> np.uint64(46)) & np.uint64(1)).astype(bool)
    x = c.astype(np.float32)  # int32 -> float32 rounds to nearest even
    with np.errstate(over="ignore"):
        p = x * m1  # a float32 multiply
    if relu:
        p = np.where(x < 0, np.float32(0), p)
    if "deqf16" in mode:
        with np.errstate(over="ignore"):
            return p.astype(np.float16)
    r = np.rint(np.clip(p, -256, 255)).astype(np.int64) + off
    r = np.where(sign, np.clip(r, -128, 127), np.clip(r, 0, 255))
    return r.astype(np.int8 if out == "i8" else np.uint8)


def fixpipe(programs: dict[str, Path], tmp_path: Path, case: str, m: int, n: int, k: int, params: list[int] | np.ndarray,
            mode: str = "cpu", seed: int = 3) -> tuple[np.ndarray, np.ndarray, subprocess.CompletedProcess]:
    """Run cube_fixpipe on small integer A (m x k), B (k x n); return (R, exact C, process)."""
    rng = np.random.default_rng(seed)
    floats = "qf322b8" in case or case.startswith("float_")
    dtype = np.float16 if floats else np.int8
    a = rng.integers(-12, 13, (m, k)).astype(dtype)
    b = rng.integers(-12, 13, (k, n)).astype(dtype)
    a.tofile(tmp_path / "a.bin")
    np.ascontiguousarray(b.T).tofile(tmp_path / "bt.bin")
    q = np.zeros(n, dtype=np.uint64)
    q[:len(params)] = np.asarray(params, dtype=np.uint64)
    q.tofile(tmp_path / "q.bin")
    proc = run(programs["cube_fixpipe"], case, tmp_path, m, n, k, mode=mode, soc="Ascend910B1")
    c = a.astype(np.int64) @ b.astype(np.int64)  # exact in int32 and float32 at these sizes
    out = {"f16": np.float16, "i8": np.int8, "u8": np.uint8}[case.rsplit("_", 1)[1]]
    r = np.fromfile(tmp_path / "r.bin", dtype=out).reshape(m, n) if proc.returncode == 0 else np.empty(0)
    return r, (c.astype(np.float32) if floats else c.astype(np.int32)), proc


def no_findings(proc: subprocess.CompletedProcess, mode: str) -> None:
    ok(proc)
    if mode == SIM:
        assert summary(proc.stderr)["findings"] == [], proc.stderr


def same(r: np.ndarray, golden: np.ndarray) -> None:
    np.testing.assert_array_equal(r.view(np.uint8 if r.itemsize == 1 else np.uint16),
                                  golden.view(np.uint8 if golden.itemsize == 1 else np.uint16))


# ---- results against numpy -----------------------------------------------------------------------

SCALAR = [  # (case, parameter): scales with fractions, ties (x.5), offsets of both signs, saturation
    ("deqf16_f16", param(0.0371)),
    ("deqf16_f16", param(2.5e-3)),
    ("deqf16_f16", param(-3.75)),
    ("req8_i8", param(0.5)),            # odd sums are ties: round to even
    ("req8_i8", param(0.0371, offset=-20)),
    ("req8_u8", param(0.13, offset=100, signed=False)),
    ("qf322b8_i8", param(0.25, offset=7)),
    ("qf322b8_u8", param(0.7, offset=-3, signed=False)),  # saturates both ways
    ("qf322b8_i8", param(1 / 3)),       # 1/3's low 13 mantissa bits are dropped
]


@pytest.mark.parametrize("relu", [False, True], ids=["plain", "relu"])
@pytest.mark.parametrize("case, bits", SCALAR, ids=[f"{c}-{i}" for i, (c, _) in enumerate(SCALAR)])
@pytest.mark.parametrize("mode", MODES)
def test_scalar_modes(programs: dict[str, Path], tmp_path: Path, mode: str, case: str, bits: int, relu: bool) -> None:
    name = ("relu_" if relu else "") + case
    r, c, proc = fixpipe(programs, tmp_path, name, 32, 48, 64, [bits], mode=mode)
    no_findings(proc, mode)
    golden = quant(c, case, case[-2:], np.full(48, bits, dtype=np.uint64), relu)
    if case == "req8_i8" and not relu:
        assert np.count_nonzero(c % 2 != 0) > 0, "no ties"
    same(r, golden)


def column_params(n: int, out: str, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scales = rng.uniform(-0.3, 0.3, n).astype(np.float32)
    offsets = rng.integers(-40, 40, n) if out != "f16" else np.zeros(n, dtype=np.int64)
    return np.array([param(float(s), int(o), out != "u8") for s, o in zip(scales, offsets)], dtype=np.uint64)


VECTOR = [("vdeqf16_f16", 32, 48, 64), ("vreq8_i8", 32, 48, 64), ("vreq8_u8", 16, 64, 32),
          ("vqf322b8_i8", 48, 32, 32), ("vqf322b8_u8", 16, 288, 32)]  # 288 columns: CANN's pieces of 128


@pytest.mark.parametrize("relu", [False, True], ids=["plain", "relu"])
@pytest.mark.parametrize("case, m, n, k", VECTOR, ids=[f"{v[0]}-{v[1]}x{v[2]}x{v[3]}" for v in VECTOR])
@pytest.mark.parametrize("mode", MODES)
def test_vector_modes_scale_each_column(programs: dict[str, Path], tmp_path: Path, mode: str, case: str, m: int, n: int,
                                        k: int, relu: bool) -> None:
    params = column_params(n, case[-2:])
    r, c, proc = fixpipe(programs, tmp_path, ("relu_" if relu else "") + case, m, n, k, params, mode=mode)
    no_findings(proc, mode)
    same(r, quant(c, case, case[-2:], params, relu))


def test_vector_modes_load_the_table_on_fix(programs: dict[str, Path], tmp_path: Path) -> None:
    # 288 columns: CANN's Fixpipe copies the table and moves the result in 3 pieces (128, 128, 32), all on FIX.
    params = column_params(288, "u8")
    _, _, proc = fixpipe(programs, tmp_path, "vqf322b8_u8", 16, 288, 32, params, mode=SIM)
    no_findings(proc, SIM)
    s = summary(proc.stderr)
    assert s["util"]["FIX"] > 0, s


# ---- rules ---------------------------------------------------------------------------------------

def test_vector_mode_needs_the_table(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = fixpipe(programs, tmp_path, "notable_vreq8_i8", 32, 48, 64, [param(0.1)])[2]
    kernel_error(proc, "fixpipe_int_i8", "quantPre VREQ8", "cbufWorkspace")


def test_scalar_mode_with_a_table_moves_nothing(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = fixpipe(programs, tmp_path, "table_req8_i8", 32, 48, 64, [param(0.1)])[2]
    kernel_error(proc, "fixpipe_int_i8", "quantPre REQ8 moves nothing on the NPU", "without cbufWorkspace")


def test_mode_must_fit_the_types(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = fixpipe(programs, tmp_path, "float_deqf16_f16", 32, 48, 64, [param(0.1)])[2]
    kernel_error(proc, "fixpipe_half_f16", "quantPre DEQF16 does not convert float32 -> float16", "F322F16")


def test_shifting_parameters_are_not_implemented(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = fixpipe(programs, tmp_path, "req8_i8", 32, 48, 64, [param(0.1) | MCB | (3 << 32)])[2]
    kernel_error(proc, "fixpipe_int_i8", "REQ8 parameter deqScalar", "MCB bit (36)", "N + 1", "reference scripts by N",
                 "int16 step")


@pytest.mark.parametrize("mode", MODES)
def test_table_must_be_32_byte_aligned(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    proc = fixpipe(programs, tmp_path, "skew_vreq8_i8", 32, 48, 64, column_params(48, "i8"), mode=mode)[2]
    kernel_error(proc, "fixpipe_int_i8", "cbufWorkspace tensor starts at L1 offset", "not a multiple of 32 bytes")


def sim_findings(proc: subprocess.CompletedProcess) -> list[str]:
    assert proc.returncode == 1, proc.stderr
    return summary(proc.stderr)["findings"]


def test_sign_bit_against_the_destination_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    # sign 0 (uint8 results) into an int8 tensor: the NPU saturates to [0, 255]; cpu mode gives those bytes.
    bits = param(0.2, signed=False)
    r, c, proc = fixpipe(programs, tmp_path, "req8_i8", 32, 48, 64, [bits])
    ok(proc)
    golden = quant(c, "req8", "u8", np.full(48, bits, dtype=np.uint64), False)
    same(r, golden.view(np.int8))
    findings = sim_findings(fixpipe(programs, tmp_path, "req8_i8", 32, 48, 64, [bits], mode=SIM)[2])
    assert len(findings) == 1 and "[fixpipe-quant]" in findings[0] and "sign bit (46) is 0" in findings[0], findings


def test_non_finite_scale_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    findings = sim_findings(fixpipe(programs, tmp_path, "vdeqf16_f16", 32, 48, 64,
                                    [param(0.1)] * 5 + [param(float("inf"))] + [param(0.1)] * 42, mode=SIM)[2])
    assert len(findings) == 1 and "cbufWorkspace[5]" in findings[0] and "inf or NaN" in findings[0], findings


def test_short_table_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    findings = sim_findings(fixpipe(programs, tmp_path, "short_vreq8_i8", 32, 48, 64, column_params(48, "i8"),
                                    mode=SIM)[2])
    assert len(findings) == 1 and "[cube-operand-size]" in findings[0] and "384 bytes" in findings[0], findings


def test_table_read_before_its_copy_lands_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    findings = sim_findings(fixpipe(programs, tmp_path, "nosync_vreq8_i8", 32, 48, 64, column_params(48, "i8"),
                                    mode=SIM)[2])
    assert len(findings) == 1 and "[unsynced-read]" in findings[0], findings
    assert re.search(r"on pipe FIX reads L1 .* that pipe MTE2 wrote", findings[0]), findings


# ---- CFG_NZ output and tensors at an address -----------------------------------------------------
# programs/cube_fixpipe_nz.cpp places every on-chip tensor with LocalTensor(TPosition, addr, tileSize)
# (Note [LocalTensor at an address], runtime/src/pipe.cpp) and moves C out with Fixpipe<..., CFG_NZ>
# (Note [Fixpipe NZ output], runtime/src/cube_fixpipe.cpp).

NZ_OUT = {"f32": np.float32, "f16": np.float16, "req8": np.int8, "vqf322b8": np.int8}


def fixpipe_nz(programs: dict[str, Path], tmp_path: Path, case: str, m: int, n: int, k: int, params: np.ndarray,
               mode: str = "cpu", seed: int = 5) -> tuple[bytes, bytes, subprocess.CompletedProcess]:
    """Run cube_fixpipe_nz; return (R's bytes, the bytes numpy expects, process)."""
    kind = case.rsplit("_", 1)[-1]
    flags = case.split("_")[:-1]
    rng = np.random.default_rng(seed)
    dtype = np.int8 if kind == "req8" else np.float16
    a = rng.integers(-12, 13, (m, k)).astype(dtype)
    b = rng.integers(-12, 13, (k, n)).astype(dtype)
    a.tofile(tmp_path / "a.bin")
    np.ascontiguousarray(b.T).tofile(tmp_path / "bt.bin")
    q = np.zeros(n, dtype=np.uint64)
    q[:len(params)] = params
    q.tofile(tmp_path / "q.bin")
    proc = run(programs["cube_fixpipe_nz"], case, tmp_path, m, n, k, mode=mode, soc="Ascend910B1")
    c = a.astype(np.int64) @ b.astype(np.int64)  # exact in int32 and float32 at these sizes
    relu = "relu" in flags
    if kind == "req8":
        out = quant(c.astype(np.int32), "req8", "i8", np.full(n, params[0], dtype=np.uint64), relu)
    elif kind == "vqf322b8":
        out = quant(c.astype(np.float32), "vqf322b8", "i8", q, relu)
    else:
        x = c.astype(np.float32)
        out = (np.where(x < 0, np.float32(0), x) if relu else x).astype(NZ_OUT[kind])
    w = 8 if "split" in flags else 16
    stride = -(-m * w * out.itemsize // 32) + ("gap" in flags)  # dstStride, 32-byte blocks
    golden = np.full(n // w * stride * 32, 0x5A, dtype=np.uint8)
    for blk in range(n // w):
        part = np.ascontiguousarray(out[:, blk * w:(blk + 1) * w]).view(np.uint8).ravel()
        golden[blk * stride * 32:blk * stride * 32 + part.size] = part
    r = (tmp_path / "r.bin").read_bytes()[:golden.size] if proc.returncode == 0 else b""
    return r, golden.tobytes(), proc


NZ_CASES = [("f32", 32, 48, 64), ("relu_f32", 16, 32, 32), ("f16", 48, 32, 16), ("gap_f16", 32, 48, 64),
            ("split_f32", 32, 48, 64), ("relu_split_gap_f32", 16, 64, 32), ("req8", 32, 48, 64),
            ("relu_gap_req8", 16, 32, 64), ("vqf322b8", 32, 48, 32), ("relu_vqf322b8", 16, 32, 32)]


@pytest.mark.parametrize("case, m, n, k", NZ_CASES, ids=[f"{v[0]}-{v[1]}x{v[2]}x{v[3]}" for v in NZ_CASES])
@pytest.mark.parametrize("mode", MODES)
def test_nz_output_keeps_the_fractals(programs: dict[str, Path], tmp_path: Path, mode: str, case: str, m: int, n: int,
                                      k: int) -> None:
    params = column_params(n, "i8") if case.endswith("vqf322b8") else np.array([param(0.0371, offset=-5)], np.uint64)
    r, golden, proc = fixpipe_nz(programs, tmp_path, case, m, n, k, params, mode=mode)
    no_findings(proc, mode)
    assert r == golden  # the gaps a larger dstStride leaves are untouched


def test_nz_output_is_costed_on_fix(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = fixpipe_nz(programs, tmp_path, "f32", 32, 48, 64, np.zeros(1, np.uint64), mode=SIM)[2]
    no_findings(proc, SIM)
    assert summary(proc.stderr)["util"]["FIX"] > 0, proc.stderr


@pytest.mark.parametrize("case, kernel, words", [
    ("misaligned_f32", "fixnz_f32", ["LocalTensor(TPosition::CO1, 16, ", "not 32-byte aligned"]),
    ("beyond_f32", "fixnz_f32", ["LocalTensor(TPosition::B1, ", "run past the end of the core's L1"]),
    ("ragged_f32", "fixnz_f32", ["nSize 40", "a multiple of 16 with CFG_NZ"]),
    ("split_f16", "fixnz_f16", ["isChannelSplit needs a float32 source and a float32 destination", "F322F16"]),
    ("unitsplit_f32", "fixnz_f32", ["isChannelSplit cannot be combined with unitFlag 3"]),
], ids=["misaligned-address", "past-the-memory", "nsize-not-fractal", "split-needs-float32", "split-no-unitflag"])
def test_nz_and_placement_rules(programs: dict[str, Path], tmp_path: Path, case: str, kernel: str,
                                words: list[str]) -> None:
    proc = fixpipe_nz(programs, tmp_path, case, 32, 48, 64, np.zeros(1, np.uint64))[2]
    kernel_error(proc, kernel, *words)


@pytest.mark.parametrize("case, what", [("tight_f32", "[fixpipe-stride]"), ("skewdst_f32", "[fixpipe-align]")],
                         ids=["overlapping-fractal-columns", "misaligned-destination"])
def test_nz_findings(programs: dict[str, Path], tmp_path: Path, case: str, what: str) -> None:
    findings = sim_findings(fixpipe_nz(programs, tmp_path, case, 32, 48, 64, np.zeros(1, np.uint64), mode=SIM)[2])
    assert len(findings) == 1 and what in findings[0], findings

"""LoadData with LoadData3DParamsV2 (img2col) on 910B: a convolution computed as one matmul whose left operand
is the img2col of a padded, strided, dilated feature map, and plain matmuls whose operands reach L0A/L0B through
the load with a 1x1 kernel (with and without enTranspose), checked exactly against numpy; one broken kernel per
rule.

programs/cube_load3d.cpp has the tiling; the facts are Note [LoadData 3D v2] in runtime/src/cube_load3d.cpp.

Run: pytest tests/runtime/test_cube_load3d.py -q
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_cube import kernel_error, ok, run, summary

pytestmark = pytest.mark.modes("cpu")  # the programs choose their own mode

SIM = "npu_simulator"
MODES = ["cpu", SIM]
C0 = 16  # half


def out_size(n: int, p0: int, p1: int, k: int, d: int, s: int) -> int:
    return (n + p0 + p1 - (d * (k - 1) + 1)) // s + 1


def conv(programs: dict[str, Path], tmp_path: Path, case: str, c: int, h: int, w: int, cout: int, kh: int, kw: int,
         stride: tuple[int, int], dilation: tuple[int, int], pads: tuple[int, int, int, int], pad_value: float,
         mode: str = "cpu") -> tuple[np.ndarray, np.ndarray, subprocess.CompletedProcess]:
    """Run the img2col convolution; return (Y, golden, process). pads: left, right, top, bottom."""
    rng = np.random.default_rng(5)
    x = rng.integers(-3, 4, (c, h, w)).astype(np.float16)
    wt = rng.integers(-3, 4, (cout, c, kh, kw)).astype(np.float16)
    # The map in NC1HWC0; the weights as Bt (COUT x K) with K ordered (c1, kh, kw, c0).
    x.reshape(c // C0, C0, h, w).transpose(0, 2, 3, 1).tofile(tmp_path / "x.bin")
    wt.reshape(cout, c // C0, C0, kh, kw).transpose(0, 1, 3, 4, 2).reshape(cout, -1).tofile(tmp_path / "bt.bin")
    (sh, sw), (dh, dw), (pl, pr, pt, pb) = stride, dilation, pads
    proc = run(programs["cube_load3d"], case, tmp_path, c, h, w, cout, kh, kw, sh, sw, dh, dw, pl, pr, pt, pb,
               pad_value, mode=mode, soc="Ascend910B1")
    ho, wo = out_size(h, pt, pb, kh, dh, sh), out_size(w, pl, pr, kw, dw, sw)
    xp = np.full((c, h + pt + pb, w + pl + pr), np.float16(pad_value), dtype=np.float64)
    xp[:, pt:pt + h, pl:pl + w] = x
    golden = np.zeros((ho, wo, cout))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i * dh:i * dh + (ho - 1) * sh + 1:sh, j * dw:j * dw + (wo - 1) * sw + 1:sw]  # c, ho, wo
            golden += np.einsum("chw,oc->hwo", patch, wt[:, :, i, j].astype(np.float64))
    y = np.fromfile(tmp_path / "y.bin", dtype=np.float32).reshape(ho * wo, cout) if proc.returncode == 0 else None
    return y, golden.reshape(ho * wo, cout).astype(np.float32), proc


CONVS = {  # name: (c, h, w, cout, kh, kw, stride, dilation, pads, pad value)
    "3x3-same": (32, 6, 7, 16, 3, 3, (1, 1), (1, 1), (1, 1, 1, 1), 0.0),
    "3x3-stride2-dilation2-uneven-pad": (32, 9, 8, 32, 3, 3, (2, 2), (2, 2), (2, 0, 1, 0), 1.5),
    "2x4-strides-2-1-no-pad": (16, 5, 9, 16, 2, 4, (2, 1), (1, 1), (0, 0, 0, 0), 0.0),
    "1x1-pad-value": (48, 4, 4, 16, 1, 1, (1, 1), (1, 1), (1, 2, 0, 1), -2.0),
}


@pytest.mark.parametrize("name", list(CONVS))
@pytest.mark.parametrize("case", ["conv", "conv_regs"])
@pytest.mark.parametrize("mode", MODES)
def test_img2col_convolution(programs: dict[str, Path], tmp_path: Path, mode: str, case: str, name: str) -> None:
    # conv_regs: the map and pad value come from SetFmatrix / SetLoadDataPaddingValue, not the parameters.
    y, golden, proc = conv(programs, tmp_path, case, *CONVS[name], mode=mode)
    ok(proc)
    if mode == SIM:
        s = summary(proc.stderr)
        assert s["findings"] == [], proc.stderr
        assert s["util"]["MTE1"] > 0, s
    np.testing.assert_array_equal(y, golden)


def matmul(programs: dict[str, Path], tmp_path: Path, case: str, m: int, n: int, k: int,
           mode: str = "cpu") -> tuple[np.ndarray, np.ndarray, subprocess.CompletedProcess]:
    rng = np.random.default_rng(9)
    dtype = np.float16 if case.endswith("half") else np.float32
    a = rng.integers(-8, 9, (m, k)).astype(dtype)
    b = rng.integers(-8, 9, (k, n)).astype(dtype)
    np.ascontiguousarray(a.T if case.startswith("mmT") else a).tofile(tmp_path / "a.bin")
    b.tofile(tmp_path / "b.bin")
    proc = run(programs["cube_load3d"], case, tmp_path, m, n, k, mode=mode, soc="Ascend910B1")
    c = np.fromfile(tmp_path / "c.bin", dtype=np.float32).reshape(m, n) if proc.returncode == 0 else np.empty(0)
    return c, (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32), proc


MATMULS = [("mm_half", 32, 48, 64), ("mm_float", 32, 48, 64), ("mmT_half", 48, 32, 64), ("mmT_float", 32, 32, 48)]


@pytest.mark.parametrize("case, m, n, k", MATMULS, ids=[f"{c[0]}-{c[1]}x{c[2]}x{c[3]}" for c in MATMULS])
@pytest.mark.parametrize("mode", MODES)
def test_matrix_operands_through_load3d(programs: dict[str, Path], tmp_path: Path, mode: str, case: str, m: int,
                                        n: int, k: int) -> None:
    # An Nz matrix in L1 is a 1-high map: A (or A^T with enTranspose) into L0A, B into L0B.
    c, golden, proc = matmul(programs, tmp_path, case, m, n, k, mode=mode)
    ok(proc)
    if mode == SIM:
        assert summary(proc.stderr)["findings"] == [], proc.stderr
    np.testing.assert_array_equal(c, golden)


# ---- rules ---------------------------------------------------------------------------------------

BROKEN = {
    "int8_transpose": ("enTranspose with int8 data", "LoadDataWithTranspose"),
    "channel12": ("channelSize 12 is not a multiple of C0 = 16",),
    "repeat2": ("SetLoadDataRepeat with repeatTime 2 is not implemented by opkit",),
    "smallk": ("enSmallK is no longer supported",),
    "right": ("SetFmatrix: FmatrixMode::FMATRIX_RIGHT is not supported",),
    "boundary": ("SetLoadDataBoundary(512) is undefined behaviour",),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_loads_are_refused(programs: dict[str, Path], case: str) -> None:
    kernel_error(run(programs["cube_load3d"], case, soc="Ascend910B1"), "load3d_broken", *BROKEN[case])


def test_refused_on_310p(programs: dict[str, Path], tmp_path: Path) -> None:
    proc = matmul(programs, tmp_path, "mm_half", 32, 48, 64)[2]
    ok(proc)
    proc = run(programs["cube_load3d"], "mm_half", tmp_path, 32, 48, 64, soc="Ascend310P3")
    assert proc.returncode == 1 and "not implemented by opkit on Ascend310P3" in proc.stderr, proc.stderr


def test_destination_past_its_tensor_is_found(programs: dict[str, Path], tmp_path: Path) -> None:
    matmul(programs, tmp_path, "mm_half", 32, 48, 64)  # writes the inputs
    proc = run(programs["cube_load3d"], "dst_small", tmp_path, 32, 48, 64, mode=SIM, soc="Ascend910B1")
    assert proc.returncode == 1, proc.stderr
    findings = summary(proc.stderr)["findings"]
    assert any("[cube-operand-size]" in f and "LoadData(L1->L0A, LoadData3DParamsV2)" in f for f in findings), findings

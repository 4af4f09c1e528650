"""TransDataTo5HD against numpy in cpu and npu_simulator mode: the 16 x 16 two-byte transpose, NCHW ->
NC1HWC0, the float 16 x 8 -> 8 x 16 layout CANN's CumSum uses, int8 halves, the repeatTimes == 1 stride
rule, the three list forms, and the rules. Program: programs/transdata.cpp; semantics: Note
[TransDataTo5HD] (runtime/src/vec_index.cpp).

Run: pytest tests/runtime/test_transdata.py -q
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import test_sort_gather as sort_gather

pytestmark = pytest.mark.modes("cpu")  # each test runs the program in both modes itself

MODES = ["cpu", "npu_simulator"]
SEED = 20261130


def run(exe: Path, case: str, d: Path, mode: str, soc: str) -> subprocess.CompletedProcess:
    return sort_gather.run(exe, case, d, mode, soc)


def transdata(programs: dict[str, Path], tmp_path: Path, case: str, mode: str, soc: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(SEED).integers(0, 256, 4096).astype(np.uint8)
    x.tofile(tmp_path / "x.bin")
    proc = run(programs["transdata"], case, tmp_path, mode, soc)
    assert proc.returncode == 0, proc.stderr
    if mode == "npu_simulator":
        assert "findings    none" in proc.stderr, proc.stderr
    return x, np.fromfile(tmp_path / "y.bin", np.uint8)


UNTOUCHED = 0xEE  # the program fills y with this byte first


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("soc", ["Ascend910B1", "Ascend910A"])
@pytest.mark.parametrize("case", ["b16", "tensor_list", "addr_tensor"])
def test_b16_transpose(programs: dict[str, Path], tmp_path: Path, case: str, soc: str, mode: str) -> None:
    x, y = transdata(programs, tmp_path, case, mode, soc)
    xh, yh = x.view(np.float16), y.view(np.float16)
    np.testing.assert_array_equal(yh[:256].view(np.uint16), xh[:256].reshape(16, 16).T.ravel().view(np.uint16))
    assert (y[512:] == UNTOUCHED).all()


@pytest.mark.parametrize("mode", MODES)
def test_nchw_to_nc1hwc0(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    x, y = transdata(programs, tmp_path, "nchw", mode, "Ascend910B1")
    c_hw = x.view(np.uint16)[: 16 * 64].reshape(16, 64)  # C = 16 planes of H * W = 64
    np.testing.assert_array_equal(y.view(np.uint16)[: 64 * 16].reshape(64, 16), c_hw.T)  # [HW][C0]


@pytest.mark.parametrize("mode", MODES)
def test_b32_pairs(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    x, y = transdata(programs, tmp_path, "b32", mode, "Ascend910B1")
    m = x.view(np.uint32)[:128].reshape(16, 8)
    np.testing.assert_array_equal(y.view(np.uint32)[:128].reshape(8, 16), m.T)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("high", [False, True])
def test_b8_halves(programs: dict[str, Path], tmp_path: Path, high: bool, mode: str) -> None:
    x, y = transdata(programs, tmp_path, "b8_high" if high else "b8_low", mode, "Ascend910A")
    blocks = x[:512].reshape(16, 32)
    out = y[:512].reshape(16, 32)
    cols = blocks[:, 16:] if high else blocks[:, :16]  # the source half
    written, kept = (out[:, 16:], out[:, :16]) if high else (out[:, :16], out[:, 16:])
    np.testing.assert_array_equal(written, cols.T)  # dst block j: element j of every source block
    assert (kept == UNTOUCHED).all()  # the other half of each destination block is left alone


@pytest.mark.parametrize("mode", MODES)
def test_one_repeat_starts_at_the_strides(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    """TransDataTo5HD.md: with repeatTimes 1 the repeat starts dstRepStride/srcRepStride blocks in."""
    x, y = transdata(programs, tmp_path, "one_repeat", mode, "Ascend910B1")
    xh = x.view(np.uint16)
    src = np.stack([xh[16 * i + 32: 16 * i + 48] for i in range(16)])  # 2 blocks = 32 halves in
    got = np.stack([y.view(np.uint16)[16 * j + 32: 16 * j + 48] for j in range(16)])
    np.testing.assert_array_equal(got, src.T)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("case", "soc", "words"), [
    ("broken_0", "Ascend910B1", "list entry 5 (UB offset 162) is not 32-byte aligned"),
    ("broken_1", "Ascend910A", "4-byte elements do not exist on Ascend910A"),
])
def test_rules(programs: dict[str, Path], tmp_path: Path, case: str, soc: str, words: str, mode: str) -> None:
    np.zeros(4096, np.uint8).tofile(tmp_path / "x.bin")
    proc = run(programs["transdata"], case, tmp_path, mode, soc)
    assert proc.returncode == 1, proc.stderr
    assert "TransDataTo5HD" in proc.stderr and words in proc.stderr, proc.stderr

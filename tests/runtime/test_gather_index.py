"""Gather, CreateVecIndex and the 16x16 Transpose against numpy in cpu and npu_simulator mode, and
Gather's unchecked rules as findings. Program: programs/gather_index.cpp. Semantics: Note [Gather]
(runtime/src/vec_index.cpp) and runtime/include/opkit/kernel/vec_index.h.

Run: pytest tests/runtime/test_gather_index.py -q
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from test_sort_gather import MODES, check_ok, run

pytestmark = pytest.mark.modes("cpu")  # each test runs the program in both modes itself

SEED = 20241130


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("form", ["count", "count_base", "repeat_mask"])
def test_gather(programs: dict[str, Path], tmp_path: Path, form: str, dtype: str, mode: str) -> None:
    rng = np.random.default_rng(SEED)
    size = np.dtype(dtype).itemsize
    x = rng.permutation(512).astype(dtype)
    idx = rng.integers(0, 256, 256).astype(np.uint32)  # elements; offsets are bytes
    base = 64 * size if form == "count_base" else 0
    (idx * size).tofile(tmp_path / "off.bin")
    x.tofile(tmp_path / "x.bin")
    lanes = 256 // size
    if form == "repeat_mask":
        mask, repeat, rep_stride = lanes // 2 + 3, 2, 16
        p = [base, 0, 1, mask, repeat, rep_stride, 0, 0]
    else:
        p = [base, 200, 0, 0, 0, 0, 0, 0]
    np.array(p, np.uint32).tofile(tmp_path / "p.bin")
    check_ok(run(programs["gather_index"], "gather_f16" if size == 2 else "gather_f32", tmp_path, mode), mode)
    out = np.fromfile(tmp_path / "out.bin", dtype)
    want = np.full(512, -1, dtype)
    if form == "repeat_mask":
        per_block = 32 // size
        for r in range(repeat):
            for lane in range(mask):
                i = r * lanes + lane
                want[r * rep_stride * per_block + lane] = x[base // size + idx[i]]
    else:
        want[:200] = x[base // size + idx[:200]]
    np.testing.assert_array_equal(out, want)


INDEX_CASES = {  # name: (dtype, form, count or mask, repeat, dstBlkStride, dstRepStride, first)
    "f32_count": ("float32", 0, 1000, 0, 0, 0, -3.0),
    "f16_count": ("float16", 0, 1000, 0, 0, 0, 1500.0),  # past 2048 half rounds: per-step Adds
    "i32_count_tail": ("int32", 0, 77, 0, 0, 0, 5.0),
    "i16_count": ("int16", 0, 300, 0, 0, 0, -100.0),
    "f32_repeat": ("float32", 1, 40, 3, 1, 16, 0.0),
    "f16_repeat_blk2": ("float16", 1, 128, 2, 2, 32, 7.0),
}


def index_golden(dtype: str, form: int, n: int, repeat: int, blk: int, rep: int, first: float) -> np.ndarray:
    """The NPU's sequence: block 0 by scalar writes, every further block (and repeat) = the previous
    one + its element count, rounded in the dtype at each step."""
    t = np.dtype(dtype).type
    size = np.dtype(dtype).itemsize
    per_block, lanes = 32 // size, 256 // size
    out = np.zeros(1024, dtype)
    if form == 0:
        v = np.array([t(first + i) for i in range(min(n, per_block))], dtype)
        vals = np.zeros(n, dtype)
        vals[: v.size] = v
        for b in range(1, 8):
            lo, hi = b * per_block, min(n, (b + 1) * per_block)
            if lo < n:
                vals[lo:hi] = (vals[lo - per_block: hi - per_block] + t(per_block)).astype(dtype)
        for r in range(1, (n + lanes - 1) // lanes):
            lo, hi = r * lanes, min(n, (r + 1) * lanes)
            vals[lo:hi] = (vals[lo - lanes: hi - lanes] + t(lanes)).astype(dtype)
        out[:n] = vals
        return out
    row = np.array([t(first + lane) for lane in range(n)], dtype)
    for r in range(repeat):
        for lane in range(n):
            out[r * rep * per_block + lane // per_block * blk * per_block + lane % per_block] = row[lane]
        row = (row + t(lanes)).astype(dtype)
    return out


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(INDEX_CASES))
def test_create_vec_index(programs: dict[str, Path], tmp_path: Path, case: str, mode: str) -> None:
    dtype, form, n, repeat, blk, rep, first = INDEX_CASES[case]
    p = np.zeros(8, np.uint32)
    p[:5] = [form, n, repeat, blk, rep]
    p[5:6] = np.array([first], np.float32).view(np.uint32)
    p.tofile(tmp_path / "p.bin")
    name = {"float32": "index_f32", "float16": "index_f16", "int32": "index_i32", "int16": "index_i16"}[dtype]
    check_ok(run(programs["gather_index"], name, tmp_path, mode), mode)
    out = np.fromfile(tmp_path / "out.bin", dtype)
    np.testing.assert_array_equal(out, index_golden(dtype, form, n, repeat, blk, rep, first))


@pytest.mark.parametrize("mode", MODES)
def test_transpose16(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    x = np.random.default_rng(SEED).standard_normal((16, 16)).astype(np.float16)
    x.tofile(tmp_path / "x.bin")
    check_ok(run(programs["gather_index"], "transpose", tmp_path, mode), mode)
    np.testing.assert_array_equal(np.fromfile(tmp_path / "out.bin", np.float16).reshape(16, 16), x.T)


BROKEN = {
    0: ("gather-offset", ["Gather", "srcOffset 2", "not a multiple of the 4-byte element size"]),
    1: ("gather-offset", ["Gather", "outside UB"]),
    2: ("vector-overlap", ["Gather", "dst and src are the same memory"]),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("which", list(BROKEN))
def test_gather_rules(programs: dict[str, Path], which: int, mode: str) -> None:
    kind, words = BROKEN[which]
    proc = run(programs["gather_index"], f"broken_{which}", ".", mode)
    assert proc.returncode == 1, f"expected status 1, got {proc.returncode}\nstderr: {proc.stderr}"
    if mode == "npu_simulator":
        line = next((ln for ln in proc.stderr.splitlines() if f"[{kind}]" in ln), "")
        assert line, f"no [{kind}] finding:\n{proc.stderr}"
    else:
        line = proc.stderr.strip().splitlines()[-1]
        assert re.match(r"opkit: error: broken core 0: ", line), line
    missing = [w for w in words if w not in line]
    assert not missing, f"message lacks {missing}: {line!r}"

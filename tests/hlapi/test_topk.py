"""TopK (lib/sort/topk.h) against numpy in cpu and npu_simulator mode, its host queries against CANN's
numbers, and the misuses it refuses. Program: programs/hl_topk.cpp.

The golden is Note [TopK on 910B]'s order: per row the scores sorted highest first (for the smallest
k, the negated scores), equal scores by position, any NaN above everything (so first both ways); the
first k values, and srcIndexLocal (or 0..inner-1) at their positions. Rows shorter than inner are
padded as TopK.md asks (-inf for the largest, +inf for the smallest, indices continuing); a finished
row's indices are all n. Values come straight from the input, so every comparison is exact.

Run: pytest tests/hlapi/test_topk.py -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hl_run import MODES, check_ok, kernel_error, run_program

pytestmark = pytest.mark.modes("cpu")  # each test runs the program in both modes itself

SEED = 20241130


def tmp_bytes(mode: str, outter: int, inner: int, largest: bool, init: bool) -> int:
    """GetTopKMaxMinTmpSize on 910B (impl/adv_api/tiling/sort/topk_tiling_impl.cpp)."""
    if mode == "normal":
        return 16 * inner + (0 if init else 4 * inner)
    io = inner * outter
    return 8 * io + 64 + (0 if largest else 4 * io) + (0 if init else 4 * io)


def golden(x: np.ndarray, idx: np.ndarray, k: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the k first of a stable sort, highest first, NaN above all (negated for the smallest)."""
    vals, inds = [], []
    for r in range(x.shape[0]):
        key = x[r] if largest else -x[r]
        nan = np.isnan(key)
        order = np.lexsort((-np.where(nan, 0, key).astype(np.float64), ~nan))[:k]  # lexsort is stable
        vals.append(x[r][order])
        inds.append((idx[r] if idx.ndim == 2 else idx)[order])
    return np.array(vals), np.array(inds)


def make_input(rng: np.random.Generator, dtype: str, outter: int, inner: int, n: int, largest: bool,
               data: str) -> np.ndarray:
    if data == "ties":  # few distinct values: many equal scores
        x = rng.integers(-6, 6, (outter, inner)).astype(dtype)
    else:
        x = (rng.standard_normal((outter, inner)) * 100).astype(dtype)
    if data == "nan_inf":
        for r in range(outter):
            pos = rng.choice(n, min(n, 6), replace=False)
            x[r, pos] = np.array([np.nan, np.inf, -np.inf, np.nan, -np.inf, np.inf], dtype)[: len(pos)]
    x[:, n:] = -np.inf if largest else np.inf  # TopK.md's padding
    return x


def run_topk(prog: Path, tmp_path: Path, dtype: str, mode: str, form: str, outter: int, inner: int, n: int, k: int,
             largest: bool, init: bool, finish: np.ndarray | None, x: np.ndarray, sidx: np.ndarray | None,
             run_mode: str = "cpu", tmp: int | None = None, tile_k: int | None = None):
    x.tofile(tmp_path / "x.bin")
    if sidx is not None:
        sidx.astype(np.int32).tofile(tmp_path / "sidx.bin")
    if finish is not None:
        finish.astype(np.bool_).tofile(tmp_path / "fin.bin")
    if tmp is None:
        tmp = tmp_bytes(mode, outter, inner, largest, init)
    return run_program(prog, "run", "half" if dtype == "float16" else "float", mode, form, outter, inner, n, k,
                       int(largest), int(init), int(finish is not None), tmp, k if tile_k is None else tile_k,
                       tmp_path, mode=run_mode)


def outputs(tmp_path: Path, dtype: str, mode: str, outter: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The first k of each (padded, in NORMAL) output row."""
    kpad = k if mode == "small" else -(-k // (32 // np.dtype(dtype).itemsize)) * (32 // np.dtype(dtype).itemsize)
    kpad_index = k if mode == "small" else -(-k // 8) * 8
    v = np.fromfile(tmp_path / "val.bin", dtype).reshape(outter, kpad)[:, :k]
    i = np.fromfile(tmp_path / "idx.bin", np.int32).reshape(outter, kpad_index)[:, :k]
    return v, i


NORMAL_CASES = [  # dtype, outter, inner, n, k, data
    ("float32", 3, 32, 32, 5, "ties"),
    ("float32", 2, 64, 50, 7, "ties"),       # n < inner, two runs of 32: one 2-way merge
    ("float32", 2, 128, 128, 9, "random"),   # one 4-way pass, nothing left
    ("float32", 1, 160, 150, 33, "ties"),    # a 4-way pass, then a run of 32 merged in
    ("float32", 2, 352, 352, 64, "nan_inf"),  # 128 x2, then 32 x3: five 2-way merges cut to k
    ("float32", 1, 4096, 4000, 100, "random"),  # the largest inner: 4-way up to 2048, then 2048 + 2048
    ("float32", 2, 96, 96, 96, "ties"),      # k = n = inner
    ("float16", 3, 32, 20, 3, "ties"),
    ("float16", 2, 96, 96, 17, "nan_inf"),
    ("float16", 2, 512, 500, 40, "ties"),    # 4-way passes only (32 -> 128 -> 512)
    ("float16", 1, 2080, 2070, 1, "random"),  # 2048 + 32
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("largest", [True, False], ids=["largest", "smallest"])
@pytest.mark.parametrize("dtype, outter, inner, n, k, data", NORMAL_CASES)
def test_topk_normal(hl_programs: dict[str, Path], tmp_path: Path, dtype: str, outter: int, inner: int, n: int,
                     k: int, data: str, largest: bool, mode: str) -> None:
    rng = np.random.default_rng(SEED + inner + k)
    x = make_input(rng, dtype, outter, inner, n, largest, data)
    proc = run_topk(hl_programs["hl_topk"], tmp_path, dtype, "normal", "shared", outter, inner, n, k, largest, False,
                    None, x, None, run_mode=mode)
    check_ok(proc, mode)
    v, i = outputs(tmp_path, dtype, "normal", outter, k)
    want_v, want_i = golden(x, np.arange(inner), k, largest)
    np.testing.assert_array_equal(v, want_v)
    np.testing.assert_array_equal(i, want_i)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("form", ["shared", "framework"])
@pytest.mark.parametrize("largest", [True, False], ids=["largest", "smallest"])
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_topk_normal_index_and_finish(hl_programs: dict[str, Path], tmp_path: Path, dtype: str, largest: bool,
                                      form: str, mode: str) -> None:
    """isInitIndex: srcIndexLocal's values at the chosen positions; isHasfinish: finished rows' indices are n."""
    outter, inner, n, k = 4, 96, 90, 11
    rng = np.random.default_rng(SEED)
    x = make_input(rng, dtype, outter, inner, n, largest, "ties")
    sidx = np.concatenate([rng.permutation(1000)[:n] + 7, np.arange(n, inner)]).astype(np.int32)
    finish = np.array([False, True, False, True])
    proc = run_topk(hl_programs["hl_topk"], tmp_path, dtype, "normal", form, outter, inner, n, k, largest, True,
                    finish, x, sidx, run_mode=mode)
    check_ok(proc, mode)
    v, i = outputs(tmp_path, dtype, "normal", outter, k)
    want_v, want_i = golden(x, sidx, k, largest)
    want_i[finish] = n
    np.testing.assert_array_equal(v, want_v)
    np.testing.assert_array_equal(i, want_i)


SMALL_CASES = [  # dtype, outter, n, k, data
    ("float32", 1, 32, 8, "ties"),
    ("float32", 4, 17, 8, "random"),   # TopK.md's NSMALL example shape
    ("float32", 9, 32, 17, "nan_inf"),  # k > 16: the second pattern word
    ("float32", 200, 32, 32, "ties"),  # many rows (255 is the most one Sort32 takes)
    ("float16", 3, 32, 5, "ties"),
    ("float16", 6, 25, 25, "nan_inf"),
    ("float16", 2, 32, 1, "random"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("init", [False, True], ids=["gen_index", "src_index"])
@pytest.mark.parametrize("largest", [True, False], ids=["largest", "smallest"])
@pytest.mark.parametrize("dtype, outter, n, k, data", SMALL_CASES)
def test_topk_small(hl_programs: dict[str, Path], tmp_path: Path, dtype: str, outter: int, n: int, k: int, data: str,
                    largest: bool, init: bool, mode: str) -> None:
    rng = np.random.default_rng(SEED + outter + k)
    x = make_input(rng, dtype, outter, 32, n, largest, data)
    sidx = np.stack([rng.permutation(32) * 3 + 1 for _ in range(outter)]).astype(np.int32) if init else None
    form = "shared" if outter % 2 else "framework"
    proc = run_topk(hl_programs["hl_topk"], tmp_path, dtype, "small", form, outter, 32, n, k, largest, init, None, x,
                    sidx, run_mode=mode)
    check_ok(proc, mode)
    v, i = outputs(tmp_path, dtype, "small", outter, k)
    want_v, want_i = golden(x, sidx if init else np.arange(32), k, largest)
    np.testing.assert_array_equal(v, want_v)
    np.testing.assert_array_equal(i, want_i)


def query(prog: Path, soc: str, inner: int, outter: int, k: int, size: int, init: bool, mode: str,
          largest: bool) -> dict[str, int]:
    proc = run_program(prog, "query", soc, inner, outter, k, size, int(init), mode, int(largest))
    assert proc.returncode == 0, proc.stderr
    lines = [ln.split() for ln in proc.stdout.splitlines()]
    out = {name: int(v) for name, v in lines[1:]}
    out["tmp_max"], out["tmp_min"] = int(lines[0][1]), int(lines[0][2])
    return out


def test_query_normal(hl_programs: dict[str, Path]) -> None:
    """TopKTilingFunc's fields on 910B, worked out by hand from CANN's topk_tiling_impl.cpp."""
    q = query(hl_programs["hl_topk"], "Ascend910B1", 64, 2, 5, 4, False, "normal", True)
    want = dict(tmp_max=1280, tmp_min=1280, tmpLocalSize=320, allDataSize=128, innerDataSize=128, sortRepeat=2,
                mrgSortRepeat=16, kAlignFourBytes=8, kAlignTwoBytes=16, maskOffset=16, maskVreducev2FourBytes=10,
                maskVreducev2TwoBytes=20, mrgSortSrc1offset=2, mrgSortSrc2offset=4, mrgSortSrc3offset=6,
                mrgSortTwoQueueSrc1Offset=2, mrgFourQueueTailPara1=128, mrgFourQueueTailPara2=1, srcIndexOffset=256,
                copyUbToUbBlockCount=16)
    assert {key: q[key] for key in want} == want
    assert all(q[key] == 0 for key in q if key not in want)
    h = query(hl_programs["hl_topk"], "Ascend910B3", 64, 3, 20, 2, True, "normal", False)
    assert (h["tmp_min"], h["tmpLocalSize"], h["innerDataSize"], h["srcIndexOffset"], h["maskOffset"],
            h["mrgSortSrc3offset"], h["mrgFourQueueTailPara2"]) == (1024, 512, 256, 0, 96, 12, 2)


def test_query_small(hl_programs: dict[str, Path]) -> None:
    q = query(hl_programs["hl_topk"], "Ascend910B1", 32, 4, 8, 2, False, "small", False)
    want = dict(tmp_max=2112, tmp_min=2112, tmpLocalSize=928, allDataSize=128, innerDataSize=512, kAlignFourBytes=8,
                maskOffset=32, topkMrgSrc1MaskSizeOffset=640, topkNSmallSrcIndexOffset=672, vreduceIdxMask0=0xAAAA,
                vreducehalfValMask0=0x1111, vreducehalfValMask1=0x1111)
    assert {key: q[key] for key in want} == want
    assert all(q[key] == 0 for key in q if key not in want)
    f = query(hl_programs["hl_topk"], "Ascend910B1", 32, 2, 20, 4, True, "small", True)
    assert (f["tmp_min"], f["tmpLocalSize"], f["vreduceValMask0"], f["vreduceValMask1"], f["vreduceIdxMask0"],
            f["vreduceIdxMask1"]) == (576, 144, 0x55555555, 0x55, 0xAAAAAAAA, 0xAA)


@pytest.mark.parametrize("args, words", [
    (("Ascend910B1", 48, 2, 5, 4, 0, "normal", 1), ["GetTopKMaxMinTmpSize", "inner 48", "multiple of 32"]),
    (("Ascend910B1", 64, 2, 5, 4, 0, "small", 1), ["inner 64", "must be 32 in TopKMode::TOPK_NSMALL"]),
    (("Ascend910B1", 4128, 1, 5, 4, 0, "normal", 1), ["inner 4128 exceeds 4096"]),
    (("Ascend910B1", 64, 2, 65, 4, 0, "normal", 1), ["TopKTilingFunc: k 65 is outside 1..64"]),
    (("Ascend910B1", 64, 2, 5, 8, 0, "normal", 1), ["dataTypeSize 8"]),
    (("Ascend310P3", 64, 2, 5, 4, 0, "normal", 1), ["GetTopKMaxMinTmpSize", "arch 2201", "Ascend310P3"]),
])
def test_query_refuses(hl_programs: dict[str, Path], args: tuple, words: list[str]) -> None:
    proc = run_program(hl_programs["hl_topk"], "query", *args)
    assert proc.returncode == 1, proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith("opkit: error: ")
    assert all(w in line for w in words), line


@pytest.mark.parametrize("mode", MODES)
def test_kernel_refuses(hl_programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    """Each misuse stops the kernel with a message naming TopK and the rule, in both modes."""
    prog = hl_programs["hl_topk"]
    x = np.zeros((2, 64), np.float32)
    # a tiling made for another k
    proc = run_topk(prog, tmp_path, "float32", "normal", "shared", 2, 64, 64, 5, True, False, None, x, None,
                    run_mode=mode, tile_k=9)
    kernel_error(proc, "TopK: the TopkTiling does not fit this call", "kAlignFourBytes is 16", "needs 8",
                 "TopKTilingFunc(platform, inner 64, outter 2, k 5")
    # a temporary smaller than GetTopKMaxMinTmpSize's minValue
    proc = run_topk(prog, tmp_path, "float32", "normal", "shared", 2, 64, 64, 5, True, False, None, x, None,
                    run_mode=mode, tmp=1024)
    kernel_error(proc, "TopK: tmpLocal holds 1024 bytes", "at least 1280", "GetTopKMaxMinTmpSize")
    proc = run_topk(prog, tmp_path, "float32", "normal", "framework", 2, 64, 64, 5, True, False, None, x, None,
                    run_mode=mode, tmp=1024)
    kernel_error(proc, "TopK", "needs 1280 bytes of UB left free")
    # k above n (TopKTilingFunc only knows inner)
    proc = run_topk(prog, tmp_path, "float32", "normal", "shared", 2, 64, 40, 50, True, False, None, x, None,
                    run_mode=mode)
    kernel_error(proc, "TopK: k 50 is outside 1..n", "n 40")
    # the values written over the source (TopK.md: no overlap)
    proc = run_topk(prog, tmp_path, "float32", "normal", "overlap", 2, 64, 64, 5, True, False, None, x, None,
                    run_mode=mode)
    kernel_error(proc, "TopK: srcLocal overlaps dstValueLocal or dstIndexLocal")
    # NSMALL sorts every row with one Sort32: at most 255 rows
    proc = run_topk(prog, tmp_path, "float32", "small", "shared", 256, 32, 32, 4, True, False, None,
                    np.zeros((256, 32), np.float32), None, run_mode=mode)
    kernel_error(proc, "TopK", "outter must lie in 1..255 in TopKMode::TOPK_NSMALL")

"""GatherMask, Copy (UB -> UB with CopyRepeatParams), Sort32 and MrgSort against numpy, in cpu and
npu_simulator mode; and one kernel per hardware rule, asserting its message. Program:
programs/sort_gather.cpp. Semantics: Note [GatherMask] (runtime/src/vec_gather.cpp) and Note [Sort
regions] (runtime/src/vec_sort.cpp), from the asc-devkit API reference.

Run: pytest tests/runtime/test_sort_gather.py -q
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.modes("cpu")  # each test runs the program in both modes itself

MODES = ["cpu", "npu_simulator"]
SEED = 20241130


def run(exe: Path, case: str, d: Path | str, mode: str, soc: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_MODE", "OPKIT_SOC", "OPKIT_FINDINGS")}
    env["OPKIT_MODE"] = mode
    if soc is not None:
        env["OPKIT_SOC"] = soc
    return subprocess.run([str(exe), case, str(d)], check=False, capture_output=True, text=True, env=env, timeout=300)


def check_ok(proc: subprocess.CompletedProcess, mode: str) -> None:
    assert proc.returncode == 0, f"status {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}"
    if mode == "npu_simulator":
        assert "findings    none" in proc.stderr, f"npu_simulator reported findings:\n{proc.stderr}"


# ---- GatherMask ---------------------------------------------------------------------------------

def builtin_bits(pattern: int, n: int) -> np.ndarray:
    lane = np.arange(n)
    return {1: lane % 2 == 0, 2: lane % 2 == 1, 3: lane % 4 == 0, 4: lane % 4 == 1, 5: lane % 4 == 2,
            6: lane % 4 == 3, 7: np.ones(n, bool)}[pattern]


def gather_golden(x: np.ndarray, pat: np.ndarray, builtin: int, counter: bool, mask: int, repeat: int,
                  blk: int, rep: int, src1rep: int) -> np.ndarray:
    """Note [GatherMask]: selected elements of every repeat, packed; element l of repeat r at block
    r*rep + l//perBlock*blk."""
    per_block = 32 // x.itemsize
    n = mask if counter else 256 // x.itemsize
    bits = np.unpackbits(pat.view(np.uint8), bitorder="little")
    out = []
    for r in range(repeat):
        take = builtin_bits(builtin, n) if builtin else bits[r * src1rep * 256: r * src1rep * 256 + n].astype(bool)
        lanes = np.arange(n)
        pos = (r * rep + lanes // per_block * blk) * per_block + lanes % per_block
        out.append(x[pos][take])
    return np.concatenate(out)


GATHER_CASES = {
    # id: (builtin, reduceMode, mask, repeatTimes, src0BlockStride, src0RepeatStride, src1RepeatStride)
    "builtin1": (1, 0, 0, 4, 1, 8, 0),
    "builtin2": (2, 0, 0, 4, 1, 8, 0),
    "builtin3": (3, 0, 0, 3, 1, 8, 0),
    "builtin6_strided": (6, 0, 0, 2, 2, 16, 0),
    "builtin7": (7, 0, 0, 2, 1, 8, 0),
    "user_same_pattern": (0, 0, 0, 4, 1, 8, 0),
    "user_per_repeat": (0, 0, 0, 4, 1, 8, 1),
    "counter_70": (0, 1, 70, 2, 1, 8, 0),
    "counter_topk": (0, 1, 64, 4, 1, 8, 0),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("case", list(GATHER_CASES))
def test_gather_mask(programs: dict[str, Path], tmp_path: Path, case: str, dtype: str, mode: str) -> None:
    builtin, counter, mask, repeat, blk, rep, src1rep = GATHER_CASES[case]
    rng = np.random.default_rng(SEED)
    x = (np.arange(512) + 1).astype(dtype)
    pat = rng.integers(0, 2**32, 64, dtype=np.uint64).astype(np.uint32)
    if case == "counter_topk":  # MoeSoftMaxTopk's use: the scores of the first 4 records of each row
        pat[:] = 0
        pat[0] = 0b01010101
    x.tofile(tmp_path / "x.bin")
    pat.tofile(tmp_path / "pat.bin")
    np.array([builtin, counter, mask, repeat, blk, rep, src1rep, 0], np.uint32).tofile(tmp_path / "p.bin")
    name = "gather_f16" if dtype == "float16" else "gather_f32"
    check_ok(run(programs["sort_gather"], name, tmp_path, mode), mode)
    out = np.fromfile(tmp_path / "out.bin", dtype=dtype)
    cnt = np.fromfile(tmp_path / "cnt.bin", dtype=np.uint32)
    want = gather_golden(x, pat.view(np.uint16) if dtype == "float16" else pat, builtin, bool(counter), mask,
                         repeat, blk, rep, src1rep)
    assert cnt[0] == cnt[1] == want.size  # rsvdCnt and GetGatherMaskRemainCount
    np.testing.assert_array_equal(out[: want.size], want)
    assert (out[want.size:] == -1).all()  # past the packed elements dst keeps what it held


# ---- Copy ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_copy_rows(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    x = np.random.default_rng(SEED).standard_normal((18, 64)).astype(np.float32)
    x.tofile(tmp_path / "x.bin")
    check_ok(run(programs["sort_gather"], "copy", tmp_path, mode), mode)
    np.testing.assert_array_equal(np.fromfile(tmp_path / "out.bin", np.float32).reshape(18, 8), x[:, :8])


# ---- Sort32 and MrgSort -------------------------------------------------------------------------

def records(raw: bytes | np.ndarray, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """(scores, indices) of 8-byte sort records (Note [Sort regions])."""
    r = np.frombuffer(np.asarray(raw).tobytes(), dtype=np.uint8).reshape(-1, 8)
    score = r[:, :4].copy().view(np.float32)[:, 0] if dtype == "float32" else r[:, :2].copy().view(np.float16)[:, 0]
    return score, r[:, 4:].copy().view(np.uint32)[:, 0]


def sort_key(v: float) -> tuple[bool, float]:
    """Note [Sort regions]: NaN above every number (+inf included), NaNs equal to each other."""
    return (bool(np.isnan(v)), 0.0 if np.isnan(v) else float(v))


def stable_desc(s: np.ndarray) -> np.ndarray:
    nan = np.isnan(s)
    return np.lexsort((-np.where(nan, 0, s).astype(np.float64), ~nan))  # lexsort is stable


MRG_CASES = {  # validBit, ifExhaustedSuspension, lengths, NaN and inf among the scores
    "four": (15, 0, (32, 32, 32, 32), False),
    "two": (3, 0, (32, 32, 0, 0), False),
    "three_uneven": (7, 0, (32, 5, 17, 0), False),
    "suspend": (15, 1, (32, 3, 32, 32), False),
    "four_nan_inf": (15, 0, (32, 32, 32, 32), True),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("case", list(MRG_CASES))
def test_sort32_mrgsort(programs: dict[str, Path], tmp_path: Path, case: str, dtype: str, mode: str) -> None:
    valid, suspend, lens, special = MRG_CASES[case]
    rng = np.random.default_rng(SEED)
    s = rng.integers(-8, 8, 128).astype(dtype) / 4  # few distinct values: many equal scores
    if special:
        s[rng.choice(128, 24, replace=False)] = np.array([np.nan, np.inf, -np.inf], dtype)[np.arange(24) % 3]
    idx = rng.permutation(1000)[:128].astype(np.uint32)
    s.tofile(tmp_path / "s.bin")
    idx.tofile(tmp_path / "idx.bin")
    np.array([valid, suspend, *lens, 0, 0], np.uint32).tofile(tmp_path / "p.bin")
    name = "sort_f16" if dtype == "float16" else "sort_f32"
    check_ok(run(programs["sort_gather"], name, tmp_path, mode), mode)
    rs, ri = records(np.fromfile(tmp_path / "rec.bin", np.uint8), dtype)
    lists = []
    for r in range(4):  # Sort32: each 32 sorted on its own, equal scores in source order
        order = stable_desc(s[r * 32:(r + 1) * 32])
        np.testing.assert_array_equal(rs[r * 32:(r + 1) * 32], s[r * 32:(r + 1) * 32][order])
        np.testing.assert_array_equal(ri[r * 32:(r + 1) * 32], idx[r * 32:(r + 1) * 32][order])
        lists.append((rs[r * 32:(r + 1) * 32], ri[r * 32:(r + 1) * 32]))
    # MrgSort golden: a merge taking the highest head, the earlier list on ties.
    pos = [0, 0, 0, 0]
    nlists = {3: 2, 7: 3, 15: 4}[valid]
    want_s, want_i = [], []
    while True:
        heads = [i for i in range(nlists) if pos[i] < lens[i]]
        if not heads or (suspend and len(heads) < nlists):
            break
        best = max(heads, key=lambda i: (*sort_key(lists[i][0][pos[i]]), -i))
        want_s.append(lists[best][0][pos[best]])
        want_i.append(lists[best][1][pos[best]])
        pos[best] += 1
    ms, mi = records(np.fromfile(tmp_path / "merged.bin", np.uint8), dtype)
    n = len(want_s)
    np.testing.assert_array_equal(ms[:n], np.array(want_s, dtype=dtype))
    np.testing.assert_array_equal(mi[:n], np.array(want_i, np.uint32))
    assert (ms[n:] == 0).all()  # nothing written past the merged records
    taken = np.fromfile(tmp_path / "taken.bin", np.uint32)
    assert list(taken[:nlists]) == pos[:nlists]


# ---- rules --------------------------------------------------------------------------------------

BROKEN = {
    # which: (npu_simulator finding kind or None for an error in both modes, words of the message)
    0: ("vector-overlap", ["GatherMask", "dst overlaps src0 at a different offset"]),
    1: ("vector-overlap", ["Sort32", "dst overlaps src0 or src1"]),
    2: (None, ["MrgSort", "validBit 5"]),
    3: ("vector-overlap", ["Copy", "overlap the src blocks"]),
    4: (None, ["GatherMask", "src1Pattern 9 is outside 1..7"]),
    5: (None, ["GatherMask", "128 selected elements (rsvdCnt) run past the end of UB"]),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("which", list(BROKEN))
def test_rule_broken(programs: dict[str, Path], which: int, mode: str) -> None:
    kind, words = BROKEN[which]
    assert_rule_broken(run(programs["sort_gather"], f"broken_{which}", ".", mode), kind, words, mode)


def assert_rule_broken(proc: subprocess.CompletedProcess, kind: str | None, words: list[str], mode: str) -> None:
    """A `broken` kernel's run: a finding of `kind` under npu_simulator (kind None: an error in both
    modes), else the kernel error; either way a message with every one of `words`."""
    assert proc.returncode == 1, f"expected status 1, got {proc.returncode}\nstderr: {proc.stderr}"
    if kind is not None and mode == "npu_simulator":
        line = next((ln for ln in proc.stderr.splitlines() if f"[{kind}]" in ln), "")
        assert line, f"no [{kind}] finding:\n{proc.stderr}"
    else:
        line = proc.stderr.strip().splitlines()[-1]
        assert re.match(r"opkit: error: broken core 0: ", line), line
    missing = [w for w in words if w not in line]
    assert not missing, f"message lacks {missing}: {line!r}"

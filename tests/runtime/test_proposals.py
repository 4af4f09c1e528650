"""The region-proposal sort of Ascend910A/310P (ProposalConcat, RpSort16, MrgSort4, ProposalExtract
and the CANN 6.3 names Concat/Extract) and the GM flags IBSet/IBWait, against numpy in cpu and
npu_simulator mode; one kernel per rule. Program: programs/proposals.cpp. Semantics: Note [Region
proposals] (runtime/src/vec_sort.cpp) and Note [IBSet and IBWait] (runtime/src/xcore_sync.cpp).

Run: pytest tests/runtime/test_proposals.py -q
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
import test_sort_gather as sort_gather
from test_sort_gather import assert_rule_broken, check_ok

pytestmark = pytest.mark.modes("cpu")  # each test runs the program in both modes itself

MODES = ["cpu", "npu_simulator"]
SEED = 20261130


def run(exe: Path, case: str, d: Path | str, mode: str, soc: str = "Ascend910A") -> subprocess.CompletedProcess:
    return sort_gather.run(exe, case, d, mode, soc)


def params(*values: int) -> np.ndarray:
    return np.array([*values] + [0] * (8 - len(values)), np.uint32)


def stable_desc(s: np.ndarray) -> np.ndarray:
    """Highest first; equal scores keep their order (RpSort16.md, MrgSort4.md)."""
    return np.argsort(-s.astype(np.float64), kind="stable")


def merge(lists: list[np.ndarray], suspend: bool) -> tuple[np.ndarray, list[int]]:
    """Proposals (rows) of sorted lists merged by score (column 4): the highest head, the earlier
    list on ties; with `suspend`, stop when a list runs out."""
    pos = [0] * len(lists)
    out = []
    while True:
        heads = [i for i in range(len(lists)) if pos[i] < len(lists[i])]
        if not heads or (suspend and len(heads) < len(lists)):
            break
        best = max(heads, key=lambda i: (float(lists[i][pos[i], 4]), -i))
        out.append(lists[best][pos[best]])
        pos[best] += 1
    return np.array(out).reshape(-1, 8), pos


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("soc", "dtype", "old_names"), [
    ("Ascend910A", "float16", False), ("Ascend910A", "float16", True),
    ("Ascend310P3", "float16", False), ("Ascend310P3", "float32", False),
])
def test_proposal_sort(programs: dict[str, Path], tmp_path: Path, soc: str, dtype: str, old_names: bool,
                       mode: str) -> None:
    rng = np.random.default_rng(SEED)
    s = (rng.integers(-40, 40, 256) / 8).astype(dtype)  # few distinct values: many equal scores
    lab = np.arange(256).astype(dtype)  # each proposal's label is its source position
    s.tofile(tmp_path / "s.bin")
    lab.tofile(tmp_path / "lab.bin")
    params(int(old_names)).tofile(tmp_path / "p.bin")
    check_ok(run(programs["proposals"], "sort_f16" if dtype == "float16" else "sort_f32", tmp_path, mode, soc), mode)

    rp = np.fromfile(tmp_path / "rp.bin", dtype).reshape(256, 8)
    # ProposalConcat wrote score and label and left x1..y2 and the reserved fields (zeroed) alone
    assert (rp[:, [0, 1, 2, 3, 6, 7]] == 0).all()
    want = []
    for r in range(16):  # RpSort16: each group of 16 on its own
        order = stable_desc(s[r * 16:(r + 1) * 16])
        np.testing.assert_array_equal(rp[r * 16:(r + 1) * 16, 4], s[r * 16:(r + 1) * 16][order])
        np.testing.assert_array_equal(rp[r * 16:(r + 1) * 16, 5], lab[r * 16:(r + 1) * 16][order])
        want.append(rp[r * 16:(r + 1) * 16])

    m1 = np.fromfile(tmp_path / "m1.bin", dtype).reshape(256, 8)
    for g in range(4):  # MrgSort4 repeatTimes 4: groups of 4 lists of 16, each merged on its own
        golden, _ = merge(want[4 * g:4 * g + 4], False)
        np.testing.assert_array_equal(m1[64 * g:64 * (g + 1)], golden)

    m2 = np.fromfile(tmp_path / "m2.bin", dtype).reshape(256, 8)
    golden, _ = merge([m1[64 * g:64 * (g + 1)] for g in range(4)], False)
    np.testing.assert_array_equal(m2, golden)
    # the whole: scores sorted high to low, the labels a permutation that carries them
    np.testing.assert_array_equal(m2[:, 4], np.sort(s)[::-1])
    np.testing.assert_array_equal(s[m2[:, 5].astype(int)], m2[:, 4])

    ex = np.fromfile(tmp_path / "ex.bin", dtype)
    np.testing.assert_array_equal(ex[:256], m2[:, 4])
    np.testing.assert_array_equal(ex[256:], m2[:, 5])


MERGE_CASES = {  # validBit, ifExhaustedSuspension, lengths
    "four": (15, 0, (16, 16, 16, 16)),
    "two": (3, 0, (16, 16, 0, 0)),
    "three_uneven": (7, 0, (16, 3, 9, 0)),
    "suspend": (15, 1, (16, 2, 16, 16)),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(MERGE_CASES))
def test_mrgsort4(programs: dict[str, Path], tmp_path: Path, case: str, mode: str) -> None:
    valid, suspend, lens = MERGE_CASES[case]
    rng = np.random.default_rng(SEED)
    rp = np.zeros((64, 8), np.float16)
    rp[:, 4] = rng.integers(-6, 6, 64) / 2
    rp[:, 0] = np.arange(64)  # x1 tells where each proposal came from
    for g in range(4):
        rp[16 * g:16 * (g + 1)] = rp[16 * g:16 * (g + 1)][stable_desc(rp[16 * g:16 * (g + 1), 4])]
    rp.tofile(tmp_path / "rp.bin")
    params(valid, suspend, *lens).tofile(tmp_path / "p.bin")
    check_ok(run(programs["proposals"], "merge_f16", tmp_path, mode), mode)
    n_lists = {3: 2, 7: 3, 15: 4}[valid]
    golden, pos = merge([rp[16 * i:16 * i + lens[i]] for i in range(n_lists)], bool(suspend))
    out = np.fromfile(tmp_path / "out.bin", np.float16).reshape(64, 8)
    np.testing.assert_array_equal(out[:len(golden)], golden)
    assert (out[len(golden):] == 0).all()  # nothing written past the merged proposals
    assert list(np.fromfile(tmp_path / "taken.bin", np.uint32)[:n_lists]) == pos


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("soc", ["Ascend910A", "Ascend910B1"])
def test_ibset_ibwait_chain(programs: dict[str, Path], tmp_path: Path, soc: str, mode: str) -> None:
    x = np.zeros((4, 8), np.float32)
    x[:, 0] = [1.5, 2.25, -4.0, 8.0]
    x.tofile(tmp_path / "x.bin")
    params().tofile(tmp_path / "p.bin")
    check_ok(run(programs["proposals"], "chain", tmp_path, mode, soc), mode)
    total = np.fromfile(tmp_path / "sum.bin", np.float32).reshape(4, 8)[:, 0]
    np.testing.assert_array_equal(total, np.cumsum(x[:, 0]))


def test_chain_without_flags_is_an_unsynced_read(programs: dict[str, Path], tmp_path: Path) -> None:
    np.zeros((4, 8), np.float32).tofile(tmp_path / "x.bin")
    params(1).tofile(tmp_path / "p.bin")
    proc = run(programs["proposals"], "chain", tmp_path, "npu_simulator")
    assert proc.returncode == 1, proc.stderr
    assert "[unsynced-gm-access]" in proc.stderr, proc.stderr


@pytest.mark.parametrize("mode", MODES)
def test_wait_nobody_sets_is_a_deadlock_report(programs: dict[str, Path], tmp_path: Path, mode: str) -> None:
    np.zeros((4, 8), np.float32).tofile(tmp_path / "x.bin")
    params(0, 1).tofile(tmp_path / "p.bin")
    proc = run(programs["proposals"], "chain", tmp_path, mode)
    assert proc.returncode == 1, proc.stderr
    assert "deadlock" in proc.stderr, proc.stderr
    assert "IBWait(gmWorkspace, ubWorkspace, blockIdx 2, eventID 1)" in proc.stderr, proc.stderr
    assert "proposals.cpp:" in proc.stderr, proc.stderr  # the waiting kernel line


@pytest.mark.parametrize(("which", "words"), [
    (2, ["IBWait", "blockIdx 9", "outside 0..3"]),
    (3, ["blockIdx 2, eventID 0)", "gmWorkspace holds 64 bytes", "bytes 64..96"]),  # IBSet or IBWait: either comes first
])
def test_ib_bad_arguments(programs: dict[str, Path], tmp_path: Path, which: int, words: list[str]) -> None:
    np.zeros((4, 8), np.float32).tofile(tmp_path / "x.bin")
    p = params()
    p[which] = 1
    p.tofile(tmp_path / "p.bin")
    proc = run(programs["proposals"], "chain", tmp_path, "cpu")
    assert proc.returncode == 1, proc.stderr
    missing = [w for w in words if w not in proc.stderr]
    assert not missing, f"message lacks {missing}: {proc.stderr}"


@pytest.mark.parametrize("flags", [True, False])
def test_writes_ordered_by_flags_do_not_overlap(programs: dict[str, Path], tmp_path: Path, flags: bool) -> None:
    """Note [Overlapping GM writes]: two cores writing the same bytes race only if nothing orders them."""
    params(0 if flags else 1).tofile(tmp_path / "p.bin")
    proc = run(programs["proposals"], "ordered_writes", tmp_path, "npu_simulator")
    if flags:
        check_ok(proc, "npu_simulator")
        np.testing.assert_array_equal(np.fromfile(tmp_path / "out.bin", np.float32), np.full(64, 2, np.float32))
    else:
        assert proc.returncode == 1, proc.stderr
        line = next((ln for ln in proc.stderr.splitlines() if "[gm-overlap]" in ln), "")
        assert "cores 0 and 1 both write the GM bytes" in line and "(256 bytes)" in line, proc.stderr


BROKEN = {
    # which: (npu_simulator finding kind or None for an error in both modes, words of the message)
    0: (None, ["RpSort16", "float32", "float16"]),
    1: ("vector-overlap", ["MrgSort4", "dst overlaps source list 1"]),
    2: (None, ["ProposalConcat", "modeNumber 6 is outside 0..5"]),
    3: (None, ["MrgSort4 (src list)", "not 16-byte aligned"]),
    4: (None, ["RpSort16", "repeatTime 256 is outside 0..255"]),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("which", list(BROKEN))
def test_rule_broken(programs: dict[str, Path], which: int, mode: str) -> None:
    kind, words = BROKEN[which]
    assert_rule_broken(run(programs["proposals"], f"broken_{which}", ".", mode), kind, words, mode)


@pytest.mark.parametrize("op", ["sort_f16"])
def test_proposals_do_not_exist_on_910b(programs: dict[str, Path], tmp_path: Path, op: str) -> None:
    np.zeros(256, np.float16).tofile(tmp_path / "s.bin")
    np.zeros(256, np.float16).tofile(tmp_path / "lab.bin")
    params().tofile(tmp_path / "p.bin")
    proc = run(programs["proposals"], op, tmp_path, "cpu", soc="Ascend910B1")
    assert proc.returncode == 1, proc.stderr
    assert "ProposalConcat does not exist on Ascend910B1" in proc.stderr, proc.stderr
    assert "Sort32 and MrgSort" in proc.stderr, proc.stderr

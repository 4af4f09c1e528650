"""Mmad and Fixpipe with unit flags on 910B (Note [UnitFlag] in runtime/src/cube_mmad.cpp): four blocks
share one L0C block, handed between M and FIX by the 512-byte unit flags instead of flags between the
pipes. Results exactly equal numpy's; every hand-over a kernel gets wrong is an error naming the
instruction and the unit; the model lets the two pipes overlap, so the same kernel is faster than with
flags.

Run: pytest tests/runtime/test_cube_unitflag.py -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_cube import kernel_error, ok, run, summary

pytestmark = pytest.mark.modes("cpu")  # the programs choose their own mode

SIM = "npu_simulator"
SHAPE = (4, 32, 64, 96, 32)  # T blocks of M x N, K in KTILE chunks


def unitflag(programs: dict[str, Path], tmp_path: Path, case: str, mode: str = "cpu", shape=SHAPE):
    t, m, n, k, _ = shape
    rng = np.random.default_rng(11)
    a = rng.integers(-3, 4, (t * m, k)).astype(np.float16)  # small integers: every sum is exact in fp32
    b = rng.integers(-3, 4, (k, n)).astype(np.float16)
    a.tofile(tmp_path / "a.bin")
    b.tofile(tmp_path / "b.bin")
    proc = run(programs["cube_unitflag"], case, tmp_path, *shape, mode=mode, soc="Ascend910B1")
    c = np.fromfile(tmp_path / "c.bin", np.float32).reshape(t * m, n) if proc.returncode == 0 else None
    return c, a.astype(np.float64) @ b.astype(np.float64), proc


@pytest.mark.parametrize("mode", ["cpu", SIM])
@pytest.mark.parametrize("case", ["unit", "flags"])
@pytest.mark.parametrize("shape", [SHAPE, (3, 17, 40, 50, 32), (2, 128, 128, 64, 64)], ids=lambda s: "x".join(map(str, s)))
def test_blocks_through_one_l0c_block_are_exact(programs: dict[str, Path], tmp_path: Path, mode: str, case: str,
                                                 shape: tuple[int, ...]) -> None:
    c, golden, proc = unitflag(programs, tmp_path, case, mode, shape)
    ok(proc)
    np.testing.assert_array_equal(c, golden)
    if mode == SIM:
        assert summary(proc.stderr)["findings"] == []


def test_unit_flags_let_mmad_and_fixpipe_overlap(programs: dict[str, Path], tmp_path: Path) -> None:
    # Note [UnitFlag] timing (sim.cpp): the Fixpipe trails the block's last Mmad unit by unit and the
    # next block's first Mmad trails the Fixpipe, where flags between the pipes wait for whole instructions.
    times = {}
    for case in ("unit", "flags"):
        proc = unitflag(programs, tmp_path, case, SIM)[2]
        ok(proc)
        times[case] = float(proc.stderr.split("  time", 1)[1].split("cycles", 1)[0])
    assert times["unit"] < 0.97 * times["flags"], times


@pytest.mark.parametrize("mode", ["cpu", SIM])
@pytest.mark.parametrize("case, words", [
    ("fix_first", ["Fixpipe(L0C->GM): unitFlag 3 reads the L0C unit at offset 0", "whose flag is 0",
                   "waits for an Mmad that comes after it"]),
    ("no_fix", ["Mmad: unitFlag 2 writes the L0C unit at offset 0", "whose flag is 1",
                "waits for a Fixpipe that comes after it"]),
    ("fix_off", ["Mmad: unitFlag 2 writes the L0C unit", "a Fixpipe with unitFlag 0 leaves the flags set"]),
    ("bad_value", ["Mmad: unitFlag 1 is not 0 (off), 2", "UnitFlag.md"]),
])
def test_a_wrong_hand_over_is_an_error(programs: dict[str, Path], tmp_path: Path, mode: str, case: str,
                                       words: list[str]) -> None:
    kernel_error(unitflag(programs, tmp_path, case, mode)[2], "cube_unitflag", *words)


def test_refused_off_910b(programs: dict[str, Path]) -> None:
    proc = run(programs["cube_unitflag"], "unit_mmad", soc="Ascend910A")
    kernel_error(proc, "unit_mmad", "unitFlag 3 is a 910B-class feature", "Ascend910A has no L0C unit flags")

"""npu_simulator: accesses past SetGlobalBuffer's size are findings (Note [GlobalTensor size]); cpu mode makes
them like the NPU."""

from __future__ import annotations

from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent / "programs" / "global_size.cpp"


def _marker(tag: str = "globaltensor-size") -> int:
    return next(n for n, line in enumerate(SOURCE.read_text().splitlines(), 1) if f"CHECK: {tag}" in line)


def test_copy_past_declared_size_is_found(run_program) -> None:
    proc = run_program("global_size", "past_size", mode="npu_simulator")
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if "[globaltensor-size]" in ln]
    assert len(lines) == 1, proc.stderr
    assert f"global_size.cpp:{_marker()}: DataCopy(GM->local) touches 512 bytes of a GlobalTensor set up with 64 " \
           "elements (256 bytes)" in lines[0]


def test_copy_within_size_is_clean(run_program) -> None:
    proc = run_program("global_size", "within", mode="npu_simulator")
    assert proc.returncode == 0 and "findings    none" in proc.stderr, proc.stderr


def test_cpu_mode_is_silent(run_program) -> None:
    assert (run_program("global_size", "past_size").returncode, "") == (0, "")


@pytest.mark.parametrize("case, words", [
    ("next_row", ["DataCopy(GM->local) touches 256 bytes of a GlobalTensor set up with nothing left (an operator[] "
                  "offset at or past the end of its SetGlobalBuffer range)", "usually another core's data"]),
    ("pad_past", ["DataCopyPad(GM->local) touches 260 bytes of a GlobalTensor set up with 64 elements (256 bytes)"]),
    ("pad_out", ["DataCopyPad(local->GM) touches 260 bytes of a GlobalTensor set up with 64 elements (256 bytes)"]),
    ("value_past", ["GlobalTensor::GetValue touches 260 bytes of a GlobalTensor set up with 64 elements"]),
])
def test_access_past_declared_size_is_found_at_its_line(run_program, case: str, words: list[str]) -> None:
    proc = run_program("global_size", case, mode="npu_simulator")
    assert proc.returncode == 1, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "[globaltensor-size]" in ln]
    assert lines and f"global_size.cpp:{_marker(case)}: " in lines[0], proc.stderr
    assert all(w in lines[0] for w in words), lines[0]
    if case == "value_past":  # the read and the write on one line: one finding per kind and site
        assert len(lines) == 1


@pytest.mark.parametrize("case", ["next_row", "pad_past", "pad_out", "value_past"])
def test_cpu_mode_makes_the_access(run_program, case: str) -> None:
    assert (run_program("global_size", case).returncode, "") == (0, "")

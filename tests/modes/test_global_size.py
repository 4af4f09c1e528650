"""npu_simulator: copies past SetGlobalBuffer's size are findings; cpu mode copies them like the NPU."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "programs" / "global_size.cpp"


def _marker() -> int:
    return next(n for n, line in enumerate(SOURCE.read_text().splitlines(), 1) if "CHECK: globaltensor-size" in line)


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

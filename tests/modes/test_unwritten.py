"""npu_simulator: reading UB nothing wrote in the launch is a finding that names the kernel line."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "programs" / "unwritten_read.cpp"
SIM = "npu_simulator"


def _marker() -> int:
    for number, line in enumerate(SOURCE.read_text().splitlines(), start=1):
        if "CHECK: uninitialised-read" in line:
            return number
    raise AssertionError("marker missing")


def test_unwritten_read_is_found(run_program) -> None:
    proc = run_program("unwritten_read", "garbage", mode=SIM)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if "[uninitialised-read]" in ln]
    assert len(lines) == 1, proc.stderr
    assert f"unwritten_read.cpp:{_marker()}: Add reads UB bytes at offset 512" in lines[0]


def test_filled_tile_is_clean(run_program) -> None:
    proc = run_program("unwritten_read", "filled", mode=SIM)
    assert proc.returncode == 0, proc.stderr
    assert "findings    none" in proc.stderr


def test_silent_in_cpu_mode(run_program) -> None:
    proc = run_program("unwritten_read", "garbage")
    assert (proc.returncode, proc.stderr) == (0, "")

"""npu_simulator: UB reads the NPU gets wrong (never written; written by another pipe without a
flag) are findings that name the kernel line."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "programs" / "unwritten_read.cpp"
SIM = "npu_simulator"


def _marker(kind: str = "uninitialised-read") -> int:
    for number, line in enumerate(SOURCE.read_text().splitlines(), start=1):
        if f"CHECK: {kind}" in line:
            return number
    raise AssertionError("marker missing")


def test_unwritten_read_is_found(run_program) -> None:
    proc = run_program("unwritten_read", "garbage", mode=SIM)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if "[uninitialised-read]" in ln]
    assert len(lines) == 1, proc.stderr
    assert f"unwritten_read.cpp:{_marker()}: Add reads UB bytes at offset 512" in lines[0]


def test_unsynced_read_is_found(run_program) -> None:
    proc = run_program("unwritten_read", "unsynced", mode=SIM)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if "[unsynced-read]" in ln]
    assert len(lines) == 1, proc.stderr
    assert f"unwritten_read.cpp:{_marker('unsynced-read')}: DataCopy(local->GM) on pipe MTE3 reads UB bytes" in lines[0]
    assert "that pipe V wrote, with no SetFlag/WaitFlag" in lines[0]
    assert "[uninitialised-read]" not in proc.stderr


def test_filled_tile_is_clean(run_program) -> None:
    for case in ("filled", "intrinsic"):  # SetFlag/WaitFlag, or the set_flag/wait_flag intrinsics
        proc = run_program("unwritten_read", case, mode=SIM)
        assert proc.returncode == 0, (case, proc.stderr)
        assert "findings    none" in proc.stderr


def test_silent_in_cpu_mode(run_program) -> None:
    for case in ("garbage", "unsynced"):
        proc = run_program("unwritten_read", case)
        assert (proc.returncode, proc.stderr) == (0, ""), case

"""The sanitizer build's setup checks and report collection (Note [Sanitizer reports], opkit/sanitizers.py).

Run: pytest tests/unit/test_sanitizers.py -q
"""

from __future__ import annotations

from pathlib import Path

import pytest

from opkit import pytest_plugin, sanitizers


@pytest.fixture
def sanitizer_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Pretend this opkit is a sanitizer build: a sanitize.flags file in a fake lib/."""
    flags = tmp_path / "lib" / "sanitize.flags"
    flags.parent.mkdir()
    flags.write_text("-fsanitize=address,undefined -fno-sanitize-recover=undefined\n")
    monkeypatch.setattr(sanitizers, "FLAGS_FILE", flags)
    return flags


def test_normal_build_needs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sanitizers, "FLAGS_FILE", tmp_path / "absent.flags")
    assert sanitizers.build_flags() == []
    assert sanitizers.setup_problem() is None


def test_flags_come_from_the_installed_file(sanitizer_build: Path) -> None:
    assert sanitizers.build_flags() == ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]


def test_missing_preload_is_refused_with_the_command(sanitizer_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LD_PRELOAD", "")
    problem = sanitizers.setup_problem()
    assert problem is not None and "libasan.so" in problem and "libstdc++.so" in problem and "README" in problem


def test_log_paths_must_agree(sanitizer_build: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LD_PRELOAD", "/x/libasan.so /x/libstdc++.so")
    monkeypatch.setattr(sanitizers, "_mapped_files", lambda: "7f00-7f10 r-xp 0 08:01 1 /x/libasan.so.8\n")
    monkeypatch.setenv("ASAN_OPTIONS", f"detect_leaks=0:log_path={tmp_path}/r/report")
    monkeypatch.setenv("UBSAN_OPTIONS", "print_stacktrace=1")
    problem = sanitizers.setup_problem()
    assert problem is not None and f"log_path={tmp_path}/r/report" in problem and "log_path=stderr" in problem
    monkeypatch.setenv("UBSAN_OPTIONS", f"print_stacktrace=1:log_path={tmp_path}/r/report")
    assert sanitizers.setup_problem() is None
    assert (tmp_path / "r").is_dir()  # made, so that the first report can be written


def test_report_files_are_the_log_path_per_pid(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASAN_OPTIONS", f"detect_leaks=0:log_path={tmp_path}/report")
    assert sanitizers.report_files() == set()
    (tmp_path / "report.4242").write_text("==4242==ERROR: AddressSanitizer: stack-buffer-overflow\n")
    (tmp_path / "other.1").write_text("")
    assert sanitizers.report_files() == {tmp_path / "report.4242"}
    monkeypatch.setenv("ASAN_OPTIONS", "detect_leaks=0")  # reports on stderr: no files to collect
    assert sanitizers.report_files() == set()


def test_a_report_written_during_the_session_fails_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASAN_OPTIONS", f"log_path={tmp_path}/report")
    (tmp_path / "report.1").write_text("old")

    class Config:
        stash = {pytest_plugin._REPORTS_BEFORE: sanitizers.report_files()}

    class Session:
        config, exitstatus = Config(), pytest.ExitCode.OK

    pytest_plugin.pytest_sessionfinish(Session, 0)
    assert Session.exitstatus == pytest.ExitCode.OK  # a report from before the session is not this session's
    (tmp_path / "report.2").write_text("SUMMARY: UndefinedBehaviorSanitizer: shift-exponent pipe.cpp:1:1")
    pytest_plugin.pytest_sessionfinish(Session, 0)
    assert Session.exitstatus == pytest.ExitCode.TESTS_FAILED

"""opkit's pytest plugin: ``pytest --mode cpu|npu_simulator|npu_onboard`` (env fallback OPKIT_MODE).

One test suite verifies a kernel at every level; the mode decides where it runs. A mode that was
asked for but cannot run here stops the session with the reason instead of skipping every test.
"""

from __future__ import annotations

import os

import pytest

MODES = ("cpu", "npu_simulator", "npu_onboard")
_REPORTS_BEFORE = pytest.StashKey[set]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("opkit")
    group.addoption("--mode", choices=MODES, default=None,
                    help="where kernels run: cpu (software AI Core), npu_simulator, npu_onboard "
                         "(default: $OPKIT_MODE or cpu)")
    group.addoption("--no-isolation", action="store_true",
                    help="run kernels in the test process (faster; a crashing kernel then ends the session)")


def _mode(config: pytest.Config) -> str:
    mode = config.getoption("--mode") or os.environ.get("OPKIT_MODE") or "cpu"
    if mode not in MODES:
        raise pytest.UsageError(f"opkit: OPKIT_MODE={mode!r} is not a mode (choose from {', '.join(MODES)})")
    return mode


def pytest_configure(config: pytest.Config) -> None:
    from . import sanitizers

    problem = sanitizers.setup_problem()  # before _core is imported: the loader would abort Python
    if problem is not None:
        raise pytest.UsageError(f"opkit: {problem}")
    config.stash[_REPORTS_BEFORE] = sanitizers.report_files()

    from .modes import unavailable

    mode = _mode(config)
    if os.environ.get("OPKIT_SOC"):
        from . import _core

        try:
            _core.soc(os.environ["OPKIT_SOC"])
        except ValueError as e:
            raise pytest.UsageError(f"opkit: OPKIT_SOC: {e}") from None
    reason = unavailable(mode, os.environ.get("OPKIT_SOC") or None)
    if reason is not None:
        raise pytest.UsageError(f"opkit: mode {mode} is unavailable: {reason}")
    config.addinivalue_line("markers", "modes(*names): run the test only in these opkit modes")
    if not config.getoption("--no-isolation"):
        from .isolation import set_isolation

        set_isolation(True)  # a kernel that crashes fails its test, not the session
    from .modes import cann_target

    kind = cann_target(mode)
    if kind is not None:
        from . import device

        device.use(kind)  # every op call runs on CANN's simulator or the NPU
    elif mode == "npu_simulator":
        from . import simulator

        simulator.set_default(True)  # every launch, from any thread, runs under the model; any finding fails


def pytest_report_header(config: pytest.Config) -> str:
    from . import _core
    from .modes import describe

    soc = _core.soc(os.environ.get("OPKIT_SOC") or None)["name"]
    mode = _mode(config)
    return f"opkit: mode={mode} soc={soc} backend={describe(mode, soc)}"


def _new_sanitizer_reports(config: pytest.Config) -> list:
    from . import sanitizers

    return sorted(sanitizers.report_files() - config.stash.get(_REPORTS_BEFORE, set()))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A sanitizer report written during the session, by any process, fails it (Note [Sanitizer reports])."""
    if _new_sanitizer_reports(session.config) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the session's sanitizer reports; say where the op calls of a CANN mode ran."""
    reports = _new_sanitizer_reports(terminalreporter.config)
    for path in reports:
        terminalreporter.write_sep("=", f"sanitizer report {path}", red=True)
        terminalreporter.write(path.read_text(errors="replace"))
    if reports:
        terminalreporter.write_line(f"opkit: {len(reports)} sanitizer report(s) were written during this session; "
                                    "it fails (Note [Sanitizer reports] in python/opkit/sanitizers.py)", red=True)
    _cann_summary(terminalreporter)


def _cann_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say where the op calls of a CANN mode ran, so no report claims more than happened."""
    from . import device

    if device.active() is None:
        return
    runs = device.runs()
    where = sorted({f"{r.target} (chip reported: {r.chip or 'unknown'})" for r in runs})
    terminalreporter.write_line(f"opkit: {len(runs)} op call(s) ran on " + ("; ".join(where) if where else
                                "CANN (none completed)"))
    logs = sorted({r.log_dir for r in runs if r.log_dir})
    if logs:
        terminalreporter.write_line(f"opkit: camodel logs: {logs[0]}" + (f" (+{len(logs) - 1} more)" if len(logs) > 1
                                                                          else ""))


@pytest.fixture(scope="session")
def opkit_mode(pytestconfig: pytest.Config) -> str:
    """The mode this session verifies in."""
    return _mode(pytestconfig)

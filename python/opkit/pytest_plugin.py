"""opkit's pytest plugin: ``pytest --mode cpu|npu_simulator|npu_onboard`` (env fallback OPKIT_MODE).

One test suite verifies a kernel at every level; the mode decides where it runs. A mode that was
asked for but cannot run here stops the session with the reason instead of skipping every test.
"""

from __future__ import annotations

import os

import pytest

MODES = ("cpu", "npu_simulator", "npu_onboard")



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
    if mode == "npu_simulator":
        from . import simulator

        simulator.enable(True)  # every launch runs under the model; any finding fails its test


def pytest_report_header(config: pytest.Config) -> str:
    soc = os.environ.get("OPKIT_SOC") or "Ascend910B1"
    mode = _mode(config)
    backend = ("opkit AI Core model (checks + timing, not calibrated against hardware) on the software AI Core"
               if mode == "npu_simulator" else "software AI Core on the CPU")
    return f"opkit: mode={mode} soc={soc} backend={backend} (no NPU, no CANN)"


@pytest.fixture(scope="session")
def opkit_mode(pytestconfig: pytest.Config) -> str:
    """The mode this session verifies in."""
    return _mode(pytestconfig)

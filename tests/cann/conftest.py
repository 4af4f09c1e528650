"""Fixtures of the tests of opkit's CANN side (fake toolkits are made by cann_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cann_helpers import make_toolkit


@pytest.fixture
def toolkit(tmp_path: Path) -> Path:
    """A complete fake CANN 8.0.RC2 toolkit."""
    return make_toolkit(tmp_path / "Ascend" / "ascend-toolkit" / "latest")


@pytest.fixture
def no_cann(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process: no CANN anywhere opkit looks."""
    for var in ("ASCEND_HOME_PATH", "ASCEND_TOOLKIT_HOME", "OPKIT_SOC"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPKIT_CANN_SEARCH_PATHS", "")

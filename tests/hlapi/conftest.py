"""Fixtures for the high-level kernel API tests: g++ builds each program in programs/ once per session.

One program per API family (hl_elementwise.cpp, ...), compiled as a user would:
``g++ -O1 prog.cpp $(python -m opkit config --cflags --libs)``. A missing g++ fails the tests with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cpu_programs import compile_all

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "modes(*names): run the test only in these opkit modes")


@pytest.fixture(scope="session")
def hl_programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every programs/*.cpp compiled (in parallel) to an executable, by file stem."""
    return compile_all(PROGRAMS_DIR, tmp_path_factory.mktemp("hl_programs"), ["-O1", "-Wall"],
                       "the high-level API programs")

"""Fixtures for the CPU-debug program tests: g++ builds each program in programs/ once per session.

The programs are CANN-style kernel-launch programs (``#include "tikicpulib.h"``, ``ICPU_RUN_KF``)
compiled exactly as a user would: ``g++ -O1 prog.cpp $(python -m opkit config --cflags --libs)``.
A missing g++ fails the session's tests with the reason; nothing here skips.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cpu_programs import compile_all, opkit_config

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too so the file runs warning-free without opkit's plugin installed.
    config.addinivalue_line("markers", "modes(*names): run the test only in these opkit modes")
    config.addinivalue_line("markers", "cmake: configures and builds a CMake project (about 5 s)")


@pytest.fixture(scope="session")
def opkit_cmake_dir() -> str:
    """Where find_package(opkit) finds opkitConfig.cmake (``python -m opkit config --cmake-dir``)."""
    return opkit_config("--cmake-dir")


@pytest.fixture(scope="session")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every programs/*.cpp compiled (in parallel) to an executable, by file stem."""
    return compile_all(PROGRAMS_DIR, tmp_path_factory.mktemp("programs"), ["-O1", "-Wall"], "the CPU-debug programs")

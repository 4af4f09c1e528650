"""Fixtures for the CPU-debug program tests: g++ builds each program in programs/ once per session.

The programs are CANN-style kernel-launch programs (``#include "tikicpulib.h"``, ``ICPU_RUN_KF``)
compiled exactly as a user would: ``g++ -O1 prog.cpp $(python -m opkit config --cflags --libs)``.
A missing g++ fails the session's tests with the reason; nothing here skips.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too so the file runs warning-free without opkit's plugin installed.
    config.addinivalue_line("markers", "modes(*names): run the test only in these opkit modes")
    config.addinivalue_line("markers", "cmake: configures and builds a CMake project (about 5 s)")


def opkit_config(*flags: str) -> str:
    """The output of ``python -m opkit config FLAGS`` for the opkit this interpreter imports."""
    proc = subprocess.run([sys.executable, "-m", "opkit", "config", *flags],
                          check=False, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        pytest.fail(f"`python -m opkit config {' '.join(flags)}` failed (status {proc.returncode}): "
                    f"{proc.stderr.strip()}; is opkit installed in {sys.prefix}? (pip install .)",
                    pytrace=False)
    return proc.stdout.strip()


def _compile(gxx: str, source: Path, exe: Path, flags: list[str]) -> str | None:
    cmd = [gxx, "-O1", "-Wall", "-I", str(PROGRAMS_DIR), str(source), "-o", str(exe), *flags]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        return f"{shlex.join(cmd)}\n{proc.stderr}"
    return None


@pytest.fixture(scope="session")
def opkit_cmake_dir() -> str:
    """Where find_package(opkit) finds opkitConfig.cmake (``python -m opkit config --cmake-dir``)."""
    return opkit_config("--cmake-dir")


@pytest.fixture(scope="session")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every programs/*.cpp compiled (in parallel) to an executable, by file stem."""
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.fail("g++ was not found on PATH: the CPU-debug tests compile C++ kernel-launch programs "
                    "against opkit; install a C++17 compiler (e.g. apt-get install g++)", pytrace=False)
    flags = shlex.split(opkit_config("--cflags", "--libs"))
    out = tmp_path_factory.mktemp("programs")
    sources = sorted(PROGRAMS_DIR.glob("*.cpp"))
    exes = {src.stem: out / src.stem for src in sources}
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        errors = list(pool.map(lambda s: _compile(gxx, s, exes[s.stem], flags), sources))
    failed = [e for e in errors if e is not None]
    if failed:
        pytest.fail("compiling the CPU-debug programs failed:\n" + "\n".join(failed), pytrace=False)
    return exes

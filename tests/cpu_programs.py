"""Compiling the test suites' CPU-debug programs the way a user builds them against opkit.

Used by tests/runtime and tests/modes: ``compile_all`` builds every ``*.cpp`` of a directory with
``g++ $(python -m opkit config --cflags --libs)``, in parallel, and fails the session with the
compiler output when one does not build.
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


def opkit_config(*flags: str) -> str:
    """The output of ``python -m opkit config FLAGS`` for the opkit this interpreter imports."""
    proc = subprocess.run([sys.executable, "-m", "opkit", "config", *flags],
                          check=False, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        pytest.fail(f"`python -m opkit config {' '.join(flags)}` failed (status {proc.returncode}): "
                    f"{proc.stderr.strip()}; is opkit installed in {sys.prefix}? (pip install .)",
                    pytrace=False)
    return proc.stdout.strip()


def compile_all(sources_dir: Path, out: Path, extra: list[str], what: str) -> dict[str, Path]:
    """Every sources_dir/*.cpp compiled to out/<stem>, by stem; ``extra`` goes before opkit's flags."""
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.fail(f"g++ was not found on PATH: {what} compile C++ kernel-launch programs against opkit; "
                    "install a C++17 compiler (e.g. apt-get install g++)", pytrace=False)
    flags = shlex.split(opkit_config("--cflags", "--libs"))
    sources = sorted(sources_dir.glob("*.cpp"))
    exes = {src.stem: out / src.stem for src in sources}

    def build(src: Path) -> str | None:
        cmd = [gxx, *extra, "-I", str(sources_dir), str(src), "-o", str(exes[src.stem]), *flags]
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)
        return None if proc.returncode == 0 else f"{shlex.join(cmd)}\n{proc.stderr}"

    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        errors = [e for e in pool.map(build, sources) if e]
    if errors:
        pytest.fail(f"compiling {what} failed:\n" + "\n".join(errors), pytrace=False)
    return exes

"""Fixtures of the ``python -m opkit gen`` tests (helpers are in gen_helpers.py)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys

import pytest


@pytest.fixture(scope="session")
def cflags() -> list[str]:
    """The flags of ``python -m opkit config --cflags`` (skips without g++)."""
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    r = subprocess.run([sys.executable, "-m", "opkit", "config", "--cflags"], check=True, capture_output=True,
                       text=True)
    return shlex.split(r.stdout)

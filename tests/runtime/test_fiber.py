"""runtime/src/fiber.cpp on its own: both switches (Note [Fiber switch]) keep each fiber's stack,
registers, exceptions and floating-point rounding mode (tests/runtime/fiber/fiber_check.cpp).

The ucontext switch is what every architecture but x86-64 runs; here it is compiled on purpose.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("switch", ["native", "ucontext"])
def test_fibers_keep_their_state(tmp_path: Path, switch: str) -> None:
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.fail("g++ was not found on PATH (apt-get install g++)", pytrace=False)
    if switch == "native" and platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the hand-written switch is x86-64's; this machine uses the ucontext one")
    # A plain build, run plainly: under the sanitizer run (README, Sanitizers) the preloaded ASan runtime
    # would report on an uninstrumented program that switches stacks without telling it.
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
    exe = tmp_path / "fiber_check"
    cmd = [gxx, "-std=c++17", "-O2", "-I", str(ROOT / "runtime" / "src"), str(HERE / "fiber" / "fiber_check.cpp"),
           str(ROOT / "runtime" / "src" / "fiber.cpp"), "-o", str(exe)]
    if switch == "ucontext":
        cmd.insert(1, "-DOPKIT_FIBER_UCONTEXT")
    built = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, env=env)
    assert built.returncode == 0, built.stderr
    ran = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60, check=False, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.startswith("ok ")

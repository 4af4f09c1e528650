"""The runtime builds without -march=native (``-Ccmake.define.OPKIT_NATIVE_ARCH=OFF``, a wheel for other
machines): every source that uses x86 intrinsics guards them by what the target has.

CMake compiles opkit's runtime with -march=native by default, so the suite's own build never sees a
CPU without F16C or AVX; a source that used an intrinsic outside its guard built here and failed
everywhere else (vec.cpp's streaming stores did). Each such source is checked for the baseline x86-64
target (SSE2 only) with -fsyntax-only, which takes about a second each.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for p in (ROOT / "runtime" / "src").glob("*.cpp") if "immintrin" in p.read_text())


@pytest.mark.modes("cpu")
@pytest.mark.skipif(platform.machine() != "x86_64", reason="checks the x86-64 baseline target")
@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
def test_source_compiles_for_baseline_x86_64(source: Path) -> None:
    gxx = shutil.which("g++")
    assert gxx is not None, "g++ is needed to compile opkit's runtime"
    include = ROOT / "runtime" / "include"
    cmd = [gxx, "-std=c++17", "-fsyntax-only", "-march=x86-64", "-O2", "-D__CCE_KT_TEST__=1",
           "-DASCENDC_CPU_DEBUG=1", f"-I{include}", f"-I{include / 'tiling'}", str(source)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{source.name} does not compile for -march=x86-64:\n{done.stderr[-4000:]}"


def test_some_sources_use_intrinsics() -> None:
    # the glob above found the files it exists for (a rename would otherwise empty the check)
    assert {"vec.cpp", "cube_gemm.cpp"} <= {p.name for p in SOURCES}

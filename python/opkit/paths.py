"""Where the installed pieces of opkit live (headers, runtime library, CMake package, built-in ops)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent
INCLUDE_DIR = ROOT / "include"
LIB_DIR = ROOT / "lib"
RUNTIME_LIB = LIB_DIR / "libopkit_rt.so"
CMAKE_DIR = ROOT / "share" / "cmake" / "opkit"
OPS_DIR = ROOT / "ops"  # built-in op specs, op_host library and per-column kernel libraries


def config_flags(soc: dict, *, includes: bool = False, cflags: bool = False, libs: bool = False) -> list[str]:
    """What ``python -m opkit config`` prints: the flags a C++ build needs for the software AI Core.
    ``soc`` is opkit's SoC table entry (``_core.soc(name)``); ``cflags`` defines its ``__CCE_AICORE__``."""
    from .sanitizers import build_flags

    parts = []
    if includes or cflags:
        # include/tiling too, as CANN's sample builds add runtime/include/tiling: `#include "tiling_api.h"`
        parts += [f"-I{INCLUDE_DIR}", f"-I{INCLUDE_DIR / 'tiling'}"]
    if cflags:
        parts += ["-std=c++17", "-D__CCE_KT_TEST__=1", "-DASCENDC_CPU_DEBUG=1", f"-D__CCE_AICORE__={soc['cce_aicore']}"]
    if libs:
        parts += [f"-L{LIB_DIR}", "-lopkit_rt", f"-Wl,-rpath,{LIB_DIR}", "-lpthread"]
    if cflags or libs:  # a sanitizer build instruments the programs too (Note [Sanitizer build])
        parts += build_flags()
    return parts

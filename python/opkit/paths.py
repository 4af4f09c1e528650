"""Where the installed pieces of opkit live (headers, runtime library, CMake package, built-in ops)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent
INCLUDE_DIR = ROOT / "include"
LIB_DIR = ROOT / "lib"
RUNTIME_LIB = LIB_DIR / "libopkit_rt.so"
CMAKE_DIR = ROOT / "share" / "cmake" / "opkit"
OPS_DIR = ROOT / "ops"  # built-in op specs, op_host library and per-column kernel libraries

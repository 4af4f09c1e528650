"""libopkit_rt's thread-local storage stays small enough to dlopen late (Note [Small TLS] in
runtime/src/core.cpp).

The library is STATIC_TLS (its current-core pointer uses the initial-exec model), so glibc puts its
whole TLS segment in the static surplus it keeps for dlopened libraries, which libraries loaded before
(MindSpore's) share. A 1,664-byte segment failed to load inside MindSpore with "cannot allocate memory
in static TLS block"; the same happens outside it once the optional surplus is cut
(GLIBC_TUNABLES=glibc.rtld.optional_static_tls=256).
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys

from opkit.paths import RUNTIME_LIB

PT_TLS = 7
TLS_BUDGET = 512  # bytes; the segment was 408 when this test was written


def tls_memsz(path: str) -> int:
    """The PT_TLS segment's in-memory size of a 64-bit little-endian ELF file (0: none)."""
    with open(path, "rb") as f:
        head = f.read(64)
        assert head[:4] == b"\x7fELF" and head[4] == 2 and head[5] == 1, f"{path}: not a 64-bit little-endian ELF"
        phoff, = struct.unpack_from("<Q", head, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", table, i * phentsize)
        if p_type == PT_TLS:
            memsz, = struct.unpack_from("<Q", table, i * phentsize + 0x28)
            return memsz
    return 0


def test_tls_segment_within_budget() -> None:
    size = tls_memsz(str(RUNTIME_LIB))
    assert 0 < size <= TLS_BUDGET, (
        f"libopkit_rt's TLS segment is {size} bytes (budget {TLS_BUDGET}): put large thread_locals on the heap "
        "behind a thread_local pointer (Note [Small TLS])")


def test_loads_without_the_optional_static_tls_surplus() -> None:
    env = dict(os.environ, GLIBC_TUNABLES="glibc.rtld.optional_static_tls=0")
    code = ("import numpy as np, opkit.ops as o; "
            "print(o.add_custom(np.ones(8, np.float32), np.ones(8, np.float32))[0])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0 and done.stdout.strip() == "2.0", done.stderr[-2000:]

"""Kernel macros a source defines before the kernel API keep the source's meaning (issue 15, item 4).

Audit of every macro opkit's public headers define (runtime/include): the tiling macros
(GET_TILING_DATA, GET_TILING_DATA_WITH_STRUCT, GET_TILING_DATA_MEMBER, TILING_KEY_IS,
REGISTER_TILING_DEFAULT), the qualifiers (__aicore__, __gm__, __ubuf__, __cbuf__, __ca__, __cb__,
__cc__, __global__) and __CCE_KT_TEST__, ASCENDC_CPU_DEBUG, OPKIT_TILING_TYPE are each defined only
when not defined yet; programs/macro_override.cpp defines the tiling macros and three qualifiers
itself and must build (-Wall) and use its own definitions. DTYPE_<X>, ORIG_DTYPE_<X> and
__CCE_AICORE__ come from the build's -D flags (cmake/OpkitOps.cmake), never from a header.

Run: pytest tests/runtime/test_macro_override.py -q --mode=cpu
"""

from __future__ import annotations

from pathlib import Path

from test_cpu_debug import expect_ok, run


def test_source_macros_win(programs: dict[str, Path]) -> None:
    done = run(programs["macro_override"])
    expect_ok(done)
    assert done.stdout.strip() == "n=48 scale=50 key7=1 member=24 struct=16", done.stdout

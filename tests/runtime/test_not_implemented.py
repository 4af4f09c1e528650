"""An Ascend C API opkit does not implement yet fails at compile time with a message naming it
(Note [Not implemented yet], runtime/include/opkit/not_implemented.h), and only when it is called:
kernels that use implemented APIs, or that define a function of such a name themselves, compile as
before. Each case is a small source compiled with g++ -fsyntax-only and opkit's --cflags.

Run: pytest tests/runtime/test_not_implemented.py -q
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from cpu_programs import opkit_config

pytestmark = pytest.mark.modes("cpu")  # compile-only: nothing runs, so one mode says it all

MESSAGE = "opkit does not implement {} yet; see docs/api-reference.md"

KERNEL = """\
#include "kernel_operator.h"
using namespace AscendC;

extern "C" __global__ __aicore__ void k(GM_ADDR x, GM_ADDR y) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, 1024);
    GlobalTensor<half> xGm;
    xGm.SetGlobalBuffer((__gm__ half*)x, 256);
    LocalTensor<half> a = buf.Get<half>(256);
    LocalTensor<half> b = buf.GetWithOffset<half>(256, 512);
    DataCopy(a, xGm, 256);
    BODY
}
"""


def syntax_check(tmp_path: Path, source: str, name: str = "k.cpp") -> subprocess.CompletedProcess:
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.fail("g++ was not found on PATH: this test compiles kernels against opkit", pytrace=False)
    src = tmp_path / name
    src.write_text(source)
    cmd = [gxx, "-fsyntax-only", "-Wall", str(src), *shlex.split(opkit_config("--cflags"))]
    return subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("call, api", [
    ("Sign(b, a, 256);", "Sign"),
    ("Sign<half>(b, a, 256);", "Sign"),
    ("Sign<half, false>(b, a, 256);", "Sign"),  # a type, then values
    ("AscendC::Broadcast<half, 2, 1>(b, a, nullptr, nullptr);", "Broadcast"),
    ("CastDequant<half, int16_t, float>(b, a, 256);", "CastDequant"),  # three types
    ("DataSyncBarrier<HardEvent::V_S>();", "DataSyncBarrier"),  # a value first
    ("SetMaskCount();", "SetMaskCount"),
], ids=["plain", "type", "type-values", "qualified", "three-types", "value-first", "no-arguments"])
def test_calling_an_api_opkit_lacks_names_it(tmp_path: Path, call: str, api: str) -> None:
    proc = syntax_check(tmp_path, KERNEL.replace("BODY", call))
    assert proc.returncode != 0
    assert f"error: static assertion failed: {MESSAGE.format(api)}" in proc.stderr, proc.stderr
    assert "was not declared in this scope" not in proc.stderr


def test_a_host_query_opkit_lacks_names_it(tmp_path: Path) -> None:
    source = """\
#include "tiling/tiling_api.h"
void Tiling() {
    uint32_t maxValue = 0, minValue = 0;
    AscendC::GetSignMaxMinTmpSize(ge::Shape({1024}), 2, false, maxValue, minValue);
}
"""
    proc = syntax_check(tmp_path, source, "tiling.cpp")
    assert proc.returncode != 0
    assert MESSAGE.format("GetSignMaxMinTmpSize") in proc.stderr, proc.stderr


def test_kernels_that_do_not_call_one_compile_as_before(tmp_path: Path) -> None:
    """Implemented APIs, a kernel's own function named like an unimplemented API (it wins overload
    resolution even when its call needs a conversion), and an unimplemented API in a template that
    is never instantiated."""
    source = KERNEL.replace("using namespace AscendC;\n", """using namespace AscendC;

namespace {
// The kernel's own helpers, named like Ascend C APIs that opkit declares as not implemented.
__aicore__ inline void Sign(const LocalTensor<half>& dst, const LocalTensor<half>& src, int32_t count) {
    Muls(dst, src, half(-1.0f), count);
}
template <typename T>
__aicore__ inline void Fill(const LocalTensor<T>& dst, T value, uint32_t count) { Duplicate(dst, value, count); }
}  // namespace

template <typename T>
__aicore__ inline void NeverInstantiated(const LocalTensor<T>& dst, const LocalTensor<T>& src) {
    Acos(dst, src, 256u);
}
""").replace("BODY", """Add(b, a, a, 256);
    Tanh(b, a, 256u);
    Sign(b, a, sizeof(half) * 128);  // size_t -> int32_t: the kernel's Sign still wins
    Fill(b, half(1.0f), 256u);
    DataCopyPad(xGm, b, DataCopyExtParams(1, 512, 0, 0, 0));""")
    proc = syntax_check(tmp_path, source)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr  # not even a warning

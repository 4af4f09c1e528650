"""The simulated device's memory: the cache of freed blocks (Note [Device memory cache]) and host
memory lent for a call (Note [Lent host memory]), both in runtime/src/acl_memory.cpp, and the Python
side that lends op outputs instead of copying them (opkit.aclnn.DeviceMemory)."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

import opkit
from opkit import aclnn, sanitizers
from opkit.library import _gm_empty

H2D, D2H = 1, 2
BIG = 1 << 20  # cached: at least 64 KiB


@pytest.fixture(scope="module")
def rt():
    return aclnn.declare_lending(aclnn.declare_device(aclnn._runtime()))


def _malloc(rt, size: int) -> int:
    ptr = ctypes.c_void_p()
    assert rt.aclrtMalloc(ctypes.byref(ptr), size, 0) == 0
    return int(ptr.value)


def _error(rt) -> str:
    return rt.aclGetRecentErrMsg().decode()


@pytest.mark.skipif(bool(sanitizers.build_flags()), reason="a sanitizer build keeps no cache, so ASan sees every free")
def test_a_freed_block_is_handed_out_again(rt) -> None:
    p = _malloc(rt, BIG)
    assert rt.aclrtFree(p) == 0
    q = _malloc(rt, BIG - 100)  # within a quarter of the cached block's size
    assert q == p
    assert rt.aclrtFree(q) == 0


def test_a_cached_block_is_not_device_memory(rt) -> None:
    p = _malloc(rt, BIG)
    assert rt.aclrtFree(p) == 0
    src = np.zeros(16, np.uint8)
    assert rt.aclrtMemcpy(p, 16, src.ctypes.data, 16, H2D) != 0
    assert "not device memory" in _error(rt)
    assert rt.aclrtFree(p) != 0 and "freed twice" in _error(rt)


def test_a_reused_block_has_the_new_size(rt) -> None:
    p = _malloc(rt, BIG)
    rt.aclrtFree(p)
    q = _malloc(rt, BIG - 4096)
    src = np.zeros(BIG, np.uint8)
    padded = (BIG - 4096) + 32  # a multiple of 32 already, plus 32 (Note [aclrtMalloc padding])
    assert rt.aclrtMemcpy(q, padded, src.ctypes.data, padded, H2D) == 0
    assert rt.aclrtMemcpy(q, padded + 1, src.ctypes.data, padded + 1, H2D) != 0
    assert f"do not fit in the {padded} bytes" in _error(rt)
    rt.aclrtFree(q)


def test_lent_memory_has_the_padded_size_and_cannot_be_freed(rt) -> None:
    owner = np.zeros(1000 + 512, np.uint8)
    p = owner.ctypes.data
    assert rt.opkitLendDeviceMemory(p, 1000, owner.nbytes) == 0
    src = np.ones(1100, np.uint8)
    assert rt.aclrtMemcpy(p, 1056, src.ctypes.data, 1056, H2D) == 0  # 1000 -> 1024, + 32
    assert rt.aclrtMemcpy(p, 1057, src.ctypes.data, 1057, H2D) != 0
    assert rt.aclrtFree(p) != 0 and "lent by the host" in _error(rt)
    assert rt.opkitLendDeviceMemory(p, 1000, owner.nbytes) == 0  # the same array twice in one call
    assert rt.opkitReturnDeviceMemory(p) == 0
    assert rt.aclrtMemcpy(p, 16, src.ctypes.data, 16, H2D) == 0  # still lent once
    assert rt.opkitReturnDeviceMemory(p) == 0
    assert rt.aclrtMemcpy(p, 16, src.ctypes.data, 16, H2D) != 0
    assert rt.opkitReturnDeviceMemory(p) != 0 and "not lent" in _error(rt)


def test_lending_refuses_too_little_room_and_overlaps(rt) -> None:
    owner = np.zeros(4096, np.uint8)
    p = owner.ctypes.data
    assert rt.opkitLendDeviceMemory(p, 1000, 1040) != 0
    assert "1040 usable bytes, but 1000 bytes of device memory need 1056" in _error(rt)
    assert rt.opkitLendDeviceMemory(p, 1000, owner.nbytes) == 0
    assert rt.opkitLendDeviceMemory(p + 512, 100, 2048) != 0 and "overlaps" in _error(rt)
    assert rt.opkitReturnDeviceMemory(p) == 0


def test_arrays_with_room_past_their_end_are_lent_others_copied(rt) -> None:
    out = _gm_empty([1000], np.dtype(np.float32))  # opkit's own, with room
    small = np.zeros(1000, np.float32)  # malloc gives 4008 bytes of the 4032 needed
    big = np.zeros(1 << 24, np.float32)  # 64 MiB: always an mmap'd chunk, with room to the end of its last page
    borrowed = np.frombuffer(bytearray(4096), np.float32)  # not numpy's memory
    memory = aclnn.DeviceMemory(rt, None, lend=True)
    try:
        assert memory.place(out, copy_in=False) == out.ctypes.data
        assert memory.place(out[1:]) != out.ctypes.data + 4  # a view starting inside is copied
        assert memory.place(small) != small.ctypes.data
        assert memory.place(borrowed) != borrowed.ctypes.data
        lent_big = memory.place(big) == big.ctypes.data
    finally:
        memory.release()
    assert lent_big != bool(sanitizers.build_flags())  # ASan's malloc_usable_size gives no room
    assert rt.opkitReturnDeviceMemory(out.ctypes.data) != 0  # release returned it


def test_chained_calls_and_in_place_reuse_give_numpy_answers() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, 3001).astype(np.float32)
    x0 = x.copy()
    y = opkit.ops.add_custom(x, x)
    z = opkit.ops.add_custom(y, y)  # both inputs lent (the same array twice)
    w = opkit.ops.add_custom(z, x)
    np.testing.assert_array_equal(y, x + x)
    np.testing.assert_array_equal(z, (x + x) + (x + x))
    np.testing.assert_array_equal(w, z + x)
    np.testing.assert_array_equal(x, x0)  # copied in, never written

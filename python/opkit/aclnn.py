"""Calling a built op project's aclnn interface from Python (ctypes over libcust_opapi.so).

Each call makes the ``aclTensor`` handles for the numpy buffers, runs
``aclnn<Op>GetWorkspaceSize`` (tiling) and ``aclnn<Op>`` (the kernel), exactly as a C++ caller does;
ctypes releases the GIL while they run. The argument order follows opkit.aclnn_gen.

The same code drives two runtimes. In this process it is opkit's (``libopkit_rt.so``), where host
memory is GM: arrays with room for aclrtMalloc's padding past their end are lent to the device as
they are, others are copied into aclrtMalloc memory (Note [Lent host memory]). In the child
process of :mod:`opkit.device` it is CANN's (``libascendcl.so`` and ``libnnopbase.so``, the
simulator's or a board's), where every buffer is copied to and from device memory around the call
(:class:`DeviceMemory`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from . import isolation
from . import spec as spec_mod
from .errors import KernelError, TilingError
from .paths import RUNTIME_LIB

ACL_DTYPES = {d.name: d.acl_code for d in spec_mod.DTYPES.values()}  # aclDataType values by dtype name
ACL_FORMAT_ND = 2
_SCALAR = {"int": ctypes.c_int64, "float": ctypes.c_double, "bool": ctypes.c_bool, "string": ctypes.c_char_p,
           "type": ctypes.c_int64, "data_type": ctypes.c_int64}
_ARRAY = {"list_int": ("aclCreateIntArray", "aclDestroyIntArray", ctypes.c_int64),
          "list_float": ("aclCreateFloatArray", "aclDestroyFloatArray", ctypes.c_float),
          "list_bool": ("aclCreateBoolArray", "aclDestroyBoolArray", ctypes.c_bool)}


class Runtime:
    """The acl and aclnn-base functions, looked up in the first of ``libs`` that has each."""

    def __init__(self, libs: list[ctypes.CDLL]):
        self._libs = libs

    def __getattr__(self, name: str) -> Any:
        for lib in self._libs:
            try:
                fn = getattr(lib, name)
            except AttributeError:
                continue
            setattr(self, name, fn)
            return fn
        raise AttributeError(f"no library of this runtime exports {name}")


def _declare(rt: Any) -> Any:
    rt.aclCreateTensor.restype = ctypes.c_void_p
    rt.aclCreateTensor.argtypes = [ctypes.POINTER(ctypes.c_int64), ctypes.c_uint64, ctypes.c_int, ctypes.c_void_p,
                                   ctypes.c_int64, ctypes.c_int, ctypes.POINTER(ctypes.c_int64), ctypes.c_uint64,
                                   ctypes.c_void_p]
    rt.aclDestroyTensor.argtypes = [ctypes.c_void_p]
    for create, destroy, ctype in _ARRAY.values():
        getattr(rt, create).restype = ctypes.c_void_p
        getattr(rt, create).argtypes = [ctypes.POINTER(ctype), ctypes.c_uint64]
        getattr(rt, destroy).argtypes = [ctypes.c_void_p]
    rt.aclGetRecentErrMsg.restype = ctypes.c_char_p
    return rt


def declare_device(rt: Any) -> Any:
    """The acl runtime calls a caller of CANN's runtime makes around an aclnn call (the device child)."""
    _declare(rt)
    rt.aclInit.argtypes = [ctypes.c_char_p]
    rt.aclrtSetDevice.argtypes = [ctypes.c_int32]
    rt.aclrtResetDevice.argtypes = [ctypes.c_int32]
    rt.aclrtCreateStream.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    rt.aclrtDestroyStream.argtypes = [ctypes.c_void_p]
    rt.aclrtSynchronizeStream.argtypes = [ctypes.c_void_p]
    rt.aclrtMalloc.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t, ctypes.c_int]
    rt.aclrtMemcpy.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    rt.aclrtFree.argtypes = [ctypes.c_void_p]
    return rt


def declare_lending(rt: Any) -> Any:
    """opkit's runtime only: lending host memory to the device (Note [Lent host memory])."""
    rt.opkitLendDeviceMemory.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
    rt.opkitReturnDeviceMemory.argtypes = [ctypes.c_void_p]
    return rt


def acl_check(rt: Any, rc: int, what: str) -> None:
    """Raise KernelError with acl's own message when an acl runtime call returned an error."""
    if rc != 0:
        msg = rt.aclGetRecentErrMsg()
        raise KernelError(f"{what} failed with acl error {rc}: {msg.decode() if msg else 'no message'}")


def _runtime() -> ctypes.CDLL:
    return _declare(ctypes.CDLL(str(RUNTIME_LIB)))


# Note [Lent host memory] (runtime/src/acl_memory.cpp): an array may be lent to opkit's device instead
# of copied when the bytes past its end up to its padded size are its own. Two kinds qualify:
# - buffers opkit allocated with that room (library._gm_empty: outputs, also in shared memory), held
#   weakly here by id (a stale id never matches, since the owner itself is compared), or known by
#   their base (_core.gm_room: Note [Output memory]);
# - arrays that own memory from numpy's default allocator, i.e. from malloc, whose real room
#   malloc_usable_size tells (a big array's mmap'd chunk reaches to the end of its last page). Under
#   AddressSanitizer it tells the size asked for, so such inputs are copied there.
_LENDABLE: weakref.WeakValueDictionary[int, np.ndarray] = weakref.WeakValueDictionary()


def mark_lendable(owner: np.ndarray) -> None:
    """``owner`` (a base array, not a view) is opkit's own memory, with room for device padding."""
    _LENDABLE[id(owner)] = owner


def _malloc_room() -> tuple[Any, Any] | None:
    """(numpy's get_handler_name, libc's malloc_usable_size), or None where either is missing."""
    try:
        from numpy._core.multiarray import get_handler_name
    except ImportError:
        try:
            from numpy.core.multiarray import get_handler_name
        except ImportError:
            return None
    try:
        usable = ctypes.CDLL(None).malloc_usable_size
    except (AttributeError, OSError):
        return None
    usable.restype, usable.argtypes = ctypes.c_size_t, [ctypes.c_void_p]
    return get_handler_name, usable


_MALLOC_ROOM = _malloc_room()


def _lendable_bytes(a: np.ndarray) -> int:
    """Bytes from ``a``'s start that may be lent to the device, or 0 when ``a`` must be copied."""
    owner = a
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if not a.flags.c_contiguous or a.nbytes == 0 or a.ctypes.data != owner.ctypes.data:
        return 0  # (a view that starts inside its buffer is copied: lent blocks may not overlap)
    if _LENDABLE.get(id(owner)) is owner:
        return owner.nbytes
    from . import _core

    room = _core.gm_room(owner)  # opkit's output memory (Note [Output memory])
    if room:
        return room
    if _MALLOC_ROOM is not None and owner.flags.owndata and _MALLOC_ROOM[0](owner) == "default_allocator":
        return int(_MALLOC_ROOM[1](owner.ctypes.data))
    return 0


class DeviceMemory:
    """Each buffer is copied into ``aclrtMalloc`` memory and written outputs back after
    ``aclrtSynchronizeStream``: on CANN's runtime, and on opkit's, where this gives a call's tensors the
    padding CANN's framework gives them (Note [aclrtMalloc padding] in acl/acl.h: a kernel may touch
    the bytes up to the next multiple of 32 plus 32 more, as the official samples' tilings do).

    With ``lend`` (opkit's runtime only), arrays that have that room (opkit's outputs, and most arrays
    numpy allocated) are lent to the device as they are, with no copy either way (Note [Lent host
    memory]); outputs are never copied in, since the kernel writes them."""

    H2D, D2H = 1, 2  # aclrtMemcpyKind

    def __init__(self, rt: Any, stream: Any, lend: bool = False):  # rt: declared by declare_device
        self._rt, self._stream, self._lend = rt, stream, lend
        self._buffers: dict[int, tuple[int, np.ndarray]] = {}  # id(array) -> (device pointer, array)
        self._lent: list[int] = []
        self._extra: list[int] = []  # workspaces

    def _malloc(self, size: int) -> int:
        ptr = ctypes.c_void_p()
        acl_check(self._rt, self._rt.aclrtMalloc(ctypes.byref(ptr), max(size, 1), 0), f"aclrtMalloc({size})")
        return int(ptr.value)

    def place(self, a: np.ndarray, copy_in: bool = True) -> int:
        """``a``'s device address; ``copy_in=False`` for an output the kernel writes before reading."""
        room = _lendable_bytes(a) if self._lend else 0
        if room and self._rt.opkitLendDeviceMemory(a.ctypes.data, a.nbytes, room) == 0:
            self._lent.append(a.ctypes.data)
            return a.ctypes.data
        ptr = self._malloc(a.nbytes)
        self._buffers[id(a)] = (ptr, a)
        if a.nbytes and copy_in:
            acl_check(self._rt, self._rt.aclrtMemcpy(ptr, a.nbytes, a.ctypes.data, a.nbytes, self.H2D), "aclrtMemcpy to device")
        return ptr

    def workspace(self, size: int) -> tuple[Any, Any]:
        if not size:
            return None, None
        ptr = self._malloc(size)
        self._extra.append(ptr)
        return ptr, None

    def finish(self, written: list[np.ndarray]) -> None:
        acl_check(self._rt, self._rt.aclrtSynchronizeStream(self._stream), "aclrtSynchronizeStream")
        for a in written:
            placed = self._buffers.get(id(a))
            if placed is not None and a.nbytes:  # not lent: copy the result back
                acl_check(self._rt, self._rt.aclrtMemcpy(a.ctypes.data, a.nbytes, placed[0], a.nbytes, self.D2H),
                          "aclrtMemcpy from device")

    def release(self) -> None:
        for ptr in [p for p, _ in self._buffers.values()] + self._extra:
            self._rt.aclrtFree(ptr)
        for ptr in self._lent:
            self._rt.opkitReturnDeviceMemory(ptr)
        self._buffers.clear()
        self._lent.clear()
        self._extra.clear()


class _Said:
    text = ""


@contextlib.contextmanager
def _stderr_of_tiling() -> Iterator[_Said]:
    """In an isolated child (one thread, so fd 2 is ours alone), keep what the TilingFunc writes to
    stderr: a tiling that fails usually says why there, and the TilingError should carry it. The text
    is passed on to the real stderr as well. Outside a child this captures nothing (other threads
    share fd 2)."""
    said = _Said()
    if not isolation.in_child():
        yield said
        return
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as f:
        os.dup2(f.fileno(), 2)
        try:
            yield said
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            f.seek(0)
            data = f.read()
            if data:
                os.write(2, data)
            said.text = data.decode(errors="replace").strip()[-2000:]


class AclnnLibrary:
    """One project's ``libcust_opapi.so``; ``call`` runs an op on numpy arrays."""

    def __init__(self, root: Path):
        from . import _core

        _core.set_acl_quiet(True)
        self._rt = declare_lending(declare_device(_runtime()))
        lib = root / "op_api" / "lib" / "libcust_opapi.so"
        self._api = ctypes.CDLL(str(lib))  # loads the op_host library with it (its OP_ADDs run)
        self.scope = _core.scope_of(str(root / "op_impl" / "lib"))
        self._fns: dict[str, tuple[Any, Any]] = {}

    @classmethod
    def on(cls, api: ctypes.CDLL, rt: Any) -> AclnnLibrary:
        """An op library already loaded (``api``) on another acl runtime (``rt``, declared by
        :func:`declare_device`: CANN's, in the device child process)."""
        self = cls.__new__(cls)
        self._rt, self._api, self.scope, self._fns = rt, api, None, {}
        return self

    def _functions(self, op: spec_mod.OpSpec) -> tuple[Any, Any]:
        if op.op_type not in self._fns:
            prepare = getattr(self._api, f"aclnn{op.op_type}GetWorkspaceSize")
            n_tensors = len(op.inputs) + len([o for o in op.outputs if o.name not in {t.name for t in op.inputs}])
            attr_types = [_SCALAR.get(a.type, ctypes.c_void_p) for a in op.attrs]
            prepare.argtypes = ([ctypes.c_void_p] * len(op.inputs) + attr_types
                                + [ctypes.c_void_p] * (n_tensors - len(op.inputs))
                                + [ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_void_p)])
            prepare.restype = ctypes.c_int32
            launch = getattr(self._api, f"aclnn{op.op_type}")
            launch.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_void_p]
            launch.restype = ctypes.c_int32
            self._fns[op.op_type] = (prepare, launch)
        return self._fns[op.op_type]

    def _tensor(self, a: np.ndarray, memory: DeviceMemory, copy_in: bool = True) -> int:
        dims = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
        # row-major strides in elements, as aclCreateTensor takes them (callers pass C-contiguous arrays;
        # numpy's own strides of an empty or length-1 axis are arbitrary)
        steps = [1] * a.ndim
        for i in range(a.ndim - 2, -1, -1):
            steps[i] = steps[i + 1] * a.shape[i + 1]
        strides = (ctypes.c_int64 * max(a.ndim, 1))(*steps)
        t = self._rt.aclCreateTensor(dims, a.ndim, ACL_DTYPES[spec_mod.dtype_name(a.dtype)], strides, 0, ACL_FORMAT_ND,
                                     dims, a.ndim, memory.place(a, copy_in))
        if not t:
            raise KernelError(self._error())
        return t

    def _attr(self, kind: str, value: Any, made: list) -> Any:
        if kind in _ARRAY:
            create, destroy, ctype = _ARRAY[kind]
            arr = (ctype * max(len(value), 1))(*value)
            handle = getattr(self._rt, create)(arr, len(value))
            made.append((destroy, handle))
            return handle
        if kind == "string":
            return str(value).encode()
        if kind in ("type", "data_type"):
            return ACL_DTYPES[spec_mod.dtype(value).name]
        return value

    def _error(self) -> str:
        msg = self._rt.aclGetRecentErrMsg()
        return msg.decode() if msg else "unknown aclnn error"

    def call(self, op: spec_mod.OpSpec, inputs: list[np.ndarray], outputs: list[np.ndarray],
             attrs: dict[str, Any], memory: DeviceMemory | None = None, stream: Any = None) -> None:
        """Run ``op``; ``outputs`` (ref outputs are the input arrays themselves) hold the results after."""
        memory = memory or DeviceMemory(self._rt, None, lend=True)
        prepare, launch = self._functions(op)
        made: list = []
        tensors = []
        try:
            args = []
            for a in inputs:
                if a is None:  # an absent optional input
                    args.append(None)
                    continue
                tensors.append(self._tensor(a, memory))
                args.append(tensors[-1])
            args += [self._attr(a.type, attrs[a.name], made) for a in op.attrs]
            ref = {t.name for t in op.inputs}
            for o, arr in zip(op.outputs, outputs):
                if o.name not in ref:
                    tensors.append(self._tensor(arr, memory, copy_in=False))
                    args.append(tensors[-1])
            workspace_size = ctypes.c_uint64(0)
            executor = ctypes.c_void_p()
            isolation.phase(f"{op.op_type}'s TilingFunc")
            with _stderr_of_tiling() as said:
                status = prepare(*args, ctypes.byref(workspace_size), ctypes.byref(executor))
            if status != 0:
                reason = said.text
                raise TilingError(self._error() + (f"; the TilingFunc said: {reason}" if reason else ""))
            isolation.phase("the kernel")
            ws_ptr, _workspace = memory.workspace(workspace_size.value)
            if launch(ws_ptr, workspace_size.value, executor, stream) != 0:
                raise KernelError(self._error())
            memory.finish(outputs)
        finally:
            for t in tensors:
                self._rt.aclDestroyTensor(t)
            for destroy, handle in made:
                getattr(self._rt, destroy)(handle)
            memory.release()

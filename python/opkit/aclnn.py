"""Calling a built op project's aclnn interface from Python (ctypes over libcust_opapi.so).

Each call makes the ``aclTensor`` handles for the numpy buffers, runs
``aclnn<Op>GetWorkspaceSize`` (tiling) and ``aclnn<Op>`` (the kernel), exactly as a C++ caller does;
ctypes releases the GIL while they run. The argument order follows opkit.aclnn_gen.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any

import numpy as np

from . import spec as spec_mod
from .errors import KernelError, TilingError
from .paths import RUNTIME_LIB

# aclDataType values (acl/acl.h)
ACL_DTYPES = {"float32": 0, "float16": 1, "int8": 2, "int32": 3, "uint8": 4, "int16": 6, "uint16": 7,
              "uint32": 8, "int64": 9, "uint64": 10, "float64": 11, "bool": 12, "bfloat16": 27}
ACL_FORMAT_ND = 2
_SCALAR = {"int": ctypes.c_int64, "float": ctypes.c_double, "bool": ctypes.c_bool, "string": ctypes.c_char_p,
           "type": ctypes.c_int64, "data_type": ctypes.c_int64}
_ARRAY = {"list_int": ("aclCreateIntArray", "aclDestroyIntArray", ctypes.c_int64),
          "list_float": ("aclCreateFloatArray", "aclDestroyFloatArray", ctypes.c_float),
          "list_bool": ("aclCreateBoolArray", "aclDestroyBoolArray", ctypes.c_bool)}


def _runtime() -> ctypes.CDLL:
    rt = ctypes.CDLL(str(RUNTIME_LIB))
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


class AclnnLibrary:
    """One project's ``libcust_opapi.so``; ``call`` runs an op on numpy arrays."""

    def __init__(self, root: Path):
        from . import _core

        _core.set_acl_quiet(True)
        self._rt = _runtime()
        lib = root / "op_api" / "lib" / "libcust_opapi.so"
        self._api = ctypes.CDLL(str(lib))  # loads the op_host library with it (its OP_ADDs run)
        self.scope = _core.scope_of(str(root / "op_impl" / "lib"))
        self._fns: dict[str, tuple[Any, Any]] = {}

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

    def _tensor(self, a: np.ndarray) -> int:
        dims = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
        t = self._rt.aclCreateTensor(dims, a.ndim, ACL_DTYPES[spec_mod.dtype_name(a.dtype)], None, 0, ACL_FORMAT_ND, dims, a.ndim,
                                     a.ctypes.data)
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
             attrs: dict[str, Any]) -> None:
        prepare, launch = self._functions(op)
        made: list = []
        tensors = []
        try:
            args = []
            for a in inputs:
                if a is None:  # an absent optional input
                    args.append(None)
                    continue
                tensors.append(self._tensor(a))
                args.append(tensors[-1])
            args += [self._attr(a.type, attrs[a.name], made) for a in op.attrs]
            ref = {t.name for t in op.inputs}
            for o, arr in zip(op.outputs, outputs):
                if o.name not in ref:
                    tensors.append(self._tensor(arr))
                    args.append(tensors[-1])
            workspace_size = ctypes.c_uint64(0)
            executor = ctypes.c_void_p()
            if prepare(*args, ctypes.byref(workspace_size), ctypes.byref(executor)) != 0:
                raise TilingError(self._error())
            workspace = np.empty(workspace_size.value, np.uint8) if workspace_size.value else None
            ws_ptr = workspace.ctypes.data if workspace is not None else None
            if launch(ws_ptr, workspace_size.value, executor, None) != 0:
                raise KernelError(self._error())
        finally:
            for t in tensors:
                self._rt.aclDestroyTensor(t)
            for destroy, handle in made:
                getattr(self._rt, destroy)(handle)

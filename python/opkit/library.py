"""Calling built ops from Python: one ``OpLibrary`` per built op project.

A project's build leaves its specs, its op_host library (whose ``OP_ADD`` registrations load with
it) and one kernel library per dtype column in one directory (cmake/OpkitOps.cmake). Calling an op
runs aclnn's two phases on the software AI Core: ``prepare`` (dtype column, InferShape, TilingFunc)
and ``execute`` (the column's kernel with the tiling blob), the same path a C++ caller takes.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import device, isolation, simulator
from . import spec as spec_mod
from .aclnn import mark_lendable
from .errors import KernelError, OpkitError, TilingError

try:
    import ml_dtypes

    _BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - ml_dtypes is a dependency
    _BF16 = None


def _np_dtype(name: str) -> np.dtype:
    if name == "bfloat16":
        if _BF16 is None:
            raise OpkitError("bfloat16 needs the ml_dtypes package: pip install ml_dtypes")
        return _BF16
    return np.dtype(name)


# aclrtMalloc hands out whole 512-byte-aligned blocks, and kernels written for the NPU rely on it:
# the official samples round lengths up to 32 bytes and write the padding. Outputs get the same
# slack here so such a kernel cannot scribble over the Python heap.
_GM_SLACK = 512


def _gm_empty(shape: list[int], dtype: np.dtype, shared: bool = False) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    pad = -(-(n * dtype.itemsize + _GM_SLACK) // dtype.itemsize)
    if shared:  # Note: see opkit.isolation; the child process writes it
        owner = isolation.shared_empty(pad * dtype.itemsize)
        mark_lendable(owner)  # Note [Lent host memory]: passed to the device without a copy
        return owner.view(dtype)[:n].reshape(shape)
    from . import _core  # Note [Output memory] (runtime/src/acl_memory.cpp): lendable by its base

    return _core.gm_empty(pad * dtype.itemsize).view(dtype)[:n].reshape(shape)


def _shared_copy(a: np.ndarray) -> np.ndarray:
    out = _gm_empty(list(a.shape), a.dtype, shared=True)
    np.copyto(out, a)
    return out


class Op:
    """A callable op: positional inputs (numpy arrays), attributes as keywords.

    >>> import numpy as np, opkit
    >>> opkit.ops.addcdiv_custom(np.ones(2, np.float32), np.ones(2, np.float32), np.full(2, 2, np.float32), value=3.0)
    array([2.5, 2.5], dtype=float32)
    """

    def __init__(self, library: OpLibrary, op: spec_mod.OpSpec):
        import keyword

        self._lib = library
        self.spec = op
        # An op's own checks of how its inputs fit together (by spec name: inputs and attrs as values),
        # run after the call binds; the built-in ops set theirs in opkit.ops.
        self.check: Any = None
        self.__name__ = op.name
        # Python names for the spec's names: a keyword gets a trailing "_" (`in` -> `in_`); opkit's own
        # SoC keyword is `soc` unless the op uses that name itself (then `opkit_soc`).
        taken = {t.name for t in op.inputs} | {a.name for a in op.attrs}
        self._py = {n: n + "_" if keyword.iskeyword(n) else n for n in taken}
        self._soc_kw = "opkit_soc" if "soc" in taken else "soc"
        # Optional inputs take a default of None only when no required input follows them (Python's rule).
        last_required = max((i for i, t in enumerate(op.inputs) if t.param_type != "optional"), default=-1)
        params = [inspect.Parameter(self._py[t.name], inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                    default=None if t.param_type == "optional" and i > last_required
                                    else inspect.Parameter.empty)
                  for i, t in enumerate(op.inputs)]
        params += [inspect.Parameter(self._py[a.name], inspect.Parameter.KEYWORD_ONLY,
                                     default=inspect.Parameter.empty if a.required else a.default)
                   for a in op.attrs]
        params.append(inspect.Parameter(self._soc_kw, inspect.Parameter.KEYWORD_ONLY, default=None))
        self.__signature__ = inspect.Signature(params)
        self._accepts = {t.name: sorted({d.name for d in t.dtypes}) for t in op.inputs}
        ins = ", ".join(t.name for t in op.inputs)
        self.__doc__ = (f"{op.op_type}({ins}) on the software AI Core. dtype columns: "
                        + "; ".join("(" + ", ".join(d.name for d in col.values()) + ")" for col in op.columns))
        self._direct = library._direct_op(op, self._py)

    def __repr__(self) -> str:
        return f"<opkit op {self.spec.name}{self.__signature__}>"

    def __call__(self, *args: Any, **kwargs: Any) -> np.ndarray | tuple[np.ndarray, ...]:
        direct = self._direct  # Note [Direct calls] (runtime/src/binding/direct_call.cpp)
        if direct is not None and self.check is None and not isolation.enabled() and device.active() is None:
            out = direct(args, kwargs)
            if out is not None:
                return out
        try:
            bound = self.__signature__.bind(*args, **kwargs)
        except TypeError as e:
            raise OpkitError(f"{self.spec.name}: {e}") from None
        bound.apply_defaults()
        values = bound.arguments
        if self.check is not None:
            self.check({name: values[py] for name, py in self._py.items()})
        inputs = []
        for t in self.spec.inputs:
            value = values[self._py[t.name]]
            if t.param_type == "dynamic":
                raise OpkitError(f"{self.spec.name}: input '{t.name}' is dynamic (a list of tensors); opkit does not "
                                 "run dynamic inputs yet")
            inputs.append(None if value is None and t.param_type == "optional" else self._check_input(t.name, value))
        attrs = {a.name: self._check_attr(a, values[self._py[a.name]]) for a in self.spec.attrs}
        return self._lib.run(self.spec, inputs, attrs, values[self._soc_kw])

    def _check_attr(self, attr: spec_mod.Attr, value: Any) -> Any:
        import numbers

        def is_int(v: Any) -> bool:
            return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))

        def is_float(v: Any) -> bool:
            return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))

        checks = {"int": is_int, "float": is_float, "bool": lambda v: isinstance(v, (bool, np.bool_)),
                  "string": lambda v: isinstance(v, str), "type": lambda v: isinstance(v, str),
                  "data_type": lambda v: isinstance(v, str)}
        kind = attr.type
        if kind.startswith("list_") and kind[5:] in checks:
            ok = isinstance(value, (list, tuple)) and all(checks[kind[5:]](v) for v in value)
            converted = [int(v) if kind == "list_int" else float(v) if kind == "list_float" else
                         bool(v) if kind == "list_bool" else v for v in value] \
                if ok else value
        elif kind in checks:
            ok = checks[kind](value)
            converted = int(value) if kind == "int" and ok else float(value) if kind == "float" and ok else \
                bool(value) if kind == "bool" and ok else value
        else:
            raise OpkitError(f"{self.spec.name}: attr '{attr.name}' has type {kind}, which opkit cannot pass yet")
        if not ok:
            raise OpkitError(f"{self.spec.name}: attr '{attr.name}' must be a {kind.replace('_', ' of ')}, got {value!r}")
        return converted

    def _check_input(self, name: str, value: Any) -> np.ndarray:
        where = f"{self.spec.name}: input '{name}'"
        if not isinstance(value, np.ndarray):
            raise OpkitError(f"{where} must be a numpy array, got {type(value).__name__}; "
                             "wrap it with np.asarray(..., dtype=...)")
        if not value.flags.c_contiguous:
            raise OpkitError(f"{where} is not C-contiguous (strides {value.strides}); "
                             "pass np.ascontiguousarray(...)")
        if spec_mod.dtype_name(value.dtype) not in self._accepts[name]:
            raise OpkitError(f"{where} has dtype {value.dtype}; {self.spec.op_type} takes "
                             f"{', '.join(self._accepts[name])}")
        return value


@dataclass(frozen=True)
class _Inferred:
    out_shapes: list
    out_dtypes: list


class OpLibrary:
    """The ops of one built op project, as attributes: ``lib.add_custom(x, y)``.

    Calls go through the project's aclnn library (opkit.aclnn), the path C++ callers take; a plain call
    (arrays in, cpu mode, in this process) runs the same two phases from C++ instead (Note [Direct
    calls] in runtime/src/binding/direct_call.cpp).
    """

    def __init__(self, root: Path, source: Path | None = None):
        from . import _core
        from .aclnn import AclnnLibrary

        self._core = _core
        self.dir = Path(root)  # the layout of cmake/OpkitOps.cmake
        self.source = Path(source) if source is not None else None  # the op project (what CANN builds)
        if not (self.dir / "op_api" / "lib" / "libcust_opapi.so").is_file():
            raise OpkitError(f"{self.dir}: no op_api/lib/libcust_opapi.so; build the project first "
                             "(python -m opkit build DIR)")
        self._aclnn = AclnnLibrary(self.dir)
        self._ops: dict[str, Op] = {}
        for path in sorted(self.dir.glob("*.json")):
            for op in spec_mod.load(path):
                self._ops[op.name] = Op(self, op)
        # Ops are instance attributes: an op named like one of this class's methods (`run`, `names`)
        # is what `lib.<name>` gives; the methods stay reachable through the class.
        self.__dict__.update(self._ops)

    def _direct_op(self, op: spec_mod.OpSpec, py_names: dict[str, str]) -> Any:
        """The C++ call of ``op`` for the plain case (Note [Direct calls]), or None where ``op`` always
        needs the ctypes path (a dynamic input, an attr that is not a scalar)."""
        from .aclnn import _MALLOC_ROOM, ACL_DTYPES

        if any(t.param_type == "dynamic" for t in op.inputs) or \
                any(a.type not in ("int", "float", "bool", "string") for a in op.attrs):
            return None
        known = {}
        for name, code in ACL_DTYPES.items():
            try:
                known[name] = (_np_dtype(name), code)
            except (TypeError, OpkitError):
                continue
        inputs = [(t.param_type == "optional", [known[d.name] for d in t.dtypes if d.name in known]) for t in op.inputs]
        attrs = [(a.name, py_names[a.name], a.type, a.required, a.default) for a in op.attrs]
        index = {t.name: i for i, t in enumerate(op.inputs)}
        refs = [index.get(o.name, -1) for o in op.outputs]
        return self._core.DirectOp(str(self.dir), op.op_type, inputs, attrs, refs,
                                   {code: dt for dt, code in known.values()},
                                   _MALLOC_ROOM[0] if _MALLOC_ROOM is not None else None)

    def __getattr__(self, name: str) -> Op:
        ops = self.__dict__.get("_ops", {})
        if name in ops:
            return ops[name]
        raise AttributeError(f"no op {name!r} here (available: {', '.join(sorted(ops))})")

    def __dir__(self) -> list[str]:
        return sorted(self._ops) + ["names", "run"]

    def names(self) -> list[str]:
        return sorted(self._ops)

    def run(self, op: spec_mod.OpSpec, inputs: list[np.ndarray], attrs: dict[str, Any],
            soc: str | None = None) -> np.ndarray | tuple[np.ndarray, ...]:
        desc = [((), "absent") if a is None else (a.shape, spec_mod.dtype_name(a.dtype)) for a in inputs]
        self._check_soc(op, soc)
        on_cann = device.active() is not None  # CANN's simulator or an NPU: always in a child process
        isolate = isolation.enabled() and not on_cann
        shapes = self._infer(op, desc, attrs, soc, isolate)
        by_name = {t.name: a for t, a in zip(op.inputs, inputs)}
        outputs = [by_name[o.name] if o.name in by_name else _gm_empty(shape, _np_dtype(dt), isolate)
                   for o, shape, dt in zip(op.outputs, shapes.out_shapes, shapes.out_dtypes)]
        if on_cann:
            device.run(self, op, inputs, outputs, attrs, soc)
            return outputs[0] if len(outputs) == 1 else tuple(outputs)
        if isolate:
            # A ref output is an input the kernel writes: give the child a shared copy of it.
            refs = {o.name: (by_name[o.name], _shared_copy(by_name[o.name])) for o in op.outputs if o.name in by_name}
            call_inputs = [refs[t.name][1] if t.name in refs else a for t, a in zip(op.inputs, inputs)]
            call_outputs = [refs[o.name][1] if o.name in refs else arr for o, arr in zip(op.outputs, outputs)]
            sim, error = isolation.run(lambda: self._call(op, call_inputs, call_outputs, attrs, soc), op.name)
            for original, shared in refs.values():
                np.copyto(original, shared)
        else:
            sim, error = self._call(op, inputs, outputs, attrs, soc)
        simulator.record(sim)  # raises CheckError when the model found anything (a fatal error included)
        if error is not None:
            raise KernelError(error)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def _infer(self, op: spec_mod.OpSpec, desc: list, attrs: dict[str, Any], soc: str | None,
               isolate: bool) -> Any:
        """The outputs' shapes and dtypes from the op's InferShape (Note [Crash phases]: in a child of its
        own when isolated, since InferShape is user code that can crash too)."""
        def infer() -> tuple[list, list]:
            try:
                r = self._core.infer(op.op_type, desc, attrs, soc, self._aclnn.scope)
            except KernelError as e:
                raise TilingError(str(e)) from None
            return [tuple(s) for s in r.out_shapes], list(r.out_dtypes)

        shapes, dtypes = isolation.run(infer, op.name, f"{op.op_type}'s InferShape") if isolate else infer()
        return _Inferred(shapes, dtypes)

    def _check_soc(self, op: spec_mod.OpSpec, soc: object) -> None:
        """A bad ``soc=`` is the caller's error, named as such (not a ValueError from the runtime)."""
        if soc is None:
            return
        if not isinstance(soc, str):
            raise OpkitError(f"{op.name}: soc={soc!r}: expected a SoC name (str) such as 'Ascend910B1', "
                             f"found {type(soc).__name__}; `python -m opkit socs` lists them")
        try:
            self._core.soc(soc)
        except ValueError as e:
            raise OpkitError(f"{op.name}: soc={soc!r}: {e}") from None

    def _call(self, op: spec_mod.OpSpec, inputs: list, outputs: list, attrs: dict[str, Any],
              soc: str | None) -> tuple[dict | None, str | None]:
        """Run the op: (its npu_simulator simulation or None, the kernel error or None).

        Plain data either way, so it crosses the isolation boundary and the parent records the
        simulation (and raises) exactly as an in-process call would.
        """
        self._core.set_thread_soc(soc)
        error = None
        try:
            self._aclnn.call(op, inputs, outputs, attrs)
        except KernelError as e:
            error = str(e)
        finally:
            self._core.set_thread_soc(None)
        return (simulator.collect() if simulator.enabled() else None), error

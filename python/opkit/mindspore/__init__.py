"""opkit ops inside MindSpore: ``custom(op)`` gives a ``mindspore.ops.Custom`` running the op's kernel.

>>> import numpy as np, mindspore as ms, opkit                      # doctest: +SKIP
>>> from opkit.mindspore import custom                               # doctest: +SKIP
>>> add = custom(opkit.ops.add_custom)                               # doctest: +SKIP
>>> add(ms.Tensor(np.ones(4, np.float32)), ms.Tensor(np.ones(4, np.float32)))  # doctest: +SKIP
Tensor(shape=[4], dtype=Float32, value= [ 2.00000000e+00,  2.00000000e+00,  2.00000000e+00,  2.00000000e+00])

On CPU the Custom is ``func_type="aot"`` over a shim library opkit generates and builds with ``-O2``
into its cache (:mod:`opkit.mindspore.shim`): the kernel runs on opkit's software AI Core through the
op's aclnn interface, with no Python in the call, in PyNative and GRAPH_MODE. Output shapes and
dtypes come from the op's own InferShape/InferDataType; attrs are Custom attrs; the op's own errors
and, under npu_simulator mode (``OPKIT_MODE=npu_simulator`` or :func:`opkit.simulator.enable`), the
model's findings raise ``RuntimeError`` inside MindSpore with opkit's message. Gradients come from
``bprop=`` or from the op project's ``mindspore_grad.py`` (:mod:`opkit.mindspore.grads`). On Ascend
the same call takes MindSpore's aclnn route for an installed package (:mod:`opkit.mindspore.ascend`).

Needs ``pip install "ascend-opkit[mindspore]"`` (MindSpore 2.10 with numpy<2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

from ..errors import OpkitError

INSTALL = 'pip install "ascend-opkit[mindspore]"'
_SUPPORTED_ATTRS = ("int", "float", "bool", "string", "list_int", "list_float")
_REG_ATTR_TYPES = {"int": "int", "float": "float", "bool": "bool", "string": "str", "list_int": "listInt",
                   "list_float": "listFloat"}
_made: dict[tuple, Any] = {}  # (shim path, attrs, bprop) -> Custom: one primitive per distinct call


def _mindspore() -> Any:
    try:
        import mindspore
    except ImportError as e:
        raise OpkitError(f"opkit.mindspore needs MindSpore ({e}); install it with: {INSTALL}") from None
    return mindspore


def __getattr__(name: str) -> Any:
    if name in ("LoRADense", "fuse_lora", "mindpet_lora"):  # imported on first use: they import MindSpore
        from . import lora

        return getattr(lora, name)
    raise AttributeError(f"module 'opkit.mindspore' has no attribute {name!r}")


def ms_dtype(name: str) -> Any:
    """The MindSpore dtype of an opkit dtype name (``float16`` -> ``mindspore.float16``)."""
    ms = _mindspore()
    return ms.bool_ if name == "bool" else getattr(ms, name)


def dtype_name(dtype: Any) -> str:
    """The opkit dtype name of a MindSpore dtype or tensor type (``Tensor[Float32]`` -> ``float32``)."""
    if hasattr(dtype, "element_type"):
        dtype = dtype.element_type()
    for name in ("float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "uint16",
                 "uint32", "uint64", "bool"):
        if dtype == ms_dtype(name):
            return name
    raise OpkitError(f"MindSpore dtype {dtype} has no Ascend equivalent opkit can pass")


def _present(op: Any, optional: Any) -> tuple[str, ...]:
    """The inputs the Custom takes, in the spec's order: every required one and the optional ones named."""
    spec = op.spec
    where = f"opkit.mindspore.custom({spec.name})"
    names = (optional,) if isinstance(optional, str) else tuple(optional)
    kinds = {t.name: t.param_type for t in spec.inputs}
    for name in names:
        if kinds.get(name) != "optional":
            have = [t.name for t in spec.inputs if t.param_type == "optional"]
            what = "not an input" if name not in kinds else f"a {kinds[name]} input"
            raise OpkitError(f"{where}: optional={name!r} is {what} of the op; its optional inputs are "
                             f"{', '.join(have) or 'none'}")
    for t in spec.inputs:
        if t.param_type == "dynamic":
            raise OpkitError(f"{where}: input '{t.name}' is dynamic (a list of tensors); custom() passes single "
                             "tensors only (make a variant of the op with a fixed number of inputs)")
    return tuple(t.name for t in spec.inputs if t.param_type == "required" or t.name in names)


def _check_op(op: Any) -> None:
    spec = op.spec
    where = f"opkit.mindspore.custom({spec.name})"
    ins = {t.name for t in spec.inputs}
    for o in spec.outputs:
        if o.name in ins:
            raise OpkitError(f"{where}: output '{o.name}' is an input the kernel updates in place (a ref output); "
                             "MindSpore Custom ops have no in-place outputs, so custom() does not take it")
        if o.param_type != "required":
            raise OpkitError(f"{where}: output '{o.name}' is {o.param_type}; custom() passes required outputs only")
    for a in spec.attrs:
        if a.type not in _SUPPORTED_ATTRS:
            raise OpkitError(f"{where}: attr '{a.name}' has type {a.type}; custom() passes "
                             f"{', '.join(_SUPPORTED_ATTRS)}")


def _attr_values(op: Any, given: dict[str, Any]) -> dict[str, Any]:
    spec = op.spec
    known = {op._py[a.name]: a for a in spec.attrs}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise OpkitError(f"opkit.mindspore.custom({spec.name}): no attr {', '.join(map(repr, unknown))} "
                         f"(attrs: {', '.join(known) or 'none'})")
    values = {}
    for py, a in known.items():
        if py in given:
            values[a.name] = op._check_attr(a, given[py])
        elif a.required:
            raise OpkitError(f"opkit.mindspore.custom({spec.name}): attr '{py}' is required; pass {py}=...")
        else:
            values[a.name] = op._check_attr(a, a.default)
    return values


def _reg_info(op: Any, attrs: dict[str, Any], present: tuple[str, ...], target: str = "CPU") -> Any:
    ms = _mindspore()
    spec = op.spec
    reg = ms.ops.CustomRegOp(spec.op_type if target == "Ascend" else f"opkit_{spec.name}")
    inputs = [t for t in spec.inputs if t.name in present]
    for i, t in enumerate(inputs):
        reg = reg.input(i, t.name)
    for i, o in enumerate(spec.outputs):
        reg = reg.output(i, o.name)
    for a in spec.attrs:
        value = attrs[a.name]
        reg = reg.attr(a.name, "required", _REG_ATTR_TYPES[a.type], value=list(value) if isinstance(value, tuple)
                       else value)
    for col in spec.columns:  # the op's dtype columns: MindSpore refuses other dtypes at kernel selection
        names = [col[t.name].name for t in inputs] + [col[o.name].name for o in spec.outputs]
        reg = reg.dtype_format(*[(n, "DefaultFormat") for n in names])
    return reg.target(target).get_op_info()


def custom(op: Any, bprop: Callable | None = None, optional: Sequence[str] | str = (), **attrs: Any) -> Any:
    """A ``mindspore.ops.Custom`` running ``op`` (``opkit.ops.<name>`` or ``opkit.load(project).<name>``).

    ``attrs`` set the op's attributes (the spec's defaults otherwise); ``bprop(*inputs, out, dout)``
    gives the gradients, else the op project's ``mindspore_grad.py`` declares them (if it does).
    The Custom takes the op's required inputs and, of its optional ones, those named in ``optional``,
    all in the spec's order; the kernel sees the others as absent (``custom(lora_matmul_custom,
    optional="bias")`` takes x, w, a, b, bias).

    >>> import numpy as np, mindspore as ms, opkit                  # doctest: +SKIP
    >>> f = custom(opkit.ops.addcdiv_custom, value=0.5)              # doctest: +SKIP
    >>> x = ms.Tensor(np.ones(3, np.float32))                        # doctest: +SKIP
    >>> f(x, x, x + 1).asnumpy()                                     # doctest: +SKIP
    array([1.25, 1.25, 1.25], dtype=float32)
    """
    ms = _mindspore()
    from .. import device
    from . import grads

    if not hasattr(op, "spec") or not hasattr(op, "_lib"):
        raise OpkitError(f"opkit.mindspore.custom: {op!r} is not an opkit op; pass opkit.ops.<name> or "
                         "opkit.load(project).<name>")
    _check_op(op)
    present = _present(op, optional)
    values = _attr_values(op, attrs)
    if ms.get_context("device_target") == "Ascend":
        from . import ascend

        return ascend.custom(op, values, present,
                             bprop if bprop is not None else grads.bprop_for(op, values, present))
    from . import shim

    if op.spec.attrs:
        shim.check_aot_extra(_aot_extra_header(ms))
    lib = shim.build(op.spec, op._lib.dir, device.cache_root(), present)
    key = (str(lib), tuple(sorted((k, repr(v)) for k, v in values.items())), id(bprop) if bprop else None)
    if key not in _made:
        chosen = bprop if bprop is not None else grads.bprop_for(op, values, present)
        _made[key] = make(op, f"{lib}:{shim.symbol(op.spec)}", values, present, chosen)
    return _made[key]


def _aot_extra_header(ms: Any) -> Any:
    from pathlib import Path

    return Path(ms.__file__).parent / "include" / "mindspore" / "ccsrc" / "utils" / "custom_aot_extra.h"


def make(op: Any, func: str, values: dict[str, Any], present: tuple[str, ...], bprop: Callable | None,
         target: str = "CPU") -> Any:
    """The ``ops.Custom`` calling ``func`` (an aot ``path:symbol``, or ``aclnn<Op>`` on Ascend) for ``op``."""
    ms = _mindspore()
    spec, lib_obj = op.spec, op._lib
    multi = len(spec.outputs) > 1

    class OpkitCustom(ms.ops.Custom):
        """``ops.Custom`` whose outputs come from the op's own InferShape and InferDataType."""

        def __infer__(self, *args: Any) -> dict:
            shapes, dtypes = infer([a["shape"] for a in args], [a["dtype"] for a in args])
            if multi:
                return {"shape": tuple(shapes), "dtype": tuple(dtypes), "value": None}
            return {"shape": shapes[0], "dtype": dtypes[0], "value": None}

    def infer(shapes: list, dtypes: list) -> tuple[list, list]:
        from ..errors import KernelError

        given = {name: (tuple(int(d) for d in s), dtype_name(t)) for name, s, t in zip(present, shapes, dtypes)}
        desc = [given.get(t.name, ((), "absent")) for t in spec.inputs]  # absent optional inputs
        try:
            plan = lib_obj._core.infer(spec.op_type, desc, values, None, lib_obj._aclnn.scope)
        except KernelError as e:
            raise ValueError(f"opkit {spec.name}: {e}") from None
        return [tuple(s) for s in plan.out_shapes], [ms_dtype(d) for d in plan.out_dtypes]

    prim = OpkitCustom(func, out_shape=lambda *s: s[0], out_dtype=lambda *d: d[0],
                       func_type="aot", bprop=bprop, reg_info=_reg_info(op, values, present, target))
    prim.opkit_op = spec.name
    return prim

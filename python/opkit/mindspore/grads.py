"""Gradients of opkit ops in MindSpore, declared by the op project.

An op project declares them in ``mindspore_grad.py`` at its root (next to the op specs; the built-in
ops' file is ``ops/mindspore_grad.py``). Two forms, per op name:

- a bprop factory, a function named like the op that takes the op's attrs (a dict), and optionally
  the names of the inputs the Custom takes (its required inputs and the optional ones passed, in the
  spec's order), and returns MindSpore's ``bprop(*inputs, out, dout)``, which returns one gradient
  per input taken::

      def sinh_custom(attrs):
          def bprop(x, out, dout):
              return (dout * ops.cosh(x),)
          return bprop

- a grad op, ``GRAD_OPS = {"my_op": "my_op_grad"}``: an op of the same project whose inputs are the
  forward inputs followed by one ``dout`` per forward output, and whose outputs are the gradients of
  the forward inputs, in order. ``custom()`` wraps it with :func:`opkit.mindspore.custom` too, passing
  the forward attrs the grad op also has.

``custom(op, bprop=fn)`` overrides both. An op with neither has no gradient (MindSpore says "Custom's
bprop not defined" when asked for one).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any, Callable

from ..errors import OpkitError

FILE = "mindspore_grad.py"
_modules: dict[Path, Any] = {}


def declarations(source: Path | None) -> Any | None:
    """The project's ``mindspore_grad.py`` as a module (cached), or None when it has none."""
    if source is None or not (Path(source) / FILE).is_file():
        return None
    path = (Path(source) / FILE).resolve()
    if path not in _modules:
        name = f"opkit_mindspore_grad_{abs(hash(str(path)))}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # MindSpore's graph compiler resolves a bprop's globals through its module
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            del sys.modules[name]
            raise OpkitError(f"{path}: importing the op project's gradient declarations failed: "
                             f"{type(e).__name__}: {e}") from None
        _modules[path] = module
    return _modules[path]


def bprop_for(op: Any, attrs: dict[str, Any], present: tuple[str, ...] | None = None) -> Callable | None:
    """The bprop the op's project declares for ``op`` with ``attrs`` taking the inputs ``present``
    (default: every input), or None."""
    present = tuple(t.name for t in op.spec.inputs) if present is None else present
    module = declarations(op._lib.source)
    if module is None:
        return None
    where = f"{Path(module.__file__)}"
    factory = getattr(module, op.spec.name, None)
    grad_name = (getattr(module, "GRAD_OPS", None) or {}).get(op.spec.name)
    if factory is not None and grad_name is not None:
        raise OpkitError(f"{where}: {op.spec.name} has both a bprop function and a GRAD_OPS entry; keep one")
    if factory is not None:
        import inspect

        takes_inputs = len(inspect.signature(factory).parameters) >= 2
        bprop = factory(dict(attrs), present) if takes_inputs else factory(dict(attrs))
        if not callable(bprop):
            raise OpkitError(f"{where}: {op.spec.name}(attrs) must return a bprop function, got {type(bprop).__name__}")
        return bprop
    if grad_name is not None:
        return _grad_op_bprop(op, grad_name, attrs, present, where)
    return None


def _grad_op_bprop(op: Any, grad_name: str, attrs: dict[str, Any], present: tuple[str, ...],
                   where: str) -> Callable:
    from . import custom

    try:
        grad_op = getattr(op._lib, grad_name)
    except AttributeError:
        raise OpkitError(f"{where}: GRAD_OPS names {grad_name!r} for {op.spec.name}, but the project has no such op "
                         f"(ops: {', '.join(op._lib.names())})") from None
    n_in, n_out = len(present), len(op.spec.outputs)
    # the grad op's optional inputs named like the forward's present ones are passed too
    grad_optional = tuple(t.name for t in grad_op.spec.inputs if t.param_type == "optional" and t.name in present)
    grad_inputs = [t for t in grad_op.spec.inputs if t.param_type == "required" or t.name in grad_optional]
    if len(grad_inputs) != n_in + n_out or len(grad_op.spec.outputs) != n_in:
        raise OpkitError(f"{where}: grad op {grad_name} has {len(grad_inputs)} inputs and "
                         f"{len(grad_op.spec.outputs)} outputs; for {op.spec.name} it needs {n_in + n_out} inputs "
                         f"(the forward inputs, then one dout per output) and {n_in} outputs (one gradient per input)")
    grad_attrs = {grad_op._py[a.name]: attrs[a.name] for a in grad_op.spec.attrs if a.name in attrs}
    grad = custom(grad_op, optional=grad_optional, **grad_attrs)
    return _fixed_arity(grad, n_in, n_out)


def _fixed_arity(grad: Any, n_in: int, n_out: int) -> Callable:
    """``bprop(x0, .., out, dout)`` calling ``grad(x0, .., dout...)``."""
    douts = "dout" if n_out == 1 else ", ".join(f"dout[{i}]" for i in range(n_out))
    result = "grads" if n_in > 1 else "(grads,)"
    params = ", ".join(f"x{i}" for i in range(n_in))
    return _from_source(f"grad_op_bprop_{n_in}_{n_out}", "grad", params,
                        f"        grads = grad({params}, {douts})\n        return {result}\n")(grad)


def with_arity(core: Callable, n_in: int) -> Callable:
    """``bprop(x0, .., x{n_in-1}, out, dout)`` returning ``core((x0, ..), out, dout)``: MindSpore's graph
    compiler reads a bprop's signature, and refuses ``*args``, so a bprop for an op whose inputs vary
    (optional inputs passed or not) gets its parameters here. ``core`` must return one gradient per input.

    >>> with_arity(lambda xs, out, dout: tuple(dout for _ in xs), 2)(1, 2, 0, 5)  # doctest: +SKIP
    (5, 5)
    """
    params = ", ".join(f"x{i}" for i in range(n_in))
    return _from_source(f"arity_bprop_{n_in}", "core", params,
                        f"        return core(({params}{',' if n_in == 1 else ''}), out, dout)\n")(core)


def _from_source(stem: str, captured: str, params: str, body: str) -> Callable:
    """``make(captured)`` returning ``bprop(params, out, dout)`` with ``body``. MindSpore's graph compiler
    reads a bprop's source (inspect.getsource), so the closure is written to a file in opkit's cache and
    imported from there."""
    code = f"def make({captured}):\n    def bprop({params}, out, dout):\n{body}    return bprop\n"
    from .. import device

    folder = device.cache_root() / "mindspore" / "bprops"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.py"
    if not path.is_file() or path.read_text() != code:
        tmp = folder / f".{path.name}.{os.getpid()}.tmp"
        tmp.write_text(code)
        os.replace(tmp, path)  # another process may be writing the same text
    name = f"opkit_{stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name].make

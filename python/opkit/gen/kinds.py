"""The kinds of op ``python -m opkit gen`` writes a complete kernel for, and how one is chosen.

Note [Gen kinds]: the template is chosen per op, by ``--kind`` or else from the spec, and gen always
says which kind it chose and why (``opkit: note: ...``), because the signature alone cannot tell a
row sum (one input, one output) from an elementwise op:

- a list_int attr named like reduction axes (axes, axis, dims, dim, reduce_axes) -> reduce (an int
  `axis` alone does not decide it: softmax and cumsum take one too; --kind reduce accepts it);
- an op type naming a normalisation (Softmax, Norm) -> rownorm;
- an op type naming a broadcast -> broadcast;
- a signature elementwise fits (every tensor required, one output, one dtype per column) ->
  elementwise, said to be a guess when there is one input (a reduce or rownorm would fit too);
- anything else -> custom (a skeleton with every part marked to write).

Each kind checks that the spec fits it (``check``) and says what to change when it does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import SpecError
from ..spec import Attr, OpSpec

KINDS = ("elementwise", "broadcast", "reduce", "rownorm", "custom")

# One line per kind, for `gen --help`, the README and the notes gen prints.
ABOUT = {
    "elementwise": "out = f(in0, in1, ...) on same-shaped inputs; complete kernel, write the per-tile compute",
    "broadcast": "elementwise with numpy broadcasting of inputs of different shapes (bias add, x * scale[:, None])",
    "reduce": "sum/max/mean-shaped reduction over adjacent axes given by an attr (axes: list_int, keep_dims: bool)",
    "rownorm": "softmax/layernorm/rmsnorm-shaped: each row of the last axis normalised, optional gamma/beta rows",
    "custom": "a bare skeleton: kernel entry, tiling struct, TilingFunc and InferShape to write; fails until written",
}

AXES_NAMES = ("axes", "axis", "dims", "dim", "reduce_axes", "reduce_dims")
KEEP_DIMS_NAMES = ("keep_dims", "keepdims", "keep_dim", "keepdim")
# Tiling fields the row kinds use themselves (an attr of the same name would clash).
ROW_FIELDS = ("totalLength", "formerNum", "formerLength", "tailLength", "tileLength", "cols", "scratchRows", "outer",
              "reduceLen", "inner", "chunk", "loadRows", "ndim", "outDims", "inStrides", "inFlags", "inSizes")
BROADCAST_MAX_INPUTS = 8


@dataclass(frozen=True)
class Choice:
    kind: str
    reason: str  # why this kind, as gen prints it
    guessed: bool  # True when the spec would fit other kinds as well


def _one_dtype_per_column(spec: OpSpec) -> bool:
    return all(len({d.name for d in col.values()}) == 1 for col in spec.columns)


def fits_elementwise(spec: OpSpec) -> bool:
    """All tensors required, inputs present, one output, and one dtype per column."""
    if not spec.inputs or len(spec.outputs) != 1:
        return False
    if any(t.param_type != "required" for t in spec.tensors):
        return False
    return _one_dtype_per_column(spec)


def axes_attr(spec: OpSpec) -> Attr | None:
    """The attr holding a reduce's axes (a list_int, or an int for one axis)."""
    return next((a for a in spec.attrs if a.name.lower() in AXES_NAMES and a.type in ("list_int", "int")), None)


def keep_dims_attr(spec: OpSpec) -> Attr | None:
    return next((a for a in spec.attrs if a.name.lower() in KEEP_DIMS_NAMES and a.type == "bool"), None)


def infer(spec: OpSpec) -> Choice:
    """The kind gen picks without ``--kind`` (Note [Gen kinds]).

    >>> from opkit.spec import load
    >>> infer(load("ops/sinh_custom.json")[0]).kind  # doctest: +SKIP
    'elementwise'
    """
    name = spec.op_type.lower()
    axes = axes_attr(spec)
    # an int `axis` alone says little (softmax, cumsum and gather take one too); a list of axes does
    if axes is not None and axes.type == "list_int" and not _misfit(spec, "reduce"):
        return Choice("reduce", f"it has the attr '{axes.name}' ({axes.type}), which names reduction axes", False)
    if re.search(r"softmax|norm", name) and not _misfit(spec, "rownorm"):
        return Choice("rownorm", f"its op type {spec.op_type} names a row-wise normalisation", False)
    if "broadcast" in name and not _misfit(spec, "broadcast"):
        return Choice("broadcast", f"its op type {spec.op_type} names a broadcast", False)
    if fits_elementwise(spec):
        if len(spec.inputs) == 1:
            return Choice("elementwise", "one input and one output fit elementwise, but a reduce or a rownorm would "
                          "fit too", True)
        return Choice("elementwise", f"{len(spec.inputs)} same-dtype inputs and one output fit elementwise; "
                      "inputs of different shapes need broadcast", True)
    return Choice("custom", "no complete template fits its signature (" + _misfit(spec, "elementwise") + ")", False)


def _misfit(spec: OpSpec, kind: str) -> str:
    """Why the spec does not fit ``kind`` ('' when it does)."""
    if kind == "custom":
        return ""
    if len(spec.outputs) != 1:
        return f"{kind} needs exactly one output; the spec has {len(spec.outputs)}"
    if not _one_dtype_per_column(spec):
        return f"{kind} needs one dtype per column (every tensor alike in each position of its type list)"
    opt = [t.name for t in spec.tensors if t.param_type != "required"]
    if kind in ("elementwise", "broadcast", "reduce") and opt:
        return f"{kind} needs every tensor required; {', '.join(opt)} is not"
    if not spec.inputs:
        return f"{kind} needs at least one input"
    if kind == "broadcast" and len(spec.inputs) > BROADCAST_MAX_INPUTS:
        return f"broadcast takes at most {BROADCAST_MAX_INPUTS} inputs; the spec has {len(spec.inputs)}"
    if kind == "reduce":
        if len(spec.inputs) != 1:
            return f"reduce takes one input; the spec has {len(spec.inputs)}"
        if axes_attr(spec) is None:
            return ("reduce needs an attr giving the axes: add "
                    '{"name": "axes", "param_type": "optional", "type": "list_int", "default_value": [-1]}')
    if kind == "rownorm":
        if spec.inputs[0].param_type != "required":
            return f"rownorm's first input (the rows) must be required; {spec.inputs[0].name} is not"
        dyn = [t.name for t in spec.tensors if t.param_type == "dynamic"]
        if dyn:
            return f"rownorm takes no dynamic tensors; {', '.join(dyn)} is"
    return ""


def choose(spec: OpSpec, kind: str | None) -> Choice:
    """``--kind`` checked against the spec, or the inferred kind.

    >>> from opkit.spec import load
    >>> choose(load("ops/add_custom.json")[0], "broadcast").kind  # doctest: +SKIP
    'broadcast'
    """
    if kind is None:
        return infer(spec)
    if kind not in KINDS:
        raise SpecError(f"--kind {kind!r} is not a kind; choose one of {', '.join(KINDS)}")
    why = _misfit(spec, kind)
    if why:
        raise SpecError(f"{spec.path}: {spec.op_type}: --kind {kind} does not fit the spec: {why}; change the spec, or "
                        "choose another kind (--kind custom always fits)")
    return Choice(kind, "chosen with --kind", False)


def note(spec: OpSpec, choice: Choice) -> str:
    """The line gen prints about the kind it chose."""
    others = ", ".join(k for k in KINDS if k != choice.kind)
    text = f"{spec.op_type}: kind {choice.kind} ({choice.reason})"
    if choice.reason != "chosen with --kind":
        text += f"; for another, pass --kind with one of {others}"
    return text

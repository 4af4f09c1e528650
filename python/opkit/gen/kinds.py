"""The kinds of op ``python -m opkit gen`` writes a complete kernel for, and how one is chosen.

Note [Gen kinds]: the template is chosen per op, by ``--kind`` or else from the spec, and gen always
says which kind it chose and why (``opkit: note: ...``), because the signature alone cannot tell a
row sum (one input, one output) from an elementwise op:

- an op type naming a matrix product (MatMul, Matmul, Gemm, Linear, Dense), or inputs x, w/weight
  and bias (x and w alone could be an elementwise op's) -> matmul; when the matmul template does not
  fit, custom, saying what to change (an elementwise guess at a LinearCustom of two float32 inputs
  would be wrong);
- a list_int attr named like reduction axes (axes, axis, dims, dim, reduce_axes) -> reduce (an int
  `axis` alone does not decide it: softmax and cumsum take one too; --kind reduce accepts it);
- an op type naming a normalisation (Softmax, Norm) -> rownorm;
- an op type naming a broadcast -> broadcast;
- a signature elementwise fits (every tensor required, one output, one dtype per column) ->
  elementwise, said to be a guess when there is one input (a reduce or rownorm would fit too);
- anything else -> custom (a skeleton with every part marked to write).

Each kind checks that the spec fits it (``check``) and says what to change when it does not.

matmul (y = f(x @ w (+ bias)), host_matmul.py, kernel_matmul.py) is a MIX kernel on the Matmul API and
so for 910B-class SoCs only: gen registers it for the 910B-class SoCs among --soc (with a warning for
the others; none is an error), its tiling stops on another SoC, and its kernel has an #error for a
CANN build for one. It takes the Matmul API's type pairs (MATMUL_IN x
MATMUL_IN -> MATMUL_OUT, a float32 bias) and one y dtype per input dtype.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import SpecError
from ..spec import Attr, OpSpec

KINDS = ("elementwise", "broadcast", "reduce", "rownorm", "matmul", "custom")

# One line per kind, for `gen --help`, the README and the notes gen prints.
ABOUT = {
    "elementwise": "out = f(in0, in1, ...) on same-shaped inputs; complete kernel, write the per-tile compute",
    "broadcast": "elementwise with numpy broadcasting of inputs of different shapes (bias add, x * scale[:, None])",
    "reduce": "sum/max/mean-shaped reduction over adjacent axes given by an attr (axes: list_int, keep_dims: bool)",
    "rownorm": "softmax/layernorm/rmsnorm-shaped: each row of the last axis normalised, optional gamma/beta rows",
    "matmul": "y = f(x @ w (+ bias)) with the Matmul API on the cube, a vector epilogue f to write; 910B-class SoCs",
    "custom": "a bare skeleton: kernel entry, tiling struct, TilingFunc and InferShape to write; fails until written",
}

AXES_NAMES = ("axes", "axis", "dims", "dim", "reduce_axes", "reduce_dims")
KEEP_DIMS_NAMES = ("keep_dims", "keepdims", "keep_dim", "keepdim")
# Tiling fields the row kinds use themselves (an attr of the same name would clash).
ROW_FIELDS = ("totalLength", "formerNum", "formerLength", "tailLength", "tileLength", "cols", "scratchRows", "outer",
              "reduceLen", "inner", "chunk", "loadRows", "ndim", "outDims", "inStrides", "inFlags", "inSizes")
BROADCAST_MAX_INPUTS = 8
# Tiling fields of the matmul kind (an attr of the same name would clash).
MATMUL_FIELDS = ("cube", "hasBias")
MATMUL_NAME = re.compile(r"mat_?mul|gemm|linear|dense")
MATMUL_WEIGHT_NAMES = ("w", "weight", "weights", "mat2")
# A bool attr saying w is stored [N, K] (nn.Linear's layout) rather than [K, N].
TRANSPOSE_NAMES = ("transpose_w", "transpose_b", "trans_w", "trans_b", "transpose_weight", "transpose_x2", "adj_x2")
# The Matmul API's type pairs the template takes (Matmul使用说明.md; lib/matrix/matmul/matmul_check.h):
# x and w half or bfloat16 (fp32 accumulation on the cube), y any float, bias float32 (the API takes a
# half bias too; the template keeps to the one its tests cover).
MATMUL_IN = ("float16", "bfloat16")
MATMUL_OUT = ("float32", "float16", "bfloat16")


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


def transpose_attr(spec: OpSpec) -> Attr | None:
    """matmul: the bool attr saying w is [N, K] (transpose_w, transpose_b, ...), if the spec has one."""
    return next((a for a in spec.attrs if a.name.lower() in TRANSPOSE_NAMES and a.type == "bool"), None)


def _names_matmul(spec: OpSpec) -> str:
    """Why the spec looks like a matmul ('' when it does not)."""
    if MATMUL_NAME.search(spec.op_type.lower()):
        return f"its op type {spec.op_type} names a matrix product"
    # x and w alone could be an elementwise op's; with a bias they are a linear layer's
    ins = [t.name for t in spec.inputs]
    if len(ins) == 3 and ins[1].lower() in MATMUL_WEIGHT_NAMES and ins[2].lower() == "bias":
        return f"its inputs {ins[0]}, {ins[1]} and {ins[2]} name a linear layer's operands"
    return ""


def infer(spec: OpSpec) -> Choice:
    """The kind gen picks without ``--kind`` (Note [Gen kinds]).

    >>> from opkit.spec import load
    >>> infer(load("ops/sinh_custom.json")[0]).kind  # doctest: +SKIP
    'elementwise'
    """
    name = spec.op_type.lower()
    looks_matmul = _names_matmul(spec)
    if looks_matmul:
        why = _misfit(spec, "matmul")
        if not why:
            return Choice("matmul", looks_matmul, False)
        return Choice("custom", f"{looks_matmul}, but the matmul template does not fit: {why}", False)
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
    if kind == "matmul":
        return _matmul_misfit(spec)
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


def _matmul_misfit(spec: OpSpec) -> str:
    """Why the spec is not y = f(x @ w (+ bias)) as the Matmul API computes it ('' when it is)."""
    if len(spec.outputs) != 1:
        return f"matmul needs exactly one output; the spec has {len(spec.outputs)}"
    if len(spec.inputs) not in (2, 3):
        return (f"matmul takes x, w and an optional bias; the spec has {len(spec.inputs)} inputs "
                f"({', '.join(t.name for t in spec.inputs) or 'none'})")
    x, w = spec.inputs[:2]
    for t in (x, w):
        if t.param_type != "required":
            return f"matmul's {t.name} (input {spec.inputs.index(t)}) must be required; it is {t.param_type}"
    if len(spec.inputs) == 3 and spec.inputs[2].param_type == "dynamic":
        return f"matmul's bias {spec.inputs[2].name} must be required or optional; it is dynamic"
    y = spec.outputs[0]
    for i, col in enumerate(spec.columns):
        xd, wd, yd = col[x.name].name, col[w.name].name, col[y.name].name
        where = f"column {i} ({', '.join(f'{n} {d.name}' for n, d in col.items())})"
        if xd != wd or xd not in MATMUL_IN:
            return (f"{where}: {x.name} and {w.name} must be one dtype, float16 or bfloat16 (the Matmul API multiplies "
                    "half or bfloat16 on the cube into fp32); change their type lists, or cast float32 inputs first")
        if yd not in MATMUL_OUT:
            return f"{where}: {y.name} must be float32, float16 or bfloat16 (the epilogue's fp32 result, cast once)"
        if len(spec.inputs) == 3:
            bd = col[spec.inputs[2].name].name
            if bd != "float32":
                return (f"{where}: the bias {spec.inputs[2].name} must be float32 (the cube adds it in fp32, from "
                        "its bias table)")
    seen: dict[str, tuple[int, str]] = {}
    for i, col in enumerate(spec.columns):
        xd, yd = col[x.name].name, col[y.name].name
        j, other = seen.setdefault(xd, (i, yd))
        if other != yd:
            return (f"columns {j} and {i} both take {x.name} {xd} but give {y.name} {other} and {yd}: InferDataType "
                    f"could not tell which; keep one {y.name} dtype per input dtype (or make two ops)")
    clash = [a.name for a in spec.attrs if a.name in MATMUL_FIELDS]
    if clash:
        return f"attr {clash[0]} clashes with the matmul tiling field of that name ({', '.join(MATMUL_FIELDS)}); rename it"
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

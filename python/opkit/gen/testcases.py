"""The cases, inputs and golden example of a generated test, per kind (Note [Gen kinds]).

Every kind's cases cover tails (lengths that are no multiple of 32 bytes), several cores' shares
and one-core sizes. The kinds built on rows (broadcast, reduce, rownorm) also get CASES_NO_PAD for
SoCs without DataCopyPad, where a row must be whole 32-byte blocks (Note [Row split]).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from . import kinds
from .model import OpModel


@dataclass(frozen=True)
class Cases:
    block: str  # the CASES assignment(s), with their comment
    choice: str  # the expression the test parametrizes over
    make: str  # the body of make_inputs
    attrs: str  # the attrs of one call
    example: str  # the golden example
    tolerance: str = "TOLERANCE = {}"  # the OPKIT: TOLERANCE block's starting value


def _random(name: str, shape: str) -> str:
    return f'_random(rng, {shape}, column["{name}"])'


def _elementwise(m: OpModel, make: list[str]) -> Cases:
    block = ("# Aligned rows, several cores' shares with a tail, and a length that is no multiple of 32 bytes.\n"
             "CASES = [(8, 2048), (100003,), (37,)]")
    ins = [t.name for t in m.spec.inputs]
    one = "np.abs(" + ins[0] + ")" if len(ins) == 1 else (" + ".join(ins[:2]) if ins else "np.zeros(4)")
    example = "return " + ", ".join([one] * len(m.spec.outputs))
    return Cases(block, "CASES", "shape = case\n    return [" + ", ".join(make) + "]", "ATTRS", example)


def _broadcast(m: OpModel) -> Cases:
    n = len(m.spec.inputs)

    def row(full: tuple, other: tuple) -> str:
        return "(" + ", ".join(repr(full if i == 0 else other) for i in range(n)) + ("," if n == 1 else "") + ")"

    pad = [((64, 2048), (2048,)), ((1003, 37), (1003, 1)), ((3, 1, 130), (1, 65, 130)), ((37,), (1,))]
    no_pad = [((64, 2048), (2048,)), ((1000, 64), (1000, 1)), ((3, 1, 128), (1, 65, 128)), ((64,), (1,))]
    block = ("# One shape per input, broadcast by numpy's rules: a bias row, a column (one element per row),\n"
             "# broadcasting on both sides, a scalar; row tails and several cores' rows. Without DataCopyPad\n"
             "# (910A/310P) the output's last merged axis must be whole 32-byte blocks: CASES_NO_PAD.\n"
             f"CASES = [{', '.join(row(*c) for c in pad)}]\n"
             f"CASES_NO_PAD = [{', '.join(row(*c) for c in no_pad)}]")
    make = [_random(t.name, f"case[{i}]") for i, t in enumerate(m.spec.inputs)]
    ins = [t.name for t in m.spec.inputs]
    example = "return " + (" + ".join(ins[:2]) if n > 1 else f"np.abs({ins[0]})")
    return Cases(block, "CASES if _soc_has_pad() else CASES_NO_PAD", "return [" + ", ".join(make) + "]", "ATTRS",
                 example)


def _reduce(m: OpModel) -> Cases:
    axes = kinds.axes_attr(m.spec)
    keep = kinds.keep_dims_attr(m.spec)
    pad = [((8, 2048), [-1]), ((1003, 37), [-1]), ((3, 50000), [1]), ((6, 300, 40), [1]), ((64, 4, 7), [1, 2])]
    no_pad = [((16, 2048), [-1]), ((1003, 64), [-1]), ((16, 40000), [1]), ((6, 300, 64), [1]), ((64, 4, 8), [1, 2])]
    if axes.type == "int":
        pad = [(s, a[0]) for s, a in pad if len(a) == 1]
        no_pad = [(s, a[0]) for s, a in no_pad if len(a) == 1]
    block = ("# The input's shape and the axes: rows with tails over several cores, rows longer than the UB\n"
             "# (read in chunks), a middle axis, two adjacent axes. Without DataCopyPad (910A/310P) the reduced\n"
             "# length (last axes) or the kept inner length (middle axes) must be whole 32-byte blocks, and the\n"
             "# output at least one block.\n"
             f"CASES = {pad!r}\nCASES_NO_PAD = {no_pad!r}")
    x = m.spec.inputs[0].name
    how = f"axis=tuple(np.atleast_1d({axes.name}).tolist()) or None"
    example = f"return np.sum({x}, {how}" + (f", keepdims={keep.name})" if keep else ")")
    return Cases(block, "CASES if _soc_has_pad() else CASES_NO_PAD",
                 "shape, _ = case\n    return [" + _random(x, "shape") + "]",
                 f"{{**ATTRS, {axes.name!r}: case[1]}}", example)


def _rownorm(m: OpModel) -> Cases:
    block = ("# The first input's shapes: rows of the last axis (the other inputs are one row of it): whole\n"
             "# blocks, a row length with a tail over several cores, more axes, one row. Without DataCopyPad\n"
             "# (910A/310P) a row must be whole 32-byte blocks: CASES_NO_PAD.\n"
             "CASES = [(8, 2048), (1003, 37), (5, 3, 130), (1, 1000)]\n"
             "CASES_NO_PAD = [(8, 2048), (1003, 64), (5, 3, 128), (1, 1024)]")
    ins = m.spec.inputs
    make = [_random(ins[0].name, "shape")] + [_random(t.name, "shape[-1:]") for t in ins[1:]]
    x = ins[0].name
    example = f"e = np.exp({x} - {x}.max(-1, keepdims=True)); return e / e.sum(-1, keepdims=True)"
    return Cases(block, "CASES if _soc_has_pad() else CASES_NO_PAD",
                 "shape = case\n    return [" + ", ".join(make) + "]", "ATTRS", example)


# x's shape and N of the matmul kind: aligned blocks over several cores, tails of M, N and K (no multiples
# of 16), a one-row x (GEMV), leading dims, and shares of several blocks per core.
_MATMUL_CASES = [((128, 256), 256), ((300, 64), 520), ((17, 33), 15), ((1, 100), 40), ((2, 3, 37, 45), 70),
                 ((2000, 128), 600)]
# fp32 accumulation over K in the cube's order, against a float64 golden: ~K * 6e-8 of the partial sums.
MATMUL_TOLERANCE = ('# Matmul: float32 outputs carry the fp32 accumulation over K in the cube\'s order (sized for K up to\n'
                    '# ~1000 with inputs in [-1, 1]; raise it for longer K); float16/bfloat16 outputs use the table\'s\n'
                    '# tolerance, since half an ulp of the output dominates.\n'
                    'TOLERANCE = {"float32": {"rtol": 1e-4, "atol": 1e-4}}')


def _matmul(m: OpModel) -> Cases:
    x, w = m.spec.inputs[:2]
    b, t = m.bias, m.transpose
    rows = []
    for i, (shape, n) in enumerate(_MATMUL_CASES):
        flags = []
        if t is not None:
            flags.append("w_nk" if i % 2 else "w_kn")
        if b is not None and b.param_type == "optional":
            flags.append("no_bias" if i % 3 == 2 else "bias")
        rows.append((shape, n, *flags))
    what = f"{x.name}'s shape ([..., M, K]: the leading dims fold into M) and N" + (
        f", {w.name} as [K, N] (w_kn) or [N, K] (w_nk, {t.attr.name})" if t is not None else "") + (
        f", with or without {b.name}" if b is not None and b.param_type == "optional" else "")
    text = (f"The cases: {what}. They cover aligned blocks over several cores, tails of M, N and K (no multiples "
            "of 16), a one-row x (GEMV), leading dims and several blocks per core. 910B-class SoCs only.")
    block = "\n".join("# " + line for line in textwrap.wrap(text, 100)) + f"\nCASES = {rows!r}"
    make = ["x_shape, n = case[0], case[1]",
            ("w_shape = (n, x_shape[-1]) if 'w_nk' in case else (x_shape[-1], n)" if t is not None
             else "w_shape = (x_shape[-1], n)"),
            f'ins = [_random(rng, x_shape, column["{x.name}"], 1.0), _random(rng, w_shape, column["{w.name}"], 1.0)]']
    if b is not None:
        one = f'_random(rng, (n,), column["{b.name}"])'
        make.append(f"ins.append({one} if 'bias' in case else None)" if b.param_type == "optional"
                    else f"ins.append({one})")
    make.append("return ins")
    prod = f"{x.name} @ ({w.name}.T if {t.attr.name} else {w.name})" if t is not None else f"{x.name} @ {w.name}"
    if b is not None:
        prod += f" + ({b.name} if {b.name} is not None else 0)" if b.param_type == "optional" else f" + {b.name}"
    floats = [a.name for a in m.registered_attrs if a.type == "float"]
    example = f"y = {prod}; return np.where(y > 0, y, {floats[0] if floats else 0.1} * y)"
    attrs = f"{{**ATTRS, {t.attr.name!r}: 'w_nk' in case}}" if t is not None else "ATTRS"
    return Cases(block, "CASES", "\n    ".join(make), attrs, example, MATMUL_TOLERANCE)


def cases(m: OpModel, make: list[str]) -> Cases:
    """The test's cases for the op's kind; ``make``: elementwise's input expressions over ``shape``."""
    if m.kind == "broadcast":
        return _broadcast(m)
    if m.kind == "reduce":
        return _reduce(m)
    if m.kind == "rownorm":
        return _rownorm(m)
    if m.kind == "matmul":
        return _matmul(m)
    return _elementwise(m, make)

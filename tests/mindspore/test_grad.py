"""Gradients through custom(): the built-in ops' declared bprops against MindSpore's own autodiff of the
same math, the bprop= override, and a project's grad op (GRAD_OPS)."""

from __future__ import annotations

import numpy as np
from ms_helpers import cell

import opkit

SEED = 5


def _grads(ms, fn, *arrays):
    position = tuple(range(len(arrays))) if len(arrays) > 1 else 0
    got = ms.grad(cell(ms, fn), grad_position=position)(*(ms.Tensor(a) for a in arrays))
    return [g.asnumpy() for g in (got if len(arrays) > 1 else (got,))]


def _data(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(SEED)
    return [rng.uniform(0.5, 2.0, (4, 33)).astype(np.float32) for _ in range(n)]


def test_declared_bprops_match_mindspore_autodiff(ms, mode) -> None:
    from opkit.mindspore import custom

    ops = ms.ops
    x, y, z = _data(3)
    def add(a, b):
        return a + b

    def addcdiv(a, b, c):
        return a + 0.75 * b / c

    pairs = [
        (custom(opkit.ops.add_custom), add, (x, y)),
        (custom(opkit.ops.sinh_custom), ops.sinh, (x,)),
        (custom(opkit.ops.addcdiv_custom, value=0.75), addcdiv, (x, y, z)),
    ]
    for ours, native, args in pairs:
        for got, want in zip(_grads(ms, _squared(ours, len(args)), *args),
                             _grads(ms, _squared(native, len(args)), *args)):
            np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


def _squared(f, n: int):
    """sum(f(...)^2): a nonlinear head, so dout is not all ones (fixed arities: GRAPH_MODE parses them)."""

    def one(a):
        return (f(a) ** 2).sum()

    def two(a, b):
        return (f(a, b) ** 2).sum()

    def three(a, b, c):
        return (f(a, b, c) ** 2).sum()

    return {1: one, 2: two, 3: three}[n]


def test_bprop_argument_overrides_the_declaration(ms, mode) -> None:
    from opkit.mindspore import custom

    def twice(x, y, out, dout):
        return 2 * dout, 3 * dout

    x, y = _data(2)
    gx, gy = _grads(ms, custom(opkit.ops.add_custom, bprop=twice), x, y)
    np.testing.assert_array_equal(gx, np.full_like(x, 2))
    np.testing.assert_array_equal(gy, np.full_like(y, 3))


def test_grad_op_of_a_project(ms, mode, scale_project) -> None:
    """ScaleCustom declares GRAD_OPS = {scale_custom: scale_grad_custom}; the gradient runs that op."""
    from opkit.mindspore import custom

    (x,) = _data(1)
    scale = custom(scale_project.scale_custom, scale=2.5)

    def loss(t):
        return (scale(t) * scale(t)).sum()

    (g,) = _grads(ms, loss, x)
    np.testing.assert_allclose(g, 2 * 2.5 * 2.5 * x, rtol=1e-6)

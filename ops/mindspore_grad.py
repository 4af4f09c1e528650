"""Gradients of the built-in ops for opkit.mindspore.custom (the format: opkit/mindspore/grads.py).

Each function takes the op's attrs and returns MindSpore's bprop(*inputs, out, dout). Tested against
MindSpore's own autodiff of the same math in tests/mindspore/test_grad.py.
"""

from mindspore import ops


def add_custom(attrs):
    # z = x + y: dz/dx = dz/dy = 1
    def bprop(x, y, out, dout):
        return dout, dout

    return bprop


def sinh_custom(attrs):
    # d sinh(x)/dx = cosh(x)
    def bprop(x, out, dout):
        return (dout * ops.cosh(x),)

    return bprop


def addcdiv_custom(attrs):
    # out = x + value * y / z
    value = attrs["value"]

    def bprop(x, y, z, out, dout):
        scaled = dout * value / z
        return dout, scaled, -scaled * y / z

    return bprop

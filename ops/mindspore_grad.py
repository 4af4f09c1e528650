"""Gradients of the built-in ops for opkit.mindspore.custom (the format: opkit/mindspore/grads.py).

Each function takes the op's attrs and returns MindSpore's bprop(*inputs, out, dout). Tested against
MindSpore's own autodiff of the same math in tests/mindspore/test_grad.py.
"""

import mindspore as ms
from mindspore import dtype as mstype
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


def lora_matmul_custom(attrs, inputs):
    # y = x·Wᵀ (+ bias) + s·(xl·A[id]ᵀ)·B[id]ᵀ, xl = x_lora if passed, else x. One grad-op launch gives
    # dx (dy·W, plus the LoRA part when x is also the LoRA input), dA and dB (docs/lora_grad.md). The rest
    # is MindSpore's: dW = dyᵀ·x (MindSpore drops it from the graph when W is frozen), dbias = Σ dy, and,
    # with x_lora, x_lora's gradient s·(dy·B[id])·A[id] (rank r, small next to dy·W).
    import opkit
    from opkit.mindspore import custom, grads

    scale = attrs["scale"]
    slot = {name: i for i, name in enumerate(inputs)}
    has_bias, has_ids, has_xl = "bias" in slot, "adapter_ids" in slot, "x_lora" in slot
    grad = custom(opkit.ops.lora_matmul_grad_custom, optional=[n for n in ("adapter_ids", "x_lora") if n in slot],
                  scale=scale)
    i_bias, i_ids, i_xl = slot.get("bias", 0), slot.get("adapter_ids", 0), slot.get("x_lora", 0)

    def core(args, out, dout):
        x, w, a, b = args[0], args[1], args[2], args[3]
        if has_ids and has_xl:
            dx, da, db = grad(dout, x, w, a, b, args[i_ids], args[i_xl])
        elif has_ids:
            dx, da, db = grad(dout, x, w, a, b, args[i_ids])
        elif has_xl:
            dx, da, db = grad(dout, x, w, a, b, args[i_xl])
        else:
            dx, da, db = grad(dout, x, w, a, b)
        d2 = dout.reshape((-1, dout.shape[-1]))
        dw = ops.matmul(d2.T, x.reshape((-1, x.shape[-1])))
        result = (dx, dw, da, db)
        if has_bias:
            result = result + (d2.astype(mstype.float32).sum(0),)
        if has_ids:
            result = result + (ops.zeros_like(args[i_ids]),)
        if has_xl:
            result = result + (_lora_input_grad(d2, a, b, args[i_ids] if has_ids else None, scale, args[i_xl]),)
        return result

    return grads.with_arity(core, len(inputs))


def _lora_input_grad(d2, a, b, ids, scale, xl):
    # s·(dy·B[id])·A[id] per row, in float32: n adapters are one of rank n·r whose columns are masked
    # to the row's adapter (none for id -1).
    f32 = mstype.float32
    if a.ndim == 2:
        g = ops.matmul(d2.astype(f32), b.astype(f32)) * scale
        return ops.matmul(g, a.astype(f32)).astype(xl.dtype).reshape(xl.shape)
    n, r, k = a.shape
    b_all = b.astype(f32).transpose(1, 0, 2).reshape((b.shape[1], n * r))
    g = ops.matmul(d2.astype(f32), b_all) * scale
    if ids is not None:
        keep = ops.one_hot(ids.reshape((-1,)), n, ms.Tensor(1.0, f32), ms.Tensor(0.0, f32))  # -1: all zero
        g = g * ops.repeat_interleave(keep, r, 1)
    return ops.matmul(g, a.astype(f32).reshape((n * r, k))).astype(xl.dtype).reshape(xl.shape)

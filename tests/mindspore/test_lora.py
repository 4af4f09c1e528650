"""LoRA in MindSpore: the fused op through custom() with its optional inputs and its bprop, opkit's
LoRADense against mindpet's, fuse_lora, and the Ascend route's refusals."""

from __future__ import annotations

import numpy as np
import pytest

import opkit

RNG = np.random.default_rng(11)
M, K, N, R = 40, 48, 24, 8


def _f16(*shape, s=1.0):
    return (RNG.standard_normal(shape) * s).astype(np.float16)


def _reference(ms, x, w, a, b, bias, ids, scale):
    """The same math in plain MindSpore float32 ops (autodiff gives the reference gradients)."""
    f32 = ms.float32
    y = ms.ops.matmul(x.astype(f32), w.astype(f32).T)
    if bias is not None:
        y = y + bias
    if a.ndim == 2:
        return y + scale * ms.ops.matmul(ms.ops.matmul(x.astype(f32), a.astype(f32).T), b.astype(f32).T)
    n = a.shape[0]
    for j in range(n):
        t = ms.ops.matmul(ms.ops.matmul(x.astype(f32), a[j].astype(f32).T), b[j].astype(f32).T)
        y = y + scale * t * (ids == j).astype(f32).reshape((-1, 1))
    return y


def _loss_pair(ms, fused, scale, has_bias, ids):
    """(ours, reference) as loss cells of (x, w, a, b[, bias]): sum(y^2) over a float32 view."""

    class Ours(ms.nn.Cell):
        def construct(self, x, w, a, b, bias):
            if has_bias and ids is not None:
                y = fused(x, w, a, b, bias, ids)
            elif has_bias:
                y = fused(x, w, a, b, bias)
            elif ids is not None:
                y = fused(x, w, a, b, ids)
            else:
                y = fused(x, w, a, b)
            return (y.astype(ms.float32) ** 2).sum()

    class Ref(ms.nn.Cell):
        def construct(self, x, w, a, b, bias):
            return (_reference(ms, x, w, a, b, bias if has_bias else None, ids, scale) ** 2).sum()

    return Ours(), Ref()


@pytest.mark.parametrize("has_bias, adapters", [(True, 0), (False, 0), (True, 3)])
def test_fused_lora_and_its_bprop_match_mindspore_autodiff(ms, mode, has_bias, adapters) -> None:
    from opkit.mindspore import custom

    scale = 2.0
    x, w = _f16(M, K), _f16(N, K, s=0.2)
    a = _f16(R, K, s=0.2) if not adapters else _f16(adapters, R, K, s=0.2)
    b = _f16(N, R, s=0.2) if not adapters else _f16(adapters, N, R, s=0.2)
    bias = RNG.standard_normal(N).astype(np.float32)
    ids = ms.Tensor(RNG.integers(-1, adapters, M).astype(np.int32)) if adapters else None
    optional = (("bias",) if has_bias else ()) + (("adapter_ids",) if adapters else ())
    fused = custom(opkit.ops.lora_matmul_custom, optional=optional, scale=scale)
    ours, ref = _loss_pair(ms, fused, scale, has_bias, ids)
    args = [ms.Tensor(v) for v in (x, w, a, b, bias)]
    got = ms.value_and_grad(ours, grad_position=(0, 1, 2, 3, 4))(*args)
    want = ms.value_and_grad(ref, grad_position=(0, 1, 2, 3, 4))(*args)
    np.testing.assert_allclose(got[0].asnumpy(), want[0].asnumpy(), rtol=2e-3)
    for name, g, r in zip(("x", "w", "a", "b", "bias"), got[1], want[1]):
        if name == "bias" and not has_bias:
            continue
        g, r = g.asnumpy().astype(np.float64), r.asnumpy().astype(np.float64)
        assert np.abs(g - r).max() <= 4e-3 * np.abs(r).max(), f"d{name}: {np.abs(g - r).max()} vs {np.abs(r).max()}"


def test_optional_names_are_checked(ms) -> None:
    from opkit.mindspore import custom

    with pytest.raises(opkit.OpkitError, match="optional='x' is a required input.*optional inputs are bias, adapter_ids"):
        custom(opkit.ops.lora_matmul_custom, optional="x")
    with pytest.raises(opkit.OpkitError, match="optional='bais' is not an input"):
        custom(opkit.ops.lora_matmul_custom, optional=("bais",))


def _pair(ms, has_bias: bool, dropout: float = 0.0):
    """A mindpet LoRADense and opkit's, holding equal parameters (B random, so the adapter counts)."""
    from opkit.mindspore import LoRADense, mindpet_lora

    ms.set_seed(3)
    theirs = mindpet_lora().LoRADense(K, N, R, 16, dropout, has_bias=has_bias, lora_b_init="normal")
    ours = LoRADense(K, N, R, 16, dropout, has_bias=has_bias)
    source = {p.name: p for p in theirs.get_parameters()}
    for p in ours.get_parameters():
        p.set_data(source[p.name].data.copy())
    return theirs, ours


@pytest.mark.parametrize("has_bias", [True, False])
def test_loradense_matches_mindpet_forward_and_backward(ms, mode, has_bias) -> None:
    theirs, ours = _pair(ms, has_bias)
    assert [p.name for p in ours.get_parameters()] == [p.name for p in theirs.get_parameters()]
    x = ms.Tensor(RNG.standard_normal((2, 20, K)).astype(np.float32))
    y0, y1 = theirs(x).asnumpy(), ours(x).asnumpy()
    assert y1.dtype == np.float32 and y1.shape == (2, 20, N)
    np.testing.assert_allclose(y1, y0, atol=4e-3 * np.abs(y0).max())

    class Loss(ms.nn.Cell):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def construct(self, v):
            return (self.net(v) ** 2).mean()

    def grads(net):
        return ms.grad(Loss(net), grad_position=None, weights=net.trainable_params())(x)

    for p, g0, g1 in zip(ours.trainable_params(), grads(theirs), grads(ours)):
        g0, g1 = g0.asnumpy(), g1.asnumpy()
        assert np.abs(g1 - g0).max() <= 5e-3 * np.abs(g0).max(), p.name


def test_checkpoints_load_both_ways(ms, tmp_path) -> None:
    theirs, ours = _pair(ms, True)
    for src, dst in ((theirs, ours), (ours, theirs)):
        for p in src.trainable_params():
            p.set_data(ms.Tensor(RNG.standard_normal(p.shape).astype(np.float32)))
        path = str(tmp_path / "lora.ckpt")
        ms.save_checkpoint(src, path)
        not_loaded, _ = ms.load_param_into_net(dst, ms.load_checkpoint(path))
        assert not not_loaded
        for p in dst.trainable_params():
            np.testing.assert_array_equal(p.asnumpy(), {q.name: q for q in src.get_parameters()}[p.name].asnumpy())


def test_fuse_lora_swaps_layers_keeping_parameters_and_freezing(ms) -> None:
    from mindpet.graph import freeze_delta

    from opkit.mindspore import LoRADense, fuse_lora, mindpet_lora

    mp = mindpet_lora().LoRADense

    class Net(ms.nn.Cell):
        def __init__(self):
            super().__init__()
            self.wq = mp(K, K, R, 16, 0.0, has_bias=False, lora_b_init="normal")
            self.seq = ms.nn.SequentialCell([mp(K, N, R, 16, 0.0, lora_b_init="normal"), ms.nn.ReLU()])
            self.plain = ms.nn.Dense(N, 4)

        def construct(self, x):
            return self.plain(self.seq(self.wq(x)))

    net = Net()
    freeze_delta(net, "lora")
    before = {p.name: (id(p), p.requires_grad) for p in net.get_parameters()}
    x = ms.Tensor(RNG.standard_normal((6, K)).astype(np.float32))
    y0 = net(x).asnumpy()
    assert sorted(fuse_lora(net)) == ["seq.0", "wq"]
    assert isinstance(net.wq, LoRADense) and isinstance(net.seq[0], LoRADense)
    assert {p.name: (id(p), p.requires_grad) for p in net.get_parameters()} == before
    np.testing.assert_allclose(net(x).asnumpy(), y0, atol=4e-3 * np.abs(y0).max())
    assert fuse_lora(net) == []  # nothing left to swap


def test_fuse_lora_refuses_float32_compute_before_changing_anything(ms) -> None:
    from opkit.mindspore import fuse_lora, mindpet_lora

    net = ms.nn.SequentialCell([mindpet_lora().LoRADense(K, N, R, 16, compute_dtype=ms.float32)])
    with pytest.raises(opkit.OpkitError, match="layer '0' computes in Float32.*float16 or bfloat16"):
        fuse_lora(net)
    assert type(net[0]).__module__.startswith("mindpet")


def test_loradense_refuses_bad_arguments(ms) -> None:
    from opkit.mindspore import LoRADense

    with pytest.raises(ValueError, match="lora_rank = 0"):
        LoRADense(8, 8, 0, 16)
    with pytest.raises(ValueError, match="lora_dropout = 1.0"):
        LoRADense(8, 8, 2, 16, 1.0)
    with pytest.raises(TypeError, match="compute_dtype = Float32"):
        LoRADense(8, 8, 2, 16, compute_dtype=ms.float32)


def test_ascend_route_refusals(ms, monkeypatch, tmp_path) -> None:
    """On Ascend, custom() needs the op's installed package and every input (checked before MindSpore)."""
    from opkit.mindspore import ascend

    monkeypatch.setenv("ASCEND_CUSTOM_OPP_PATH", str(tmp_path))
    monkeypatch.delenv("ASCEND_OPP_PATH", raising=False)
    op = opkit.ops.lora_matmul_custom
    every = tuple(t.name for t in op.spec.inputs)
    with pytest.raises(opkit.OpkitError, match="no installed package has aclnn_lora_matmul_custom.h"):
        ascend.custom(op, {"scale": 1.0}, every, None)
    with pytest.raises(opkit.OpkitError, match="optional input.*adapter_ids.*not passed"):
        ascend.custom(op, {"scale": 1.0}, ("x", "w", "a", "b", "bias"), None)
    include = tmp_path / "op_api" / "include"
    include.mkdir(parents=True)
    (include / "aclnn_lora_matmul_custom.h").write_text("// installed\n")
    assert ascend.find_header("lora_matmul_custom") == include / "aclnn_lora_matmul_custom.h"


def test_x_lora_gradient_goes_through_the_callers_dropout(ms, mode) -> None:
    """custom(lora_matmul_custom) with x_lora = x * mask: MindSpore's autodiff of the same math gives the
    same dx (dy·W from the grad op, the rank-r LoRA term through the mask), dW, dA, dB."""
    from opkit.mindspore import custom

    x, w, a, b = _f16(M, K), _f16(N, K, s=0.2), _f16(R, K, s=0.2), _f16(N, R, s=0.2)
    mask = ms.Tensor((RNG.random((M, K)) > 0.3).astype(np.float16) / np.float16(0.7))
    fused = custom(opkit.ops.lora_matmul_custom, optional="x_lora", scale=1.5)

    class Ours(ms.nn.Cell):
        def construct(self, x, w, a, b):
            return (fused(x, w, a, b, x * mask).astype(ms.float32) ** 2).sum()

    class Ref(ms.nn.Cell):
        def construct(self, x, w, a, b):
            f32 = ms.float32
            xd = (x * mask).astype(f32)
            y = ms.ops.matmul(x.astype(f32), w.astype(f32).T)
            y = y + 1.5 * ms.ops.matmul(ms.ops.matmul(xd, a.astype(f32).T), b.astype(f32).T)
            return (y ** 2).sum()

    args = [ms.Tensor(v) for v in (x, w, a, b)]
    got = ms.grad(Ours(), grad_position=(0, 1, 2, 3))(*args)
    want = ms.grad(Ref(), grad_position=(0, 1, 2, 3))(*args)
    for name, g, r in zip(("x", "w", "a", "b"), got, want):
        g, r = g.asnumpy().astype(np.float64), r.asnumpy().astype(np.float64)
        assert np.abs(g - r).max() <= 4e-3 * np.abs(r).max(), f"d{name}: {np.abs(g - r).max()} vs {np.abs(r).max()}"


def test_loradense_dropout_is_mindpets_step_by_step(ms) -> None:
    """In training, the fused layer draws the same dropout mask as mindpet's from the same seed (the same
    Dropout cell after fuse_lora), so the first call's outputs and gradients agree, and the mask changes
    from call to call. (Only the first calls: MindSpore's GRAPH_MODE dropout does not repeat its masks
    across two model instances after a few calls, mindpet's own included.)"""
    from opkit.mindspore import fuse_lora, mindpet_lora

    ms.set_context(mode=ms.GRAPH_MODE)
    x = ms.Tensor(RNG.standard_normal((64, K)).astype(np.float32))
    runs = {}
    for kind in ("mindpet", "fused"):
        ms.set_seed(0)
        net = ms.nn.SequentialCell([mindpet_lora().LoRADense(K, N, R, 16, 0.3, lora_b_init="normal")])
        if kind == "fused":
            fuse_lora(net)
        net.set_train(True)
        grad = ms.grad(net, grad_position=None, weights=net.trainable_params())
        runs[kind] = [(net(x).asnumpy(), [g.asnumpy() for g in grad(x)]) for _ in range(2)]
    ms.set_context(mode=ms.PYNATIVE_MODE)
    (y0, g0), (y1, g1) = runs["mindpet"][0], runs["fused"][0]
    np.testing.assert_allclose(y1, y0, atol=4e-3 * np.abs(y0).max())
    for a, b in zip(g0, g1):
        assert np.abs(b - a).max() <= 5e-3 * np.abs(a).max()
    assert np.abs(runs["fused"][0][0] - runs["fused"][1][0]).max() > 0.01  # a new mask per call

"""LoRA layers of MindSpore models on opkit's fused kernel: :class:`LoRADense` and :func:`fuse_lora`.

:class:`LoRADense` is mindpet's ``mindpet.delta.lora.LoRADense`` (the layer mindformers' ``pet_config``
puts in place of each target ``nn.Dense``/``Linear``) with the same constructor, attribute and
parameter names, so checkpoints load in both directions, and the same semantics::

    y = cast_back( x·Wᵀ (+ bias) + s · (dropout(x)·Aᵀ)·Bᵀ )      s = lora_alpha / lora_rank

computed in ``compute_dtype`` (float16 or bfloat16), dropout on the LoRA branch only, ``activation``
after, the result cast back to the input's dtype. The forward is one ``lora_matmul_custom`` launch and
the backward one ``lora_matmul_grad_custom`` launch (``ops/mindspore_grad.py``), so the adapter never
round-trips through its own GEMMs. Differences from mindpet, both in the fused kernel's favour: the
bias and the adapter term are added in float32 before the single rounding to ``compute_dtype`` (mindpet
rounds the base product, adds bias and the LoRA term in ``compute_dtype``); and float32
``compute_dtype`` is refused, because the kernel's cube takes float16/bfloat16.

:func:`fuse_lora` swaps every mindpet ``LoRADense`` in a model for this one, keeping the very
Parameter objects (names, values, ``requires_grad``, so mindpet's freezing holds) and the dropout cell.

mindpet's ``mindpet/delta/__init__.py`` imports mindformers; :func:`mindpet_lora` imports the LoRA
module without it.
"""

from __future__ import annotations

import importlib
import math
import sys
import types
from typing import Any

from ..errors import OpkitError
from . import _mindspore, custom

_ms = _mindspore()
nn, ops, mstype = _ms.nn, _ms.ops, _ms.dtype
_COMPUTE = {"Float16": "float16", "BFloat16": "bfloat16"}


def mindpet_lora() -> types.ModuleType:
    """``mindpet.delta.lora`` (its ``LoRADense``), imported even where mindformers is not installed."""
    try:
        return importlib.import_module("mindpet.delta.lora")
    except ImportError as e:
        if "mindformers" not in str(e):
            raise OpkitError(f"mindpet's LoRA needs mindpet ({e}); install it with: pip install mindpet==1.0.4") from None
    # mindpet/delta/__init__.py imports its mindformers-based layers; the LoRA module needs none of them
    import mindpet

    sys.modules.pop("mindpet.delta", None)
    package = types.ModuleType("mindpet.delta")
    package.__path__ = [str(__import__("pathlib").Path(mindpet.__file__).parent / "delta")]
    sys.modules["mindpet.delta"] = package
    return importlib.import_module("mindpet.delta.lora")


class LoRADense(nn.Dense):
    """mindpet's ``LoRADense`` (same arguments, parameters and semantics) on the fused LoRA kernel."""

    def __init__(self, in_channels: int, out_channels: int, lora_rank: int, lora_alpha: float,
                 lora_dropout: float = 0.0, lora_a_init: Any = None, lora_b_init: Any = "zeros",
                 param_init_type: Any = mstype.float32, compute_dtype: Any = mstype.float16, **kwargs: Any):
        super().__init__(in_channels, out_channels, **kwargs)
        where = f"opkit.mindspore.LoRADense({in_channels}, {out_channels})"
        if isinstance(lora_rank, bool) or not isinstance(lora_rank, int) or lora_rank < 1:
            raise ValueError(f"{where}: lora_rank = {lora_rank!r}; it must be a positive int")
        if isinstance(lora_alpha, bool) or not isinstance(lora_alpha, (int, float)) or lora_alpha == 0:
            raise ValueError(f"{where}: lora_alpha = {lora_alpha!r}; it must be a nonzero number")
        if isinstance(lora_dropout, bool) or not isinstance(lora_dropout, (int, float)) or not 0 <= lora_dropout < 1:
            raise ValueError(f"{where}: lora_dropout = {lora_dropout!r}; it must be in [0, 1)")
        if str(compute_dtype) not in _COMPUTE:
            raise TypeError(f"{where}: compute_dtype = {compute_dtype}; the fused LoRA kernel computes in "
                            "mindspore.float16 or mindspore.bfloat16 (with float32 accumulation)")
        if param_init_type not in (mstype.float16, mstype.float32, mstype.bfloat16):
            raise TypeError(f"{where}: param_init_type = {param_init_type}; use mindspore.float32, float16 or "
                            "bfloat16")
        from mindspore.common.initializer import HeUniform, initializer

        a_init = HeUniform(negative_slope=math.sqrt(5)) if lora_a_init is None else lora_a_init
        self.lora_rank, self.lora_alpha = lora_rank, lora_alpha
        self.lora_dropout = nn.Dropout(p=float(lora_dropout))
        self.lora_p = float(lora_dropout)
        self.mindpet_delta_lora_a = _ms.Parameter(initializer(a_init, [lora_rank, in_channels], param_init_type),
                                                  name="mindpet_delta_lora_A")
        self.mindpet_delta_lora_b = _ms.Parameter(initializer(lora_b_init, [out_channels, lora_rank],
                                                              param_init_type), name="mindpet_delta_lora_B")
        self.scaling = lora_alpha / lora_rank
        self.dtype = compute_dtype
        self._make_kernels()

    def _make_kernels(self) -> None:
        import opkit

        bias = ("bias",) if self.has_bias else ()
        op = opkit.ops.lora_matmul_custom
        self.fused = custom(op, optional=bias, scale=float(self.scaling))
        # with dropout the LoRA branch takes its own input, x_lora = dropout(x); never called without
        self.fused_dropout = (custom(op, optional=bias + ("x_lora",), scale=float(self.scaling)) if self.lora_p > 0
                              else self.fused)

    def construct(self, x: Any) -> Any:
        ori_dtype = x.dtype
        x_shape = x.shape
        x = ops.cast(x, self.dtype).reshape((-1, x_shape[-1]))
        w = ops.cast(self.weight, self.dtype)
        a = ops.cast(self.mindpet_delta_lora_a, self.dtype)
        b = ops.cast(self.mindpet_delta_lora_b, self.dtype)
        dropping = self.lora_dropout.training and self.lora_p > 0
        if self.has_bias and dropping:
            y = self.fused_dropout(x, w, a, b, ops.cast(self.bias, mstype.float32), self.lora_dropout(x))
        elif self.has_bias:
            y = self.fused(x, w, a, b, ops.cast(self.bias, mstype.float32))
        elif dropping:
            y = self.fused_dropout(x, w, a, b, self.lora_dropout(x))
        else:
            y = self.fused(x, w, a, b)
        if self.activation_flag:
            y = self.activation(y)
        if len(x_shape) != 2:
            y = y.reshape(x_shape[:-1] + (-1,))
        return ops.cast(y, ori_dtype)


def _is_mindpet_lora(cell: Any) -> bool:
    return (not isinstance(cell, LoRADense) and hasattr(cell, "mindpet_delta_lora_a")
            and hasattr(cell, "mindpet_delta_lora_b") and isinstance(cell, nn.Dense))


def fused_from(old: Any) -> LoRADense:
    """A :class:`LoRADense` holding ``old``'s (a mindpet ``LoRADense``) very parameters and dropout cell."""
    rank, (out_ch, in_ch) = int(old.lora_rank), old.weight.shape
    drop = old.lora_dropout
    p = float(drop.p) if getattr(drop, "p", None) is not None else 1.0 - float(drop.keep_prob)
    new = LoRADense(in_ch, out_ch, rank, old.lora_alpha, p, has_bias=bool(old.has_bias),
                    compute_dtype=old.dtype, param_init_type=old.mindpet_delta_lora_a.dtype)
    new.weight = old.weight
    if old.has_bias:
        new.bias = old.bias
    new.mindpet_delta_lora_a = old.mindpet_delta_lora_a
    new.mindpet_delta_lora_b = old.mindpet_delta_lora_b
    new.lora_dropout = drop  # the same cell: its p, its seeds, its training flag
    new.activation, new.activation_flag = old.activation, old.activation_flag
    if new.scaling != old.scaling:
        new.scaling = old.scaling
        new._make_kernels()
    new.set_train(old.training)
    return new


def fuse_lora(net: Any) -> list[str]:
    """Swap every mindpet ``LoRADense`` in ``net`` for :class:`LoRADense` in place (parameters, their
    names and freezing kept); returns the swapped cells' names. Refuses a layer the kernel cannot run
    (float32 ``compute_dtype``), naming it, before changing anything."""
    found = [(name, cell) for name, cell in net.cells_and_names() if _is_mindpet_lora(cell)]
    for name, cell in found:
        if str(cell.dtype) not in _COMPUTE:
            raise OpkitError(f"fuse_lora: layer '{name}' computes in {cell.dtype}; the fused LoRA kernel takes "
                             "float16 or bfloat16 (build the model with compute_dtype=mindspore.float16)")
    parents = dict(net.cells_and_names())
    for name, cell in found:
        names = {id(p): p.name for p in cell.get_parameters()}
        parent_name, _, child = name.rpartition(".")
        parent = parents[parent_name] if parent_name else net
        new = fused_from(cell)
        if isinstance(parent, (nn.SequentialCell, nn.CellList)):
            parent[list(parent._cells).index(child)] = new  # noqa: SLF001 - keeps their cell_list in step
        else:
            setattr(parent, child, new)
        for p in new.get_parameters():  # a container renames what it takes in; checkpoints need the old names
            if id(p) in names and p.name != names[id(p)]:
                p.name = names[id(p)]
    return [name for name, _ in found]

"""Argument checks of the built-in ``lora_matmul_custom`` that need more than one input at a time.

Also the one such check of ``lora_matmul_grad_custom`` done here (``check_grad``: x_lora against x);
that op's host code names the other shape errors itself.

The generic checks (numpy array, C-contiguous, dtype) stay in :class:`opkit.library.Op`; these name the
input, its shape and the fix for the shape relations and the adapter ids, which the host code could
only report as "InferShape rejected" or a failed tiling. The ids are data: they are checked here, where
they are visible, and again by the host tiling (a value-depend input) for C++ callers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import OpkitError

MAX_RANK = 256  # the kernel's L0B/L0C budget (host/lora_matmul_custom.cpp)


def _shape(args: dict[str, Any], name: str) -> tuple[int, ...] | None:
    value = args.get(name)
    return tuple(value.shape) if isinstance(value, np.ndarray) else None


def check(args: dict[str, Any]) -> None:
    """Raise OpkitError for inputs whose shapes or adapter ids do not fit together.

    >>> import numpy as np
    >>> check({"x": np.zeros((4, 8)), "w": np.zeros((6, 8)), "a": np.zeros((2, 8)), "b": np.zeros((6, 2))})
    """
    where = "lora_matmul_custom"
    x, w, a, b = (_shape(args, n) for n in ("x", "w", "a", "b"))
    if x is None or w is None or a is None or b is None:
        return  # not arrays: the generic check names them
    if len(x) < 1:
        raise OpkitError(f"{where}: input 'x' has shape {x}; it needs at least one dimension ([..., in])")
    k = x[-1]
    if not 1 <= k <= 65535:
        raise OpkitError(f"{where}: input 'x' has in = {k} (shape {x}); the kernel takes 1..65535 (its GM->L1 copies "
                         "count a row's elements in 16 bits); split the layer along in and add the results")
    if len(w) != 2 or w[1] != k:
        raise OpkitError(f"{where}: input 'w' has shape {w}; it must be [out, in] = [out, {k}] (nn.Dense's layout, "
                         "x's last dimension is in); pass w, not w.T")
    n = w[0]
    if len(a) not in (2, 3):
        raise OpkitError(f"{where}: input 'a' has shape {a}; it must be [r, in] or [adapters, r, in]")
    many = len(a) == 3
    r = a[-2]
    if a[-1] != k:
        raise OpkitError(f"{where}: input 'a' has shape {a}; its last dimension must be in = {k} (x's last)")
    if not 1 <= r <= MAX_RANK:
        raise OpkitError(f"{where}: input 'a' has rank r = {r} (shape {a}); r must be 1..{MAX_RANK}")
    want_b = (a[0], n, r) if many else (n, r)
    if b != want_b:
        raise OpkitError(f"{where}: input 'b' has shape {b}; with a {a} and w {w} it must be {want_b} "
                         f"({'[adapters, out, r]' if many else '[out, r]'})")
    bias = _shape(args, "bias")
    if bias is not None and bias != (n,):
        raise OpkitError(f"{where}: input 'bias' has shape {bias}; it must be [out] = ({n},)")
    _check_x_lora(where, args)
    _check_ids(args.get("adapter_ids"), x, a[0] if many else 1, many)


def check_grad(args: dict[str, Any]) -> None:
    """lora_matmul_grad_custom's x_lora must match its x (the host code checks the rest, with names).

    >>> import numpy as np
    >>> check_grad({"x": np.zeros((4, 8), np.float16), "x_lora": np.zeros((4, 8), np.float16)})
    """
    _check_x_lora("lora_matmul_grad_custom", args)


def _check_x_lora(where: str, args: dict[str, Any]) -> None:
    x, xl = args.get("x"), args.get("x_lora")
    if not isinstance(x, np.ndarray) or not isinstance(xl, np.ndarray):
        return  # absent (x is the branch input), or not an array: the generic check names it
    if xl.shape != x.shape:
        raise OpkitError(f"{where}: input 'x_lora' has shape {xl.shape} but x has {x.shape}; x_lora is the LoRA "
                         "branch's input (x after dropout) and must have x's shape")
    if xl.dtype != x.dtype:
        raise OpkitError(f"{where}: input 'x_lora' has dtype {xl.dtype} but x has {x.dtype}; x_lora is the LoRA "
                         "branch's input (x after dropout) and must have x's dtype")


def _check_ids(ids: Any, x: tuple[int, ...], adapters: int, many: bool) -> None:
    where = "lora_matmul_custom"
    if ids is None:
        if many:
            raise OpkitError(f"{where}: a and b hold {adapters} adapters ([adapters, r, in]) but adapter_ids is "
                             "missing; pass adapter_ids (int32, one per row of x, -1 for no adapter)")
        return
    if not isinstance(ids, np.ndarray):
        return  # the generic check names it
    rows = int(np.prod(x[:-1], dtype=np.int64))
    if ids.shape not in ((rows,), tuple(x[:-1])):
        raise OpkitError(f"{where}: input 'adapter_ids' has shape {ids.shape}; it needs one id per row of x: "
                         f"({rows},) or {tuple(x[:-1])}")
    if ids.dtype != np.int32:
        return  # the generic check names the dtype
    bad = np.flatnonzero((ids.ravel() < -1) | (ids.ravel() >= adapters))
    if bad.size:
        i = int(bad[0])
        raise OpkitError(f"{where}: adapter_ids[{i}] = {int(ids.ravel()[i])} is not an adapter: a holds {adapters} "
                         f"(ids 0..{adapters - 1}, or -1 for none); {bad.size} id(s) out of range")

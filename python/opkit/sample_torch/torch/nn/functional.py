"""torch.nn.functional of opkit's stand-in: layer_norm over the trailing normalized_shape axes."""

from __future__ import annotations

import numpy as np


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):  # noqa: A002
    from .. import Tensor, _arr

    a = _arr(input)
    axes = tuple(range(a.ndim - len(tuple(normalized_shape)), a.ndim))
    w = a.astype(np.float64)
    mean = w.mean(axis=axes, keepdims=True)
    var = ((w - mean) ** 2).mean(axis=axes, keepdims=True)  # biased, as torch's layer_norm
    r = (w - mean) / np.sqrt(var + eps)
    if weight is not None:
        r = r * _arr(weight)
    if bias is not None:
        r = r + _arr(bias)
    return Tensor(r.astype(a.dtype))

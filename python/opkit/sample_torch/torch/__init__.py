"""opkit's numpy stand-in for the torch calls of sample data scripts (see ../README.md).

Tensors wrap numpy arrays; dtypes are numpy's. Results follow torch's documented semantics:
randn draws N(0, 1); softmax and layer_norm are computed in float64 and rounded to the input dtype;
topk returns (values, int64 indices), largest first, ties in index order.
"""

from __future__ import annotations

import numpy as np

from . import nn  # noqa: F401  (torch.nn is reachable as an attribute, as in torch)

float16 = np.float16
float32 = np.float32
float64 = np.float64
int32 = np.int32
int64 = np.int64


class Tensor:
    def __init__(self, data):
        self._a = np.asarray(data)

    @property
    def shape(self):
        return self._a.shape

    @property
    def dtype(self):
        return self._a.dtype

    def detach(self) -> Tensor:
        return self

    def cpu(self) -> Tensor:
        return self

    def numpy(self) -> np.ndarray:
        return self._a

    def __add__(self, other):
        return add(self, other)

    __radd__ = __add__


def _arr(x) -> np.ndarray:
    return x._a if isinstance(x, Tensor) else np.asarray(x)


def randn(*size, dtype=None, device=None) -> Tensor:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return Tensor(np.random.standard_normal(size).astype(dtype or np.float32))


def add(x, y) -> Tensor:
    a, b = _arr(x), _arr(y)
    return Tensor((a + b).astype(np.result_type(a, b)))


def softmax(x, dim: int) -> Tensor:
    a = _arr(x)
    w = a.astype(np.float64)
    e = np.exp(w - w.max(axis=dim, keepdims=True))
    return Tensor((e / e.sum(axis=dim, keepdims=True)).astype(a.dtype))


def topk(x, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002 (torch's name)
    a = _arr(x)
    order = np.argsort(-a if largest else a, axis=dim, kind="stable")
    idx = np.take(order, np.arange(k), axis=dim)
    return Tensor(np.take_along_axis(a, idx, axis=dim)), Tensor(idx.astype(np.int64))

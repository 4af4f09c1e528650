"""Helpers of the MindSpore tests (a module of its own: `conftest` is ambiguous across test folders)."""

from __future__ import annotations


def cell(ms, fn):
    """``fn`` as a Cell, so GRAPH_MODE compiles the call into a graph."""

    class Call(ms.nn.Cell):
        def __init__(self):
            super().__init__()
            self.fn = fn

        def construct(self, *args):
            return self.fn(*args)

    return Call()

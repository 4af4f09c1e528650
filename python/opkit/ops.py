"""opkit's built-in ops, executed from their Ascend C sources on the software AI Core.

>>> import numpy as np, opkit
>>> opkit.ops.sinh_custom(np.zeros(3, np.float16))
array([0., 0., 0.], dtype=float16)

Each op is the project in ``ops/<op>.json``, ``host/<op>.cpp`` and ``kernels/<op>.cpp``, built by
``pip install`` through the same op-project build users get (cmake/OpkitOps.cmake). The sources ship in
``ops/source/`` (specs, op_host/, op_kernel/) so CANN can build them too (opkit.device).
"""

from __future__ import annotations

from typing import Any

from .paths import OPS_DIR

_library = None


def _lib():
    global _library
    if _library is None:
        from . import lora_matmul_custom
        from .library import OpLibrary

        _library = OpLibrary(OPS_DIR, source=OPS_DIR / "source")
        if "lora_matmul_custom" in _library.names():
            _library.lora_matmul_custom.check = lora_matmul_custom.check
        if "lora_matmul_grad_custom" in _library.names():
            _library.lora_matmul_grad_custom.check = lora_matmul_custom.check_grad
    return _library


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    value = getattr(_lib(), name)
    globals()[name] = value  # an op is looked up once: `opkit.ops.add_custom` is then a plain attribute
    return value


def __dir__() -> list[str]:
    return _lib().names()

"""opkit: write, run and verify Ascend C operators on any Linux machine.

>>> import numpy as np, opkit
>>> opkit.ops.add_custom(np.ones(4, np.float32), np.ones(4, np.float32))
array([2., 2., 2., 2.], dtype=float32)
"""

from __future__ import annotations

from . import ops
from .build import load
from .errors import (
                     BuildError,
                     CheckError,
                     FindingWarning,
                     KernelError,
                     ModeUnavailable,
                     OpkitError,
                     SpecError,
                     TilingError,
)
from .isolation import set_isolation

__version__ = "0.1.0"
__all__ = [
                     "BuildError",
                     "CheckError",
                     "FindingWarning",
                     "KernelError",
                     "ModeUnavailable",
                     "OpkitError",
                     "SpecError",
                     "TilingError",
                     "__version__",
                     "load",
                     "ops",
                     "set_isolation",
]

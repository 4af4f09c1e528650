"""Unit tests need no compiler: without an installed opkit they import the package from python/."""

from __future__ import annotations

import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "python"

# An installed opkit's pytest plugin may already have imported the package; then that copy is tested.
if "opkit" not in sys.modules:
    sys.path.insert(0, str(SOURCE))

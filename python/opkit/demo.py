"""``python -m opkit demo``: run each built-in kernel on the software AI Core and compare with numpy."""

from __future__ import annotations

import time

import numpy as np

from . import ops
from .tolerances import assert_close_report


def _cases(n: int, rng: np.random.Generator):
    for dtype in ("float16", "float32"):
        x = rng.uniform(-4, 4, n).astype(dtype)
        y = rng.uniform(-4, 4, n).astype(dtype)
        z = rng.uniform(0.5, 4, n).astype(dtype)
        wide = [a.astype(np.float64) for a in (x, y, z)]
        yield "add_custom", dtype, lambda x=x, y=y: ops.add_custom(x, y), wide[0] + wide[1]
        yield ("addcdiv_custom", dtype, lambda x=x, y=y, z=z: ops.addcdiv_custom(x, y, z, value=0.5),
               wide[0] + 0.5 * wide[1] / wide[2])
        yield "sinh_custom", dtype, lambda x=x: ops.sinh_custom(x), np.sinh(wide[0])


def run_demo(n: int) -> int:
    from . import _core

    rng = np.random.default_rng(0)
    soc = _core.soc(None)["name"]
    print(f"opkit demo: {n} elements per input, mode cpu (software AI Core, {soc}); "
          "no NPU was used")
    print(f"{'op':<16}{'dtype':<10}{'ms':>9}  {'max abs err':>12}  verdict")
    failed = 0
    for name, dtype, call, golden in _cases(n, rng):
        t0 = time.perf_counter()
        out = call()
        ms = (time.perf_counter() - t0) * 1e3
        ok, err = assert_close_report(out, golden, dtype)
        failed += not ok
        print(f"{name:<16}{dtype:<10}{ms:>9.2f}  {err:>12.3g}  {'ok' if ok else 'MISMATCH'}")
    return 1 if failed else 0

"""Which verification modes can run here, and why not when they cannot.

``cpu`` always runs (the software AI Core). ``npu_simulator`` runs opkit's AI Core model unless
``OPKIT_SIMULATOR=camodel`` asks for CANN's simulator. ``npu_onboard`` needs CANN and an NPU. The
two CANN targets run through :mod:`opkit.device`.

>>> from opkit import modes
>>> modes.unavailable("cpu") is None
True
"""

from __future__ import annotations

import os


def cann_target(mode: str) -> str | None:
    """The :mod:`opkit.device` target a mode runs on ("camodel", "board"), or None for opkit's own."""
    if mode == "npu_onboard":
        return "board"
    if mode == "npu_simulator" and os.environ.get("OPKIT_SIMULATOR", "opkit") == "camodel":
        return "camodel"
    return None


def unavailable(mode: str, soc: str | None = None) -> str | None:
    """None when ``mode`` can run on this machine, else the reason it cannot (with what to do)."""
    from . import device

    if mode == "cpu":
        return None
    if mode not in ("npu_simulator", "npu_onboard"):
        return f"{mode!r} is not a mode (cpu, npu_simulator, npu_onboard)"
    wanted = os.environ.get("OPKIT_SIMULATOR", "opkit")
    if mode == "npu_simulator" and wanted not in ("", "opkit", "camodel"):
        return f"OPKIT_SIMULATOR={wanted!r} is not a simulator (use opkit or camodel)"
    kind = cann_target(mode)
    return None if kind is None else device.probe(kind, soc)[1]


def describe(mode: str, soc: str | None = None) -> str:
    """What runs the kernels in ``mode`` (for report headers); the mode must be available."""
    from . import device

    kind = cann_target(mode)
    if kind is not None:
        target, reason = device.probe(kind, soc)
        return target.describe(soc) if target else f"unavailable: {reason}"
    if mode == "npu_simulator":
        return ("opkit AI Core model (checks + timing, not calibrated against hardware) on the software AI Core; "
                "no NPU, no CANN")
    return "software AI Core on the CPU; no NPU, no CANN"

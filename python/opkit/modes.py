"""Which verification modes can run here, and why not when they cannot.

``cpu`` always runs (the software AI Core). ``npu_simulator`` runs opkit's AI Core model unless
``OPKIT_SIMULATOR=camodel`` asks for CANN's simulator. ``npu_onboard`` needs CANN and an NPU.

>>> from opkit import modes
>>> modes.unavailable("cpu") is None
True
"""

from __future__ import annotations

import glob
import os


def _npus() -> list[str]:
    return sorted(glob.glob("/dev/davinci[0-9]*"))


def unavailable(mode: str, soc: str | None = None) -> str | None:
    """None when ``mode`` can run on this machine, else the reason it cannot (with what to do)."""
    from . import cann as cann_mod

    if mode == "cpu":
        return None
    if mode == "npu_simulator":
        wanted = os.environ.get("OPKIT_SIMULATOR", "opkit")
        if wanted in ("", "opkit"):
            return None
        if wanted != "camodel":
            return f"OPKIT_SIMULATOR={wanted!r} is not a simulator (use opkit or camodel)"
        found = cann_mod.find_cann()
        if found is None:
            return ("OPKIT_SIMULATOR=camodel needs CANN's simulator, and no CANN toolkit was found "
                    "(python -m opkit doctor shows where opkit looked); unset it to use opkit's model")
        name = cann_mod.soc_names(soc).simulator
        if name not in found.simulators:
            return (f"OPKIT_SIMULATOR=camodel: CANN at {found.path} has no simulator for {name} "
                    f"(found: {', '.join(sorted(found.simulators)) or 'none'})")
        return (f"OPKIT_SIMULATOR=camodel: CANN's simulator for {name} was found at {found.simulators[name]}, "
                "but driving it is not implemented in this version of opkit; unset OPKIT_SIMULATOR to use "
                "opkit's model")
    if mode == "npu_onboard":
        found = cann_mod.find_cann()
        npus = _npus()
        missing = []
        if found is None:
            missing.append("no CANN toolkit was found")
        if not npus:
            missing.append("no NPU device (/dev/davinci*) is present")
        if missing:
            return "npu_onboard needs CANN and an Ascend NPU: " + " and ".join(missing) + \
                "; run with --mode=cpu or --mode=npu_simulator"
        return (f"CANN ({found.path}) and {len(npus)} NPU(s) were found, but running tests on the board is "
                "not implemented in this version of opkit; run with --mode=cpu or --mode=npu_simulator")
    return f"{mode!r} is not a mode (cpu, npu_simulator, npu_onboard)"

"""The npu_simulator mode from Python: run kernels under opkit's AI Core model, read what it found.

>>> import numpy as np, opkit
>>> from opkit import simulator
>>> with simulator.simulating():
...     _ = opkit.ops.add_custom(np.ones(4096, np.float16), np.ones(4096, np.float16))
>>> simulator.last().findings
[]

Every simulated launch yields a ``Simulation``: total cycles and microseconds, per-pipe busy time and
utilisation, GM traffic against the SoC's peak, what bounds the kernel, and the findings (hardware
rules the kernel breaks). A launch with findings raises ``opkit.CheckError`` carrying them. The
model's parameters are not calibrated against hardware (runtime/src/sim.cpp, Note [Model
parameters]); every report says which model ran.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import CheckError, FindingWarning, OpkitError

PIPES = ("S", "V", "M", "MTE1", "MTE2", "MTE3", "FIX")


@dataclass(frozen=True)
class Finding:
    kind: str
    core: int
    site: str
    message: str

    def __str__(self) -> str:
        at = f" at {self.site}" if self.site else ""
        return f"[{self.kind}] core {self.core}{at}: {self.message}"


@dataclass(frozen=True)
class Simulation:
    kernel: str
    soc: str
    model: str
    block_dim: int
    cycles: float
    microseconds: float
    pipe_busy_cycles: dict[str, float]
    pipe_utilisation: dict[str, float]
    gm_bytes: int
    achieved_bytes_per_second: float
    peak_bytes_per_second: float
    bound: str
    findings: list[Finding] = field(default_factory=list)
    events: list[tuple[int, str, str, float, float, int]] = field(default_factory=list)  # core, pipe, name, start, end, bytes
    hbm_bytes: int = 0  # of gm_bytes, what went to or came from HBM; the rest the L2 served (Note [L2 model])
    cube_peak_share: float = 0.0  # the cube's MAC cycles over (time x cube cores): share of the modelled peak
    text: str = ""

    @property
    def bandwidth_share(self) -> float:
        """Achieved HBM bandwidth as a fraction of the SoC's peak (the memory roofline); reads the L2
        served (Note [L2 model]) do not count."""
        hbm = self.hbm_bytes / self.gm_bytes if self.hbm_bytes > 0 and self.gm_bytes > 0 else 1.0
        return self.achieved_bytes_per_second * hbm / self.peak_bytes_per_second

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Simulation:
        d = dict(d)
        d["findings"] = [Finding(**f) for f in d.get("findings", [])]
        d["events"] = [tuple(e) for e in d.get("events", [])]
        return cls(**d)


class Simulations(list):
    """The simulations of the launches made by this thread inside one ``simulating()`` block, in order."""

    @property
    def last(self) -> Simulation | None:
        return self[-1] if self else None


_local = threading.local()  # per thread: .last, .blocks (the open simulating() handles)


def enabled() -> bool:
    """Whether launches made by this thread run under the model (Note [Simulator state per thread])."""
    from . import _core

    return bool(_core.simulator_enabled())


def enable(on: bool = True, trace: bool = False) -> None:
    """Turn the npu_simulator mode on or off for the launches this thread makes."""
    from . import _core

    _core.set_simulator(1 if on else 0)
    _core.set_tracing(bool(trace))


_default: bool | None = None


def set_default(on: bool | None) -> bool | None:
    """The mode of threads that chose none themselves (the pytest plugin sets the session's mode here;
    launches a framework makes on its own threads, e.g. MindSpore's, follow it); None goes back to
    $OPKIT_MODE. Returns the previous setting, to restore it."""
    global _default
    from . import _core

    before, _default = _default, on
    _core.set_simulator_default(-1 if on is None else int(bool(on)))
    return before


@contextlib.contextmanager
def simulating(trace: bool = False) -> Iterator[Simulations]:
    """Run this thread's launches inside the block under the model (``trace`` keeps each instruction);
    the handle it yields holds their simulations.

    >>> import numpy as np, opkit
    >>> with simulating() as sims:
    ...     _ = opkit.ops.add_custom(np.ones(64, np.float16), np.ones(64, np.float16))
    >>> len(sims), sims.last.bound in ("memory", "vector", "cube", "scalar/latency")  # doctest: +SKIP
    (1, True)
    """
    from . import _core

    before = _core.thread_simulator()
    handle = Simulations()
    handle.trace = trace
    blocks = _blocks()
    blocks.append(handle)
    enable(True, trace)
    try:
        yield handle
    finally:
        blocks.remove(handle)
        _core.set_simulator(before)
        _core.set_tracing(any(b.trace for b in blocks))  # an enclosing block's choice comes back


def _blocks() -> list[Simulations]:
    if not hasattr(_local, "blocks"):
        _local.blocks = []
    return _local.blocks


def last() -> Simulation | None:
    """The simulation of the last launch this thread made from Python (in this process or its isolated
    child)."""
    return getattr(_local, "last", None)


def collect() -> dict[str, Any] | None:
    """This thread's last simulated launch as plain data (safe to send between processes)."""
    from . import _core

    return _core.last_simulation()


def record(data: dict[str, Any] | None) -> None:
    """Keep a launch's simulation (this thread's ``last()`` and its open ``simulating()`` handles) and
    raise CheckError if the model found anything."""
    if data is None:
        return
    sim = Simulation.from_dict(data)
    _local.last = sim
    for handle in _blocks():
        handle.append(sim)
    if sim.findings:
        lines = "\n".join(f"  {f}" for f in sim.findings)
        message = f"npu_simulator: {sim.kernel}: {len(sim.findings)} finding(s) on {sim.soc}:\n{lines}"
        if findings_are_warnings():
            import warnings

            warnings.warn(FindingWarning(message, sim.findings), stacklevel=3)
            return
        raise CheckError(message, sim.findings)


def findings_are_warnings() -> bool:
    """$OPKIT_FINDINGS: "warn" turns the findings of a call that completed into a FindingWarning;
    unset or "error", they raise CheckError (Note [Findings as warnings] in runtime/src/sim.h)."""
    import os

    value = os.environ.get("OPKIT_FINDINGS", "")
    if value in ("", "error"):
        return False
    if value == "warn":
        return True
    raise OpkitError(f"OPKIT_FINDINGS={value!r}: expected 'error' (the default: a finding fails the call) "
                     "or 'warn' (findings are warnings and the call returns its results)")

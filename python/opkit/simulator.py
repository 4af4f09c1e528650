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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import CheckError

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
    text: str = ""

    @property
    def bandwidth_share(self) -> float:
        """Achieved GM bandwidth as a fraction of the SoC's peak (the memory roofline)."""
        return self.achieved_bytes_per_second / self.peak_bytes_per_second

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Simulation:
        d = dict(d)
        d["findings"] = [Finding(**f) for f in d.get("findings", [])]
        d["events"] = [tuple(e) for e in d.get("events", [])]
        return cls(**d)


_last: Simulation | None = None


def enabled() -> bool:
    from . import _core

    return bool(_core.simulator_enabled())


def enable(on: bool = True, trace: bool = False) -> None:
    """Turn the npu_simulator mode on or off for every launch of this process."""
    from . import _core

    _core.set_simulator(1 if on else 0)
    _core.set_tracing(bool(trace))


@contextlib.contextmanager
def simulating(trace: bool = False) -> Iterator[None]:
    """Run the launches inside the block under the model (``trace`` keeps each instruction)."""
    from . import _core

    before = _core.simulator_enabled()
    enable(True, trace)
    try:
        yield
    finally:
        _core.set_simulator(1 if before else 0)
        _core.set_tracing(False)


def last() -> Simulation | None:
    """The simulation of the last launch made from Python (in this process or its isolated child)."""
    return _last


def collect() -> dict[str, Any] | None:
    """This thread's last simulated launch as plain data (safe to send between processes)."""
    from . import _core

    return _core.last_simulation()


def record(data: dict[str, Any] | None) -> None:
    """Keep a launch's simulation and raise CheckError if the model found anything."""
    global _last
    if data is None:
        return
    _last = Simulation.from_dict(data)
    if _last.findings:
        lines = "\n".join(f"  {f}" for f in _last.findings)
        raise CheckError(f"npu_simulator: {_last.kernel}: {len(_last.findings)} finding(s) on {_last.soc}:\n{lines}",
                         _last.findings)

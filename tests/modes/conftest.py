"""Fixtures for the npu_simulator tests: CPU-debug programs built once per session, run, and read.

The programs in programs/ are CANN kernel-launch programs compiled as a user would, with
``g++ -O1 -g prog.cpp $(python -m opkit config --cflags --libs)``; ``-g`` lets the model name the
kernel source line of a finding (addr2line). ``run_program`` starts one with a clean environment:
OPKIT_MODE and OPKIT_SOC are set only when the test asks, so the session's own mode cannot leak
into a program that must run in cpu mode. ``parse_summary`` reads the table the model prints on
stderr (runtime/src/sim.cpp, Format()).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cpu_programs import compile_all

PROGRAMS_DIR = Path(__file__).resolve().parent / "programs"


@pytest.fixture(scope="session")
def sim_programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every programs/*.cpp compiled (in parallel) to an executable, by file stem."""
    return compile_all(PROGRAMS_DIR, tmp_path_factory.mktemp("sim_programs"), ["-O1", "-g", "-Wall"],
                       "the npu_simulator test programs")


RunProgram = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def run_program(sim_programs: dict[str, Path]) -> RunProgram:
    """run_program(name, *args, mode=None, soc=None, findings=None): run programs/<name>.cpp's executable
    (``findings``: $OPKIT_FINDINGS, unset by default)."""

    def run(name: str, *args: object, mode: str | None = None, soc: str | None = None,
            timeout: float = 60, findings: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_MODE", "OPKIT_SOC", "OPKIT_FINDINGS")}
        if findings is not None:
            env["OPKIT_FINDINGS"] = findings
        if mode is not None:
            env["OPKIT_MODE"] = mode
        if soc is not None:
            env["OPKIT_SOC"] = soc
        return subprocess.run([str(sim_programs[name]), *map(str, args)], check=False, capture_output=True,
                              text=True, env=env, timeout=timeout)

    return run


@dataclass
class Summary:
    """One launch's summary as printed by a CPU-debug program under npu_simulator."""

    kernel: str
    soc: str
    block_dim: int
    cycles: float
    gm_megabytes: float
    achieved_gbps: float
    peak_gbps: float
    utilisation: dict[str, float]
    bound: str
    findings_none: bool
    findings: list[str] = field(default_factory=list)  # the text after "finding     "


_HEAD = re.compile(r"^npu_simulator: (\S+) on (\S+), blockDim (\d+) \(", re.MULTILINE)
_TIME = re.compile(r"^  time        (\d+) cycles = [\d.]+ us$", re.MULTILINE)
_GM = re.compile(r"^  GM traffic  ([\d.]+) MB, ([\d.]+) GB/s of ([\d.]+) GB/s peak", re.MULTILINE)
_UTIL = re.compile(r"^  pipe utilisation:(.*)$", re.MULTILINE)
_BOUND = re.compile(r"^  bound by    (.+)$", re.MULTILINE)


def parse_summary(stderr: str) -> Summary:
    """The one summary in a program's stderr (fails the test if there is none or several)."""
    heads = _HEAD.findall(stderr)
    assert len(heads) == 1, f"expected one npu_simulator summary on stderr, found {len(heads)}:\n{stderr}"
    fields = [rx.search(stderr) for rx in (_TIME, _GM, _UTIL, _BOUND)]
    assert all(fields), f"the summary lacks a line (time, GM traffic, pipe utilisation, bound by):\n{stderr}"
    time, gm, util, bound = fields
    kernel, soc, dim = heads[0]
    return Summary(
        kernel=kernel, soc=soc, block_dim=int(dim), cycles=float(time.group(1)),
        gm_megabytes=float(gm.group(1)), achieved_gbps=float(gm.group(2)), peak_gbps=float(gm.group(3)),
        utilisation={p: float(v) / 100 for p, v in re.findall(r"(\w+) (\d+)%", util.group(1))},
        bound=bound.group(1), findings_none="\n  findings    none\n" in stderr,
        findings=re.findall(r"^  finding     (.+)$", stderr, re.MULTILINE))


@pytest.fixture
def summary_of() -> Callable[[str], Summary]:
    """parse_summary, for tests (conftest modules are not importable by name)."""
    return parse_summary

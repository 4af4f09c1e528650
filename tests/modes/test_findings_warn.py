"""$OPKIT_FINDINGS=warn (Note [Findings as warnings], runtime/src/sim.h): a run whose kernel completed goes
on with its findings printed (a CPU-debug program exits 0; a Python call returns and warns), so an
official sample with a real hazard can still be judged by its own verify script. A failed launch fails
either way."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import opkit
from opkit import simulator

SIM = "npu_simulator"


def test_a_program_with_a_finding_completes_when_findings_warn(run_program) -> None:
    proc = run_program("unwritten_read", "unsynced", mode=SIM, findings="warn")
    assert proc.returncode == 0, proc.stderr
    assert sum("[unsynced-read]" in ln for ln in proc.stderr.splitlines()) == 1, proc.stderr
    assert "opkit: warning: " in proc.stderr and "1 npu_simulator finding(s); OPKIT_FINDINGS=warn" in proc.stderr


def test_by_default_and_with_error_a_finding_ends_the_program(run_program) -> None:
    for findings in (None, "error"):
        proc = run_program("unwritten_read", "unsynced", mode=SIM, findings=findings)
        assert proc.returncode == 1, (findings, proc.stderr)
        assert "opkit: error: " in proc.stderr and "OPKIT_FINDINGS=warn reports them and goes on" in proc.stderr


def test_a_bad_value_is_refused_with_what_is_accepted(run_program) -> None:
    proc = run_program("unwritten_read", "unsynced", mode=SIM, findings="warning")
    assert proc.returncode == 2
    assert 'OPKIT_FINDINGS=warning: expected "error"' in proc.stderr and '"warn"' in proc.stderr


def _simulation_with_a_finding() -> dict:
    x = np.ones(64, np.float32)
    with simulator.simulating() as sims:
        opkit.ops.add_custom(x, x)
    data = dataclasses.asdict(sims[0])
    finding = {"kind": "unsynced-read", "core": 0, "site": "k.cpp:7", "message": "a stand-in finding"}
    return {**data, "findings": [finding]}


def test_a_python_call_warns_instead_of_raising(monkeypatch) -> None:
    data = _simulation_with_a_finding()
    monkeypatch.setenv("OPKIT_FINDINGS", "warn")
    with pytest.warns(opkit.FindingWarning, match=r"1 finding\(s\).*\n  \[unsynced-read\] core 0 at k.cpp:7") as caught:
        simulator.record(data)
    assert caught[0].message.findings[0].kind == "unsynced-read"
    monkeypatch.setenv("OPKIT_FINDINGS", "error")
    with pytest.raises(opkit.CheckError, match="a stand-in finding"):
        simulator.record(data)
    monkeypatch.setenv("OPKIT_FINDINGS", "loud")
    with pytest.raises(opkit.OpkitError, match=r"OPKIT_FINDINGS='loud': expected 'error'"):
        simulator.record(data)

"""``python -m opkit profile`` and opkit.report: the table, the Chrome trace, the timeline PNG.

    pytest tests/modes/test_profile.py --mode=cpu

The command runs under the npu_simulator model whatever the session's mode (it turns the model on
for its one launch), so these tests run in every mode.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from opkit import report
from opkit.simulator import PIPES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def opkit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_DEBUG", "OPKIT_SOC", "OPKIT_MODE")}
    return subprocess.run([sys.executable, "-m", "opkit", *args], check=False, capture_output=True, text=True,
                          env=env, timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def profiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    """One CLI run shared by the tests that read its output: addcdiv (three inputs and an attr)."""
    out = tmp_path_factory.mktemp("profile")
    r = opkit("profile", "addcdiv_custom", "--shape", "262144", "--dtype", "float16", "--attr", "value=0.5",
              "--out", str(out), "--seed", "1", cwd=out)
    assert r.returncode == 0, r.stderr
    return r, out


def test_cli_writes_a_chrome_trace(profiled: tuple[subprocess.CompletedProcess, Path]) -> None:
    r, out = profiled
    path = out / "addcdiv_custom_trace.json"
    assert str(path) in r.stdout
    doc = json.loads(path.read_text())
    events = doc["traceEvents"]
    assert isinstance(events, list)
    complete = [e for e in events if e["ph"] == "X"]
    assert complete
    for e in complete:
        assert {"name", "ts", "dur", "pid", "tid"} <= e.keys()
        assert e["ts"] >= 0 and e["dur"] >= 0
    meta = [e for e in events if e["ph"] == "M"]
    processes = {e["pid"]: e["args"]["name"] for e in meta if e["name"] == "process_name"}
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in meta if e["name"] == "thread_name"}
    assert processes[0] == "core 0"
    assert {e["pid"] for e in complete} == set(processes)
    assert {(e["pid"], e["tid"]) for e in complete} == set(threads)
    assert set(threads.values()) <= set(PIPES) and "MTE2" in threads.values()
    # ts/dur in microseconds at the SoC clock: the last event ends near the kernel's time (which
    # adds the last copy's latency after it).
    cycles, clock = doc["otherData"]["cycles"], doc["otherData"]["clock_ghz"]
    end = max(e["ts"] + e["dur"] for e in complete)
    assert 0.8 * cycles / (clock * 1e3) <= end <= cycles / (clock * 1e3)
    assert all(e["dur"] == pytest.approx((e["args"]["end_cycle"] - e["args"]["start_cycle"]) / (clock * 1e3))
               for e in complete)


def test_cli_writes_a_timeline_png(profiled: tuple[subprocess.CompletedProcess, Path]) -> None:
    r, out = profiled
    path = out / "addcdiv_custom_timeline.png"
    assert str(path) in r.stdout
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000


def test_cli_table_names_cycles_bound_and_model(profiled: tuple[subprocess.CompletedProcess, Path]) -> None:
    r, _ = profiled
    text = r.stdout
    for needle in ("cycles", "µs", "bound", "roofline", "GB/s", "pipe MTE2", "findings", "AI Core model"):
        assert needle in text, f"{needle!r} missing from:\n{text}"


@pytest.mark.parametrize("args, message", [
    (["no_such_op"], "has no op 'no_such_op' (available: add_custom"),
    (["add_custom", "--dtype", "float61"], "'float61' is not one of its dtypes"),
    (["addcdiv_custom", "--attr", "valu=1"], "its attrs: value"),
    (["add_custom", "--shape", "8y2"], "is not a shape"),
], ids=["op", "dtype", "attr", "shape"])
def test_cli_bad_input_is_one_error_line(tmp_path: Path, args: list[str], message: str) -> None:
    r = opkit("profile", *args, "--shape", "1024", "--out", str(tmp_path), cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("opkit: error: ") and message in lines[0], r.stderr
    assert not list(tmp_path.iterdir())


def test_timeline_names_the_busiest_instruction_per_pipe() -> None:
    sim = report.profile("addcdiv_custom", [[65536]], "float32", attrs={"value": 0.5})
    top = report.busiest_per_pipe(sim)
    assert top["MTE2"][0].startswith("DataCopy") and top["MTE3"][0].startswith("DataCopy"), top
    assert set(top) <= set(PIPES) and all(0 < share <= 1 for _, share in top.values())
    # the vector pipe's busiest instruction is one addcdiv issues, and the colours follow busy time
    assert top["V"][0] in {"Div", "Mul", "Muls", "Add", "Cast"}, top
    colours = report.instruction_colours(sim)
    assert top["V"][0] in colours and len(set(colours.values())) == len(colours)


def test_cli_writes_into_its_own_folder_by_default(tmp_path: Path) -> None:
    """Without --out nothing lands beside a project's specs (a trace there once broke `build`)."""
    r = opkit("profile", "add_custom", "--shape", "4096", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["opkit_profile"]
    assert sorted(p.name for p in (tmp_path / "opkit_profile").iterdir()) == [
        "add_custom_timeline.png", "add_custom_trace.json"]


def test_cycles_grow_linearly_with_size() -> None:
    small = report.profile("add_custom", [[4_000_000]], "float16", trace=False)
    large = report.profile("add_custom", [[16_000_000]], "float16", trace=False)
    assert small.kernel == "add_custom" and not small.findings
    assert 3.0 <= large.cycles / small.cycles <= 5.0, (small.cycles, large.cycles)
    assert large.gm_bytes == 3 * 2 * 16_000_000


def test_trace_keeps_the_first_cores_beyond_max_events(tmp_path: Path) -> None:
    sim = report.profile("add_custom", [[1_000_000]], "float16")
    assert sim.events and sim.block_dim > 2
    per_core = sum(1 for e in sim.events if e[0] == 0)
    written = report.write_chrome_trace(sim, tmp_path / "t.json", report.clock_ghz(sim), max_events=2 * per_core)
    assert (written.cores, written.total_cores) == (2, sim.block_dim)
    doc = json.loads((tmp_path / "t.json").read_text())
    assert {e["pid"] for e in doc["traceEvents"]} == {0, 1}

"""npu_simulator findings from a CANN CPU-debug program: each check against a deliberately broken kernel.

programs/sim_checks.cpp holds one kernel per finding kind; only core 2 of 4 breaks the rule, on the
line marked ``// CHECK: <kind>``. Started with OPKIT_MODE=npu_simulator, the program must print the
model's summary on stderr with a ``finding     [<kind>] core 2 at <file>:<line>: ...`` line and exit
nonzero. Started without OPKIT_MODE (cpu mode), the silent rules must pass: the NPU would not
complain either, which is why the simulator exists.

Run: pytest tests/modes/test_checks.py -q --mode=cpu
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent / "programs" / "sim_checks.cpp"
BAD_CORE = 2
SIM = "npu_simulator"

# (kernel in sim_checks.cpp, finding kind); the first five break rules the NPU does not report.
SILENT = [("round_down", "datacopy-round-down"), ("repeat_overflow", "repeat-overflow"),
          ("illegal_mask", "illegal-mask"), ("held_tensor", "held-tensor"), ("gm_overlap", "gm-overlap")]
CASES = [*SILENT, ("fatal", "fatal")]


def marker_line(kind: str) -> int:
    """The 1-based line of sim_checks.cpp carrying ``// CHECK: <kind>``."""
    lines = [i for i, text in enumerate(SOURCE.read_text().splitlines(), 1)
             if re.search(rf"// CHECK: {re.escape(kind)}(\s|$)", text)]
    assert len(lines) == 1, f"{SOURCE.name}: expected one `// CHECK: {kind}` marker, found lines {lines}"
    return lines[0]


def finding_lines(stderr: str, kind: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"  finding     [{kind}] ")]


@pytest.mark.parametrize("kernel, kind", CASES, ids=[k for _, k in CASES])
def test_finding_reported(run_program, summary_of, kernel: str, kind: str) -> None:
    proc = run_program("sim_checks", kernel, mode=SIM)
    assert proc.returncode == 1, f"status {proc.returncode}, expected 1\nstderr: {proc.stderr}"
    summary = summary_of(proc.stderr)
    assert (summary.kernel, summary.soc, summary.block_dim) == (kernel, "Ascend910B1", 4)
    assert not summary.findings_none
    found = finding_lines(proc.stderr, kind)
    assert len(found) == 1, f"expected one [{kind}] finding, got {found}\nstderr: {proc.stderr}"
    assert found[0].startswith(f"  finding     [{kind}] core {BAD_CORE}"), found[0]
    # The program's last word is opkit's one-line error. A broken rule may have consequences the
    # model also reports (the bytes a round-down left out are read later), so other findings may
    # accompany the one under test; the count must match the lines printed.
    last = proc.stderr.strip().splitlines()[-1]
    if kind == "fatal":
        assert last.startswith(f"opkit: error: {kernel} core {BAD_CORE}: DeQue on an empty"), last
    else:
        assert last == (f"opkit: error: {kernel}: {len(summary.findings)} npu_simulator finding(s) "
                        "(OPKIT_FINDINGS=warn reports them and goes on)"), last


# Note [Finding sites]: every finding names the kernel line of the offending call: the failing
# call for fatal errors, the writing DataCopy for gm-overlap, the unfreed AllocTensor for held-tensor.


@pytest.mark.parametrize("kernel, kind", CASES, ids=[k for _, k in CASES])
def test_finding_names_source_line(run_program, kernel: str, kind: str) -> None:
    proc = run_program("sim_checks", kernel, mode=SIM)
    found = finding_lines(proc.stderr, kind)
    assert found, f"no [{kind}] finding\nstderr: {proc.stderr}"
    site = f"{SOURCE.name}:{marker_line(kind)}"
    pattern = rf"  finding     \[{re.escape(kind)}\] core {BAD_CORE} at \S*{re.escape(site)}: "
    assert re.match(pattern, found[0]), f"expected the site ...{site}: {found[0]!r}"


@pytest.mark.parametrize("kernel, kind", SILENT, ids=[k for _, k in SILENT])
def test_silent_in_cpu_mode(run_program, kernel: str, kind: str) -> None:
    proc = run_program("sim_checks", kernel)
    assert (proc.returncode, proc.stderr) == (0, ""), \
        f"cpu mode: status {proc.returncode}\nstderr: {proc.stderr}"


def test_fatal_in_cpu_mode(run_program) -> None:
    proc = run_program("sim_checks", "fatal")
    assert proc.returncode == 1
    expected = ("opkit: error: fatal core 2: DeQue on an empty VECOUT queue: nothing was EnQue'd, "
                "the NPU would wait here forever")
    assert proc.stderr.strip().splitlines() == [expected]


def test_fatal_is_the_only_finding(run_program, summary_of) -> None:
    summary = summary_of(run_program("sim_checks", "fatal", mode=SIM).stderr)
    assert [f.split("]")[0] + "]" for f in summary.findings] == ["[fatal]"], summary.findings


def test_gm_overlap_names_both_cores_and_the_bytes(run_program) -> None:
    found = finding_lines(run_program("sim_checks", "gm_overlap", mode=SIM).stderr, "gm-overlap")
    # core 2's first 3072 halves land on the second half of core 1's last tile
    assert found, "no [gm-overlap] finding"
    assert "cores 1 and 2 both write the GM bytes at 0x" in found[0] and "(6144 bytes)" in found[0], found


def test_strided_writes_of_side_by_side_column_blocks_do_not_overlap(run_program, summary_of) -> None:
    # each core's rows sit in the gaps of the others' (Note [Overlapping GM writes]): no byte is written twice
    proc = run_program("sim_checks", "column_blocks", mode=SIM)
    assert proc.returncode == 0, proc.stderr
    assert summary_of(proc.stderr).findings_none, proc.stderr


def test_correct_kernel_has_no_findings(run_program, summary_of) -> None:
    proc = run_program("sim_checks", "well_behaved", mode=SIM)
    assert proc.returncode == 0, proc.stderr
    summary = summary_of(proc.stderr)
    assert summary.findings_none and summary.findings == []
    assert (summary.kernel, summary.soc, summary.block_dim) == ("well_behaved", "Ascend910B1", 4)
    assert summary.peak_gbps == 1600.0
    # 4 cores x 12288 halves x (x, y, z)
    assert summary.gm_megabytes == pytest.approx(4 * 12288 * 2 * 3 / 1e6, abs=1e-3)
    assert summary.cycles > 0 and summary.utilisation["MTE2"] > 0
    # cpu mode prints nothing at all
    assert (run_program("sim_checks", "well_behaved").stderr) == ""


def test_soc_changes_the_summary(run_program, summary_of) -> None:
    b = summary_of(run_program("sim_checks", "well_behaved", mode=SIM).stderr)
    proc = run_program("sim_checks", "well_behaved", mode=SIM, soc="Ascend910A")
    assert proc.returncode == 0, proc.stderr
    a = summary_of(proc.stderr)
    assert a.soc == "Ascend910A" and a.findings_none
    assert a.peak_gbps < b.peak_gbps  # 910A: 1.2 TB/s of HBM against 910B's 1.6

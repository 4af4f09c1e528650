"""Code production kernels write that opkit accepts as CANN does, and the narrow cases it reports (issue 15).

programs/strict_rules.cpp holds one kernel per case (its header lists them). In cpu mode every
kernel runs and gives the NPU's bytes, including the ones the NPU overwrites; under npu_simulator
only the kernels that break a rule have a finding, on the line marked ``// CHECK: <kind>``.

Run: pytest tests/modes/test_strict.py -q --mode=cpu
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_checks import finding_lines

SIM = "npu_simulator"
SOURCE = "strict_rules.cpp"
CLEAN = ["whole_ub", "scratch_below", "scratch_freed", "mask_one_word", "masked_row_end", "empty_unused"]
REPORTED = [("scratch_hit", "ub-scratch", ("Select (VSEL_TENSOR_SCALAR_MODE)", "the TBuf of 196608 bytes",
                                          "offset 188416", "pipe.InitBuffer at ")),
            ("scratch_queue", "ub-scratch", ("Select (VSEL_TENSOR_TENSOR_MODE)", "buffer 0 of the TQue of 12288 bytes")),
            ("empty_used", "empty-buffer", ("Duplicate", "the TBuf of 0 bytes"))]


def marker_line(kind: str) -> list[int]:
    text = (Path(__file__).resolve().parent / "programs" / SOURCE).read_text().splitlines()
    return [i for i, line in enumerate(text, 1) if f"// CHECK: {kind}" in line]


@pytest.fixture
def run_raw(sim_programs):
    def run(case: str, mode: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_MODE", "OPKIT_SOC")}
        if mode is not None:
            env["OPKIT_MODE"] = mode
        return subprocess.run([str(sim_programs["strict_rules"]), case], capture_output=True, env=env, timeout=60,
                              check=False)

    return run


@pytest.mark.parametrize("case", CLEAN)
def test_accepted_without_finding(run_raw, case: str) -> None:
    for mode in (None, SIM):
        proc = run_raw(case, mode)
        stderr = proc.stderr.decode()
        assert proc.returncode == 0, f"{mode or 'cpu'}: status {proc.returncode}\n{stderr}"
        assert "finding     [" not in stderr, stderr


@pytest.mark.parametrize("case, kind, words", REPORTED, ids=[c for c, _, _ in REPORTED])
def test_reported_at_the_call(run_raw, case: str, kind: str, words: tuple[str, ...]) -> None:
    proc = run_raw(case, SIM)
    stderr = proc.stderr.decode()
    assert proc.returncode == 1, stderr
    found = finding_lines(stderr, kind)
    assert len(found) == 1, stderr
    lines = [n for n in marker_line(kind) if f"{SOURCE}:{n}:" in found[0]]
    assert lines, f"the finding does not name a `// CHECK: {kind}` line of {SOURCE}: {found[0]}"
    missing = [w for w in words if w not in found[0]]
    assert not missing, f"{missing} not in {found[0]}"
    assert stderr.strip().splitlines()[-1] == (f"opkit: error: {case}: 1 npu_simulator finding(s) "
                                               "(OPKIT_FINDINGS=warn reports them and goes on)")
    assert run_raw(case).returncode == 0  # cpu mode: silent, as on the NPU


def test_whole_ub_is_given_out(run_raw) -> None:
    z = np.frombuffer(run_raw("whole_ub").stdout, np.float32)
    np.testing.assert_array_equal(z, np.full(128, 2.0, np.float32))  # its last 64 floats too


def test_scalar_select_overwrites_the_scratch_area_as_on_the_npu(run_raw) -> None:
    z = np.frombuffer(run_raw("scratch_hit").stdout, np.float32)
    even = np.arange(64) % 2 == 0
    np.testing.assert_array_equal(z[:64], np.where(even, 1.0, 5.0).astype(np.float32))
    # the 32 floats CANN duplicates the scalar into at TMP_UB_OFFSET, then the TBuf's own data
    np.testing.assert_array_equal(z[64:96], np.full(32, 5.0, np.float32))
    np.testing.assert_array_equal(z[96:], np.full(32, 1.0, np.float32))


def test_tensor_select_stages_the_mask_address(run_raw) -> None:
    z = np.frombuffer(run_raw("scratch_queue").stdout, np.float32)
    even = np.arange(64) % 2 == 0
    np.testing.assert_array_equal(z[:64], np.where(even, 1.0, 3.0).astype(np.float32))
    np.testing.assert_array_equal(z[64:96].view(np.uint32), np.full(32, 512, np.uint32))  # selMask's UB offset
    np.testing.assert_array_equal(z[96:], np.full(32, 7.0, np.float32))


def test_one_word_mask_for_floats(run_raw) -> None:
    z = np.frombuffer(run_raw("mask_one_word").stdout, np.float32)
    np.testing.assert_array_equal(z[:64], np.where(np.arange(64) < 16, 3.5, 0.0).astype(np.float32))


def test_masked_row_may_end_the_ub(run_raw) -> None:
    """Only the blocks the mask enables are read (Note [Masked-off blocks]); under AddressSanitizer a
    read of the other seven blocks of the row is a heap-buffer-overflow past the UB arena."""
    z = np.frombuffer(run_raw("masked_row_end").stdout, np.float32)
    expect = np.zeros(64, np.float32)
    expect[0] = 12.0  # WholeReduceSum of 8 x 1.5
    expect[8:16] = 2.5  # Adds 1.0
    expect[16:20] = np.full(8, 1.5, np.float16).view(np.float32)  # Cast to half
    np.testing.assert_array_equal(z[:64], expect)
    np.testing.assert_array_equal(z[64:120], np.zeros(56, np.float32))
    np.testing.assert_array_equal(z[120:], np.full(8, 1.5, np.float32))


def test_zero_length_buffer_shares_the_next_address(run_raw) -> None:
    z = np.frombuffer(run_raw("empty_used").stdout, np.float32)
    np.testing.assert_array_equal(z[:64], np.full(64, 3.0, np.float32))  # overwritten through the 0-byte TBuf
    np.testing.assert_array_equal(z[64:], np.full(64, 4.0, np.float32))

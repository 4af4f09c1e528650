"""Accesses that would corrupt host memory stop the kernel with a clear error; API details from review."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_cpu_debug import expect_kernel_error, expect_ok, run


@pytest.mark.parametrize("case, words", [
    ("gm_outside", ("DataCopy(local->GM)", "outside every buffer given to the kernel", "elements, not bytes")),
    ("gm_scalar_oob", ("GlobalTensor::SetValue", "0 bytes after the end of a GmAlloc buffer")),
    ("ub_call_oob", ("LocalTensor::operator()", "outside the core's UB")),
    ("vec_misaligned", ("Add: UB address offset 4", "not 32-byte aligned")),
    ("vec_past_ub", ("Muls: 204800 bytes at UB offset 0", "outside the core's UB")),
    ("tiling_short", ("GET_TILING_DATA(BigTiling)", "256 bytes but a GmAlloc buffer holds 32", "SetDataSize")),
], ids=lambda v: v if isinstance(v, str) else None)
def test_memory_rule_broken(programs: dict[str, Path], case: str, words: tuple[str, ...]) -> None:
    expect_kernel_error(run(programs["memory_rules"], case), case, 0, *words)


def test_printf_under_using_namespace(programs: dict[str, Path]) -> None:
    done = run(programs["memory_rules"], "printf_ok")
    expect_ok(done)
    assert "core 0 of 2 says 1.50" in done.stdout and "core 1 of 2 says 1.50" in done.stdout


def _raw(programs: dict[str, Path], case: str) -> bytes:
    import subprocess

    done = subprocess.run([str(programs["memory_rules"]), case], capture_output=True, check=True)
    return done.stdout[:512]


def test_mask_zero_is_a_nop_and_large_masks_clamp(programs: dict[str, Path]) -> None:
    out = np.frombuffer(_raw(programs, "mask_zero"), np.float32)[:64]
    np.testing.assert_array_equal(out, np.full(64, 11.0, np.float32))


def test_shift_by_the_width_clears(programs: dict[str, Path]) -> None:
    out = np.frombuffer(_raw(programs, "shift_wide"), np.int16)[:128]
    assert (out == 0).all()


def test_int64_cast_rounds_once(programs: dict[str, Path]) -> None:
    out = np.frombuffer(_raw(programs, "int64_cast"), np.float32)[0]
    assert out == np.float32(2.0**62)

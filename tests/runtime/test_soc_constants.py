"""The kernel API's per-SoC size constants follow the SoC the kernel runs on (Note [SoC constants read at
run time] in runtime/include/opkit/kernel/soc_constants.h); CANN's Matmul samples size a TBuf with one."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cpu_debug import expect_ok, run

KiB = 1024


# asc-devkit impl/basic_api/utils/kernel_utils_constants.h, per __NPU_ARCH__: 2201 (910B), 1001 (910A), 2002 (310P)
@pytest.mark.parametrize("soc, vec, ub, l1, l0c", [
    ("Ascend910B1", 184 * KiB, 192 * KiB, 512 * KiB - 128, 128 * KiB),
    ("Ascend910A", 248 * KiB, 256 * KiB, 1024 * KiB, 256 * KiB),
    ("Ascend310P3", 248 * KiB, 256 * KiB, 1024 * KiB, 256 * KiB),
])
def test_soc_constants_follow_the_soc(programs: dict[str, Path], soc: str, vec: int, ub: int, l1: int,
                                      l0c: int) -> None:
    done = run(programs["soc_constants"], "values", soc=soc)
    expect_ok(done)
    assert done.stdout.split() == [f"vec={vec}", f"ub={ub}", f"tmp={vec}", f"l1={l1}", f"l0c={l0c}", "last=c0ffee"]

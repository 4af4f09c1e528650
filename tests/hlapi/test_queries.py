"""The host-side temporary-buffer queries of the high-level APIs (lib/<family>/<api>_tiling.h through
tiling/tiling_api.h) give CANN's documented sizes, and a kernel given exactly the reported minimum runs.
Program: programs/hl_queries.cpp.

Run: pytest tests/hlapi/test_queries.py -q
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hl_run import check_ok, padded, run_program

pytestmark = pytest.mark.modes("cpu")


def queries(exe: Path, n: int, type_size: int, reuse: bool = False) -> dict[str, tuple[int, int]]:
    proc = run_program(exe, n, type_size, int(reuse))
    assert proc.returncode == 0, proc.stderr
    return {name: (int(a), int(b)) for name, a, b in (line.split() for line in proc.stdout.splitlines())}


@pytest.mark.parametrize("n", [1, 64, 1000, 4096, 48])
@pytest.mark.parametrize("ts", [2, 4])
def test_sizes_follow_the_documented_formulas(hl_programs: dict[str, Path], n: int, ts: int) -> None:
    q = queries(hl_programs["hl_queries"], n, ts)
    r = 256
    assert q["GetTanhMaxMinTmpSize"] == ((1 if ts == 4 else 4) * max(n * ts, r), (1 if ts == 4 else 4) * r)
    assert q["GetTanhTmpBufferFactorSize"] == (1 if ts == 4 else 4, 0)
    assert q["GetSigmoidMaxMinTmpSize"] == (max(n * ts, r), r)
    assert q["GetSiluTmpSize"] == q["GetSwishTmpSize"] == (0, 0)
    assert q["GetGeluMaxMinTmpSize"] == q["GetGeluMax/MinTmpSize"] == (max(3 * n * 4, 3 * r), 3 * r)
    slots = 3 if ts == 4 else 4
    assert q["GetExpMaxMinTmpSize"] == (slots * max(n * 4, r), slots * r)
    assert q["GetExpTmpBufferFactorSize"] == (3 if ts == 4 else 8, 0)
    erf = 3 if ts == 4 else 8
    assert q["GetErfMaxMinTmpSize"] == (erf * max(n * ts, r), erf * r)
    assert q["GetErfTmpBufferFactorSize"] == (erf, 0)
    assert q["GetSinMaxMinTmpSize"] == q["GetCosMaxMinTmpSize"] == (erf * max(n * ts, r), erf * r)  # same factors
    assert q["GetLogMaxMinTmpSize"] == q["GetLog10MaxMinTmpSize"] == (0, 0)
    assert q["GetLog2MaxMinTmpSize"] == ((max(n * 4, r), r) if ts == 2 else (0, 0))
    reps = (n + 256 // ts - 1) // (256 // ts)
    assert q["GetSumMaxMinTmpSize"] == ((reps + 32 // ts - 1) // (32 // ts) * (32 // ts) * ts,) * 2
    assert q["GetMeanMaxMinTmpSize"] == ((reps + 31) // 32 * 32,) * 2
    if ts == 2:
        mean_f = ((n + 63) // 64 + 31) // 32 * 32 + (n * 2 + 31) // 32 * 32 // 2 * 4
        assert q["GetMeanMaxMinTmpSize(half,float)"] == (mean_f, mean_f)
    if (n * ts) % 32 == 0:  # SoftMax on [4, n] and RmsNorm on [2, 3, n] need a 32-byte aligned last axis
        row = 32 // ts + n + 64  # floats: one block of results, the row, 64 of broadcast space
        assert q["GetSoftMaxMax/MinTmpSize"] == (4 * row * 4, row * 4)
        coeff = 2 if ts == 2 else 1
        bs_aligned = (6 + 32 // ts - 1) // (32 // ts) * (32 // ts)
        assert q["GetRmsNormMaxMinTmpSize"] == ((6 * n * coeff + bs_aligned) * 4, (n * coeff + 8) * 4)
        up = lambda b: (b + 31) // 32 * 32  # noqa: E731
        assert q["GetLayerNormMaxMinTmpSize"] == (3 * up(6 * n * 4) + 2 * up(6 * 4), 3 * up(n * 4) + 2 * up(6 * 4))


def test_exp_reuse_source_needs_one_slot_less(hl_programs: dict[str, Path]) -> None:
    q = queries(hl_programs["hl_queries"], 1000, 4, reuse=True)
    assert q["GetExpMaxMinTmpSize"] == (8000, 512)
    assert q["GetSinMaxMinTmpSize"] == (8000, 512)


def test_empty_shape_is_an_error(hl_programs: dict[str, Path]) -> None:
    proc = run_program(hl_programs["hl_queries"], 0, 2)
    assert proc.returncode == 1
    assert "GetTanhMaxMinTmpSize: srcShape has 0 elements" in proc.stderr


@pytest.mark.parametrize("api, query", [("tanh", "GetTanhMaxMinTmpSize"), ("gelu", "GetGeluMaxMinTmpSize"),
                                        ("exp", "GetExpMaxMinTmpSize"), ("sigmoid", "GetSigmoidMaxMinTmpSize")])
def test_kernel_runs_with_the_reported_minimum(hl_programs: dict[str, Path], tmp_path: Path, api: str,
                                               query: str) -> None:
    n = 300
    _, minimum = queries(hl_programs["hl_queries"], n, 2)[query]
    padded(np.linspace(-2, 2, n).astype(np.float16)).tofile(tmp_path / "x.bin")
    check_ok(run_program(hl_programs["hl_elementwise"], api, "half", "shared", n, minimum, tmp_path), "cpu")
    check_ok(run_program(hl_programs["hl_elementwise"], api, "half", "framework", n, minimum, tmp_path), "cpu")

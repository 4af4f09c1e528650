"""Findings name the kernel's own line when the program is built at -O0 too (issue: a held-tensor at -O0
was reported at opkit's tensor.h, where the non-inlined AllocTensor lives). sim_checks.cpp and
global_size.cpp are rebuilt here with ``-O0 -g``, the way CANN's cpu CMake builds kernels, and every
check's finding must name its ``// CHECK:`` line, as test_checks.py and test_global_size.py require at -O1.

Run: pytest tests/modes/test_sites_at_O0.py -q --mode=cpu
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cpu_programs import compile_all
from test_checks import BAD_CORE, CASES, finding_lines, marker_line

PROGRAMS = Path(__file__).resolve().parent / "programs"


@pytest.fixture(scope="module")
def o0_programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("o0_src")
    for name in ("sim_checks.cpp", "global_size.cpp"):
        shutil.copy(PROGRAMS / name, src / name)
    return compile_all(src, tmp_path_factory.mktemp("o0_bin"), ["-O0", "-g"], "the -O0 check programs")


def _sim(exe: Path, case: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_MODE", "OPKIT_SOC")}
    env["OPKIT_MODE"] = "npu_simulator"
    return subprocess.run([str(exe), case], capture_output=True, text=True, env=env, timeout=120, check=False).stderr


@pytest.mark.parametrize("kernel, kind", CASES, ids=[k for _, k in CASES])
def test_finding_names_the_kernel_line_at_O0(o0_programs: dict[str, Path], kernel: str, kind: str) -> None:
    stderr = _sim(o0_programs["sim_checks"], kernel)
    found = finding_lines(stderr, kind)
    assert found, f"no [{kind}] finding\nstderr: {stderr}"
    site = f"sim_checks.cpp:{marker_line(kind)}"
    assert re.match(rf"  finding     \[{re.escape(kind)}\] core {BAD_CORE} at \S*{re.escape(site)}: ", found[0]), found[0]


@pytest.mark.parametrize("case", ["past_size", "next_row", "pad_past", "pad_out", "value_past"])
def test_global_size_names_the_kernel_line_at_O0(o0_programs: dict[str, Path], case: str) -> None:
    tag = "globaltensor-size" if case == "past_size" else case
    line = next(n for n, text in enumerate((PROGRAMS / "global_size.cpp").read_text().splitlines(), 1)
                if f"CHECK: {tag}" in text)
    found = finding_lines(_sim(o0_programs["global_size"], case), "globaltensor-size")
    assert found and f"global_size.cpp:{line}: " in found[0], found

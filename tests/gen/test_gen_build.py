"""Generated projects compile, build with opkit, and their tests say what is left to write.

The compile checks need only g++ and opkit's headers; the end-to-end tests need ``opkit.load`` (the
``opkit build`` side) and run the generated pytest file in a subprocess, as a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gen_helpers import SPECS, TRICKY, compile_check, fill_block, run_gen

import opkit


@pytest.mark.parametrize("spec", SPECS + [TRICKY], ids=lambda p: p.stem)
def test_generated_sources_compile(tmp_path, cflags, spec):
    out = tmp_path / "P"
    r = run_gen(str(spec), "-o", str(out), "--soc", "Ascend910B1", "Ascend310P3")
    assert r.returncode == 0, r.stderr
    compile_check(out, cflags)


MUL_SPEC = [{
    "op": "MulScaleCustom", "language": "cpp",
    "input_desc": [{"name": "x", "param_type": "required", "format": ["ND", "ND"], "type": ["float16", "float32"]},
                   {"name": "y", "param_type": "required", "format": ["ND", "ND"], "type": ["float16", "float32"]}],
    "output_desc": [{"name": "z", "param_type": "required", "format": ["ND", "ND"], "type": ["float16", "float32"]}],
    "attr": [{"name": "scale", "param_type": "optional", "type": "float", "default_value": 1.0}],
}]
MUL_COMPUTE = ["Mul(zLocal, xLocal, yLocal, n);", "Muls(zLocal, zLocal, static_cast<T>(scale_), n);"]
MUL_GOLDEN = ["return x * y * scale"]

needs_load = pytest.mark.skipif(not hasattr(opkit, "load"), reason="opkit.load (the build side) is not here yet")


def mul_project(tmp_path: Path, compute: bool, golden: bool) -> Path:
    spec = tmp_path / "mul_scale_custom.json"
    spec.write_text(json.dumps(MUL_SPEC))
    out = tmp_path / "MulScaleCustom"
    r = run_gen(str(spec), "-o", str(out))
    assert r.returncode == 0, r.stderr
    test = out / "tests" / "test_mul_scale_custom.py"
    # 2.0 is exact in binary, so the fp16 result is still rounded once; it proves the attr arrives
    test.write_text(test.read_text().replace("ATTRS = {'scale': 1.0}", "ATTRS = {'scale': 2.0}"))
    if compute:
        fill_block(out / "op_kernel" / "mul_scale_custom.cpp", "COMPUTE", MUL_COMPUTE)
    if golden:
        fill_block(test, "GOLDEN", MUL_GOLDEN)
    return out


def run_generated_tests(project: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("OPKIT_DEBUG", "OPKIT_SOC", "PYTEST_ADDOPTS")}
    return subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "--mode=cpu"],
                          check=False, cwd=project, capture_output=True, text=True, env=env, timeout=900)


@needs_load
def test_filled_elementwise_project_passes(tmp_path):
    project = mul_project(tmp_path, compute=True, golden=True)
    r = run_generated_tests(project)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "6 passed" in r.stdout  # 2 dtype columns x 3 shapes


@needs_load
def test_unfilled_compute_fails_naming_the_file(tmp_path):
    project = mul_project(tmp_path, compute=False, golden=True)
    r = run_generated_tests(project)
    assert r.returncode == 1
    assert ("mul_scale_custom: write the per-tile compute in op_kernel/mul_scale_custom.cpp "
            "(marked OPKIT: COMPUTE)") in r.stdout
    assert "6 failed" in r.stdout


@needs_load
def test_unfilled_golden_fails_naming_the_file(tmp_path):
    project = mul_project(tmp_path, compute=True, golden=False)
    r = run_generated_tests(project)
    assert r.returncode == 1
    assert "NotImplementedError" in r.stdout and "write the numpy golden of MulScaleCustom" in r.stdout


@needs_load
def test_unfilled_skeleton_tiling_fails_loudly(tmp_path):
    out = tmp_path / "P"
    assert run_gen(str(TRICKY), "--op", "MatmulLikeCustom", "-o", str(out), "--kind", "custom").returncode == 0
    r = run_generated_tests(out)
    assert r.returncode == 1
    assert "write the tiling in op_host/matmul_like_custom.cpp (marked OPKIT: TILING)" in r.stdout

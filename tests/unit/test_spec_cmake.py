"""``python -m opkit.spec cmake FILE``: what the build reads (cmake/OpkitOps.cmake) before opkit is
installed, so it runs from the source tree with only PYTHONPATH set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "python"


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(SOURCE)}
    env.pop("OPKIT_DEBUG", None)
    return subprocess.run([sys.executable, *args], check=False, capture_output=True, text=True, env=env,
                          timeout=60)


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "ops.json"
    path.write_text(json.dumps(data))
    return path


MATMUL = {
    "op": "MatmulLeakyreluCustom",
    "input_desc": [{"name": "a", "type": ["fp16", "bf16"]}, {"name": "b", "type": ["half", "bfloat16"]},
                   {"name": "bias", "param_type": "optional", "type": "float"}],
    "output_desc": [{"name": "c", "type": ["float32", "float"]}],
    "attr": [{"name": "negative_slope", "param_type": "optional", "type": "float", "default_value": 0.0}],
}
SINH = {"op": "SinhCustom", "input_desc": [{"name": "x", "type": ["float16"]}],
        "output_desc": [{"name": "y", "type": ["float16"]}]}


def test_cmake_lines(tmp_path: Path) -> None:
    r = run("-m", "opkit.spec", "cmake", str(write(tmp_path, [MATMUL, SINH])))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "set(OPKIT_SPEC_OPS MatmulLeakyreluCustom;SinhCustom)",
        "set(OPKIT_OP_MatmulLeakyreluCustom_NAME matmul_leakyrelu_custom)",
        "set(OPKIT_OP_MatmulLeakyreluCustom_NCOLUMNS 2)",
        ("set(OPKIT_OP_MatmulLeakyreluCustom_COLUMN0 DTYPE_A=half;DTYPE_B=half;DTYPE_BIAS=float;"
         "DTYPE_C=float;ORIG_DTYPE_A=DT_FLOAT16;ORIG_DTYPE_B=DT_FLOAT16;ORIG_DTYPE_BIAS=DT_FLOAT;"
         "ORIG_DTYPE_C=DT_FLOAT)"),
        ("set(OPKIT_OP_MatmulLeakyreluCustom_COLUMN1 DTYPE_A=bfloat16_t;DTYPE_B=bfloat16_t;DTYPE_BIAS=float;"
         "DTYPE_C=float;ORIG_DTYPE_A=DT_BF16;ORIG_DTYPE_B=DT_BF16;ORIG_DTYPE_BIAS=DT_FLOAT;"
         "ORIG_DTYPE_C=DT_FLOAT)"),
        "set(OPKIT_OP_SinhCustom_NAME sinh_custom)",
        "set(OPKIT_OP_SinhCustom_NCOLUMNS 1)",
        ("set(OPKIT_OP_SinhCustom_COLUMN0 DTYPE_X=half;DTYPE_Y=half;"
         "ORIG_DTYPE_X=DT_FLOAT16;ORIG_DTYPE_Y=DT_FLOAT16)"),
    ]
    assert r.stderr == ""


def test_cmake_ref_output_defines_its_dtype_once(tmp_path: Path) -> None:
    op = {"op": "InplaceAddCustom", "input_desc": [{"name": "x", "type": ["fp16", "fp32"]},
                                                   {"name": "y", "type": ["fp16", "fp32"]}],
          "output_desc": [{"name": "x", "type": ["fp16", "fp32"]}]}
    r = run("-m", "opkit.spec", "cmake", str(write(tmp_path, [op])))
    assert r.returncode == 0, r.stderr
    col1 = next(line for line in r.stdout.splitlines() if "_COLUMN1 " in line)
    assert col1 == ("set(OPKIT_OP_InplaceAddCustom_COLUMN1 DTYPE_X=float;DTYPE_Y=float;"
                    "ORIG_DTYPE_X=DT_FLOAT;ORIG_DTYPE_Y=DT_FLOAT)")


def test_cmake_bad_spec_exits_2_with_one_error_line(tmp_path: Path) -> None:
    bad = dict(SINH, input_desc=[{"name": "x", "type": ["fp61"]}])
    path = write(tmp_path, [SINH, bad])
    r = run("-m", "opkit.spec", "cmake", str(path))
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        (f'opkit: error: {path}: [1].input_desc[0].type[0]: not a dtype, found "fp61"; '
         "use one of float16, float32, bfloat16, float64, int8, int16, int32, int64, "
         "uint8, uint16, uint32, uint64, bool, fp16, half, float, fp32, bf16, double, fp64")]


@pytest.mark.parametrize("content", ["[", "[]", "{}"], ids=["not-json", "empty-list", "no-op"])
def test_cmake_other_bad_specs(tmp_path: Path, content: str) -> None:
    path = tmp_path / "ops.json"
    path.write_text(content)
    r = run("-m", "opkit.spec", "cmake", str(path))
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith(f"opkit: error: {path}") and len(r.stderr.splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_cmake_missing_file(tmp_path: Path) -> None:
    r = run("-m", "opkit.spec", "cmake", str(tmp_path / "nope.json"))
    assert r.returncode == 2 and r.stderr.startswith("opkit: error: ") and "cannot read the spec" in r.stderr


@pytest.mark.parametrize("args", [[], ["cmake"], ["make", "x.json"]], ids=["none", "no-file", "bad-command"])
def test_cmake_usage(args: list[str]) -> None:
    r = run("-m", "opkit.spec", *args)
    assert r.returncode == 2 and "usage: python -m opkit.spec cmake SPEC.json" in r.stderr


def test_spec_needs_no_compiled_core_or_numpy() -> None:
    """The build runs opkit.spec before anything is compiled: it must not load _core (nor numpy)."""
    r = run("-c", "import sys, opkit.spec; print(opkit.spec.__file__); "
                  "print(sorted(m for m in sys.modules if m in ('opkit._core', 'numpy')))")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [str(SOURCE / "opkit" / "spec.py"), "[]"]

"""``gen --kind``: which kind gen picks and says, and each kind's generated text (no compiler needed).

test_gen_kinds_build.py builds the kinds and runs their generated tests.
"""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest
from gen_helpers import check_copies, compile_check, run_gen

from opkit.gen import kinds

KINDS_SPEC = Path(__file__).resolve().parent / "specs" / "kinds.json"


def one_op(tmp_path: Path, op: str, inputs: list[str], attrs: list[dict] | None = None,
           optional: tuple[str, ...] = ()) -> Path:
    tensor = lambda n: {"name": n, "param_type": "optional" if n in optional else "required",  # noqa: E731
                        "format": ["ND"], "type": ["float32"]}
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps([{"op": op, "input_desc": [tensor(n) for n in inputs],
                                 "output_desc": [tensor("y")], "attr": attrs or []}]))
    return spec


AXES = {"name": "axes", "param_type": "optional", "type": "list_int", "default_value": [-1]}


@pytest.mark.parametrize("op, inputs, attrs, kind, why", [
    ("RowSumCustom", ["x"], [AXES], "reduce", "attr 'axes' (list_int)"),
    ("SoftmaxCustom", ["x"], [], "rownorm", "names a row-wise normalisation"),
    ("RmsNormCustom", ["x", "gamma"], [], "rownorm", "names a row-wise normalisation"),
    ("BroadcastMulCustom", ["x", "y"], [], "broadcast", "names a broadcast"),
    ("MulCustom", ["x", "y"], [], "elementwise", "inputs of different shapes need broadcast"),
    ("AbsCustom", ["x"], [], "elementwise", "a reduce or a rownorm would fit too"),
    # an int axis alone does not make a reduce (softmax and cumsum take one)
    ("CumsumCustom", ["x"], [{"name": "axis", "param_type": "optional", "type": "int", "default_value": 0}],
     "elementwise", "would fit too"),
])
def test_gen_says_which_kind_and_how_to_choose_another(tmp_path, op, inputs, attrs, kind, why):
    r = run_gen(str(one_op(tmp_path, op, inputs, attrs)), "-o", str(tmp_path / "P"))
    assert r.returncode == 0, r.stderr
    note = next(line for line in r.stderr.splitlines() if line.startswith("opkit: note:"))
    assert f"{op}: kind {kind} (" in note and why in note, note
    assert "pass --kind with one of" in note and "custom" in note
    kernel = next((tmp_path / "P" / "op_kernel").glob("*_custom.cpp")).read_text()
    assert f"(kind {kind})" in kernel


def test_gen_two_outputs_is_custom(tmp_path):
    spec = tmp_path / "s.json"
    t = {"param_type": "required", "format": ["ND"], "type": ["float32"]}
    spec.write_text(json.dumps([{"op": "SplitTwoCustom", "input_desc": [{"name": "x", **t}],
                                 "output_desc": [{"name": "a", **t}, {"name": "b", **t}]}]))
    r = run_gen(str(spec), "-o", str(tmp_path / "P"))
    assert r.returncode == 0 and "kind custom (no complete template fits" in r.stderr
    assert "exactly one output" in r.stderr


@pytest.mark.parametrize("kind", ["elementwise", "broadcast", "rownorm", "custom"])
def test_kind_flag_overrides_inference(tmp_path, kind):
    r = run_gen(str(one_op(tmp_path, "AbsCustom", ["x"])), "-o", str(tmp_path / "P"), "--kind", kind)
    assert r.returncode == 0, r.stderr
    assert f"AbsCustom: kind {kind} (chosen with --kind)" in r.stderr
    kernel = (tmp_path / "P/op_kernel/abs_custom.cpp").read_text()
    assert f"(kind {kind})" in kernel and "OPKIT: COMPUTE (edit here)" in kernel and "ASSERT(false && " in kernel
    host = (tmp_path / "P/op_host/abs_custom.cpp").read_text()
    shape_rule = {"elementwise": "InferSameShape", "broadcast": "InferBroadcastShape", "rownorm": "InferRowNormShape",
                  "custom": "OPKIT: every output takes the first input's shape"}[kind]
    assert shape_rule in host


def test_kind_that_does_not_fit_is_refused_with_the_fix(tmp_path):
    r = run_gen(str(one_op(tmp_path, "AbsCustom", ["x"])), "-o", str(tmp_path / "P"), "--kind", "reduce")
    assert r.returncode == 2
    assert "--kind reduce does not fit the spec: reduce needs an attr giving the axes" in r.stderr
    assert '"type": "list_int"' in r.stderr and "--kind custom always fits" in r.stderr
    assert not (tmp_path / "P").exists()
    r = run_gen(str(one_op(tmp_path, "AddCustom", ["x", "b"], optional=("b",))), "-o", str(tmp_path / "Q"),
                "--kind", "broadcast")
    assert r.returncode == 2 and "broadcast needs every tensor required; b is not" in r.stderr


def test_gen_help_documents_every_kind():
    r = run_gen("--help")
    assert r.returncode == 0
    for k in kinds.KINDS:
        assert re.search(rf"^\s+{k}\s+\S", r.stdout, re.M), f"--help does not list {k}"
    assert "--kind" in r.stdout and "says which it chose" in r.stdout


def test_reduce_files(tmp_path):
    attrs = [AXES, {"name": "keep_dims", "param_type": "optional", "type": "bool", "default_value": False}]
    out = tmp_path / "P"
    assert run_gen(str(one_op(tmp_path, "RowSumCustom", ["x"], attrs)), "-o", str(out)).returncode == 0
    host = (out / "op_host/row_sum_custom.cpp").read_text()
    assert "optiling::InferReduceShape(context, 0, true, 1);" in host
    assert "return TileReduce(context, 0, true, tiling);" in host and '#include "reduce_tiling.h"' in host
    kernel = (out / "op_kernel/row_sum_custom.cpp").read_text()
    for fn in ("ReduceRow", "Combine", "Finish"):
        assert f"__aicore__ inline void {fn}(" in kernel
    assert kernel.count("row_sum_custom: write the reduction in op_kernel/row_sum_custom.cpp") == 2
    ns = runpy.run_path(str(out / "tests/test_row_sum_custom.py"))
    assert ns["ATTRS"] == {"axes": [-1], "keep_dims": False}
    assert all(isinstance(shape, tuple) and isinstance(axes, list) for shape, axes in ns["CASES"])
    assert "axis=tuple(np.atleast_1d(axes).tolist()) or None, keepdims=keep_dims" in \
        (out / "tests/test_row_sum_custom.py").read_text()


def test_rownorm_files_with_optional_params(tmp_path):
    eps = {"name": "epsilon", "param_type": "optional", "type": "float", "default_value": 1e-5}
    spec = one_op(tmp_path, "LayerNormCustom", ["x", "gamma", "beta"], [eps], optional=("gamma", "beta"))
    out = tmp_path / "P"
    assert run_gen(str(spec), "-o", str(out)).returncode == 0
    kernel = (out / "op_kernel/layer_norm_custom.cpp").read_text()
    assert "GM_ADDR params[2] = {gamma, beta};" in kernel
    assert "const LocalTensor<T>& gammaLocal = params[0];  // [cols] gamma, given when stream_.Present(0)" in kernel
    assert "epsilon_ = tiling.epsilon;" in kernel
    host = (out / "op_host/layer_norm_custom.cpp").read_text()
    assert "TileRowNorm(context, 2, SCRATCH_ROWS, tiling)" in host and "InferRowNormShape(context, 3)" in host
    test = (out / "tests/test_layer_norm_custom.py").read_text()
    assert '_random(rng, shape[-1:], column["gamma"])' in test


def test_kinds_copy_their_shared_code(tmp_path):
    out = tmp_path / "P"
    assert run_gen(str(KINDS_SPEC), "-o", str(out)).returncode == 0
    check_copies(out, ["elementwise", "rows", "broadcast", "reduce", "rownorm"])


def test_a_custom_project_copies_nothing_shared(tmp_path):
    out = tmp_path / "P"
    assert run_gen(str(one_op(tmp_path, "AbsCustom", ["x"])), "-o", str(out), "--kind", "custom").returncode == 0
    assert sorted(p.name for p in (out / "op_kernel").iterdir()) == ["abs_custom.cpp"]


def test_every_kind_compiles(tmp_path, cflags):
    out = tmp_path / "P"
    r = run_gen(str(KINDS_SPEC), "-o", str(out), "--soc", "Ascend910B1", "Ascend310P3")
    assert r.returncode == 0, r.stderr
    compile_check(out, cflags)


def test_readme_says_what_to_fill_per_kind(tmp_path):
    out = tmp_path / "P"
    assert run_gen(str(KINDS_SPEC), "-o", str(out)).returncode == 0
    readme = (out / "README.md").read_text()
    for needle in ["ReduceRow", "Combine", "Finish", "ReadScalar", "numpy broadcasting", "OPKIT: TOLERANCE",
                   "pytest tests --mode=npu_simulator", "OPKIT_SOC=Ascend910A", "whole 32-byte blocks"]:
        assert needle in readme, needle


def test_reduce_over_an_int_axis_compiles(tmp_path, cflags):
    axis = {"name": "axis", "param_type": "optional", "type": "int", "default_value": -1}
    out = tmp_path / "P"
    r = run_gen(str(one_op(tmp_path, "CumsumCustom", ["x"], [axis])), "-o", str(out), "--kind", "reduce")
    assert r.returncode == 0, r.stderr
    assert "TileReduce(context, 0, false, tiling)" in (out / "op_host/cumsum_custom.cpp").read_text()
    assert runpy.run_path(str(out / "tests/test_cumsum_custom.py"))["CASES"][0] == ((8, 2048), -1)
    compile_check(out, cflags)

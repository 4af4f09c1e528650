"""``python -m opkit gen``: the project tree, its contents, and the CLI's write/overwrite rules.

No compiler needed: these read the generated text (test_gen_build.py compiles and runs it).
"""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest
from gen_helpers import REPO, SPECS, TRICKY, check_copies, run_gen, snake, tree

from opkit.gen.model import OpModel
from opkit.spec import load

ENTRY = re.compile(r'extern "C" __global__ __aicore__ void (\w+)\(([^)]*)\)')


def project_files(ops: list[str], elementwise: bool, spec_file: str) -> set[str]:
    files = {spec_file, "CMakeLists.txt", "CMakePresets.json", "README.md"}
    for op in ops:
        files |= {f"op_host/{op}.cpp", f"op_host/{op}_tiling.h", f"op_kernel/{op}.cpp", f"tests/test_{op}.py"}
    if elementwise:
        files |= {"op_kernel/elementwise.h", "op_host/elementwise_tiling.h"}
    return files


def kernel_entry(src: str) -> tuple[str, list[str]]:
    m = ENTRY.search(src)
    assert m, "no kernel entry in the generated kernel"
    return m.group(1), [p.strip().split()[-1] for p in m.group(2).split(",")]


def expected_params(op) -> list[str]:
    inputs = [t.name for t in op.inputs]
    outputs = [t.name + "_ref" if t.name in inputs else t.name for t in op.outputs]
    return inputs + outputs + ["workspace", "tiling"]


def check_op(project: Path, op, socs: list[str]) -> None:
    """The op_host, tiling and kernel files of one op say what its spec says."""
    host = (project / "op_host" / f"{op.name}.cpp").read_text()
    assert f'#include "{op.name}_tiling.h"' in host and '#include "register/op_def_registry.h"' in host
    for kind, tensors in (("Input", op.inputs), ("Output", op.outputs)):
        for t in tensors:
            dtypes = ", ".join(f"ge::{d.ge}" for d in t.dtypes)
            formats = ", ".join(f"ge::FORMAT_{f}" for f in t.formats)
            want = (rf'this->{kind}\("{t.name}"\)\s*\.ParamType\({t.param_type.upper()}\)\s*'
                    rf"\.DataType\(\{{{re.escape(dtypes)}\}}\)\s*\.Format\(\{{{re.escape(formats)}\}}\);")
            assert re.search(want, host), f"{kind} {t.name} of {op.op_type} not registered as {dtypes}"
    assert re.findall(r'AddConfig\("(\w+)"\)', host) == socs
    assert f"OP_ADD({op.op_type});" in host and "SetTiling(optiling::TilingFunc)" in host
    tiling = (project / "op_host" / f"{op.name}_tiling.h").read_text()
    assert f"BEGIN_TILING_DATA_DEF({op.op_type}TilingData)" in tiling
    assert f"REGISTER_TILING_DATA_CLASS({op.op_type}, {op.op_type}TilingData)" in tiling
    assert "namespace optiling" in tiling
    kernel = (project / "op_kernel" / f"{op.name}.cpp").read_text()
    name, params = kernel_entry(kernel)
    assert name == op.name
    assert params == expected_params(op)
    assert "GET_TILING_DATA(tilingData, tiling);" in kernel
    assert f"DTYPE_{op.inputs[0].name.upper()}" in kernel
    assert "OPKIT: COMPUTE (edit here)" in kernel and "ASSERT(false && " in kernel


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_gen_builtin_spec(tmp_path, spec):
    out = tmp_path / "Proj"
    r = run_gen(str(spec), "-o", str(out))
    assert r.returncode == 0, r.stderr
    op = load(spec)[0]
    files = project_files([op.name], OpModel(op).elementwise, f"{op.name}.json")
    assert set(tree(out)) == files
    assert [line[2:] for line in r.stdout.splitlines() if line.startswith("+ ")] == \
        [str(out / f) for f in tree_order(r.stdout, out)]
    assert "next steps:" in r.stdout and f"python -m opkit build {out}" in r.stdout
    assert [s.op_type for s in load(out / f"{op.name}.json")] == [op.op_type]
    if not OpModel(op).elementwise:  # the other kinds' skeletons: test_gen_kinds*.py
        return
    check_op(out, op, ["ascend910b"])
    kernel = (out / "op_kernel" / f"{op.name}.cpp").read_text()
    assert f"write the per-tile compute in op_kernel/{op.name}.cpp (marked OPKIT: COMPUTE)" in kernel
    assert "opkit_kernels::RunElementwise(op);" in kernel


def tree_order(stdout: str, out: Path) -> list[str]:
    return [str(Path(line[2:]).relative_to(out)) for line in stdout.splitlines() if line.startswith("+ ")]


def test_gen_copies_opkit_elementwise_code(tmp_path):
    out = tmp_path / "P"
    assert run_gen(str(SPECS[0]), "-o", str(out)).returncode == 0
    check_copies(out, ["elementwise"])


@pytest.mark.parametrize("socs, units", [
    (["Ascend910B1"], ["ascend910b"]),
    (["Ascend910B4"], ["ascend910b"]),
    (["Ascend910A"], ["ascend910"]),
    (["Ascend310P3"], ["ascend310p"]),
    (["Ascend910B2", "Ascend310P3", "ascend910b1"], ["ascend910b", "ascend310p"]),
])
def test_gen_soc_fills_addconfig_and_presets(tmp_path, socs, units):
    out = tmp_path / "P"
    r = run_gen(str(SPECS[0]), "-o", str(out), "--soc", *socs)
    assert r.returncode == 0, r.stderr
    host = (out / "op_host/add_custom.cpp").read_text()
    assert re.findall(r'AddConfig\("(\w+)"', host) == units
    # add_custom's bfloat16 column goes to 910B-class SoCs only: the others get a config without it
    for unit in units:
        config = f'AddConfig("{unit}", noBf16)' in host
        assert config == (unit != "ascend910b"), host
    if units != ["ascend910b"]:
        assert 'noBf16.Input("x")\n            .ParamType(REQUIRED)\n            .DataType({ge::DT_FLOAT16, ge::DT_FLOAT})' in host
    presets = json.loads((out / "CMakePresets.json").read_text())
    cache = presets["configurePresets"][0]["cacheVariables"]
    assert cache["ASCEND_COMPUTE_UNIT"]["value"] == ";".join(units)
    assert cache["vendor_name"]["value"] == "customize"
    assert cache["ASCEND_CANN_PACKAGE_PATH"]["value"] == "/usr/local/Ascend/ascend-toolkit/latest"


def test_gen_presets_use_detected_cann(tmp_path):
    out = tmp_path / "P"
    r = run_gen(str(SPECS[0]), "-o", str(out), env={"ASCEND_HOME_PATH": "/opt/cann/8.0"})
    assert r.returncode == 0, r.stderr
    cache = json.loads((out / "CMakePresets.json").read_text())["configurePresets"][0]["cacheVariables"]
    assert cache["ASCEND_CANN_PACKAGE_PATH"]["value"] == "/opt/cann/8.0"


def test_gen_unknown_soc_writes_nothing(tmp_path):
    r = run_gen(str(SPECS[0]), "-o", str(tmp_path / "P"), "--soc", "Ascend911")
    assert r.returncode == 2 and r.stderr.startswith("opkit: error: ") and "Ascend911" in r.stderr
    assert not (tmp_path / "P").exists()


def test_gen_dry_run_writes_nothing(tmp_path):
    r = run_gen(str(SPECS[0]), "-o", str(tmp_path / "P"), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "P").exists() and list(tmp_path.iterdir()) == []
    listed = tree_order(r.stdout, tmp_path / "P")
    assert set(listed) == project_files(["add_custom"], True, "add_custom.json")
    assert "next steps" not in r.stdout


def test_gen_never_overwrites_without_force(tmp_path):
    out = tmp_path / "P"
    assert run_gen(str(SPECS[0]), "-o", str(out)).returncode == 0
    kernel = out / "op_kernel" / "add_custom.cpp"
    kernel.write_text("// my kernel\n")
    before = tree(out)
    r = run_gen(str(SPECS[0]), "-o", str(out))
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"opkit: error: {out / 'add_custom.json'} exists; pass --force to overwrite"]
    assert tree(out) == before
    r = run_gen(str(SPECS[0]), "-o", str(out), "--force")
    assert r.returncode == 0, r.stderr
    assert "OPKIT: COMPUTE" in kernel.read_text()


def test_gen_one_existing_file_stops_every_write(tmp_path):
    out = tmp_path / "P"
    (out / "tests").mkdir(parents=True)
    (out / "tests" / "test_add_custom.py").write_text("# mine\n")
    r = run_gen(str(SPECS[0]), "-o", str(out))
    assert r.returncode == 2 and "test_add_custom.py exists; pass --force to overwrite" in r.stderr
    assert tree(out) == {"tests/test_add_custom.py": b"# mine\n"}


@pytest.mark.parametrize("text, needle", [
    (json.dumps([{"op": "BadCustom", "input_desc": [{"name": "x", "type": ["fp61"]}],
                  "output_desc": [{"name": "y", "type": ["fp16"]}]}]), "fp61"),
    ("[{", "not valid JSON"),
    ("[]", "the spec has no op"),
], ids=["bad-dtype", "bad-json", "empty"])
def test_gen_bad_spec_exits_2_and_writes_nothing(tmp_path, text, needle):
    spec = tmp_path / "bad.json"
    spec.write_text(text)
    r = run_gen(str(spec), cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("opkit: error: ") and needle in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_gen_unknown_op_exits_2(tmp_path):
    r = run_gen(str(TRICKY), "--op", "NopeCustom", cwd=tmp_path)
    assert r.returncode == 2 and 'no op "NopeCustom"' in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_gen_all_ops_of_a_file_into_one_project(tmp_path):
    r = run_gen(str(TRICKY), cwd=tmp_path)  # no -o: ./<first OpType>, no prompt
    assert r.returncode == 0, r.stderr
    out = tmp_path / "AttrsCustom"
    ops = load(TRICKY)
    assert set(tree(out)) == project_files([o.name for o in ops], True, "tricky.json")
    assert [o.op_type for o in load(out / "tricky.json")] == [o.op_type for o in ops]
    for op in ops:
        check_op(out, op, ["ascend910b"])


@pytest.mark.parametrize("choice", ["SkewCustom", "skew_custom"])
def test_gen_op_picks_one(tmp_path, choice):
    r = run_gen(str(TRICKY), "--op", choice, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "SkewCustom"
    assert set(tree(out)) == project_files(["skew_custom"], False, "skew_custom.json")
    assert [o.op_type for o in load(out / "skew_custom.json")] == ["SkewCustom"]


def test_gen_tricky_attrs(tmp_path):
    out = tmp_path / "P"
    r = run_gen(str(TRICKY), "--op", "AttrsCustom", "-o", str(out))
    assert r.returncode == 0, r.stderr
    host = (out / "op_host/attrs_custom.cpp").read_text()
    for line in ['this->Attr("alpha").AttrType(OPTIONAL).Float(0.5f);',
                 'this->Attr("axis").AttrType(REQUIRED).Int();',
                 'this->Attr("keep_dims").AttrType(OPTIONAL).Bool(true);',
                 'this->Attr("mode").AttrType(OPTIONAL).String("fast \\"x\\"");',
                 'this->Attr("sizes").AttrType(OPTIONAL).ListInt({1, -2, 3});',
                 'this->Attr("scales").AttrType(OPTIONAL).ListFloat({1.0f, 0.25f});',
                 'this->Attr("flags").AttrType(OPTIONAL).ListBool({true, false});',
                 'this->Attr("count").AttrType(OPTIONAL).Int(-7);',
                 # opkit's host API has no list_string, list_list_int or type attrs: commented, warned
                 '// this->Attr("names").AttrType(OPTIONAL);', '// this->Attr("pads").AttrType(OPTIONAL);',
                 '// this->Attr("dst_type").AttrType(OPTIONAL);']:
        assert line in host, line
    assert sorted(re.findall(r"attr '(\w+)' has type", r.stderr)) == ["dst_type", "names", "pads"]
    # scalar attrs reach the kernel through the tiling struct, read by their OpDef index
    for getter in ["GetFloat(0)", "GetInt(1)", "GetBool(2)", "GetInt(7)"]:
        assert f"context->GetAttrs()->{getter}" in host
    tiling = (out / "op_host/attrs_custom_tiling.h").read_text()
    fields = re.findall(r"TILING_DATA_FIELD_DEF\((\w+), (\w+)\)", tiling)
    assert fields[5:] == [("float", "alpha"), ("int64_t", "axis"), ("uint8_t", "keep_dims"), ("int64_t", "count")]
    kernel = (out / "op_kernel/attrs_custom.cpp").read_text()
    for member in ["alpha_ = tiling.alpha;", "axis_ = tiling.axis;", "keepDims_ = tiling.keep_dims;"]:
        assert member in kernel


def test_gen_tricky_skeleton(tmp_path):
    out = tmp_path / "P"
    assert run_gen(str(TRICKY), "-o", str(out)).returncode == 0
    host = (out / "op_host/skew_custom.cpp").read_text()
    assert 'std::fprintf(stderr, "%s: write the tiling in op_host/skew_custom.cpp (marked OPKIT: TILING)' in host
    assert "return ge::GRAPH_FAILED;  // delete these two lines" in host
    # output dtypes follow the columns: y swaps with a's dtype, idx is always int32
    assert "case ge::DT_FLOAT16: context->SetOutputDataType(0, ge::DT_FLOAT);" in host
    assert "context->SetOutputDataType(1, ge::DT_INT32);" in host
    kernel = (out / "op_kernel/skew_custom.cpp").read_text()
    assert "skew_custom: write the kernel in op_kernel/skew_custom.cpp (marked OPKIT: COMPUTE)" in kernel
    assert "if (bias != nullptr)" in kernel and "xsList_ = xs;" in kernel
    assert "elementwise.h" not in kernel
    matmul = (out / "op_host/matmul_like_custom.cpp").read_text()
    assert "context->SetOutputDataType(0, context->GetInputDataType(2));  // c" in matmul


def test_gen_ref_output_is_one_tensor_with_ref_param(tmp_path):
    out = tmp_path / "P"
    assert run_gen(str(TRICKY), "--op", "RefCustom", "-o", str(out)).returncode == 0
    _, params = kernel_entry((out / "op_kernel/ref_custom.cpp").read_text())
    assert params == ["var", "delta", "var_ref", "workspace", "tiling"]
    assert "stream_.Init(pipe_, in, var_ref, tiling);" in (out / "op_kernel/ref_custom.cpp").read_text()


def test_gen_test_file_golden_says_what_to_write(tmp_path):
    out = tmp_path / "P"
    assert run_gen(str(REPO / "ops/addcdiv_custom.json"), "-o", str(out)).returncode == 0
    path = out / "tests/test_addcdiv_custom.py"
    ns = runpy.run_path(str(path))
    assert ns["INPUTS"] == ["x", "y", "z"] and ns["OUTPUTS"] == ["out"] and ns["ATTRS"] == {"value": 1.0}
    assert ns["COLUMNS"][1] == {"x": "float32", "y": "float32", "z": "float32", "out": "float32"}
    with pytest.raises(NotImplementedError, match=rf"{re.escape(str(path))}: write the numpy golden of "
                                                  r"AddcdivCustom in golden\(\): return out computed from x, y, z"):
        ns["golden"](1.0, 2.0, 3.0, value=1.0)
    readme = (out / "README.md").read_text()
    assert "python -m opkit build ." in readme and "pytest tests --mode=cpu" in readme and "CANN" in readme


def test_gen_python_api_plans_without_writing(tmp_path):
    from opkit.gen import plan

    p = plan(TRICKY, tmp_path / "P", op="IntCustom", socs=["Ascend910A"])
    assert not (tmp_path / "P").exists()
    assert p.models[0].elementwise and p.models[0].dtype_names == ["int8", "int32", "uint8", "bool"]
    assert 'AddConfig("ascend910")' in p.files["op_host/int_custom.cpp"]


def test_gen_rejects_tensor_names_cpp_cannot_take(tmp_path):
    spec = tmp_path / "kw.json"
    spec.write_text(json.dumps([{"op": "KwCustom", "input_desc": [{"name": "tiling", "type": ["fp16"]}],
                                 "output_desc": [{"name": "y", "type": ["fp16"]}]}]))
    r = run_gen(str(spec), cwd=tmp_path)
    assert r.returncode == 2 and 'tensor name "tiling"' in r.stderr and "rename" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kw.json"]


def test_snake_case_names_files(tmp_path):
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps([{"op": "MatmulLeakyreluCustom", "input_desc": [{"name": "x", "type": ["fp16"]}],
                                 "output_desc": [{"name": "y", "type": ["fp16"]}]}]))
    assert run_gen(str(spec), cwd=tmp_path).returncode == 0
    assert snake("MatmulLeakyreluCustom") == "matmul_leakyrelu_custom"
    assert (tmp_path / "MatmulLeakyreluCustom/op_kernel/matmul_leakyrelu_custom.cpp").is_file()


def test_too_long_a_name_fails_the_dry_run_too_and_writes_nothing(tmp_path: Path) -> None:
    op = "A" + "b" * 249  # test_<op>.py is over the usual 255-byte name limit
    spec_file = tmp_path / "long.json"
    spec_file.write_text(json.dumps([{"op": op, "input_desc": [
        {"name": "x", "param_type": "required", "format": ["ND"], "type": ["float"]}], "output_desc": [
        {"name": "y", "param_type": "required", "format": ["ND"], "type": ["float"]}]}]))
    dry = run_gen(str(spec_file), "-o", str(tmp_path / "P"), "--dry-run")
    real = run_gen(str(spec_file), "-o", str(tmp_path / "P"))
    for r in (dry, real):
        assert r.returncode == 2, (r.stdout, r.stderr)
        assert "over this file system's limit" in r.stderr and "shorten the op name" in r.stderr, r.stderr
    assert not (tmp_path / "P").exists()

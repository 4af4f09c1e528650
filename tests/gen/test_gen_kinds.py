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


# ---- matmul ---------------------------------------------------------------------------------------
MATMUL_SPEC = Path(__file__).resolve().parent / "specs" / "matmul.json"


def mm_op(tmp_path: Path, op: str, inputs: list[tuple[str, list[str]]], out: list[str],
          attrs: list[dict] | None = None, optional: tuple[str, ...] = ()) -> Path:
    """A spec of one op whose tensors have the given dtype columns."""
    def tensor(name: str, types: list[str]) -> dict:
        return {"name": name, "param_type": "optional" if name in optional else "required",
                "format": ["ND"] * len(types), "type": types}

    spec = tmp_path / "s.json"
    spec.write_text(json.dumps([{"op": op, "input_desc": [tensor(n, t) for n, t in inputs],
                                 "output_desc": [tensor("y", out)], "attr": attrs or []}]))
    return spec


H, B, F = "float16", "bfloat16", "float32"
TRANSPOSE = {"name": "transpose_w", "param_type": "optional", "type": "bool", "default_value": False}


@pytest.mark.parametrize("op, names, why", [
    ("MatMulCustom", ["x", "w"], "its op type MatMulCustom names a matrix product"),
    ("LinearCustom", ["x", "w", "bias"], "its op type LinearCustom names a matrix product"),
    ("GemmCustom", ["a", "b"], "its op type GemmCustom names a matrix product"),
    ("ProjectCustom", ["x", "weight", "bias"], "its inputs x, weight and bias name a linear layer's operands"),
])
def test_gen_infers_matmul_and_says_why(tmp_path, op, names, why):
    types = {"x": [H, B], "w": [H, B], "a": [H, B], "b": [H, B], "weight": [H, B], "bias": [F, F]}
    spec = mm_op(tmp_path, op, [(n, types[n]) for n in names], [F, B], optional=("bias",))
    r = run_gen(str(spec), "-o", str(tmp_path / "P"))
    assert r.returncode == 0, r.stderr
    assert f"{op}: kind matmul ({why})" in r.stderr, r.stderr
    assert "pass --kind with one of elementwise, broadcast, reduce, rownorm, custom" in r.stderr


def test_x_and_w_alone_stay_an_elementwise_guess(tmp_path):
    r = run_gen(str(mm_op(tmp_path, "ScaleCustom", [("x", [H]), ("w", [H])], [H])), "-o", str(tmp_path / "P"))
    assert r.returncode == 0 and "ScaleCustom: kind elementwise (" in r.stderr, r.stderr


@pytest.mark.parametrize("inputs, out, fix", [
    ([("x", [F]), ("w", [F])], [F], "x and w must be one dtype, float16 or bfloat16"),
    ([("x", [H]), ("w", [B])], [H], "x and w must be one dtype, float16 or bfloat16"),
    ([("x", [H]), ("w", [H])], ["int32"], "y must be float32, float16 or bfloat16"),
    ([("x", [B]), ("w", [B]), ("bias", [B])], [B], "the bias bias must be float32 (the cube adds it in fp32"),
    ([("x", [H, H]), ("w", [H, H])], [F, H], "columns 0 and 1 both take x float16 but give y float32 and float16"),
    ([("x", [H])], [H], "matmul takes x, w and an optional bias; the spec has 1 inputs (x)"),
])
def test_matmul_refuses_what_the_matmul_api_does_not_take(tmp_path, inputs, out, fix):
    r = run_gen(str(mm_op(tmp_path, "ScaleCustom", inputs, out)), "-o", str(tmp_path / "P"), "--kind", "matmul")
    assert r.returncode == 2, r.stderr
    assert "--kind matmul does not fit the spec: " in r.stderr and fix in r.stderr, r.stderr
    assert "--kind custom always fits" in r.stderr
    assert not (tmp_path / "P").exists()


def test_an_op_named_matmul_that_does_not_fit_is_custom_with_the_fix(tmp_path):
    # two float32 inputs would fit elementwise; an elementwise LinearCustom would be a wrong guess
    r = run_gen(str(mm_op(tmp_path, "LinearCustom", [("x", [F]), ("w", [F])], [F])), "-o", str(tmp_path / "P"))
    assert r.returncode == 0, r.stderr
    assert ("LinearCustom: kind custom (its op type LinearCustom names a matrix product, but the matmul template does "
            "not fit: column 0 (x float32, w float32, y float32): x and w must be one dtype") in r.stderr, r.stderr


def test_matmul_is_for_910b_class_socs(tmp_path):
    out = tmp_path / "P"
    r = run_gen(str(MATMUL_SPEC), "-o", str(out), "--soc", "Ascend910A", "Ascend310P3")
    assert r.returncode == 2
    assert ("MatmulLeakyCustom: kind matmul runs on 910B-class SoCs only" in r.stderr
            and "--soc Ascend910A Ascend310P3 has none: add one (e.g. Ascend910B1)" in r.stderr), r.stderr
    assert not out.exists()
    # with a 910B-class SoC among others the matmul op is registered for it alone, and gen says so
    r = run_gen(str(MATMUL_SPEC), "-o", str(out), "--soc", "Ascend910B1", "Ascend910B4", "Ascend910A")
    assert r.returncode == 0, r.stderr
    assert ("opkit: warning: GemmCustom: kind matmul runs on 910B-class SoCs only: registered for ascend910b, not "
            "for Ascend910A") in r.stderr
    host = (out / "op_host/gemm_custom.cpp").read_text()
    assert host.count('AddConfig("ascend910b")') == 1 and 'AddConfig("ascend910")' not in host
    assert "a matmul-kind op runs on 910B-class SoCs only" in host
    kernel = (out / "op_kernel/gemm_custom.cpp").read_text()
    assert "#if defined(__CCE_AICORE__) && __CCE_AICORE__ != 220\n#error" in kernel
    readme = (out / "README.md").read_text()
    assert "**910B-class SoCs only**" in readme and "OPKIT_SOC=Ascend910A pytest" in readme
    assert "910B-class SoCs only" in (out / "tests/test_gemm_custom.py").read_text()


def test_matmul_files(tmp_path):
    out = tmp_path / "P"
    r = run_gen(str(MATMUL_SPEC), "-o", str(out), "--op", "MatmulLeakyCustom")
    assert r.returncode == 0, r.stderr
    kernel = (out / "op_kernel/matmul_leaky_custom.cpp").read_text()
    for needle in ['#include "lib/matmul_intf.h"', "KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2);",
                   "REGIST_MATMUL_OBJ(&pipe_, GetSysWorkSpacePtr(), mm_, &tiling.cube);",
                   "MatmulType<TPosition::VECIN, CubeFormat::ND, float>", "mm_.Iterate()", "mm_.GetTensorC(cLocal);",
                   "mm_.SetTail(rows_, cols_);", "mm_.SetTensorB(transposeW_ ? wGm_[uint64_t(n0) * cube.Kb] : wGm_[n0], "
                   "transposeW_);", "mm_.SetBias(biasGm_[n0]);", "pipe_.InitBuffer(cQue_, 2,",
                   "pipe_.InitBuffer(yQue_, 2,", "Cast(yLocal, cLocal, RoundMode::CAST_RINT, n);",
                   "KernelMatmulLeakyCustom<DTYPE_X, DTYPE_Y, DTYPE_BIAS> op;",
                   "// Attrs, from the tiling: alpha_ (float).", "LeakyRelu(cLocal, cLocal, alpha_, n);"]:
        assert needle in kernel, needle
    assert kernel.count("OPKIT: COMPUTE (edit here)") == 1
    assert "matmul_leaky_custom: write the epilogue in op_kernel/matmul_leaky_custom.cpp" in kernel
    tiling = (out / "op_host/matmul_leaky_custom_tiling.h").read_text()
    assert '#include "tiling/tiling_api.h"' in tiling
    assert ("TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, cube);\nTILING_DATA_FIELD_DEF(uint32_t, hasBias);\n"
            "TILING_DATA_FIELD_DEF(float, alpha);\nTILING_DATA_FIELD_DEF(uint8_t, transpose_w);") in tiling
    host = (out / "op_host/matmul_leaky_custom.cpp").read_text()
    for needle in ["matmul_tiling::MultiCoreMatmulTiling mm(platform);",
                   "mm.SetDim(static_cast<int32_t>(platform.GetCoreNumAiv()));",
                   "mm.SetBType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, in, *transposeWAttr);",
                   "const bool hasBias = context->GetOptionalInputTensor(2) != nullptr;",
                   "context->SetBlockDim(static_cast<uint32_t>(tiling.cube.usedCoreNum + 1) / 2);",
                   "context->GetWorkspaceSizes(1)[0] = platform.GetLibApiWorkSpaceSize();",
                   "const bool* transW = context->GetAttrs()->GetBool(1);  // transpose_w",
                   "y->SetDim(x->GetDimNum() - 1, n);",
                   "context->SetOutputDataType(0, context->GetInputDataType(0));  // y"]:
        assert needle in host, needle
    test = (out / "tests/test_matmul_leaky_custom.py").read_text()
    assert 'TOLERANCE = {"float32": {"rtol": 1e-4, "atol": 1e-4}}' in test
    assert "y = x @ (w.T if transpose_w else w) + (bias if bias is not None else 0)" in test
    ns = runpy.run_path(str(out / "tests/test_matmul_leaky_custom.py"))
    assert ns["ATTRS"] == {"alpha": 0.1, "transpose_w": False}
    cases = ns["CASES"]
    assert {c[2] for c in cases} == {"w_kn", "w_nk"} and {c[3] for c in cases} == {"bias", "no_bias"}
    # tails of M, N and K, a GEMV row and leading dims
    assert any(c[0][-1] % 16 and c[1] % 16 and c[0][-2] % 16 for c in cases)
    assert any(c[0][:-1] == (1,) for c in cases) and any(len(c[0]) > 2 for c in cases)
    rng = __import__("numpy").random.default_rng(0)
    x, w, bias = ns["make_inputs"](rng, {"x": "float16", "w": "float16", "bias": "float32", "y": "float16"},
                                   ((17, 33), 15, "w_nk", "no_bias"))
    assert x.shape == (17, 33) and w.shape == (15, 33) and bias is None


def test_matmul_compiles(tmp_path, cflags):
    out = tmp_path / "P"
    assert run_gen(str(MATMUL_SPEC), "-o", str(out)).returncode == 0
    assert sorted(p.name for p in (out / "op_kernel").iterdir()) == [
        "gemm_custom.cpp", "linear_custom.cpp", "matmul_leaky_custom.cpp"]
    compile_check(out, cflags)


def test_bf16_only_ops_are_for_socs_with_bf16(tmp_path):
    # 910A and 310P have no bfloat16: an op whose every column has it cannot be registered for them
    spec = mm_op(tmp_path, "Bf16ScaleCustom", [("x", [B])], [B])
    out = tmp_path / "P"
    r = run_gen(str(spec), "-o", str(out), "--soc", "Ascend910A", "Ascend310P3")
    assert r.returncode == 2 and not out.exists()
    assert ("Bf16ScaleCustom: every dtype column has bfloat16, which --soc Ascend910A Ascend310P3 lack" in r.stderr
            and "add a float16 or float32 column, or a 910B-class SoC" in r.stderr), r.stderr
    r = run_gen(str(spec), "-o", str(out), "--soc", "Ascend910B1", "Ascend910A")
    assert r.returncode == 0, r.stderr
    assert ("opkit: warning: Bf16ScaleCustom: every dtype column has bfloat16: registered for ascend910b, not for "
            "Ascend910A") in r.stderr
    host = (out / "op_host/bf16_scale_custom.cpp").read_text()
    assert re.findall(r'AddConfig\("(\w+)"', host) == ["ascend910b"] and "OpAICoreConfig" not in host
    # the generated test skips bfloat16 columns where the session's SoC has none
    assert 'not _session_soc()["has_bf16"]' in (out / "tests/test_bf16_scale_custom.py").read_text()

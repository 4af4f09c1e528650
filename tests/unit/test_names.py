"""Names and dtype spellings of op-projects.md sections 1-2: snake_case files, camelCase attrs."""

from __future__ import annotations

import pytest

from opkit import spec


@pytest.mark.parametrize("op_type, expected", [
    ("AddCustom", "add_custom"),
    ("MatmulLeakyreluCustom", "matmul_leakyrelu_custom"),
    ("AbcAAc", "abc_a_ac"),
    ("LeakyReluCustom", "leaky_relu_custom"),
    ("AddcdivCustom", "addcdiv_custom"),
    ("Add", "add"),
    ("A", "a"),
    ("ABC", "a_bc"),                     # the first letter is lowered first, so B follows a lowercase
    ("ABCDef", "a_bc_def"),              # first letter lowered, then the two insertion rules
    ("HTTPServer", "h_ttp_server"),
    ("MatMulV2", "mat_mul_v2"),
    ("Conv2D", "conv2_d"),               # an uppercase letter after a digit starts a word
    ("Conv2d", "conv2d"),
    ("Add2Custom", "add2_custom"),
    ("ReLU", "re_lu"),
    ("LayerNormV3Custom", "layer_norm_v3_custom"),
])
def test_snake_case(op_type: str, expected: str) -> None:
    assert spec.snake_case(op_type) == expected


def test_snake_case_is_the_op_name() -> None:
    y = spec.Tensor("y", "required", [spec.dtype("fp16")], ["ND"])
    op = spec.OpSpec("MatmulLeakyreluCustom", [], [y])
    assert op.name == "matmul_leakyrelu_custom"


@pytest.mark.parametrize("name, expected", [
    ("negative_slope", "negativeSlope"),
    ("value", "value"),
    ("x", "x"),
    ("keep_dims", "keepDims"),
    ("a_b_c", "aBC"),
    ("dim_1", "dim1"),
    ("alreadyCamel", "alreadyCamel"),
    ("transpose_x1", "transposeX1"),
])
def test_camel_case(name: str, expected: str) -> None:
    assert spec.camel_case(name) == expected


@pytest.mark.parametrize("spelling, canonical, ctype", [
    ("fp16", "float16", "half"),
    ("half", "float16", "half"),
    ("float16", "float16", "half"),
    ("float", "float32", "float"),
    ("fp32", "float32", "float"),
    ("float32", "float32", "float"),
    ("bf16", "bfloat16", "bfloat16_t"),
    ("bfloat16", "bfloat16", "bfloat16_t"),
    ("double", "float64", "double"),
    ("int8", "int8", "int8_t"),
    ("int16", "int16", "int16_t"),
    ("int32", "int32", "int32_t"),
    ("int64", "int64", "int64_t"),
    ("uint8", "uint8", "uint8_t"),
    ("uint16", "uint16", "uint16_t"),
    ("uint32", "uint32", "uint32_t"),
    ("uint64", "uint64", "uint64_t"),
    ("bool", "bool", "bool"),
])
def test_dtype_spellings(spelling: str, canonical: str, ctype: str) -> None:
    d = spec.dtype(spelling)
    assert (d.name, d.ctype) == (canonical, ctype)


@pytest.mark.parametrize("spelling", ["fp61", "FLOAT16", "numbertype", "", "float8"])
def test_unknown_dtype_spelling(spelling: str) -> None:
    with pytest.raises(KeyError):
        spec.dtype(spelling)


def test_acl_codes_are_the_headers() -> None:
    import re
    from pathlib import Path

    header = (Path(__file__).resolve().parents[2] / "runtime" / "include" / "acl" / "acl.h").read_text()
    values = {name: int(v) for name, v in re.findall(r"\b(ACL_\w+) = (-?\d+)", header)}
    for d in spec.DTYPES.values():
        assert values[d.acl] == d.acl_code, d


def test_ge_and_acl_enumerators() -> None:
    assert (spec.dtype("half").ge, spec.dtype("half").acl) == ("DT_FLOAT16", "ACL_FLOAT16")
    assert (spec.dtype("float").ge, spec.dtype("float").acl) == ("DT_FLOAT", "ACL_FLOAT")
    assert (spec.dtype("bf16").ge, spec.dtype("bf16").acl) == ("DT_BF16", "ACL_BF16")


"""The generated tests/test_<op>.py is valid Python for every name a spec may use, and its tolerance can be tuned."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from opkit.gen.model import OpModel
from opkit.gen.testfile import test_source as generated_test_source
from opkit.spec import load


def spec(tmp_path: Path, inputs: list[str], attrs: list[str]) -> OpModel:
    doc = {"op": "OddNames",
           "input_desc": [{"name": n, "param_type": "required", "format": ["ND"], "type": ["float"]} for n in inputs],
           "output_desc": [{"name": "y", "param_type": "required", "format": ["ND"], "type": ["float"]}],
           "attr": [{"name": a, "param_type": "optional", "type": "float", "default_value": 1.0} for a in attrs]}
    (tmp_path / "odd.json").write_text(json.dumps([doc]))
    return OpModel(load(tmp_path / "odd.json")[0])


@pytest.mark.parametrize("inputs,attrs", [
    (["from", "x"], ["weight"]),      # a keyword input with an attr was `def golden(*inputs, *, weight)`
    (["x"], ["lambda"]),              # a keyword attr
    (["from"], ["lambda"]),
    (["x", "y"], ["x2"]),
], ids=["kw-input+attr", "kw-attr", "both", "plain"])
def test_generated_test_file_is_python(tmp_path: Path, inputs: list[str], attrs: list[str]) -> None:
    m = spec(tmp_path, inputs, attrs)
    try:
        src = generated_test_source(m, "odd.json")
    except Exception as e:  # noqa: BLE001 - refusing a name is fine if it says how to fix it
        pytest.fail(f"gen raised {type(e).__name__}: {e}")
    tree = ast.parse(src)
    golden = next(f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == "golden")
    names = [a.arg for a in golden.args.args + golden.args.kwonlyargs]
    assert not {"from", "lambda"} & set(names)


def test_tolerance_block_is_used(tmp_path: Path) -> None:
    src = generated_test_source(spec(tmp_path, ["x"], []), "odd.json")
    assert "TOLERANCE = {}" in src and "OPKIT: TOLERANCE" in src
    assert "assert_close(out, want, dtype, TOLERANCE.get(dtype))" in src

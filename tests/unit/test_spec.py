"""Loading and validating msopgen op specs (op-projects.md section 1): the column rule, several ops
per file, and one error per malformed spec that names the file, the JSON path, the value and a fix."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from opkit import spec
from opkit.errors import OpkitError, SpecError

REPO = Path(__file__).resolve().parents[2]


def tensor(name: str, types: Any = ("float16", "float32"), formats: Any = ("ND", "ND"), **extra: Any) -> dict:
    t = {"name": name, "param_type": "required",
         "format": formats if isinstance(formats, str) else list(formats),
         "type": types if isinstance(types, str) else list(types)}
    t.update(extra)
    return t


def op(op_type: str = "AddCustom", **over: Any) -> dict:
    o = {"op": op_type, "language": "cpp", "input_desc": [tensor("x"), tensor("y")],
         "output_desc": [tensor("z")]}
    o.update(over)
    return o


def write(tmp_path: Path, content: Any, name: str = "spec.json") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return path


# ---------------------------------------------------------------------------------------------------
# well-formed specs


def test_add_custom_sample(tmp_path: Path) -> None:
    (s,) = spec.load(write(tmp_path, [op()]))
    assert (s.op_type, s.name) == ("AddCustom", "add_custom")
    assert [t.name for t in s.inputs] == ["x", "y"] and [t.name for t in s.outputs] == ["z"]
    assert [{k: d.name for k, d in col.items()} for col in s.columns] == [
        {"x": "float16", "y": "float16", "z": "float16"}, {"x": "float32", "y": "float32", "z": "float32"}]
    assert s.path == str(tmp_path / "spec.json")


def test_single_object_is_accepted(tmp_path: Path) -> None:
    (s,) = spec.load(write(tmp_path, op("SinhCustom", input_desc=[tensor("x")], output_desc=[tensor("y")])))
    assert s.name == "sinh_custom" and len(s.columns) == 2


def test_one_element_lists_broadcast(tmp_path: Path) -> None:
    o = op(input_desc=[tensor("x", ["fp16"], ["ND"]), tensor("y", ["half", "float"], ["ND", "NCHW"])],
           output_desc=[tensor("z", ["bf16", "fp32"], "ND")])
    (s,) = spec.load(write(tmp_path, [o]))
    x, y = s.inputs
    assert [d.name for d in x.dtypes] == ["float16", "float16"]
    assert x.formats == ["ND", "ND"] and y.formats == ["ND", "NCHW"]
    assert s.outputs[0].formats == ["ND", "ND"]
    assert [d.name for d in s.outputs[0].dtypes] == ["bfloat16", "float32"]
    assert s.column_of({"y": "float32", "z": "float32"}) == 1
    with pytest.raises(KeyError):
        s.column_of({"x": "float32"})


def test_all_single_entries_make_one_column(tmp_path: Path) -> None:
    o = op(input_desc=[tensor("a", ["int32"], ["ND"])], output_desc=[tensor("b", "int8", "ND")])
    (s,) = spec.load(write(tmp_path, [o]))
    assert [{k: d.ctype for k, d in c.items()} for c in s.columns] == [{"a": "int32_t", "b": "int8_t"}]


def test_defaults_of_optional_keys(tmp_path: Path) -> None:
    o = op(input_desc=[{"name": "x", "type": ["float16", "float32"]}],
           output_desc=[{"name": "y", "type": "fp16"}])
    (s,) = spec.load(write(tmp_path, [o]))
    assert s.inputs[0].param_type == "required"
    assert s.inputs[0].formats == ["ND", "ND"]
    assert [d.name for d in s.outputs[0].dtypes] == ["float16", "float16"]
    assert s.attrs == []


def test_param_types(tmp_path: Path) -> None:
    o = op(input_desc=[tensor("x"), tensor("bias", param_type="optional"),
                       tensor("xs", param_type="dynamic")])
    (s,) = spec.load(write(tmp_path, [o]))
    assert [t.param_type for t in s.inputs] == ["required", "optional", "dynamic"]


def test_attrs(tmp_path: Path) -> None:
    attrs = [
        {"name": "axis", "param_type": "required", "type": "int"},
        {"name": "value", "param_type": "optional", "type": "float", "default_value": 1},
        {"name": "negative_slope", "param_type": "optional", "type": "float", "default_value": 0.01},
        {"name": "keep", "param_type": "optional", "type": "bool", "default_value": False},
        {"name": "mode", "param_type": "optional", "type": "string", "default_value": ""},
        {"name": "dst", "param_type": "optional", "type": "type", "default_value": "fp16"},
        {"name": "dims", "param_type": "optional", "type": "list_int", "default_value": []},
        {"name": "scales", "param_type": "optional", "type": "list_float", "default_value": [1, 0.5]},
        {"name": "flags", "param_type": "optional", "type": "list_bool", "default_value": [True]},
        {"name": "names", "param_type": "optional", "type": "list_string", "default_value": ["a"]},
        {"name": "pads", "param_type": "optional", "type": "list_list_int", "default_value": [[1, 2], []]},
    ]
    (s,) = spec.load(write(tmp_path, [op(attr=attrs)]))
    assert [(a.name, a.type, a.required) for a in s.attrs][:3] == [
        ("axis", "int", True), ("value", "float", False), ("negative_slope", "float", False)]
    assert [a.default for a in s.attrs] == [None, 1, 0.01, False, "", "fp16", [], [1, 0.5], [True], ["a"],
                                            [[1, 2], []]]


def test_output_may_share_an_input_name(tmp_path: Path) -> None:
    """CANN makes an output named like an input one ref tensor (aclnn ``xRef``): allowed."""
    o = op(input_desc=[tensor("x"), tensor("y")], output_desc=[tensor("x")])
    (s,) = spec.load(write(tmp_path, [o]))
    assert [t.name for t in s.outputs] == ["x"]
    assert list(s.columns[1]) == ["x", "y"]


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    """msopgen reads only op/input_desc/output_desc/attr; ``language`` and comments pass."""
    (s,) = spec.load(write(tmp_path, [op(language="py", comment="z = x + y")]))
    assert s.op_type == "AddCustom"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    (s,) = spec.load(write(tmp_path, b"\xef\xbb\xbf" + json.dumps([op()]).encode()))
    assert s.op_type == "AddCustom"


@pytest.mark.parametrize("path", sorted((REPO / "ops").glob("*.json")), ids=lambda p: p.stem)
def test_builtin_specs(path: Path) -> None:
    """One op = one name everywhere: ops/<name>.json holds the op whose snake_case is <name>."""
    specs = spec.load(path)
    assert [s.name for s in specs] == [path.stem]
    assert (REPO / "kernels" / f"{path.stem}.cpp").is_file()
    assert (REPO / "host" / f"{path.stem}.cpp").is_file()


# ---------------------------------------------------------------------------------------------------
# several ops per file


def _multi(tmp_path: Path) -> Path:
    return write(tmp_path, [op(), op("MatmulLeakyreluCustom"), op("SinhCustom", input_desc=[tensor("x")],
                                                                  output_desc=[tensor("y")])])


def test_multi_op_file_loads_all(tmp_path: Path) -> None:
    specs = spec.load(_multi(tmp_path))
    assert [s.op_type for s in specs] == ["AddCustom", "MatmulLeakyreluCustom", "SinhCustom"]
    assert [s.name for s in specs] == ["add_custom", "matmul_leakyrelu_custom", "sinh_custom"]


@pytest.mark.parametrize("selector", ["MatmulLeakyreluCustom", "matmul_leakyrelu_custom"])
def test_multi_op_file_pick_one(tmp_path: Path, selector: str) -> None:
    specs = spec.load(_multi(tmp_path), op=selector)
    assert [s.op_type for s in specs] == ["MatmulLeakyreluCustom"]


# ---------------------------------------------------------------------------------------------------
# malformed specs: (id, file content, JSON path or None for the file root, value shown, fix)


def _attr(**kw: Any) -> dict:
    a = {"name": "value", "param_type": "optional", "type": "float", "default_value": 1.0}
    a.update(kw)
    return a


def _with(path: list, value: Any, base: Any = None) -> Any:
    """A copy of ``base`` (default: ``[op()]``) with the item at ``path`` replaced."""
    data = copy.deepcopy([op()] if base is None else base)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


_T3 = ["float16", "float32", "fp61"]
_BAD = [
    ("empty-list", [], "", "[]", "add an op object"),
    ("top-level-number", 42, "", "42", 'write [{"op": "AddCustom"'),
    ("top-level-string", '"AddCustom"', "", '"AddCustom"', "write ["),
    ("op-not-an-object", [1], "[0]", "1", 'write {"op": "AddCustom"'),
    ("missing-op", [{"input_desc": [], "output_desc": [tensor("z")]}], "[0]",
     '["input_desc", "output_desc"]', 'add "op": "AddCustom"'),
    ("lowercase-op", _with([0, "op"], "addCustom"), "[0].op", '"addCustom"', 'did you mean "AddCustom"?'),
    ("snake-case-op", _with([0, "op"], "add_custom"), "[0].op", '"add_custom"', 'did you mean "AddCustom"?'),
    ("op-not-a-string", _with([0, "op"], 7), "[0].op", "7", 'op types look like "AddCustom"'),
    ("duplicate-op-types", [op(), op("SinhCustom"), op()], "[2].op", '"AddCustom"',
     "keep one definition or rename one op"),
    ("misspelt-input-desc", [{"op": "AddCustom", "input_dsc": [tensor("x")], "output_desc": [tensor("z")]}],
     "[0].input_dsc", '"input_dsc"', 'did you mean "input_desc"?'),
    ("input-desc-not-a-list", _with([0, "input_desc"], tensor("x")), "[0].input_desc", '{"name": "x"',
     "even for a single entry"),
    ("no-outputs", _with([0, "output_desc"], []), "[0].output_desc", "[]", 'add "output_desc"'),
    ("outputs-missing", [{"op": "AddCustom", "input_desc": [tensor("x")]}], "[0].output_desc",
     '["op", "input_desc"]', 'add "output_desc"'),
    ("tensor-not-an-object", _with([0, "input_desc", 1], "y"), "[0].input_desc[1]", '"y"',
     'write {"name": "x"'),
    ("tensor-missing-name", _with([0, "output_desc", 0], {"type": ["float16"]}), "[0].output_desc[0]",
     '["type"]', 'add "name": "x"'),
    ("tensor-missing-type", _with([0, "input_desc", 0], {"name": "x", "dtype": "float16"}),
     "[0].input_desc[0]", '["name", "dtype"]', 'add "type": ["float16"]'),
    ("tensor-name-starts-with-digit", _with([0, "input_desc", 0, "name"], "1x"), "[0].input_desc[0].name",
     '"1x"', "not starting with a digit"),
    ("tensor-name-with-dash", _with([0, "output_desc", 0, "name"], "z-out"), "[0].output_desc[0].name",
     '"z-out"', "use letters, digits and '_'"),
    ("duplicate-input-names", _with([0, "input_desc", 1, "name"], "x"), "[0].input_desc[1].name", '"x"',
     "input_desc[0] already uses it"),
    ("bad-param-type", _with([0, "input_desc", 0, "param_type"], "requird"), "[0].input_desc[0].param_type",
     '"requird"', 'did you mean "required"?'),
    ("bad-dtype", [op(input_desc=[tensor("x", _T3[:2] + ["bf16"], ["ND"]), tensor("y", _T3, ["ND"])])],
     "[0].input_desc[1].type[2]", '"fp61"', "use one of float16, float32"),
    ("dtype-wrong-case", _with([0, "output_desc", 0, "type", 0], "Float16"), "[0].output_desc[0].type[0]",
     '"Float16"', 'did you mean "float16"?'),
    ("dtype-not-a-string", _with([0, "input_desc", 0, "type", 1], 16), "[0].input_desc[0].type[1]", "16",
     "use one of"),
    ("dtype-group-name", _with([0, "input_desc", 0, "type"], ["numbertype"]), "[0].input_desc[0].type[0]",
     '"numbertype"', "list the dtypes explicitly"),
    ("empty-type-list", _with([0, "input_desc", 0, "type"], []), "[0].input_desc[0].type", "[]",
     'write e.g. ["float16", "float32"]'),
    ("bad-format", _with([0, "output_desc", 0, "format", 1], "NCWH"), "[0].output_desc[0].format[1]",
     '"NCWH"', "use one of ND, NCHW"),
    ("format-wrong-case", _with([0, "input_desc", 0, "format", 0], "nd"), "[0].input_desc[0].format[0]",
     '"nd"', 'did you mean "ND"?'),
    ("format-not-a-list", _with([0, "input_desc", 0, "format"], {"ND": 1}), "[0].input_desc[0].format",
     '{"ND": 1}', 'write e.g. ["ND", "ND"]'),
    ("type-list-length-mismatch", _with([0, "input_desc", 1, "type"], ["float16", "float32", "bfloat16"]),
     "[0].input_desc[1].type", '["float16", "float32", "bfloat16"]', "give 2 entries (or 1"),
    ("format-list-length-mismatch", _with([0, "output_desc", 0, "format"], ["ND", "ND", "ND"]),
     "[0].output_desc[0].format", '["ND", "ND", "ND"]', "position i of every type/format list"),
    ("ref-output-with-other-types", _with([0, "output_desc", 0], tensor("y", ["float32", "float16"])),
     "[0].output_desc[0].type", '["float32", "float16"]', "give both the same type list"),
    ("attr-not-an-object", _with([0, "attr"], ["value"]), "[0].attr[0]", '"value"', 'write {"name": "alpha"'),
    ("bad-attr-type", _with([0, "attr"], [_attr(type="list_double")]), "[0].attr[0].type", '"list_double"',
     "use one of int, float"),
    ("attr-type-wrong-case", _with([0, "attr"], [_attr(type="Float")]), "[0].attr[0].type", '"Float"',
     'did you mean "float"?'),
    ("attr-missing-type", _with([0, "attr"], [{"name": "value", "default_value": 1.0}]), "[0].attr[0]",
     '["name", "default_value"]', 'add "type": "float"'),
    ("attr-param-type-dynamic", _with([0, "attr"], [_attr(param_type="dynamic")]), "[0].attr[0].param_type",
     '"dynamic"', 'use "required" or "optional"'),
    ("optional-attr-without-default", _with([0, "attr"], [{"name": "value", "param_type": "optional",
                                                            "type": "float"}]),
     "[0].attr[0]", '["name", "param_type", "type"]', 'add "default_value": 1.0'),
    ("attr-default-string-for-float", _with([0, "attr"], [_attr(default_value="one")]),
     "[0].attr[0].default_value", '"one"', "write a default like 1.0"),
    ("attr-default-bool-for-int", _with([0, "attr"], [_attr(type="int", default_value=True)]),
     "[0].attr[0].default_value", "true", "write a default like 0"),
    ("attr-default-float-for-int", _with([0, "attr"], [_attr(type="int", default_value=1.5)]),
     "[0].attr[0].default_value", "1.5", "like 0"),
    ("attr-default-scalar-for-list", _with([0, "attr"], [_attr(type="list_int", default_value=3)]),
     "[0].attr[0].default_value", "3", "like [1, 2]"),
    ("list-int-default-element", _with([0, "attr"], [_attr(type="list_int", default_value=[1, 2.5])]),
     "[0].attr[0].default_value[1]", "2.5", "like [1, 2]"),
    ("list-list-int-default-element", _with([0, "attr"], [_attr(type="list_list_int",
                                                                default_value=[[1], [2, "3"]])]),
     "[0].attr[0].default_value[1][1]", '"3"', "like [[1, 2], [3]]"),
    ("list-bool-default-element", _with([0, "attr"], [_attr(type="list_bool", default_value=[True, 0])]),
     "[0].attr[0].default_value[1]", "0", "like [true]"),
    ("type-attr-default-not-a-dtype", _with([0, "attr"], [_attr(type="type", default_value="fp61")]),
     "[0].attr[0].default_value", '"fp61"', 'like "float16"'),
    ("required-attr-with-wrong-default",
     _with([0, "attr"], [_attr(param_type="required", default_value=[1])]),
     "[0].attr[0].default_value", "[1]", "write a default like 1.0"),
    ("duplicate-attr-names", _with([0, "attr"], [_attr(), _attr(default_value=2.0)]), "[0].attr[1].name",
     '"value"', "attr[0] already uses it"),
    ("attr-named-like-input", _with([0, "attr"], [_attr(name="y")]), "[0].attr[0].name", '"y"',
     "rename the attr"),
    ("attr-camel-case-clashes-with-input",
     [op(input_desc=[tensor("scale_factor")], attr=[_attr(name="scaleFactor")])],
     "[0].attr[0].name", '"scaleFactor"', "rename the attr"),
    ("single-object-bad-dtype", op(input_desc=[tensor("x", ["fp61"])]), "input_desc[0].type[0]", '"fp61"',
     "use one of"),
]


@pytest.mark.parametrize("content, where, value, fix", [c[1:] for c in _BAD], ids=[c[0] for c in _BAD])
def test_malformed_spec(tmp_path: Path, content: Any, where: str, value: str, fix: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(SpecError) as info:
        spec.load(path)
    msg = str(info.value)
    head = f"{path}: {where}: " if where else f"{path}: "
    assert msg.startswith(head), msg
    what, _, rest = msg[len(head):].partition(", found ")
    assert what and rest, f"not '<what>, found <value>; <fix>': {msg}"
    found, _, hint = rest.partition("; ")
    assert value in found, msg
    assert fix in hint, msg
    assert "\n" not in msg
    assert isinstance(info.value, OpkitError) and isinstance(info.value, ValueError)
    assert info.value.__cause__ is None  # no chained KeyError/JSONDecodeError in the report
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_malformed_case_count() -> None:
    assert len(_BAD) >= 20


def test_not_json_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '[\n  {"op": "AddCustom"\n   "input_desc": []}\n]\n')
    with pytest.raises(SpecError) as info:
        spec.load(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}:3:4: not valid JSON (Expecting ',' delimiter), found "), msg
    assert "'\"input_desc\": []}'" in msg
    assert msg.endswith('a spec is a JSON list of op objects: [{"op": "AddCustom", ...}]')


def test_truncated_json_says_end_of_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[{"op": "AddCustom"')
    with pytest.raises(SpecError, match=r":1:20: not valid JSON \(.*\), found 'end of file'; "):
        spec.load(path)


def test_absurdly_nested_json_is_one_spec_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 5000 + "]" * 5000)
    with pytest.raises(SpecError, match=r"deep.json: nested too deeply to be a spec"):
        spec.load(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, b'[{"op": "Add\xff"}]')
    with pytest.raises(SpecError) as info:
        spec.load(path)
    assert str(info.value) == f"{path}: not UTF-8 text, found byte 0xff at offset 12; save the spec as UTF-8"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(SpecError) as info:
        spec.load(path)
    assert str(info.value) == f"{path}: cannot read the spec, found No such file or directory; check the path"


@pytest.mark.parametrize("selector", ["SubCustom", "AddCustomm", "sub_custom"])
def test_unknown_op_selector(tmp_path: Path, selector: str) -> None:
    path = _multi(tmp_path)
    with pytest.raises(SpecError) as info:
        spec.load(path, op=selector)
    assert str(info.value) == (f'{path}: no op "{selector}" in the spec, found AddCustom, '
                               "MatmulLeakyreluCustom, SinhCustom; pick one of those (op type or its "
                               "snake_case name)")


def test_long_values_are_shortened(tmp_path: Path) -> None:
    path = write(tmp_path, _with([0, "input_desc"], {"name": "x" * 500}))
    with pytest.raises(SpecError) as info:
        spec.load(path)
    assert len(str(info.value)) < 300 and '...' in str(info.value)


@pytest.mark.parametrize("kind, default, what", [
    ("list_int", [1, 2.5], "expected int (the attr type is list_int)"),
    ("type", "fp61", "expected a dtype name (the attr type is type)"),
    ("float", True, "expected float (the attr type is float)"),
])
def test_attr_default_message_names_the_expected_type(tmp_path: Path, kind: str, default: Any,
                                                      what: str) -> None:
    path = write(tmp_path, _with([0, "attr"], [_attr(type=kind, default_value=default)]))
    with pytest.raises(SpecError, match=re.escape(what)):
        spec.load(path)


def test_numeric_string_default_is_read_as_a_number(tmp_path):
    # msopgen reads "0.0" for a float attr (the official LeakyReluCustom spec writes it so).
    path = tmp_path / "leaky.json"
    path.write_text(json.dumps([{"op": "LeakyReluCustom",
                                 "input_desc": [{"name": "x", "type": ["float"]}],
                                 "output_desc": [{"name": "y", "type": ["float"]}],
                                 "attr": [{"name": "negative_slope", "param_type": "optional", "type": "float",
                                           "default_value": "0.0"},
                                          {"name": "axis", "param_type": "optional", "type": "int",
                                           "default_value": "-1"}]}]))
    (op,) = spec.load(path)
    assert op.attrs[0].default == 0.0 and isinstance(op.attrs[0].default, float)
    assert op.attrs[1].default == -1 and isinstance(op.attrs[1].default, int)

"""Which JSON files in a project root are op specs (Note [Stray JSON] in opkit/build.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opkit.build import find_project, is_spec_file

ADD = [{"op": "AddCustom", "input_desc": [{"name": "x", "param_type": "required", "format": ["ND"],
                                           "type": ["float16"]}],
        "output_desc": [{"name": "z", "param_type": "required", "format": ["ND"], "type": ["float16"]}]}]


def project(tmp_path: Path, files: dict[str, object]) -> Path:
    (tmp_path / "op_host").mkdir()
    (tmp_path / "op_kernel").mkdir()
    for name, doc in files.items():
        (tmp_path / name).write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return tmp_path


def test_a_trace_beside_the_spec_is_skipped_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = project(tmp_path, {"add_custom.json": ADD, "add_custom_trace.json": {"traceEvents": [], "x": 1}})
    assert [p.name for p in find_project(root).specs] == ["add_custom.json"]
    err = capsys.readouterr().err
    assert "add_custom_trace.json: skipped, a Chrome trace" in err


@pytest.mark.parametrize("doc", [{"Op": "AddCustom", "input_desc": []}, [{"input_desc": []}], "{not json", []],
                         ids=["typo-op", "no-op", "broken", "empty-list"])
def test_anything_spec_like_stays_a_spec(tmp_path: Path, doc: object) -> None:
    """A broken spec must reach the loader and its exact error, never be skipped silently."""
    path = tmp_path / "x.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    assert is_spec_file(path)


@pytest.mark.parametrize("name", ["CMakePresets.json", "compile_commands.json"])
def test_tool_files_are_not_specs(tmp_path: Path, name: str) -> None:
    root = project(tmp_path, {"add_custom.json": ADD, name: {"version": 3}})
    assert [p.name for p in find_project(root).specs] == ["add_custom.json"]


def test_config_json_is_skipped_and_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    root = project(tmp_path, {"add_custom.json": ADD, "settings.json": {"editor.tabSize": 4}})
    assert [p.name for p in find_project(root).specs] == ["add_custom.json"]
    assert "settings.json: skipped, no op spec" in capsys.readouterr().err

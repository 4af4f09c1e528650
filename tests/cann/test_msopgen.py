"""``python -m opkit gen`` through a fake CANN msopgen: its command line, environment and failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cann_helpers import calls, clean_env, opkit

REPO = Path(__file__).resolve().parents[2]
ADD = REPO / "ops" / "add_custom.json"


def two_op_spec(tmp_path: Path) -> Path:
    ops = json.loads(ADD.read_text()) + json.loads((REPO / "ops" / "sinh_custom.json").read_text())
    path = tmp_path / "two_ops.json"
    path.write_text(json.dumps(ops))
    return path


@pytest.mark.parametrize("soc, compute", [("Ascend910B1", "ai_core-Ascend910B1"), ("Ascend910B", "ai_core-Ascend910A")])
def test_msopgen_runs_non_interactively(tmp_path: Path, toolkit: Path, soc: str, compute: str) -> None:
    out = tmp_path / "AddCustom"
    r = opkit("gen", str(ADD), "-o", str(out), "--soc", soc, env=clean_env(toolkit))
    assert r.returncode == 0, r.stderr
    (call,) = calls(toolkit)
    assert call["argv"][:-1] == ["gen", "-i", str(ADD), "-c", compute, "-lan", "cpp", "-out"]
    # msopgen writes into a fresh directory beside the target; opkit moves its files in only on
    # success, so a failing msopgen cannot cost the user a file
    work = Path(call["argv"][-1])
    assert work.name == "AddCustom" and work.parent.parent == tmp_path and work.parent.name.startswith(".opkit-msopgen-")
    assert not work.parent.exists()
    assert call["stdin_devnull"]
    assert call["env"]["ASCEND_HOME_PATH"] == str(toolkit.resolve())
    assert call["env"]["PYTHONPATH"].startswith(str(toolkit.resolve() / "python" / "site-packages"))
    # msopgen's op_host and op_kernel are kept; opkit adds the spec, the test and its README
    assert (out / "op_host" / "add_custom.cpp").read_text().startswith("// FAKE MSOPGEN")
    assert (out / "op_kernel" / "add_custom.cpp").read_text().startswith("// FAKE MSOPGEN")
    assert json.loads((out / "add_custom.json").read_text())[0]["op"] == "AddCustom"
    assert "OPKIT: GOLDEN" in (out / "tests" / "test_add_custom.py").read_text()
    assert "msopgen" in (out / "README.md").read_text()
    assert not (out / "op_kernel" / "elementwise.h").exists()
    assert "msopgen wrote the project" in r.stdout


def test_several_ops_get_op_and_append(tmp_path: Path, toolkit: Path) -> None:
    out = tmp_path / "Two"
    r = opkit("gen", str(two_op_spec(tmp_path)), "-o", str(out), env=clean_env(toolkit))
    assert r.returncode == 0, r.stderr
    argvs = [c["argv"] for c in calls(toolkit)]
    assert [a[a.index("-op") + 1] for a in argvs] == ["AddCustom", "SinhCustom"]
    assert "-m" not in argvs[0] and argvs[1][-2:] == ["-m", "1"]
    assert all(a[a.index("-lan") + 1] == "cpp" for a in argvs)
    assert (out / "op_host" / "sinh_custom.cpp").is_file() and (out / "tests" / "test_sinh_custom.py").is_file()


def test_op_flag_passes_op(tmp_path: Path, toolkit: Path) -> None:
    r = opkit("gen", str(two_op_spec(tmp_path)), "--op", "SinhCustom", "-o", str(tmp_path / "S"),
              env=clean_env(toolkit))
    assert r.returncode == 0, r.stderr
    (call,) = calls(toolkit)
    assert call["argv"][-2:] == ["-op", "SinhCustom"]


def test_failing_msopgen_is_one_error_with_its_output(tmp_path: Path, toolkit: Path) -> None:
    (toolkit / "msopgen_mode").write_text("fail")
    out = tmp_path / "AddCustom"
    r = opkit("gen", str(ADD), "-o", str(out), env=clean_env(toolkit))
    assert r.returncode == 2
    assert r.stderr.startswith("opkit: error: msopgen failed (exit 1): ") and len(r.stderr.splitlines()) == 1
    assert "it should be UpperCamelCase" in r.stderr
    assert not out.exists()  # nothing written, not even opkit's files


def test_msopgen_that_writes_nothing_is_caught(tmp_path: Path, toolkit: Path) -> None:
    (toolkit / "msopgen_mode").write_text("empty")
    out = tmp_path / "AddCustom"
    r = opkit("gen", str(ADD), "-o", str(out), env=clean_env(toolkit))
    assert r.returncode == 2
    assert "msopgen exited 0 but did not write" in r.stderr and "op_host/add_custom.cpp" in r.stderr
    assert "Generation completed" in r.stderr
    assert not out.exists()


def test_no_msopgen_uses_opkits_generator(tmp_path: Path, toolkit: Path) -> None:
    out = tmp_path / "AddCustom"
    r = opkit("gen", str(ADD), "-o", str(out), "--no-msopgen", env=clean_env(toolkit))
    assert r.returncode == 0, r.stderr
    assert calls(toolkit) == []
    assert "OPKIT: COMPUTE" in (out / "op_kernel" / "add_custom.cpp").read_text()


def test_existing_project_is_not_overwritten(tmp_path: Path, toolkit: Path) -> None:
    out = tmp_path / "AddCustom"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    r = opkit("gen", str(ADD), "-o", str(out), env=clean_env(toolkit))
    assert r.returncode == 2 and "--force" in r.stderr
    assert calls(toolkit) == [] and (out / "mine.txt").read_text() == "keep"


def test_dry_run_shows_the_command_and_runs_nothing(tmp_path: Path, toolkit: Path) -> None:
    out = tmp_path / "AddCustom"
    r = opkit("gen", str(ADD), "-o", str(out), "--dry-run", env=clean_env(toolkit))
    assert r.returncode == 0, r.stderr
    assert "msopgen would run: " in r.stdout and "-c ai_core-Ascend910B1 -lan cpp" in r.stdout
    assert calls(toolkit) == [] and not out.exists()


def test_failing_msopgen_with_force_keeps_the_users_files(tmp_path: Path, toolkit: Path) -> None:
    out = tmp_path / "Mine"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref")
    (out / "notes.txt").write_text("precious")
    (toolkit / "msopgen_mode").write_text("fail")
    r = opkit("gen", str(ADD), "-o", str(out), "--force", env=clean_env(toolkit))
    assert r.returncode == 2
    assert (out / "notes.txt").read_text() == "precious" and (out / ".git" / "HEAD").read_text() == "ref"
    assert sorted(p.name for p in out.iterdir()) == [".git", "notes.txt"]

"""``python -m opkit build`` with CANN: choosing the build, CMakePresets.json, preflight, log reading."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cann_helpers import clean_env, make_toolkit, opkit

from opkit import cann as cann_mod
from opkit import cann_build
from opkit.errors import BuildError

REPO = Path(__file__).resolve().parents[2]


def msopgen_project(toolkit: Path, out: Path) -> Path:
    """A project as the fake msopgen writes it (run directly: no opkit in between)."""
    tool = toolkit / "python" / "site-packages" / "bin" / "msopgen"
    subprocess.run([sys.executable, str(tool), "gen", "-i", str(REPO / "ops" / "add_custom.json"), "-c",
                    "ai_core-Ascend910B1", "-lan", "cpp", "-out", str(out)], check=True, capture_output=True)
    return out


def test_cann_build_writes_presets_and_reports_package(tmp_path: Path, toolkit: Path) -> None:
    project = msopgen_project(toolkit, tmp_path / "AddCustom")
    r = opkit("build", str(project), "--soc", "Ascend910B", env=clean_env(toolkit))  # no --cann: chosen
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("CANN build (CANN 8.0.RC2 at ")
    assert str(project / "build_out" / "custom_opp_ubuntu_x86_64.run") in r.stdout
    cache = json.loads((project / "CMakePresets.json").read_text())["configurePresets"][0]["cacheVariables"]
    assert cache["ASCEND_CANN_PACKAGE_PATH"] == {"type": "PATH", "value": str(toolkit.resolve())}
    assert cache["ASCEND_COMPUTE_UNIT"]["value"] == "ascend910"  # a bare Ascend910B is the first 910
    assert cache["vendor_name"]["value"] == "customize"
    assert (project / "CMakePresets.json.bak").is_file()
    log = (project / "build_out" / cann_build.LOG_NAME).read_text()
    assert f"ASCEND_HOME_PATH={toolkit.resolve()}" in log  # the environment is ours, not set_env.sh's


def test_compile_error_of_a_dtype_column_is_surfaced(tmp_path: Path, toolkit: Path) -> None:
    project = msopgen_project(toolkit, tmp_path / "AddCustom")
    r = opkit("build", str(project), "--cann", env=clean_env(toolkit, FAKE_BUILD="compile_error"))
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1, r.stderr
    assert "AddCustom_1e04ee05ab491cc5ae9c3d5c9ee8950b.json not generated!" in r.stderr
    assert "op_kernel/add_custom.cpp:57:9: error: use of undeclared identifier 'tileLenght'" in r.stderr
    assert ":80:1" not in r.stderr and "gmake" not in r.stderr


def test_missing_aclnn_source_is_explained(tmp_path: Path, toolkit: Path) -> None:
    project = msopgen_project(toolkit, tmp_path / "AddCustom")
    (project / "op_host" / "add_custom.cpp").rename(project / "op_host" / "addcustom.cpp")
    r = opkit("build", str(project), "--cann", env=clean_env(toolkit, FAKE_BUILD="no_aclnn"))
    assert r.returncode == 2
    assert "did not generate aclnn_add_custom.cpp: there is no op_host/add_custom.cpp" in r.stderr


def test_runtime_only_install_fails_preflight(tmp_path: Path) -> None:
    toolkit = make_toolkit(tmp_path / "rt", build_files=False)
    project = msopgen_project(toolkit, tmp_path / "AddCustom")
    r = opkit("build", str(project), "--cann", env=clean_env(toolkit))
    assert r.returncode == 2
    assert "include/register/tilingdata_base.h, lib64/libexe_graph.so" in r.stderr
    assert "runtime-only install" in r.stderr and "install the CANN toolkit package" in r.stderr
    assert not (project / "build_sh_ran").exists()


def test_cann_6_has_no_aclnn(tmp_path: Path, no_cann: None, monkeypatch: pytest.MonkeyPatch) -> None:
    toolkit = make_toolkit(tmp_path / "old", version="6.3.RC1")
    project = msopgen_project(toolkit, tmp_path / "AddCustom")
    r = opkit("build", str(project), "--cann", env=clean_env(toolkit))
    assert r.returncode == 2
    assert "CANN 6.3.RC1" in r.stderr and "no aclnn and no tiling macros" in r.stderr
    assert "CANN 7.0 or later" in r.stderr and "--cpu" in r.stderr
    monkeypatch.setenv("ASCEND_HOME_PATH", str(toolkit))
    found, why = cann_build.choose(project, None)  # left to decide, opkit builds for the CPU
    assert found is None and "has no aclnn" in why


def test_choice(tmp_path: Path, toolkit: Path, no_cann: None, monkeypatch: pytest.MonkeyPatch) -> None:
    project = msopgen_project(toolkit, tmp_path / "AddCustom")
    assert cann_build.choose(project, None) == (None, "no CANN toolkit found")
    with pytest.raises(BuildError, match="--cann: no CANN toolkit found"):
        cann_build.choose(project, True)
    monkeypatch.setenv("ASCEND_HOME_PATH", str(toolkit))
    assert cann_build.choose(project, None)[0].path == toolkit.resolve()
    assert cann_build.choose(project, False)[0] is None
    (project / "build.sh").unlink()
    shutil.rmtree(project / "cmake")  # what opkit's own generator writes: no CANN scripts
    found, why = cann_build.choose(project, None)
    assert found is None and "no msopgen build files" in why


def test_presets_keep_user_edits(tmp_path: Path) -> None:
    doc = {"version": 3, "configurePresets": [{"name": "default", "generator": "Ninja", "cacheVariables": {
        "ASCEND_CANN_PACKAGE_PATH": {"type": "PATH", "value": "/old"}, "vendor_name": "myvendor",
        "MY_FLAG": {"type": "BOOL", "value": "ON"}}}], "buildPresets": [{"name": "b"}]}
    (tmp_path / "CMakePresets.json").write_text(json.dumps(doc, indent=2))
    changes = cann_build.update_presets(tmp_path, Path("/new"), ["ascend910b", "ascend310p"])
    assert changes == ["default: ASCEND_CANN_PACKAGE_PATH: /old -> /new",
                       "default: ASCEND_COMPUTE_UNIT: None -> ascend910b;ascend310p"]
    new = json.loads((tmp_path / "CMakePresets.json").read_text())
    doc["configurePresets"][0]["cacheVariables"]["ASCEND_CANN_PACKAGE_PATH"]["value"] = "/new"
    doc["configurePresets"][0]["cacheVariables"]["ASCEND_COMPUTE_UNIT"] = {"type": "STRING",
                                                                           "value": "ascend910b;ascend310p"}
    assert new == doc
    assert json.loads((tmp_path / "CMakePresets.json.bak").read_text())["configurePresets"][0]["cacheVariables"][
        "ASCEND_CANN_PACKAGE_PATH"]["value"] == "/old"
    assert cann_build.update_presets(tmp_path, Path("/new"), None) == []  # already right: untouched


def test_broken_presets_say_where(tmp_path: Path) -> None:
    (tmp_path / "CMakePresets.json").write_text('{"version": 1,\n "configurePresets": [\n}')
    with pytest.raises(BuildError, match=r"CMakePresets.json:3:1: not valid JSON"):
        cann_build.update_presets(tmp_path, Path("/new"), None)


def test_silent_op_build_failure_is_a_failure() -> None:
    log = "[ERROR] AddCustom_abcdef0123.json not generated!\n[100%] Built target package\n"
    assert "no compiler error before it" in cann_build.diagnose(log, Path("P"))
    kit = cann_mod.Cann(Path("/x"), "test", None, None, None)
    assert "version at /x is unknown" in cann_build.check_version(kit)

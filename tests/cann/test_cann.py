"""CANN discovery (search order, version, generation, msopgen, simulators) and the SoC names, on fake toolkits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cann_helpers import make_toolkit

from opkit import cann


def test_search_order(tmp_path: Path, no_cann: None, monkeypatch: pytest.MonkeyPatch) -> None:
    home, kit, std = (make_toolkit(tmp_path / n, msopgen=False) for n in ("home", "kit", "std"))
    monkeypatch.setenv("OPKIT_CANN_SEARCH_PATHS", os.pathsep.join([str(tmp_path / "absent"), str(std)]))
    assert cann.find_cann().path == std.resolve()
    monkeypatch.setenv("ASCEND_TOOLKIT_HOME", str(kit))
    assert cann.find_cann().path == kit.resolve()
    monkeypatch.setenv("ASCEND_HOME_PATH", str(home))
    found = cann.find_cann()
    assert (found.path, found.found_by) == (home.resolve(), "$ASCEND_HOME_PATH")


def test_nothing_found(tmp_path: Path, no_cann: None, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cann.find_cann() is None
    monkeypatch.setenv("ASCEND_HOME_PATH", str(tmp_path))  # an empty directory is no toolkit
    assert cann.find_cann() is None


@pytest.mark.parametrize("version, aclnn, tiling", [("6.3.RC1", False, "none"), ("7.0.0", True, "macros"),
                                                    ("8.0.RC2", True, "macros"), ("9.0.0", True, "struct")])
def test_version_and_generation(tmp_path: Path, version: str, aclnn: bool, tiling: str) -> None:
    found = cann.describe(make_toolkit(tmp_path / "t", version=version, msopgen=False))
    assert found.version == version
    assert found.version_file.name == "ascend_toolkit_install.info"
    assert (found.generation.aclnn, found.generation.tiling) == (aclnn, tiling)


def test_version_info_fallback_and_unknown(tmp_path: Path) -> None:
    root = make_toolkit(tmp_path / "t", version=None, msopgen=False)
    assert cann.read_version(root) == (None, None)
    (root / "version.info").write_text("Version=8.0.RC3\n")
    assert cann.read_version(root) == ("8.0.RC3", root / "version.info")
    assert cann.generation_of("5.1.RC2") is None


def test_msopgen_and_simulators(tmp_path: Path, no_cann: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    root = make_toolkit(tmp_path / "t", simulators=("Ascend910B1", "Ascend310P3"))
    found = cann.describe(root)
    assert found.msopgen == root.resolve() / "python/site-packages/bin/msopgen"
    assert sorted(found.simulators) == ["Ascend310P3", "Ascend910B1"]
    bare = make_toolkit(tmp_path / "bare", msopgen=False, simulators=())
    assert cann.describe(bare).msopgen is None and cann.describe(bare).simulators == {}


@pytest.mark.parametrize("name, msopgen, unit, sim", [
    ("Ascend910B1", "ai_core-Ascend910B1", "ascend910b", "Ascend910B1"),
    ("ascend910b3", "ai_core-Ascend910B3", "ascend910b", "Ascend910B3"),
    ("Ascend910B", "ai_core-Ascend910A", "ascend910", "Ascend910A"),  # bare 910B: the first-generation 910
    ("Ascend310P3", "ai_core-Ascend310P3", "ascend310p", "Ascend310P3"),
])
def test_soc_names(name: str, msopgen: str, unit: str, sim: str) -> None:
    s = cann.soc_names(name)
    assert (s.msopgen, s.compute_unit, s.simulator) == (msopgen, unit, sim)


def test_unknown_soc_is_an_error() -> None:
    with pytest.raises(ValueError, match="910b"):
        cann.soc_names("910b")


def test_environment_is_built_not_sourced(tmp_path: Path) -> None:
    found = cann.describe(make_toolkit(tmp_path / "t", msopgen=False))
    env = cann.environment(found, {"PATH": "/usr/bin", "LD_LIBRARY_PATH": ""})
    assert env["ASCEND_HOME_PATH"] == str(found.path)
    assert env["PATH"].split(os.pathsep) == [str(found.path / "bin"), str(found.path / "compiler/ccec_compiler/bin"),
                                             "/usr/bin"]
    assert env["LD_LIBRARY_PATH"] == str(found.path / "lib64")

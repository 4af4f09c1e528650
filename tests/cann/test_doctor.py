"""``python -m opkit doctor`` with no CANN and with a broken fake one."""

from __future__ import annotations

from pathlib import Path

from cann_helpers import clean_env, make_toolkit, opkit


def test_doctor_without_cann(tmp_path: Path) -> None:
    r = opkit("doctor", env=clean_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "none found" in r.stdout and "cpu mode works without CANN" in r.stdout
    assert "cpu mode: usable" in r.stdout
    for what in ("default SoC", "Ascend910B1", "NPUs", "g++", "cmake"):
        assert what in r.stdout
    # every test mode has a row: the two on opkit's runtime are usable, the CANN ones say why not
    rows = {line.split("  ")[0]: line for line in r.stdout.splitlines()}
    for mode in ("cpu mode", "npu_simulator mode"):
        assert mode in rows and " ok " in rows[mode], r.stdout
    assert "camodel (OPKIT_SIMULATOR)" in rows and "npu_onboard" in rows


def test_doctor_explains_a_runtime_only_install(tmp_path: Path) -> None:
    toolkit = make_toolkit(tmp_path / "rt", version="8.0.RC2", build_files=False,
                           simulators=("Ascend910B1", "Ascend910_9391"))
    r = opkit("doctor", env=clean_env(toolkit, OPKIT_SOC="Ascend310P3"))
    assert r.returncode == 0, r.stdout + r.stderr  # cpu mode does not need CANN
    assert "8.0.RC2: CANN 8.x: Ascend C, aclnn, tiling macros" in r.stdout
    assert "include/register/tilingdata_base.h is missing" in r.stdout
    assert "runtime-only install" in r.stdout and "install the toolkit package" in r.stdout
    assert "Ascend910_9391 (not modelled by opkit)" in r.stdout
    assert "no simulator for the default SoC Ascend310P3" in r.stdout


def test_doctor_flags_cann_6(tmp_path: Path) -> None:
    r = opkit("doctor", env=clean_env(make_toolkit(tmp_path / "old", version="6.3.RC1")))
    assert r.returncode == 0
    assert "no aclnn" in r.stdout and "install CANN 8.x" in r.stdout

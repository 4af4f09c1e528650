"""Running ops through CANN (opkit.device): camodel and the board, against fake toolkits.

The fake toolkit's "CANN runtime" is opkit's own acl runtime and its simulator library only records
that it was loaded (cann_helpers.make_runtime_toolkit), so these tests check opkit's side: the CANN
build in the cache, the install with --install-path, the child's environment, the data round trip,
the report of what ran, and the errors. Nothing here says anything about a real CANN or NPU.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cann_helpers import clean_env, make_runtime_toolkit

import opkit
from opkit import device, modes
from opkit.errors import BuildError, KernelError, OpkitError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One fake toolkit and one cache for the tests that only run ops (a CANN build of the built-in ops
    through the fake takes seconds)."""
    root = tmp_path_factory.mktemp("device")
    return make_runtime_toolkit(root / "Ascend" / "latest"), root / "cache"


@pytest.fixture
def runtime_toolkit(shared: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared fake toolkit, found through $ASCEND_HOME_PATH, with the shared cache."""
    tk, cache = shared
    for var in ("ASCEND_TOOLKIT_HOME", "OPKIT_SOC", "OPKIT_SIMULATOR", "OPKIT_KERNEL_TIMEOUT", "LD_PRELOAD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ASCEND_HOME_PATH", str(tk))
    monkeypatch.setenv("OPKIT_CANN_SEARCH_PATHS", "")
    monkeypatch.setenv("OPKIT_CACHE_DIR", str(cache))
    monkeypatch.setenv("FAKE_BUILD", "opkit")
    yield tk
    device.use(None)


@pytest.fixture
def own_toolkit(tmp_path: Path, runtime_toolkit: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake toolkit and a cache of this test's own (for tests that break them)."""
    tk = make_runtime_toolkit(tmp_path / "Ascend" / "latest")
    monkeypatch.setenv("ASCEND_HOME_PATH", str(tk))
    monkeypatch.setenv("OPKIT_CACHE_DIR", str(tmp_path / "cache"))
    return tk


def test_camodel_builds_installs_and_runs_the_builtin_ops(own_toolkit: Path, tmp_path: Path) -> None:
    runtime_toolkit = own_toolkit
    device.use("camodel")
    rng = np.random.default_rng(7)
    x = rng.standard_normal(5000).astype(np.float16)
    y = rng.standard_normal(5000).astype(np.float16)
    np.testing.assert_array_equal(opkit.ops.add_custom(x, y), x + y)
    run = device.last()
    assert run.kind == "camodel" and run.op == "add_custom" and run.soc == "Ascend910B1"
    assert run.target.startswith("CANN camodel simulator for Ascend910B1 (CANN 8.0.RC2 at ")
    # The report names what was loaded: the simulator's runtime and (in this fake) opkit's acl runtime.
    sim_lib = runtime_toolkit.resolve() / "tools" / "simulator" / "Ascend910B1" / "lib" / "libruntime_camodel.so"
    assert str(sim_lib) in run.runtime_libraries
    assert any(p.endswith("libopkit_rt.so") for p in run.runtime_libraries)
    assert (Path(run.log_dir) / "fake_camodel_loaded").read_text() == "loaded\n"  # CAMODEL_LOG_PATH was set
    # Built once per source state, installed with --install-path into the cache, never into the toolkit.
    entries = list((tmp_path / "cache" / "cann").iterdir())
    assert len(entries) == 1
    assert (entries[0] / "opp" / "install_argv").read_text().split() == ["--quiet", f"--install-path={entries[0] / 'opp'}"]
    stamp = (entries[0] / "installed.json").stat().st_mtime
    z = opkit.ops.sinh_custom(x)
    np.testing.assert_allclose(z.astype(np.float32), np.sinh(x.astype(np.float32)), rtol=2e-3, atol=1e-3)
    assert (entries[0] / "installed.json").stat().st_mtime == stamp
    assert [r.op for r in device.runs()[-2:]] == ["add_custom", "sinh_custom"]


def test_camodel_without_the_simulator_library_is_refused(own_toolkit: Path) -> None:
    (own_toolkit / "tools" / "simulator" / "Ascend910B1" / "lib" / "libruntime_camodel.so").unlink()
    target, reason = device.probe("camodel")
    assert target is None and reason.endswith("has no libruntime_camodel.so; reinstall CANN's simulator package")
    device.use("camodel")
    with pytest.raises(OpkitError, match="has no libruntime_camodel.so"):
        opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32))


def test_camodel_for_a_soc_without_simulator_is_refused(runtime_toolkit: Path) -> None:
    device.use("camodel")
    with pytest.raises(OpkitError, match="has no simulator for Ascend910B2 .found: Ascend910B1."):
        opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32), soc="Ascend910B2")


def test_board_runs_without_the_simulator(runtime_toolkit: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device, "npus", lambda: ["/dev/davinci0"])
    assert modes.unavailable("npu_onboard") is None
    device.use("board")
    a = np.arange(1, 65, dtype=np.float32)
    out = opkit.ops.addcdiv_custom(a, a, np.full(64, 4, np.float32), value=2.0)
    np.testing.assert_allclose(out, a + 2.0 * a / 4, rtol=1e-6)
    run = device.last()
    assert run.kind == "board" and run.chip == "Ascend910B1" and run.log_dir is None
    assert not any("libruntime_camodel" in p for p in run.runtime_libraries)


def test_board_of_another_chip_names_the_fix(runtime_toolkit: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device, "npus", lambda: ["/dev/davinci0"])
    device.use("board")  # the fake runtime says it runs Ascend910B1
    with pytest.raises(OpkitError, match="the NPU is Ascend910B1 but the op was built for Ascend910B3; set "
                                         "OPKIT_SOC=Ascend910B1") as info:
        opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32), soc="Ascend910B3")
    assert type(info.value) is OpkitError  # a setup problem, not a kernel failure


def test_a_failing_package_install_keeps_its_log(own_toolkit: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_BUILD", "ok")  # its .run is not a script
    device.use("camodel")
    with pytest.raises(BuildError, match=r"installing .*custom_opp_ubuntu_x86_64.run with --install-path=.* failed "
                                         r"\(exit 127\); its output is in .*install.log"):
        opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32))


def test_a_failing_cann_build_is_reported(own_toolkit: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_BUILD", "compile_error")
    device.use("camodel")
    with pytest.raises(BuildError, match="use of undeclared identifier 'tileLenght'"):
        opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32))


def test_a_project_with_cann_build_files_is_copied_not_touched(runtime_toolkit: Path, tmp_path: Path) -> None:
    from opkit.spec import load

    user = tmp_path / "AddCustom"
    (user / "op_host").mkdir(parents=True)
    (user / "op_kernel").mkdir()
    (user / "build_out").mkdir()
    (user / "build_out" / "huge.bin").write_bytes(b"x")
    for name, text in (("CMakePresets.json", "{}\n"), ("CMakeLists.txt", "# user's\n"), ("build.sh", "#!/bin/bash\n"),
                       ("op_host/add_custom.cpp", "// host\n"), ("op_kernel/add_custom.cpp", "// kernel\n")):
        (user / name).write_text(text)
    before = {p: p.read_bytes() for p in user.rglob("*") if p.is_file()}
    cann = device.probe("camodel")[0].cann
    device._assemble(user, load(REPO / "ops" / "add_custom.json"), tmp_path / "entry" / "project", cann, "Ascend910B1")
    copied = tmp_path / "entry" / "project"
    assert (copied / "op_kernel" / "add_custom.cpp").read_text() == "// kernel\n"
    assert not (copied / "build_out").exists()
    assert {p: p.read_bytes() for p in user.rglob("*") if p.is_file()} == before


def test_camodel_needs_the_build_files(own_toolkit: Path) -> None:
    (own_toolkit / "lib64" / "libexe_graph.so").unlink()
    target, reason = device.probe("camodel")
    assert target is None and "it lacks lib64/libexe_graph.so (a runtime-only install?)" in reason


def test_pytest_session_on_camodel_says_what_ran(runtime_toolkit: Path, shared: tuple[Path, Path]) -> None:
    cache = shared[1]
    env = clean_env(runtime_toolkit, OPKIT_SIMULATOR="camodel", OPKIT_CACHE_DIR=str(cache), FAKE_BUILD="opkit")
    done = subprocess.run([sys.executable, "-m", "pytest", str(REPO / "tests" / "ops" / "test_sinh_custom.py"),
                           "-p", "no:cacheprovider", "--mode=npu_simulator", "-k", "special_values"],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "backend=CANN camodel simulator for Ascend910B1 (CANN 8.0.RC2 at " in done.stdout
    assert "op call(s) ran on CANN camodel simulator for Ascend910B1" in done.stdout
    assert "opkit: camodel logs: " in done.stdout
    assert json.loads(next((cache / "cann").iterdir()).joinpath("installed.json").read_text())["vendor"]


def test_each_camodel_call_keeps_its_own_logs(runtime_toolkit: Path) -> None:
    device.use("camodel")
    for _ in range(2):
        opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32))
    first, second = device.runs()[-2:]
    assert first.log_dir != second.log_dir
    for run in (first, second):
        assert (Path(run.log_dir) / "fake_camodel_loaded").is_file()
        assert (Path(run.log_dir) / "runner_output.log").is_file()


def test_a_run_without_the_simulator_runtime_is_an_error(runtime_toolkit: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    real = device.environment

    def without_preload(*args: object, **kwargs: object) -> dict[str, str]:
        env = real(*args, **kwargs)
        env.pop("LD_PRELOAD")
        return env

    monkeypatch.setattr(device, "environment", without_preload)
    device.use("camodel")
    with pytest.raises(OpkitError, match="camodel was asked for, but the run did not load libruntime_camodel.so"):
        opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32))


def test_a_run_past_the_time_limit_is_stopped(runtime_toolkit: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    device.use("camodel")
    opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32))  # built and installed
    monkeypatch.setenv("OPKIT_KERNEL_TIMEOUT", "0.001")
    with pytest.raises(KernelError, match=r"did not finish in 0.001 s \(OPKIT_KERNEL_TIMEOUT sets the limit\)"):
        opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32))


def test_the_child_sees_only_this_package_and_this_opkit(runtime_toolkit: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASCEND_CUSTOM_OPP_PATH", "/opt/old/vendors/customize")
    vendor = tmp_path / "opp" / "vendors" / "customize"
    env = device.environment(device.probe("camodel")[0], "Ascend910B1", vendor, tmp_path / "logs")
    assert env["ASCEND_CUSTOM_OPP_PATH"] == str(vendor)
    assert env["LD_LIBRARY_PATH"].split(":")[:2] == [
        str(runtime_toolkit.resolve() / "tools" / "simulator" / "Ascend910B1" / "lib"), str(vendor / "op_api" / "lib")]
    assert env["LD_LIBRARY_PATH"].endswith(str(runtime_toolkit.resolve() / "runtime" / "lib64" / "stub"))
    assert env["LD_PRELOAD"].split() == [str(runtime_toolkit.resolve() / "tools" / "simulator" / "Ascend910B1" / "lib"
                                              / "libruntime_camodel.so")]
    # a package named opkit in the working directory is not what the child imports
    (tmp_path / "cwd" / "opkit").mkdir(parents=True)
    (tmp_path / "cwd" / "opkit" / "__init__.py").write_text("raise ImportError('the wrong opkit')\n")
    monkeypatch.chdir(tmp_path / "cwd")
    device.use("camodel")
    np.testing.assert_array_equal(opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32)),
                                  np.full(8, 2, np.float32))


def test_a_relative_cache_dir_is_made_absolute(runtime_toolkit: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPKIT_CACHE_DIR", "rel-cache")
    assert device.cache_root() == tmp_path.resolve() / "rel-cache"


def test_a_bad_device_id_is_named(runtime_toolkit: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPKIT_DEVICE_ID", "npu0")
    device.use("camodel")
    with pytest.raises(OpkitError, match="OPKIT_DEVICE_ID='npu0' is not a device number"):
        opkit.ops.add_custom(np.ones(8, np.float32), np.ones(8, np.float32))

"""Crash isolation: a kernel that crashes, aborts or hangs fails its call, not the Python process."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import opkit

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("crash") / "CrashCustom"
    shutil.copytree(HERE / "crash_custom", root)
    return opkit.load(root)


@pytest.fixture(autouse=True)
def isolated():
    opkit.set_isolation(True)
    yield


def test_well_behaved_kernel_runs_isolated(crash) -> None:
    x = np.arange(8, dtype=np.float32)
    np.testing.assert_array_equal(crash.crash_custom(x, mode=0), x)


@pytest.mark.parametrize("mode, signal", [(1, "SIGSEGV"), (2, "SIGABRT")], ids=["wild-pointer", "abort"])
def test_crash_becomes_an_error(crash, mode: int, signal: str) -> None:
    with pytest.raises(opkit.KernelError, match=f"crash_custom: the kernel crashed with {signal}"):
        crash.crash_custom(np.zeros(8, np.float32), mode=mode)
    # the process is alive and the runtime still works
    np.testing.assert_array_equal(crash.crash_custom(np.ones(8, np.float32)), np.ones(8, np.float32))


def test_endless_loop_is_stopped(crash, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPKIT_KERNEL_TIMEOUT", "1")
    with pytest.raises(opkit.KernelError, match=r"crash_custom: the kernel was still running after 1 s"):
        crash.crash_custom(np.zeros(8, np.float32), mode=3)


def test_kernel_errors_cross_the_process_boundary(crash) -> None:
    # x's 32 bytes sit in a 64-byte aclrtMalloc block (Note [aclrtMalloc padding]): the bound is its end
    with pytest.raises(opkit.KernelError, match=r"crash_custom core 1: DataCopy\(GM->local\): 256 bytes at offset 0 "
                                                 r"of input x with its aclrtMalloc padding \(64 bytes\) run 192 bytes past its end"):
        crash.crash_custom(np.zeros(8, np.float32), mode=4)


# Note [Crash phases]: the host side is user code too, and a crash there names the function.
def test_a_crash_in_the_tiling_function_names_it(crash) -> None:
    with pytest.raises(opkit.OpkitError, match=r"crash_custom: CrashCustom's TilingFunc crashed with SIGSEGV") as e:
        crash.crash_custom(np.zeros(8, np.float32), mode=5)
    assert not isinstance(e.value, opkit.KernelError)  # not blamed on the kernel


def test_a_crash_in_infershape_names_it(crash) -> None:
    with pytest.raises(opkit.OpkitError, match=r"crash_custom: CrashCustom's InferShape crashed with SIGSEGV"):
        crash.crash_custom(np.zeros(6, np.float32))
    np.testing.assert_array_equal(crash.crash_custom(np.ones(8, np.float32)), np.ones(8, np.float32))


def test_a_failing_tiling_function_says_why(crash, capfd: pytest.CaptureFixture) -> None:
    with pytest.raises(opkit.TilingError, match=r"the TilingFunc said: CrashCustom tiling: mode 7 asks for a "
                                                r"failure with this reason"):
        crash.crash_custom(np.zeros(8, np.float32), mode=7)
    assert "mode 7 asks for a failure" in capfd.readouterr().err  # and it still reaches stderr


def test_a_synchronising_launch_runs_isolated_after_one_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # A launch in this process leaves host worker threads (and pooled fiber stacks, Note [Cores on fibers])
    # behind; a forked child has none of the threads and must start its own, not hand its cores to threads
    # that do not exist. CI met this as a hang (when helper threads still ran waiting cores): the MindSpore
    # tests ran LoRA in-process, then tests/ops ran it isolated.
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((32, 16)).astype(np.float16), rng.standard_normal((24, 16)).astype(np.float16)
    a, b = rng.standard_normal((4, 16)).astype(np.float16), rng.standard_normal((24, 4)).astype(np.float16)
    opkit.set_isolation(False)
    want = opkit.ops.lora_matmul_custom(x, w, a, b, scale=0.5)
    opkit.set_isolation(True)
    monkeypatch.setenv("OPKIT_KERNEL_TIMEOUT", "60")
    np.testing.assert_array_equal(opkit.ops.lora_matmul_custom(x, w, a, b, scale=0.5), want)

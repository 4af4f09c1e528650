"""Both C++ ABIs (Note [Both C++ ABIs] in opkit/rt/api.h).

CANN's CPU CMake builds with -D_GLIBCXX_USE_CXX11_ABI=0, most programs with the default =1, and
libopkit_rt is built once. A CPU-debug program and an aclnn application are each built both ways at
-O0 and -O2 and must link and run; an op project built with CXXFLAGS asking for the old ABI still
gets the runtime's (Note [Op projects use the runtime's C++ ABI]); and libopkit_rt exports no
std::string-carrying function outside opkit's internal namespaces.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from cpu_programs import opkit_config

import opkit
from opkit.paths import RUNTIME_LIB

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
VARIANTS = [(abi, opt) for abi in (0, 1) for opt in ("-O0", "-O2")]
IDS = [f"abi{abi}{opt}" for abi, opt in VARIANTS]
OPS = Path(opkit.__file__).resolve().parent / "ops"  # the built-in op project


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int, str], Path]:
    """abi_kernel and abi_aclnn_app, each built in every (ABI, -O) variant."""
    if shutil.which("g++") is None:
        pytest.fail("g++ was not found on PATH; the ABI tests compile C++ programs", pytrace=False)
    out = tmp_path_factory.mktemp("abi")
    flags = shlex.split(opkit_config("--cflags", "--libs"))
    api = OPS / "op_api"
    extra = {"abi_kernel": [],
             "abi_aclnn_app": [f"-I{api / 'include'}", f"-L{api / 'lib'}", "-lcust_opapi",
                               f"-Wl,-rpath,{api / 'lib'}"]}
    jobs = [(name, abi, opt) for name in extra for abi, opt in VARIANTS]

    def build(job: tuple[str, int, str]) -> str | None:
        name, abi, opt = job
        cmd = ["g++", "-std=c++17", "-g", opt, f"-D_GLIBCXX_USE_CXX11_ABI={abi}", str(HERE / f"{name}.cpp"),
               "-o", str(out / f"{name}_{abi}{opt}"), *flags, *extra[name]]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
        return None if done.returncode == 0 else f"{shlex.join(cmd)}\n{done.stderr[-3000:]}"

    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        errors = [e for e in pool.map(build, jobs) if e]
    assert not errors, "\n".join(errors)
    return {job: out / f"{job[0]}_{job[1]}{job[2]}" for job in jobs}


def _run(exe: Path, *args: str, mode: str = "cpu") -> subprocess.CompletedProcess:
    env = dict(os.environ, OPKIT_MODE=mode)
    return subprocess.run([str(exe), *args], capture_output=True, text=True, check=False, timeout=300, env=env)


@pytest.mark.parametrize(("abi", "opt"), VARIANTS, ids=IDS)
def test_cpu_debug_program(programs: dict, abi: int, opt: str) -> None:
    exe = programs[("abi_kernel", abi, opt)]
    done = _run(exe, "ok")
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr
    # a message the header builds (in the program's ABI) reaches CpuDebugRun's report intact
    done = _run(exe, "tbuf")
    assert done.returncode == 1
    assert "128 bytes at offset 0 exceed the TBuf's 64 bytes; enlarge pipe.InitBuffer" in done.stderr
    # an exception thrown inside libopkit_rt is caught by the program as std::runtime_error
    done = _run(exe, "catch")
    assert done.returncode == 0 and done.stdout.startswith("caught: ") and "outside" in done.stdout, done.stdout
    done = _run(exe, "securec")
    assert done.stdout == "memcpy_s 162 0\n"  # ERANGE_AND_RESET, and dest cleared


@pytest.mark.parametrize(("abi", "opt"), VARIANTS, ids=IDS)
def test_aclnn_application(programs: dict, abi: int, opt: str) -> None:
    exe = programs[("abi_aclnn_app", abi, opt)]
    done = _run(exe, "run")
    assert (done.returncode, done.stdout) == (0, "sum ok\n"), done.stdout + done.stderr


def test_aclnn_application_under_the_model(programs: dict) -> None:
    # npu_simulator: the C++ program prints the model's summary like a CPU-debug program
    done = _run(programs[("abi_aclnn_app", 0, "-O2")], "run", mode="npu_simulator")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "npu_simulator: add_custom on " in done.stderr and "findings    none" in done.stderr


def test_acl_application_api_refusals(programs: dict) -> None:
    done = _run(programs[("abi_aclnn_app", 0, "-O0")], "badargs")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "aclrtGetRunMode(null) 100000: aclrtGetRunMode: runMode is null"
    assert lines[1].startswith("aclrtSynchronizeStreamWithTimeout(-2) 100000: ") and "-2 ms is invalid" in lines[1]
    assert lines[2] == "aclCreateTensorDesc(-1 dims) -1: aclCreateTensorDesc: numDims -1 is negative"
    assert lines[3].startswith("aclGetTensorDescDimV2(index 2) 100000: ") and "index 2 is out of range" in lines[3]
    assert lines[4] == "dynamic size 0 count 0 dims 2"
    assert lines[5] == "unknown rank 1"
    assert lines[6] == "aclGetTensorDescType(null) -1: aclGetTensorDescType: desc is null"  # ACL_DT_UNDEFINED
    assert lines[7] == "aclDestroyDataBuffer(null) 100000: aclDestroyDataBuffer: dataBuffer is null"
    assert lines[8] == "sizes 2 8 16 0"


def test_aclrt_malloc_padding(programs: dict) -> None:
    # 1998 bytes: rounded up to 2016, plus 32 (Note [aclrtMalloc padding])
    done = _run(programs[("abi_aclnn_app", 1, "-O0")], "padding")
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("aclrtMemcpy(2048) 0:")
    assert second.startswith("aclrtMemcpy(2049) 100000: ") and "do not fit in the 2048 bytes left" in second


def test_op_project_ignores_an_old_abi_request(tmp_path: Path) -> None:
    root = tmp_path / "AbiProject"
    (root / "ops").mkdir(parents=True)
    shutil.copy(REPO / "ops" / "add_custom.json", root / "ops")
    shutil.copytree(REPO / "host", root / "host", ignore=shutil.ignore_patterns("addcdiv*", "sinh*"))
    shutil.copytree(REPO / "kernels", root / "kernels", ignore=shutil.ignore_patterns("addcdiv*", "sinh*"))
    env = dict(os.environ, CXXFLAGS="-D_GLIBCXX_USE_CXX11_ABI=0")
    done = subprocess.run([sys.executable, "-m", "opkit", "build", str(root)], capture_output=True, text=True,
                          check=False, env=env, timeout=1200)
    assert done.returncode == 0, done.stderr
    lib = opkit.load(root)
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(4096).astype(np.float16), rng.standard_normal(4096).astype(np.float16)
    np.testing.assert_array_equal(lib.add_custom(x, y), x + y)


def test_exports_carry_no_std_string_outside_internals() -> None:
    if shutil.which("nm") is None:
        pytest.skip("nm (binutils) is not installed")
    out = subprocess.run(["nm", "-DC", "--defined-only", str(RUNTIME_LIB)], capture_output=True, text=True,
                         check=True).stdout
    # opkit's internals: the op launcher and registry (reached only by op projects, which `opkit build`
    # compiles with the runtime's ABI), the model, the acl runtime's own helpers and the cross-core
    # scheduler (runtime/src/xcore.h, a header no program includes)
    internal = ("opkit::host::", "opkit::sim::", "opkit::acl::", "ops::", "opkit::rt::Finding(",
                "opkit::rt::DTypeList", "opkit::rt::xcore::")
    ours = ("opkit::", "AscendC::", "gert::", "optiling::", "platform_ascendc::", "matmul_tiling::")
    leaks = []
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) < 3 or parts[1] != "T":
            continue
        sym = parts[2]
        if ("__cxx11" in sym or "abi:cxx11" in sym) and sym.startswith(ours) and not sym.startswith(internal):
            leaks.append(sym)
    assert not leaks, "functions a program may call carry std::string in their signature:\n" + "\n".join(leaks)
    # the functions opkit's headers declare for kernels take only ABI-neutral types
    for name in ("opkit::rt::Fail(char const*)", "opkit::rt::ReportFinding(char const*, char const*)",
                 "opkit::rt::FindSoc(char const*)", "opkit::rt::KnownSocNameList()"):
        assert re.search(re.escape(name), out), name

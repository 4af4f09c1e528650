"""`opkit build` / `opkit.load` on an op project, and C++ callers through aclnn.

The project is a copy of the repository's own ops (opkit's layout: ops/, host/, kernels/), so the
same sources that `pip install` builds into opkit.ops are built here the way a user's are.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import opkit
from opkit.tolerances import assert_close

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _opkit(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "opkit", *args], capture_output=True, text=True, **kw, check=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("proj") / "BuiltinCopy"
    for part in ("ops", "host", "kernels"):
        shutil.copytree(REPO / part, root / part)
    done = _opkit("build", str(root))
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def built(project: Path) -> Path:
    return project / "build_out" / "opkit" / "cmake" / "ops"


def test_build_layout(built: Path) -> None:
    assert (built / "op_api" / "lib" / "libcust_opapi.so").is_file()
    for op in ("add_custom", "addcdiv_custom", "sinh_custom"):
        assert (built / "op_api" / "include" / f"aclnn_{op}.h").is_file()
        assert (built / "op_impl" / "kernel" / f"libopkit_kernel_{op}_0.so").is_file()
    header = (built / "op_api" / "include" / "aclnn_addcdiv_custom.h").read_text()
    assert "aclnnAddcdivCustomGetWorkspaceSize(" in header
    assert "const aclTensor *x,\n    const aclTensor *y,\n    const aclTensor *z,\n    double value,\n    const aclTensor *out," in header


def test_load_matches_builtin(project: Path) -> None:
    lib = opkit.load(project)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(70001).astype(np.float16)
    y = rng.standard_normal(70001).astype(np.float16)
    np.testing.assert_array_equal(lib.add_custom(x, y), opkit.ops.add_custom(x, y))
    assert sorted(lib.names()) == sorted(p.stem for p in (project / "ops").glob("*.json"))  # every op of ops/
    assert {"add_custom", "matmul_custom", "lora_matmul_custom", "lora_matmul_grad_custom"} <= set(lib.names())


def test_rebuild_is_incremental(project: Path) -> None:
    done = _opkit("build", str(project))
    assert done.returncode == 0, done.stderr
    assert "no work to do" in (project / "build_out" / "opkit" / "build.log").read_text()


@pytest.fixture(scope="module")
def aclnn_program(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    exe = tmp_path_factory.mktemp("aclnn") / "aclnn_addcdiv"
    flags = _opkit("config", "--cflags", "--libs").stdout.split()
    lib = built / "op_api" / "lib"
    cmd = ["g++", str(HERE / "aclnn_addcdiv.cpp"), "-o", str(exe), f"-I{built / 'op_api' / 'include'}", *flags,
           f"-L{lib}", "-lcust_opapi", f"-Wl,-rpath,{lib}"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return exe


def test_aclnn_caller(aclnn_program: Path) -> None:
    n, value = 1000, 0.25
    done = subprocess.run([str(aclnn_program), str(n), str(value)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    out = np.array(done.stdout.split(), dtype=np.float64)
    i = np.arange(n)
    x, y, z = 0.5 * (i % 17), (i % 5) - 2.0, 1.0 + (i % 3)
    assert_close(out.astype(np.float32), x + value * y / z, "float32")


def test_aclnn_takes_the_callers_output_shape(aclnn_program: Path) -> None:
    # AddcdivCustom registers an InferShape ((64) here), but aclnn does not run it (Note [aclnn outputs
    # are the caller's]): a 65-element output is the caller's business, and the kernel writes its 64.
    done = subprocess.run([str(aclnn_program), "64", "1.0", "bad-out"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    i = np.arange(64)
    x, y, z = 0.5 * (i % 17), (i % 5) - 2.0, 1.0 + (i % 3)
    assert_close(np.array(done.stdout.split(), dtype=np.float32), x + y / z, "float32")


@pytest.fixture(scope="module")
def pick_last(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/project/pick_last built, and its aclnn caller compiled: an op with no InferShape."""
    root = tmp_path_factory.mktemp("pick") / "PickLast"
    shutil.copytree(HERE / "pick_last", root)
    done = _opkit("build", str(root))
    assert done.returncode == 0, done.stderr
    ops = root / "build_out" / "opkit" / "cmake" / "ops" / "op_api"
    exe = root / "aclnn_pick_last"
    flags = _opkit("config", "--cflags", "--libs").stdout.split()
    cmd = ["g++", str(HERE / "aclnn_pick_last.cpp"), "-o", str(exe), f"-I{ops / 'include'}", *flags,
           f"-L{ops / 'lib'}", "-lcust_opapi", f"-Wl,-rpath,{ops / 'lib'}"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return exe


def test_aclnn_pick_last_output_shape_is_the_callers(pick_last: Path) -> None:
    # No InferShape: the output (6,) is not the input's (6, 5), and the TilingFunc reads the rows from it.
    done = subprocess.run([str(pick_last), "6", "5"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    x = 0.25 * np.arange(30, dtype=np.float32).reshape(6, 5)
    np.testing.assert_array_equal(np.array(done.stdout.split(), dtype=np.float32), x[:, -1])


def test_aclnn_pick_last_rejects_an_unregistered_output_dtype(pick_last: Path) -> None:
    done = subprocess.run([str(pick_last), "6", "5", "f16-out"], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "FAILED aclnnPickLastGetWorkspaceSize" in done.stdout and ": 161002:" in done.stdout
    assert ("output 0 (y) is float16, but for these input dtypes the OpDef registers float32; create the output "
            "tensor as float32") in done.stdout


def test_short_user_workspace_is_named_at_build_and_run(tmp_path: Path) -> None:
    # The TilingFunc's user workspace is an int product that overflows to 0: `opkit build` shows g++'s
    # -Woverflow with a fix (Note [Warnings that change a value]), and the kernel's write into
    # GetUserWorkspace fails saying how the workspace was sized.
    root = tmp_path / "ShortWorkspace"
    shutil.copytree(HERE / "short_workspace", root)
    done = _opkit("build", str(root))
    assert done.returncode == 0, done.stderr
    assert "opkit: warning: " in done.stderr and "short_workspace.cpp:10:" in done.stderr
    assert "[-Woverflow]; compute it in a type wide enough" in done.stderr
    with pytest.raises(opkit.KernelError) as e:
        opkit.load(root).short_workspace(np.ones(64, np.float32))
    sys_bytes = 16 * 1024 * 1024
    assert (f"DataCopy(local->GM): 256 bytes at offset {sys_bytes} of the workspace (TilingFunc's GetWorkspaceSizes "
            f"total {sys_bytes} bytes; GetUserWorkspace starts after the {sys_bytes}-byte system part, leaving 0 "
            "bytes for the kernel's own use)") in str(e.value)


def test_op_host_decides_the_dtypes(tmp_path: Path) -> None:
    # The spec says float32 only, op_host registers float16 too: the build follows op_host (as
    # CANN does) and says so.
    root = tmp_path / "Proj"
    (root / "host").mkdir(parents=True)
    shutil.copytree(REPO / "kernels", root / "kernels")
    for f in ("add_custom.cpp", "add_custom_tiling.h", "elementwise_tiling.h"):
        shutil.copy(REPO / "host" / f, root / "host" / f)
    spec = json.loads((REPO / "ops" / "add_custom.json").read_text())
    for t in spec[0]["input_desc"] + spec[0]["output_desc"]:
        t["type"], t["format"] = ["float32"], ["ND"]
    (root / "add_custom.json").write_text(json.dumps(spec))
    done = _opkit("build", str(root))
    assert done.returncode == 0, done.stderr
    assert "AddCustom x is float32 in the spec but float16, float32, bfloat16 in op_host" in done.stderr
    x = np.ones(100, np.float16)
    np.testing.assert_array_equal(opkit.load(root).add_custom(x, x), x + x)


def test_build_errors_are_one_line(tmp_path: Path) -> None:
    done = _opkit("build", str(tmp_path / "missing"))
    assert done.returncode == 2
    assert done.stderr.startswith("opkit: error: ") and "not a directory" in done.stderr
    assert "Traceback" not in done.stderr
    (tmp_path / "p" / "op_host").mkdir(parents=True)
    (tmp_path / "p" / "op_kernel").mkdir()
    (tmp_path / "p" / "op_host" / "bad.cpp").write_text("int broken( {\n")
    done = _opkit("build", str(tmp_path / "p"))
    assert done.returncode == 2
    assert "compiling op_host failed: " in done.stderr and "bad.cpp:1" in done.stderr


def test_acl_memcpy_refuses_to_overflow_device_memory() -> None:
    import ctypes

    from opkit.paths import RUNTIME_LIB

    rt = ctypes.CDLL(str(RUNTIME_LIB))
    rt.aclGetRecentErrMsg.restype = ctypes.c_char_p
    rt.aclrtMemcpy.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    rt.aclrtFree.argtypes = [ctypes.c_void_p]
    dev = ctypes.c_void_p()
    assert rt.aclrtMalloc(ctypes.byref(dev), ctypes.c_size_t(64), 0) == 0
    host = ctypes.create_string_buffer(8192)
    # destMax claims room the device block does not have: the copy must not happen
    assert rt.aclrtMemcpy(dev, 8192, host, 8192, 1) == 100000
    assert b"do not fit in the 96 bytes left" in rt.aclGetRecentErrMsg()  # 64 + 32 of padding
    assert rt.aclrtMemcpy(dev, 64, host, 64, 1) == 0
    assert rt.aclrtFree(dev) == 0
    assert rt.aclrtFree(dev) != 0  # freed twice

"""The CANN 6.3/7.0-era host API on an op project of our own (tests/project/era_add): TilingPrepare on the
compile info OP_ADD names, int32_t CheckOpSupport, InferShapeRange, that era's OpAICoreConfig flags, std::cout
without <iostream>, and a kernel written with `using namespace tik2`, ParamOffset and block_idx."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import opkit
from opkit.tolerances import assert_close

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def era(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("era") / "EraAdd"
    shutil.copytree(HERE / "era_add", root)
    return opkit.load(root)


@pytest.mark.parametrize("n", [8 * 1024, 8 * 4096])
def test_matches_numpy(era, n: int) -> None:
    rng = np.random.default_rng(n)
    x = rng.uniform(-100, 100, n).astype(np.float16)
    y = rng.uniform(-100, 100, n).astype(np.float16)
    # The TilingFunc fails unless TilingPrepare filled the compile info, exactly once (tileNum * prepared).
    assert_close(era.era_add(x, y), (x.astype(np.float64) + y), "float16")
    assert_close(era.era_add(y, x), (x.astype(np.float64) + y), "float16")


def test_graph_time_functions(tmp_path: Path) -> None:
    flags = subprocess.run([sys.executable, "-m", "opkit", "config", "--cflags", "--libs"], capture_output=True,
                           text=True, check=True).stdout.split()
    exe = tmp_path / "probe"
    cmd = ["g++", str(HERE / "era_host_probe.cpp"), str(HERE / "era_add" / "op_host" / "era_add.cpp"),
           f"-I{HERE / 'era_add' / 'op_host'}", *flags, "-o", str(exe)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        'check 2048 1 {"ret_code": "1","reason": "ok"}',
        'check 1000 0 {"ret_code": "0","reason": "size"}',
        "range 1 16 8 1024",  # the output's range is the input's, as the function says
    ]

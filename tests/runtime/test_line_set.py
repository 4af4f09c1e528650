"""The npu_simulator's L2 line set (runtime/src/line_set.h, Note [L2 line set]) against std::unordered_set.

The L2 model asks it about every GM line a copy touches and erases the oldest lines once the L2 is
full; the model's figures depend on every answer. native/line_set_check.cpp drives both sets with the
model's patterns and a capacity small enough that most inserts evict, for three seeds.

Run: pytest tests/runtime/test_line_set.py -q
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.modes("cpu")


@pytest.fixture(scope="module")
def checker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    gxx = shutil.which("g++")
    assert gxx is not None, "g++ is needed to compile opkit's runtime"
    exe = tmp_path_factory.mktemp("line_set") / "line_set_check"
    cmd = [gxx, "-std=c++17", "-O2", f"-I{ROOT / 'runtime' / 'src'}",
           str(Path(__file__).parent / "native" / "line_set_check.cpp"), "-o", str(exe)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return exe


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_line_set_agrees_with_unordered_set(checker: Path, seed: int) -> None:
    done = subprocess.run([str(checker), str(seed)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr

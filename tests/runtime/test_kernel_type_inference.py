"""An op project's kernel that declares no kernel type runs on the cores its instructions need.

Note [Kernel type from the instructions] (runtime/src/xcore_api.cpp): CANN's op project infers the
type, and launches a kernel with both cube and vector work (a Matmul object) as MIX 1:2. The project
in projects/untyped_matmul launches one block and gives its two shares to GetBlockIdx 0 and 1, as the official
MatmulCustomMultiCore sample does; run AIV-only, the second half would stay unwritten.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import opkit

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def untyped(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("untyped") / "untyped_matmul"
    shutil.copytree(HERE / "projects" / "untyped_matmul", root)
    return opkit.load(root)


@pytest.mark.parametrize("m,n,k", [(256, 192, 128), (100, 40, 48)])
def test_matmul_kernel_without_a_type_runs_mix(untyped, m: int, n: int, k: int) -> None:
    rng = np.random.default_rng(7)
    # small integers: every product and sum is exact in fp32, whatever the order of the sums
    a = rng.integers(-4, 5, (m, k)).astype(np.float16)
    b = rng.integers(-4, 5, (k, n)).astype(np.float16)
    c = untyped.untyped_matmul(a, b)
    assert c.shape == (m, n)
    np.testing.assert_array_equal(c, a.astype(np.float32) @ b.astype(np.float32))

"""The matmul kind end to end: gen a project from specs/matmul.json (a LeakyRelu epilogue with an optional
bias and a transpose attr, a bare Linear with a required bias and fp32 output, and a GemmCustom left
unfilled), fill the epilogues and goldens as a user would, ``opkit build`` it once, and run its
generated tests in cpu and npu_simulator mode on Ascend910B1 (a finding fails a test). The cases cover
tails of M, N and K, a one-row x, leading dims and several blocks per core (Note [Gen kinds]).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from gen_helpers import assert_all_passed, build_project, fill_block, run_gen, run_tests

import opkit
from opkit import simulator

MATMUL_SPEC = Path(__file__).resolve().parent / "specs" / "matmul.json"

EPILOGUE = {
    "matmul_leaky_custom": ["LeakyRelu(cLocal, cLocal, alpha_, n);"],
    "linear_custom": ["// the bare product: y = x @ weight + bias"],
}
GOLDEN = {
    "matmul_leaky_custom": ["y = x @ (w.T if transpose_w else w) + (bias if bias is not None else 0)",
                            "return np.where(y > 0, y, alpha * y)"],
    "linear_custom": ["return x @ weight + bias"],
}
# generated cases x dtype columns of the filled ops (gemm_custom is left unfilled)
EXPECTED = {"matmul_leaky_custom": 12, "linear_custom": 12}

needs_load = pytest.mark.skipif(not hasattr(opkit, "load"), reason="opkit.load (the build side) is not here yet")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("matmul") / "Matmul"
    r = run_gen(str(MATMUL_SPEC), "-o", str(out), "--soc", "Ascend910B1")
    assert r.returncode == 0, r.stderr
    for op, code in EPILOGUE.items():
        fill_block(out / "op_kernel" / f"{op}.cpp", "COMPUTE", code)
    for op, code in GOLDEN.items():
        fill_block(out / "tests" / f"test_{op}.py", "GOLDEN", code)
    build_project(out)
    return out


@needs_load
@pytest.mark.parametrize("mode", ["cpu", "npu_simulator"])
def test_filled_matmul_ops_pass(project, mode):
    r = run_tests(project, "Ascend910B1", mode, "-k", "not gemm", "-rA")
    assert_all_passed(r, EXPECTED)


@needs_load
def test_unfilled_epilogue_fails_naming_the_file(project):
    r = run_tests(project, "Ascend910B1", "cpu", "-k", "gemm")
    assert r.returncode == 1
    assert "gemm_custom: write the epilogue in op_kernel/gemm_custom.cpp (marked OPKIT: COMPUTE)" in r.stdout
    assert "6 failed" in r.stdout


@needs_load
def test_matmul_on_910a_stops_with_the_reason(project):
    lib = opkit.load(project)
    x = np.ones((4, 16), np.float16)
    # gen registers a matmul-kind op for 910B-class SoCs alone, so the call is refused before its
    # TilingFunc (Note [Registered SoCs]), whose own SoC check stays for an AddConfig added by hand
    with pytest.raises(opkit.TilingError, match=r"LinearCustom: is registered for ascend910b .*not for Ascend910A"):
        lib.linear_custom(x, np.ones((16, 8), np.float16), np.zeros(8, np.float32), soc="Ascend910A")


@needs_load
@pytest.mark.parametrize("x_shape, w_shape, bias_shape, why", [
    ((4, 16), (17, 8), (8,), r"x's last axis \(K = 16\) differs from weight's first axis \(17\)"),
    ((4, 16), (16, 8), (9,), r"bias must be \[N\] = \[8\]"),
    ((4, 16), (16,), (8,), r"weight a matrix \(\[K, N\], or \[N, K\] transposed\); got ranks 2 and 1"),
], ids=["k-mismatch", "bias-length", "w-1d"])
def test_matmul_infer_shape_refuses_with_the_reason(project, capfd, x_shape, w_shape, bias_shape, why):
    lib = opkit.load(project)
    with pytest.raises(opkit.OpkitError, match="InferShape rejected"):
        lib.linear_custom(np.ones(x_shape, np.float16), np.ones(w_shape, np.float16), np.zeros(bias_shape, np.float32))
    assert re.search(why, capfd.readouterr().err)


@needs_load
def test_matmul_shares_go_to_the_vector_cores(project):
    # 1000 x 700 on Ascend910B1: shares for most of the 48 AIVs, two per block of the MIX launch
    lib = opkit.load(project)
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (1000, 96)).astype(np.float16)
    w = rng.uniform(-1, 1, (96, 700)).astype(np.float16)
    b = rng.uniform(-1, 1, 700).astype(np.float32)
    with simulator.simulating() as sims:
        y = lib.linear_custom(x, w, b, soc="Ascend910B1")
    np.testing.assert_allclose(y, x.astype(np.float64) @ w.astype(np.float64) + b, rtol=1e-4, atol=1e-4)
    sim = sims.last
    assert sim.findings == [] and sim.block_dim > 12, (sim.block_dim, sim.findings)
    assert "MIX: 1 AIC + 2 AIV per block" in sim.text, sim.text

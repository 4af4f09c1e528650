"""Every complete kind, end to end: gen a project from specs/kinds.json (one op per kind and more),
fill each op's compute and golden as a user would, ``opkit build`` it once, and run its generated
tests in cpu and npu_simulator mode (a finding fails a test) on a SoC with DataCopyPad and one
without. The generated cases cover tails, several cores and long rows (Note [Gen kinds]).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gen_helpers import assert_all_passed, build_project, fill_block, run_gen, run_tests

import opkit

KINDS_SPEC = Path(__file__).resolve().parent / "specs" / "kinds.json"

REDUCE = {  # op: (ReduceRow, Combine, Finish)
    "row_sum_custom": ("ReduceSum(dst, src, work, n);", "Add(acc, acc, x, n);", ""),
    "reduce_max_custom": ("ReduceMax(dst, src, work, n);", "Max(acc, acc, x, n);", ""),
    "row_mean_custom": ("ReduceSum(dst, src, work, n);", "Add(acc, acc, x, n);",
                        "Muls(acc, acc, static_cast<T>(1.0f / len), n);"),
}
ROWNORM = {
    "softmax_custom": [
        "ReduceMax(s.red, xLocal, s.work, cols);",
        "const float m = static_cast<float>(ReadScalar(s.red));",
        "Adds(yLocal, xLocal, static_cast<T>(-m), cols);",
        "Exp(yLocal, yLocal, cols);",
        "ReduceSum(s.red, yLocal, s.work, cols);",
        "Muls(yLocal, yLocal, static_cast<T>(1.0f / static_cast<float>(ReadScalar(s.red))), cols);",
    ],
    # rstd on the vector unit: mean of squares, + epsilon, Sqrt, then one scalar read
    "rms_norm_custom": [
        "Mul(s.tmp, xLocal, xLocal, cols);",
        "ReduceSum(s.red, s.tmp, s.work, cols);",
        "Muls(s.red, s.red, static_cast<T>(1.0f / cols), 1);",
        "Adds(s.red, s.red, static_cast<T>(epsilon_), 1);",
        "Sqrt(s.red, s.red, 1);",
        "Muls(yLocal, xLocal, static_cast<T>(1.0f / static_cast<float>(ReadScalar(s.red))), cols);",
        "Mul(yLocal, yLocal, gammaLocal, cols);",
    ],
    "layer_norm_custom": [
        "ReduceSum(s.red, xLocal, s.work, cols);",
        "Adds(yLocal, xLocal, static_cast<T>(-static_cast<float>(ReadScalar(s.red)) / cols), cols);",
        "Mul(s.tmp, yLocal, yLocal, cols);",
        "ReduceSum(s.red, s.tmp, s.work, cols);",
        "Muls(s.red, s.red, static_cast<T>(1.0f / cols), 1);",
        "Adds(s.red, s.red, static_cast<T>(epsilon_), 1);",
        "Sqrt(s.red, s.red, 1);",
        "Muls(yLocal, yLocal, static_cast<T>(1.0f / static_cast<float>(ReadScalar(s.red))), cols);",
        "if (stream_.Present(0)) Mul(yLocal, yLocal, gammaLocal, cols);",
        "if (stream_.Present(1)) Add(yLocal, yLocal, betaLocal, cols);",
    ],
}
GOLDEN = {
    "broadcast_add_custom": ["return x + y"],
    "row_sum_custom": ["return np.sum(x, axis=tuple(np.atleast_1d(axes).tolist()) or None, keepdims=keep_dims)"],
    "reduce_max_custom": ["return np.max(x, axis=tuple(np.atleast_1d(axes).tolist()) or None, keepdims=keep_dims)"],
    "row_mean_custom": ["return np.mean(x, axis=tuple(np.atleast_1d(dims).tolist()) or None)"],
    "row_min_custom": ["return np.min(x, axis=tuple(np.atleast_1d(axes).tolist()) or None)"],
    "softmax_custom": ["e = np.exp(x - x.max(-1, keepdims=True))", "return e / e.sum(-1, keepdims=True)"],
    "rms_norm_custom": ["return x / np.sqrt((x * x).mean(-1, keepdims=True) + epsilon) * gamma"],
    "layer_norm_custom": ["d = x - x.mean(-1, keepdims=True)",
                          "return d / np.sqrt((d * d).mean(-1, keepdims=True) + epsilon) * gamma + beta"],
}
# Sums over up to 50000 elements in another order than numpy's, fp16 vector math: the one place to say so.
TOLERANCE = {
    "row_sum_custom": '{"float32": {"rtol": 1e-4, "atol": 1e-3}, "float16": {"rtol": 2e-2, "atol": 1.0}}',
    "row_mean_custom": '{"float32": {"rtol": 1e-4, "atol": 1e-5}}',
    "softmax_custom": '{"float32": {"rtol": 1e-4, "atol": 1e-6}, "float16": {"rtol": 1e-2, "atol": 1e-4}}',
    "rms_norm_custom": '{"float32": {"rtol": 1e-4, "atol": 1e-5}, "float16": {"rtol": 1e-2, "atol": 1e-2}}',
    "layer_norm_custom": '{"float32": {"rtol": 1e-4, "atol": 1e-4}}',
}
# generated cases x dtype columns of the filled ops (row_min_custom is left unfilled)
EXPECTED = {"broadcast_add_custom": 8, "row_sum_custom": 10, "reduce_max_custom": 10, "row_mean_custom": 5,
            "softmax_custom": 8, "rms_norm_custom": 8, "layer_norm_custom": 4}

needs_load = pytest.mark.skipif(not hasattr(opkit, "load"), reason="opkit.load (the build side) is not here yet")


def fill(project: Path) -> None:
    for op, (row, combine, finish) in REDUCE.items():
        fill_block(project / "op_kernel" / f"{op}.cpp", "COMPUTE", [
            "__aicore__ inline void ReduceRow(const LocalTensor<T>& dst, const LocalTensor<T>& src, "
            "const LocalTensor<T>& work, uint32_t n) {", "    " + row, "}",
            "__aicore__ inline void Combine(const LocalTensor<T>& acc, const LocalTensor<T>& x, uint32_t n) {",
            "    " + combine, "}",
            "__aicore__ inline void Finish(const LocalTensor<T>& acc, uint32_t n, uint32_t len) {", "    " + finish,
            "}"])
    for op, code in ROWNORM.items():
        fill_block(project / "op_kernel" / f"{op}.cpp", "COMPUTE", code)
    fill_block(project / "op_kernel" / "broadcast_add_custom.cpp", "COMPUTE", ["Add(zLocal, xLocal, yLocal, n);"])
    for op, code in GOLDEN.items():
        fill_block(project / "tests" / f"test_{op}.py", "GOLDEN", code)
    for op, tol in TOLERANCE.items():
        fill_block(project / "tests" / f"test_{op}.py", "TOLERANCE", [f"TOLERANCE = {tol}"])


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kinds") / "Kinds"
    r = run_gen(str(KINDS_SPEC), "-o", str(out), "--soc", "Ascend910B1", "Ascend910A")
    assert r.returncode == 0, r.stderr
    fill(out)
    build_project(out)
    return out


@needs_load
@pytest.mark.parametrize("soc", ["Ascend910B1", "Ascend910A"])
@pytest.mark.parametrize("mode", ["cpu", "npu_simulator"])
def test_filled_kinds_pass(project, soc, mode):
    r = run_tests(project, soc, mode, "-k", "not row_min", "-rA")
    assert_all_passed(r, EXPECTED)


@needs_load
def test_unfilled_reduce_fails_naming_the_file(project):
    r = run_tests(project, "Ascend910B1", "cpu", "-k", "row_min")
    assert r.returncode == 1
    assert "row_min_custom: write the reduction in op_kernel/row_min_custom.cpp (marked OPKIT: COMPUTE)" in r.stdout
    assert "5 failed" in r.stdout


@needs_load
def test_rownorm_optional_params_may_be_left_out(project):
    lib = opkit.load(project)
    x = np.random.default_rng(1).uniform(-2, 2, (300, 77)).astype(np.float32)
    d = x.astype(np.float64) - x.mean(-1, keepdims=True)
    want = d / np.sqrt((d * d).mean(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(lib.layer_norm_custom(x, None, None), want, rtol=1e-4, atol=1e-4)
    gamma = np.full(77, 2.0, np.float32)
    np.testing.assert_allclose(lib.layer_norm_custom(x, gamma, None), 2 * want, rtol=1e-4, atol=1e-4)


@needs_load
def test_reduce_refuses_non_adjacent_axes_and_says_why(project):
    lib = opkit.load(project)
    x = np.ones((4, 5, 6), np.float32)
    with pytest.raises(opkit.OpkitError, match=r"the reduced axes must be adjacent \(axis 1 between them is kept\)"):
        lib.row_sum_custom(x, axes=[0, 2])
    # InferShape says why on stderr ("axis 3 is out of range for a tensor of rank 3"); the error names the shapes
    with pytest.raises(opkit.OpkitError, match=r"InferShape rejected the input shapes x=\(4, 5, 6\)"):
        lib.row_sum_custom(x, axes=[3])


@needs_load
def test_row_kinds_without_datacopypad_refuse_unaligned_rows(project):
    lib = opkit.load(project)
    x = np.ones((16, 37), np.float32)
    with pytest.raises(opkit.TilingError, match=r"the last axis is 37 elements \(148 bytes\), not a multiple of 32 "
                                                r"bytes; this SoC has no DataCopyPad"):
        lib.softmax_custom(x, soc="Ascend910A")
    np.testing.assert_allclose(lib.row_sum_custom(x, soc="Ascend910B1"), np.full(16, 37.0))

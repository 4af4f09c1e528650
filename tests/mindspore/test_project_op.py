"""custom() on an op of a user project (tests/mindspore/scale_custom): attrs, the op's own errors and
npu_simulator findings surfacing as MindSpore errors."""

from __future__ import annotations

import numpy as np
import pytest
from ms_helpers import cell

from opkit import simulator


def test_project_op_with_attrs(ms, mode, scale_project) -> None:
    from opkit.mindspore import custom

    x = np.arange(40, dtype=np.float32).reshape(5, 8)
    got = cell(ms, custom(scale_project.scale_custom, scale=-1.5))(ms.Tensor(x)).asnumpy()
    np.testing.assert_array_equal(got, -1.5 * x)


def test_infershape_error_is_the_ops_own(ms, mode, scale_project) -> None:
    from opkit.mindspore import custom

    with pytest.raises((ValueError, RuntimeError), match="ScaleCustom: InferShape rejected the input shapes x=\\(2000,\\)"):
        cell(ms, custom(scale_project.scale_custom))(ms.Tensor(np.ones(2000, np.float32))).asnumpy()


def test_kernel_error_raises_inside_mindspore(ms, mode, scale_project) -> None:
    """mode=2 copies 64 floats out of an 8-float input: opkit stops the kernel; MindSpore raises its message."""
    from opkit.mindspore import custom

    with pytest.raises(RuntimeError, match="Error message is aclnnScaleCustom: scale_custom core 0: .*past its end"):
        cell(ms, custom(scale_project.scale_custom, mode=2))(ms.Tensor(np.ones(8, np.float32))).asnumpy()


def test_simulator_finding_is_a_mindspore_error(ms, mode, scale_project) -> None:
    """mode=1 copies 48 bytes (not a multiple of 32): fine on the CPU, a finding under npu_simulator."""
    from opkit.mindspore import custom

    op = custom(scale_project.scale_custom, mode=1)
    x = ms.Tensor(np.ones(16, np.float32))
    np.testing.assert_array_equal(cell(ms, op)(x).asnumpy(), np.ones(16, np.float32))
    # MindSpore launches on its own threads: the process-wide mode applies there (Note [Simulator state
    # per thread]), as under `pytest --mode=npu_simulator` or OPKIT_MODE=npu_simulator
    before = simulator.set_default(True)
    try:
        with pytest.raises(RuntimeError, match=r"(?s)npu_simulator: scale_custom: 1 finding\(s\) on .*scale_custom.cpp:16: DataCopy.* of 48 bytes"):
            cell(ms, op)(x * 2).asnumpy()
        # a clean kernel under the model runs
        np.testing.assert_array_equal(cell(ms, custom(scale_project.scale_custom))(x).asnumpy(), np.ones(16, np.float32))
    finally:
        simulator.set_default(before)

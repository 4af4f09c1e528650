"""The Ascend route, offline: MindSpore's own aclnn-header parsing and glue generation (shipped in the
wheel, used by ``ops.Custom(func="aclnn<Op>", func_type="aot")`` on Ascend) accept opkit's generated
``aclnn_<op>.h``. Nothing here runs on Ascend; the route itself is untested."""

from __future__ import annotations

import opkit


def test_mindspore_parses_opkits_aclnn_headers(ms, monkeypatch) -> None:
    from mindspore.ops.operations._custom_ops_utils import CustomCodeGenerator, CustomInfoGenerator

    vendor = opkit.ops.add_custom._lib.dir  # op_api/include/aclnn_<op>.h, as an installed package has it
    monkeypatch.setenv("ASCEND_CUSTOM_OPP_PATH", str(vendor))
    monkeypatch.setenv("ASCEND_OPP_PATH", str(vendor / "no_builtin_opp"))
    want = {"AddCustom": ["aclTensor*", "aclTensor*", "aclTensor*", "uint64_t*", "aclOpExecutor**"],
            "AddcdivCustom": ["aclTensor*"] * 3 + ["double", "aclTensor*", "uint64_t*", "aclOpExecutor**"],
            "SinhCustom": ["aclTensor*", "aclTensor*", "uint64_t*", "aclOpExecutor**"]}
    for op_type, types in want.items():
        assert CustomInfoGenerator(f"aclnn{op_type}").get_aclnn_api_types() == types
        n_in = len(types) - 3  # tensors and attrs are MindSpore's inputs here; one output, then the 2 aclnn outs
        reg = {"inputs": [{"name": f"x{i}"} for i in range(n_in)], "outputs": [{"name": "out"}],
               "attr": []}
        glue = CustomCodeGenerator().generate_callback_by_types(op_type, reg, types)
        assert f"{op_type}GetWorkSpaceSize" in glue

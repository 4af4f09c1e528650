"""The project-level files of a generated op project: README.md, CMakeLists.txt, CMakePresets.json.

CMakeLists.txt and CMakePresets.json serve CANN's own build; ``python -m opkit build`` ignores them.
"""

from __future__ import annotations

import json
import os

from . import kinds
from .model import OpModel

DEFAULT_CANN = "/usr/local/Ascend/ascend-toolkit/latest"


def cann_path() -> str:
    """The CANN toolkit to name in CMakePresets.json: $ASCEND_HOME_PATH, else CANN's standard path.

    >>> cann_path()  # doctest: +SKIP
    '/usr/local/Ascend/ascend-toolkit/latest'
    """
    return os.environ.get("ASCEND_HOME_PATH") or DEFAULT_CANN


def presets(compute_units: list[str]) -> str:
    """``CMakePresets.json`` for CANN: toolkit path, compute units (``ascend910b``), vendor name.

    >>> json.loads(presets(["ascend910b"]))["configurePresets"][0]["cacheVariables"]["vendor_name"]
    {'type': 'STRING', 'value': 'customize'}
    """
    def var(kind: str, value: str) -> dict[str, str]:
        return {"type": kind, "value": value}

    doc = {
        "version": 1,
        "cmakeMinimumRequired": {"major": 3, "minor": 19, "patch": 0},
        "configurePresets": [{
            "name": "default",
            "displayName": "CANN build of this op project",
            "description": "Written by python -m opkit gen; opkit's own build (python -m opkit build) ignores it",
            "generator": "Unix Makefiles",
            "binaryDir": "${sourceDir}/build_out",
            "cacheVariables": {
                "CMAKE_BUILD_TYPE": var("STRING", "Release"),
                "ASCEND_CANN_PACKAGE_PATH": var("PATH", cann_path()),
                "ASCEND_COMPUTE_UNIT": var("STRING", ";".join(compute_units)),
                "vendor_name": var("STRING", "customize"),
                "ASCEND_PYTHON_EXECUTABLE": var("STRING", "python3"),
                "ENABLE_SOURCE_PACKAGE": var("BOOL", "True"),
                "ENABLE_BINARY_PACKAGE": var("BOOL", "True"),
                "CMAKE_INSTALL_PREFIX": var("PATH", "${sourceDir}/build_out"),
            },
        }],
    }
    return json.dumps(doc, indent=2) + "\n"


_CMAKELISTS = """\
# CANN build of this op project; opkit's own build (python -m opkit build) ignores this file.
#
# CANN compiles op_host/ and op_kernel/ with the op-project scripts its msopgen tool writes into a
# project: cmake/{config,func,intf}.cmake, op_host/CMakeLists.txt, op_kernel/CMakeLists.txt, build.sh.
# opkit does not ship CANN's scripts. This file checks the toolkit named in CMakePresets.json, then
# hands over to those scripts when they are here, and otherwise says how to get them (README.md).
# Not verified against CANN: opkit was developed without it.
cmake_minimum_required(VERSION 3.16)
project(opkit_op_project LANGUAGES CXX)

if(NOT DEFINED ASCEND_CANN_PACKAGE_PATH)
  message(FATAL_ERROR "ASCEND_CANN_PACKAGE_PATH is not set: configure with the preset, "
                      "cmake --preset=default (it is set in CMakePresets.json)")
endif()
if(NOT EXISTS ${ASCEND_CANN_PACKAGE_PATH}/compiler OR NOT EXISTS ${ASCEND_CANN_PACKAGE_PATH}/include)
  message(FATAL_ERROR "ASCEND_CANN_PACKAGE_PATH=${ASCEND_CANN_PACKAGE_PATH} (CMakePresets.json) is not a "
                      "CANN toolkit: it has no compiler/ and include/. Set it to the toolkit that CANN's "
                      "set_env.sh exports as ASCEND_HOME_PATH, e.g. /usr/local/Ascend/ascend-toolkit/latest")
endif()

set(missing "")
foreach(script cmake/config.cmake cmake/func.cmake cmake/intf.cmake op_host/CMakeLists.txt
               op_kernel/CMakeLists.txt)
  if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${script})
    list(APPEND missing ${script})
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "this project has no CANN build scripts (missing: ${missing}). Generate a project "
                      "with CANN's msopgen from the same spec and copy its scripts here, keeping "
                      "op_host/*.cpp, op_host/*.h and op_kernel/*: see README.md, 'Building with CANN'")
endif()

include(${CMAKE_CURRENT_SOURCE_DIR}/cmake/config.cmake)
include(${CMAKE_CURRENT_SOURCE_DIR}/cmake/func.cmake)
include(${CMAKE_CURRENT_SOURCE_DIR}/cmake/intf.cmake)
add_subdirectory(op_host)
add_subdirectory(op_kernel)
"""


def cmakelists() -> str:
    """``CMakeLists.txt``: checks the CANN toolkit, then hands over to CANN's op-project scripts.

    >>> "ASCEND_CANN_PACKAGE_PATH" in cmakelists()
    True
    """
    return _CMAKELISTS


def _what_to_fill(m: OpModel) -> list[str]:
    """The README's paragraph on what to write for one op, by kind (Note [Gen kinds] in gen/kinds.py)."""
    k, cpp, host = m.kind, f"`op_kernel/{m.name}.cpp`", f"`op_host/{m.name}.cpp`"
    ins = ", ".join(m.local(t.name) for t in m.spec.inputs)
    out = m.local(m.output_param(m.spec.outputs[0])) if m.spec.outputs else ""
    done = ("The split over the cores, double buffering, tails and the tiling are complete; the parts to "
            "write fail loudly (an ASSERT naming the file) until written.")
    text = {
        "elementwise": [
            f"In {cpp}, block `OPKIT: COMPUTE`: `{out}[0, n) = f({ins})` with vector instructions (Add, Mul, "
            "Exp, ...), n a whole number of 32-byte units. InferShape wants every tensor shaped alike. " + done,
            "Tails: DataCopyPad on 910B-class SoCs, an aligned window ending at the range's end on 910A/310P "
            f"(Note [Elementwise split] in `op_host/elementwise_tiling.h`). Scratch: a TBuf in the kernel and "
            f"`SCRATCH_BYTES_PER_ELEM` in {host}."],
        "broadcast": [
            f"In {cpp}, block `OPKIT: COMPUTE`: `{out}[0, n) = f({ins})`, elementwise, with the inputs already "
            "expanded by numpy broadcasting to the output's shape (a bias row, a column, a scalar...). The tile is "
            "whole rows at a 32-byte-aligned stride, so n counts padding lanes too (they are not copied out). "
            "InferShape gives numpy's broadcast shape and refuses shapes that do not broadcast. " + done,
            "The output's axes merge into rows (Note [Broadcast plan] in `op_host/broadcast_tiling.h`); rows of "
            "any length move with DataCopyPad on 910B-class SoCs. On 910A/310P (no DataCopyPad) the output's "
            "last merged axis must be whole 32-byte blocks: the tiling says so otherwise."],
        "reduce": [
            f"In {cpp}, block `OPKIT: COMPUTE`, write three functions: `ReduceRow(dst, src, work, n)`: dst[0] = "
            "the reduction of src[0, n) (ReduceSum, ReduceMax, ReduceMin); `Combine(acc, x, n)`: acc = combine(acc, "
            "x) elementwise (Add, Max, Min); `Finish(acc, n, len)`: what follows the reduction of len elements (a "
            "mean's `Muls` by 1/len; nothing for sum and max). " + done,
            f"The axes come from the attr `{kinds.axes_attr(m.spec).name}`: adjacent axes, negative ones counting "
            "from the end, an empty list meaning all; InferShape drops them (or keeps them as 1 with keep_dims). "
            "Non-adjacent axes are refused with a message (Note [Reduce plan] in `op_host/reduce_tiling.h`). On "
            "910A/310P (no DataCopyPad) the reduced length (last axes) or the kept inner length (middle axes) must "
            "be whole 32-byte blocks and the output at least one block."] if k == "reduce" else [],
        "rownorm": [
            f"In {cpp}, block `OPKIT: COMPUTE`: `{out}[0, cols) = f({ins})` for one row of the last axis"
            + (" (the other inputs, such as gamma and beta, are one row each, loaded once per core)"
               if len(m.spec.inputs) > 1 else "") + ". Scratch: `s.tmp` "
            f"(`SCRATCH_ROWS` rows, set in {host}), `s.work` (a row's ReduceSum/ReduceMax work area), `s.red` "
            "(their result); `ReadScalar(s.red)` waits for the vector pipe and gives the result as a scalar. An "
            "optional input left out is `stream_.Present(i) == false`. InferShape gives y the first input's shape "
            "and checks the others are `[cols]`. " + done,
            "A row must fit the UB with its scratch (a longer last axis needs `--kind custom`); on 910A/310P (no "
            "DataCopyPad) a row must be whole 32-byte blocks: the tiling says so otherwise."],
        "matmul": _matmul_text(m, cpp, host) if k == "matmul" else [],
        "custom": [
            f"{m.op_type} is a custom kind, so its kernel and tiling are skeletons: write the tiling in {host} "
            f"(`OPKIT: TILING`, fields in `op_host/{m.name}_tiling.h`), InferShape there (`OPKIT: INFER_SHAPE`: it "
            f"gives every output the first input's shape) and the kernel in {cpp} (`OPKIT: COMPUTE`). The tiling "
            "and the kernel fail loudly until written."],
    }[k]
    return text


def _matmul_text(m: OpModel, cpp: str, host: str) -> list[str]:
    x, w = m.spec.inputs[:2]
    y = m.spec.outputs[0]
    t = m.transpose
    shape = f"`{w.name}` is `[K, N]`" + (f", or `[N, K]` with `{t.attr.name}`" if t is not None else "")
    bias = (f" `{m.bias.name}` (`[N]`, {'optional' if m.bias.param_type == 'optional' else 'required'}) is added "
            "on the cube, before the epilogue." if m.bias is not None else "")
    return [
        f"In {cpp}, block `OPKIT: COMPUTE`: the epilogue `cLocal[0, n) = f(cLocal[0, n))`, in fp32 and in place, "
        f"on one base block of `{x.name} @ {w.name}` (e.g. `LeakyRelu(cLocal, cLocal, 0.1f, n);`, or nothing for "
        f"the bare product); the kernel then casts it to `{y.name}`'s dtype, rounded once. InferShape: "
        f"`{x.name}` is `[..., M, K]` (its leading dims fold into M), {shape}, and `{y.name}` is `[..., M, N]`."
        + bias + " The Matmul API (`lib/matmul_intf.h`) does the cube work; the split over the cores, double "
        "buffering, tails of any M, N and K and the tiling (`MultiCoreMatmulTiling`, a `TCubeTiling` in the "
        f"op's tiling data) are complete. The epilogue fails loudly (an ASSERT naming the file) until written. "
        f"Scratch: a TBuf in the kernel's Init and `SCRATCH_BYTES_PER_ELEM` in {host} (the base block shrinks "
        "to fit).",
        "**910B-class SoCs only** (Ascend910B1-4, 910_93): the kernel is MIX (`KERNEL_TYPE_MIX_AIC_1_2`, one "
        "cube core and two vector cores per block), on the Matmul API's 910B path; op_host registers it for "
        "those SoCs only. On another SoC the tiling stops with a message (`OPKIT_SOC=Ascend910A pytest ...` "
        "fails at once), and a CANN build for one "
        f"stops at an `#error` in the kernel. `{x.name}` and `{w.name}`: float16 or bfloat16 (one dtype), fp32 "
        f"accumulation; `{y.name}`: float32, float16 or bfloat16; a bias: float32. The test's "
        "`OPKIT: TOLERANCE` block starts with a float32 tolerance for fp32 accumulation over K in the cube's "
        "order (raise it for a much longer K)."]


def readme(models: list[OpModel], spec_file: str, socs: list[str]) -> str:
    """``README.md``: what was generated and what to write, per op and kind; how to build, test and tune.

    >>> from opkit.spec import load
    >>> "python -m opkit build" in readme([OpModel(load("ops/sinh_custom.json")[0])], "sinh_custom.json",
    ...                                  ["Ascend910B1"])  # doctest: +SKIP
    True
    """
    lines = [f"# {', '.join(m.op_type for m in models)}", "",
             (f"An Ascend C op project generated by `python -m opkit gen` from `{spec_file}` (SoCs: "
              f"{', '.join(socs)}). `{spec_file}` is the spec: opkit's build reads it."), ""]
    for m in models:
        lines += [f"## {m.op_type}: kind {m.kind}", "", f"{kinds.ABOUT[m.kind]}. Chosen because: {m.choice.reason} "
                  f"(`python -m opkit gen --kind ...` picks another: {', '.join(kinds.KINDS)}).", ""]
        for para in _what_to_fill(m):
            lines += [para, ""]
        lines += [f"Note: attr `{a.name}` ({a.type}) is not in opkit's host API yet; its registration in "
                  f"`op_host/{m.name}.cpp` is commented out." for a in m.unsupported_attrs]
    tests = ", ".join(f"`tests/test_{m.name}.py`" for m in models)
    lines += [
        "## Golden, build, test", "",
        f"1. Write the numpy golden in {tests}, in `golden()` (marked `OPKIT: GOLDEN`); floating inputs arrive as "
        "float64 copies. `CASES` (and `CASES_NO_PAD`, for SoCs without DataCopyPad) are the shapes tested: they "
        "cover tails and several cores; change them to suit the op.",
        "2. Build and test on the CPU (software AI Core), in this directory:",
        "",
        "   ```",
        "   python -m opkit build .",
        "   pytest tests --mode=cpu",
        "   pytest tests --mode=npu_simulator          # the AI Core model: any hardware-rule finding fails",
        "   OPKIT_SOC=Ascend910A pytest tests --mode=cpu  # another SoC's rules (no DataCopyPad there)"
        + ("; matmul ops stop there" if any(m.kind == "matmul" for m in models) else ""),
        "   ```",
        "",
        "   Until a marked block is written, running the op fails with a message naming the file to edit.",
        "   From Python: `lib = opkit.load('.')`, then " + ", ".join(f"`lib.{m.name}(...)`" for m in models) + ".",
        "3. Tolerances: each test compares with opkit's per-dtype table (`opkit.tolerances.TOLERANCES`). An op "
        "that computes in another order than numpy (a reduction, a normalisation, fp16 vector math) overrides "
        "it in the test's `OPKIT: TOLERANCE` block, per dtype: `rtol`, `atol` and `max_mismatch` (the fraction "
        "of elements allowed to miss), e.g. `TOLERANCE = {\"float16\": {\"rtol\": 1e-2, \"atol\": 1e-3}}`.",
        "",
        "## Building with CANN",
        "",
        "`CMakeLists.txt` and `CMakePresets.json` are for CANN's own build (opkit's ignores them).",
        "`CMakePresets.json` names the toolkit (`ASCEND_CANN_PACKAGE_PATH`, from `$ASCEND_HOME_PATH` when",
        "the project was generated) and the compute units (`ASCEND_COMPUTE_UNIT`); check both. CANN's build",
        "scripts are not generated by opkit: run `msopgen gen -i " + spec_file + " -c ai_core-<SoC> -lan cpp "
        "-out <scratch dir>`, copy its `CMakeLists.txt`, `cmake/`, `scripts/`, `build.sh`, `framework/`,",
        "`op_host/CMakeLists.txt` and `op_kernel/CMakeLists.txt` here (keep this project's `op_host/*.cpp`,",
        "`op_host/*.h` and `op_kernel/*`), then run `./build.sh` to get `build_out/custom_opp_*.run`.",
        "",
    ]
    return "\n".join(lines)

// opkit: helpers shared by the runtime's vector translation units.
#pragma once

#include <cstdint>
#include <string>

#include "opkit/rt/api.h"

namespace opkit {
namespace rt {

void HalfToFloat(const uint16_t* s, float* d, int64_t n);
void FloatToHalf(const float* s, uint16_t* d, int64_t n);
void Bf16ToFloat(const uint16_t* s, float* d, int64_t n);
void FloatToBf16(const float* s, uint16_t* d, int64_t n);

// Note [910B dtype table]: the vector unit of Ascend910B (arch 2201) implements each instruction
// for a fixed set of element types (the "数据类型" section of each op in the Ascend C API
// reference, 910B column). Other types do not run there: bf16 arithmetic in particular does not
// exist, kernels Cast to fp32 first. The runtime refuses such a dtype at the instruction, so a
// kernel that runs here also runs on the NPU. A set of dtypes is a bit mask over DType values.
constexpr uint32_t DTypeBit(DType t) { return 1u << static_cast<int>(t); }
constexpr uint32_t DTYPES_FLOAT = DTypeBit(DType::F16) | DTypeBit(DType::F32);

// Whether an n-element source x is the destination d itself or shares none of its elements: then an
// element-wise loop reads only what element i of x held, and may run in vectors (ivdep).
template <typename T>
inline bool SameOrApart(const T* d, const T* x, int64_t n) {
    return x == d || x + n <= d || d + n <= x;
}
constexpr uint32_t DTYPES_ARITH = DTypeBit(DType::I16) | DTYPES_FLOAT | DTypeBit(DType::I32);

// "int16, float16, int32, float32"
std::string DTypeList(uint32_t set);
void RequireBf16Soc(const char* op);  // fails on a SoC without bfloat16 (910A, 310P)
// Fails, naming the instruction, the dtype and the supported list, unless `t` is in `set` (and, for
// bfloat16, the SoC has it).
void RequireDType(const char* op, DType t, uint32_t set);

// Note [Unchecked hardware rules]: some rules the NPU does not check: breaking them gives wrong or
// undefined results there (overlapping operands, an index past the tensor). npu_simulator reports
// such a call as a finding of `kind` at the kernel line `ret` and goes on; cpu mode, which has no
// findings, stops with the same message, so no mode silently computes an answer the NPU would not.
// The message is a char*: exported functions carry no std::string (Note [Both C++ ABIs]).
void RuleBroken(const char* kind, const char* message, const void* ret);

// npu_simulator: the blocks of a mask/repeat operand that hold an enabled lane, read or written.
void ModelRepeatAccess(const void* base, const RepeatShape& s, uint16_t blk, uint16_t rep, uint32_t elemBytes,
                       bool write, const char* what, const void* ret);
// Note [Masked-off blocks]: in the mask/repeat form the NPU neither reads nor writes a 32-byte block of
// an operand none of whose lanes the mask enables, so a short masked row may end a buffer or the UB
// itself (CheckRepeatOperand sizes an operand's footprint the same way; ModelRepeatAccess models the
// same blocks). The CPU loops read only the enabled blocks too: reading the others would read past
// the UB arena (AddressSanitizer found WholeReduceSum doing so in RmsNorm and LayerNorm). Bit b of the
// result: lane block b (lanes [b * perBlock, (b + 1) * perBlock) of the `lanes`) holds an enabled lane.
inline uint32_t EnabledBlocks(const RepeatShape& s, uint32_t lanes, uint32_t perBlock) {
    uint32_t blocks = 0;
    for (uint32_t l = 0; l < lanes && l < 128; ++l)
        if ((s.mask[l / 64] >> (l % 64)) & 1u) blocks |= 1u << (l / perBlock);
    return blocks;
}

// SoCs without an instruction (e.g. Sort32 exists on arch 2201 only): Fail naming the SoC.
void RequireArch2201(const char* op);

}  // namespace rt
}  // namespace opkit

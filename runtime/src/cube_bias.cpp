// opkit: the bias path of the cube (L1 (C1) -> bias table (C2) with DataCopy; the bias form of Mmad
// is in cube_mmad.cpp) and the atomic GM write mode (SetAtomicAdd/Max/Min/None).
//
// Facts (asc-devkit docs, read for facts; words and code ours):
//   - L1ToBiasTable-Buffer数据搬运（DataCopy）.md: on 910B (A2/A3) the bias table is 1 KB; dst in
//     C2, 64-byte aligned; src in C1 (L1), 32-byte aligned; src half/int32/float, dst int32/float
//     (half is widened to float); blockCount 0..4095, blockLen and dstGap in 64-byte units, srcGap
//     in 32-byte units; blockCount or blockLen 0 is a no-op.
//     Assumption (the page does not say): blockLen counts the destination's 64-byte units, so a
//     half source supplies half as many bytes (blockLen * 32 per block).
//   - Mmad.md: with a bias operand (C2, 64-byte aligned) C starts as the bias row broadcast over M;
//     910B pairs: int8 -> int32 bias, half/bfloat16/float -> float bias.
#include "cube_internal.h"

#include <cstring>

namespace opkit {
namespace rt {

using namespace cube;

void CubeBiasCopy(const CubeOperand& dst, const CubeOperand& src, const AscendC::DataCopyParams& p) {
    const char* what = "DataCopy(C1->C2)";
    const void* ret = __builtin_return_address(0);
    const SocInfo& soc = CoreSoc();
    if (!Is910B(soc))
        Fail(std::string(what) + ": the L1 -> bias table copy does not exist on " + soc.name + " (910B-class SoCs only)");
    if (dst.mem != Mem::BT || src.mem != Mem::L1)
        Fail(std::string(what) + ": the destination must be in C2 (bias table) and the source in C1 (L1); got " +
             WhereName(dst) + " <- " + WhereName(src));
    RequireType(src.type, {DType::F16, DType::I32, DType::F32}, what, "source");
    RequireType(dst.type, {DType::I32, DType::F32}, what, "destination");
    const bool widen = src.type == DType::F16;
    if (!widen && src.type != dst.type)
        Fail(std::string(what) + ": " + DTypeName(src.type) + " -> " + DTypeName(dst.type) +
             " is no conversion of this copy (same type, or float16 -> float32)");
    if (widen && dst.type != DType::F32)
        Fail(std::string(what) + ": a float16 source widens to float32, not " + DTypeName(dst.type));
    CheckCubeCore(what, ret);
    if (p.blockCount == 0 || p.blockLen == 0) return;  // a no-op on the NPU
    if (p.blockCount > 4095) Fail(std::string(what) + ": blockCount " + std::to_string(p.blockCount) + " exceeds 4095");
    const uint64_t dstRun = uint64_t(p.blockLen) * 64, srcRun = widen ? dstRun / 2 : dstRun;
    const uint64_t dstStep = dstRun + uint64_t(p.dstStride) * 64, srcStep = srcRun + uint64_t(p.srcStride) * 32;
    const uint64_t dstSpan = (p.blockCount - 1) * dstStep + dstRun, srcSpan = (p.blockCount - 1) * srcStep + srcRun;
    CheckLocal(src, Mem::L1, "source (C1)", srcSpan, what, ret);
    CheckLocal(dst, Mem::BT, "destination (C2)", dstSpan, what, ret);
    if (uint64_t(dst.addr - MemBase(Mem::BT)) % 64 != 0)
        Fail(std::string(what) + ": the destination starts at bias-table offset " +
             std::to_string(dst.addr - MemBase(Mem::BT)) + ", not a multiple of 64 bytes");
    if (auto* m = Model()) {
        m->Load(what, uint64_t(p.blockCount) * srcRun, Core().launch->params.l1ToL0bBytesPerCycle);  // assumption: L0B's rate
        for (uint32_t b = 0; b < p.blockCount; ++b) ModelAccess(src.addr + b * srcStep, srcRun, false, what, ret, sim::MTE1);
    }
    for (uint32_t b = 0; b < p.blockCount; ++b) {
        const uint8_t* in = src.addr + b * srcStep;
        uint8_t* out = dst.addr + b * dstStep;
        if (!widen) {
            std::memmove(out, in, dstRun);
            continue;
        }
        for (uint64_t i = 0; i < dstRun / 4; ++i) {
            half h;
            std::memcpy(&h, in + i * 2, 2);
            const float f = float(h);
            std::memcpy(out + i * 4, &f, 4);
        }
    }
}

void SetAtomic(AtomicOp op, DType t) {
    CoreState& core = Core();
    if (op != AtomicOp::NONE && t != DType::F32 && t != DType::F16 && t != DType::BF16 && t != DType::I32)
        Fail(std::string("SetAtomicAdd/Max/Min<") + DTypeName(t) + ">: opkit implements float32, float16, bfloat16 "
             "and int32 atomics");
    if (op != AtomicOp::NONE && t == DType::BF16 && !core.soc->hasBf16)
        Fail(std::string("SetAtomic: bfloat16 does not exist on ") + core.soc->name);
    core.atomicOp = op;
    core.atomicType = t;
}

}  // namespace rt
}  // namespace opkit

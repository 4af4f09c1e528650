// opkit: GatherMask and Copy (runtime/include/opkit/kernel/vec_gather.h), plus the helpers the
// newer vector instructions share (Note [Unchecked hardware rules], vec_internal.h).
//
// Note [GatherMask]: (asc-devkit docs 基础API/Memory矢量计算/比较与选择/GatherMask.md)
//   - The pattern selects elements: bit l of a repeat's pattern (LSB first; a uint16/uint32 tensor
//     is the same bit string in little-endian words) picks element l of that repeat. The built-in
//     patterns repeat every repeat: 1 = even elements, 2 = odd, 3..6 = the 1st..4th of every 4,
//     7 = all (7 is not on 310P). A user pattern is consumed continuously inside a repeat and starts
//     src1RepeatStride blocks further for the next; the built-in ones ignore that stride.
//   - Selected elements are written packed from dst[0], across repeats, in order; rsvdCnt is their
//     number, and what follows them in dst is left as it was.
//   - reduceMode false (normal): a repeat is 256 bytes, repeatTimes repeats, mask ignored.
//     reduceMode true (counter): on 910B a repeat is `mask` elements and repeatTimes counts
//     (configuration one of the docs); on 310P `mask` is the total and repeatTimes is ignored
//     (configuration two). Element l of repeat r is read from block r*src0RepeatStride +
//     (l / elements per block)*src0BlockStride.
//   - On the NPU the call leaves the vector mask register at (0, mask) and the mask mode normal
//     (impl/basic_api/dav_c220: set_vector_mask(0, mask) before the instruction, SetMaskNorm
//     after); opkit leaves the same mask, so a later isSetMask=false instruction sees what it would.
//   - dst may be src0 itself (the docs' example does that in place); a dst that overlaps src0 at
//     another offset, or the pattern, breaks the general overlap rule (通用说明和约束.md).
//   - Cost: 2 cycles per repeat: Vector指令理论性能汇总.md gives 64 elements/cycle for 16-bit and
//     32 for 32-bit data, i.e. 128 bytes per cycle.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "opkit/kernel/vec_gather.h"
#include "core_state.h"
#include "vec_internal.h"

namespace opkit {
namespace rt {

void RuleBroken(const char* kind, const char* message, const void* ret) {
    if (Model() != nullptr) {
        Finding(kind, message, ret);
        return;
    }
    Fail(message);
}

void ModelRepeatAccess(const void* base, const RepeatShape& s, uint16_t blk, uint16_t rep, uint32_t elemBytes,
                       bool write, const char* what, const void* ret) {
    if (Model() == nullptr) return;
    const uint32_t perBlock = 32 / elemBytes, lanes = 256 / elemBytes;
    for (uint32_t r = 0; r < s.repeat; ++r)
        for (uint32_t b = 0; b < 8; ++b) {
            bool used = false;
            for (uint32_t l = b * perBlock; l < (b + 1) * perBlock && l < lanes && !used; ++l)
                used = (s.mask[l / 64] >> (l % 64)) & 1u;
            if (used)
                ModelAccess(static_cast<const uint8_t*>(base) + (uint64_t(r) * rep + uint64_t(b) * blk) * 32, 32, write,
                            what, ret);
        }
}

void RequireArch2201(const char* op) {
    const SocInfo* soc = Core().soc;
    if (soc != nullptr && soc->arch != 2201)
        Fail(std::string(op) + " does not exist on " + soc->name + " (arch " + std::to_string(soc->arch) +
             "); the Ascend C reference lists it for Atlas A2/A3 (Ascend910B, arch 2201) only");
}

namespace {

bool BuiltinBit(uint8_t pattern, uint32_t l) {
    switch (pattern) {
        case 1: return l % 2 == 0;
        case 2: return l % 2 == 1;
        case 3: case 4: case 5: case 6: return l % 4 == uint32_t(pattern - 3);
        default: return true;  // 7
    }
}

bool Overlap(const void* a, uint64_t an, const void* b, uint64_t bn) {
    auto pa = reinterpret_cast<uintptr_t>(a), pb = reinterpret_cast<uintptr_t>(b);
    return an != 0 && bn != 0 && pa < pb + bn && pb < pa + an;
}

}  // namespace

uint64_t VecGatherMask(DType t, void* dst, const void* src0, const void* pattern, const GatherMaskShape& g0) {
    constexpr uint32_t TYPES = DTypeBit(DType::F16) | DTypeBit(DType::BF16) | DTypeBit(DType::I16) |
                               DTypeBit(DType::U16) | DTypeBit(DType::F32) | DTypeBit(DType::I32) | DTypeBit(DType::U32);
    RequireDType("GatherMask", t, TYPES);
    CoreState& c = Core();
    const int arch = c.soc != nullptr ? c.soc->arch : 2201;
    if (arch == 1001) Fail(std::string("GatherMask does not exist on ") + c.soc->name + " (Atlas training series, arch 1001)");
    if (arch == 2002 && g0.builtin == 7) Fail("GatherMask: built-in pattern 7 does not exist on Atlas inference (310P); use 1..6");
    const void* ret = __builtin_return_address(0);
    const uint32_t size = DTypeSize(t), lanes = 256 / size, perBlock = 32 / size;
    GatherMaskShape g = g0;
    const bool counter = g.counter;
    if (arch == 2002 && counter) {  // 310P: mask is the total, repeats follow from it
        g.repeat = (g.perRepeat + lanes - 1) / lanes;
    }
    c.maskHi = 0;  // Note [GatherMask]: the mask register the call leaves behind
    c.maskLo = g0.mask;
    if (g.repeat == 0) {
        c.gatherMaskCount = 0;
        return 0;
    }
    auto elemAt = [&](uint32_t r, uint32_t l) {
        return static_cast<const uint8_t*>(src0) + (uint64_t(r) * g.src0Rep + uint64_t(l / perBlock) * g.src0Blk) * 32 +
               (l % perBlock) * size;
    };
    const uint64_t srcSpan = uint64_t(elemAt(g.repeat - 1, 0) - static_cast<const uint8_t*>(src0)) + 32;
    // The elements of each repeat (310P counter mode: the last repeat holds the rest).
    auto count = [&](uint32_t r) {
        if (arch == 2002 && counter) return std::min(lanes, g0.perRepeat - r * lanes);
        return g.perRepeat;
    };
    std::vector<uint8_t> out;
    out.reserve(uint64_t(g.repeat) * g.perRepeat * size);
    for (uint32_t r = 0; r < g.repeat; ++r) {
        const uint8_t* bits = pattern != nullptr ? static_cast<const uint8_t*>(pattern) + uint64_t(r) * g.src1Rep * 32 : nullptr;
        const uint32_t n = count(r);
        for (uint32_t l = 0; l < n; ++l) {
            const bool take = bits != nullptr ? ((bits[l / 8] >> (l % 8)) & 1u) : BuiltinBit(g.builtin, l);
            if (take) out.insert(out.end(), elemAt(r, l), elemAt(r, l) + size);
        }
    }
    const uint64_t written = out.size();
    const uint8_t* ub = MemBase(Mem::UB);
    if (static_cast<const uint8_t*>(dst) + written > ub + MemSize(Mem::UB))  // before any byte is written
        Fail("GatherMask: the " + std::to_string(written / size) + " selected elements (rsvdCnt) run past the end of "
             "UB from dst at UB offset " + std::to_string(static_cast<const uint8_t*>(dst) - ub) +
             "; give dst room for every element the pattern can select");
    if (dst != src0 && Overlap(dst, std::max<uint64_t>(written, 1), src0, srcSpan))
        RuleBroken("vector-overlap", std::string("GatherMask: dst overlaps src0 at a different offset (" + std::to_string(written) + " bytes written at " +
                       std::to_string(static_cast<const uint8_t*>(dst) - static_cast<const uint8_t*>(src0)) +
                       " bytes from src0); the NPU allows only dst == src0 or apart (通用地址重叠约束), otherwise it "
                       "overwrites elements before it reads them").c_str(),
                   ret);
    if (pattern != nullptr && Overlap(dst, written, pattern, uint64_t(g.repeat - 1) * g.src1Rep * 32 + (g.perRepeat + 7) / 8))
        RuleBroken("vector-overlap", "GatherMask: dst overlaps the src1Pattern tensor; keep the pattern apart from dst", ret);
    ModelVector("GatherMask", g.repeat);
    if (Model() != nullptr) {
        for (uint32_t r = 0; r < g.repeat; ++r)
            ModelAccess(elemAt(r, 0), uint64_t(elemAt(r, count(r) - 1) - elemAt(r, 0)) + size, false, "GatherMask", ret);
        if (pattern != nullptr)
            for (uint32_t r = 0; r < g.repeat; ++r)
                ModelAccess(static_cast<const uint8_t*>(pattern) + uint64_t(r) * g.src1Rep * 32, (count(r) + 7) / 8, false,
                            "GatherMask", ret);
        ModelAccess(dst, written, true, "GatherMask", ret);
    }
    if (written != 0) std::memcpy(dst, out.data(), written);
    c.gatherMaskCount = int64_t(written / size);
    return written / size;
}

int64_t LastGatherMaskCount() { return Core().gatherMaskCount; }

// Copy: plain moves of the masked lanes; dtypes and SoCs from the Copy page (910B: 16- and 32-bit
// types; not on 310P or 910A). Cost: one repeat per cycle, like other simple vector instructions
// (an assumption; the performance appendix has no Copy row).
void VecCopy(DType t, void* dst, const void* src, const RepeatShape& s) {
    constexpr uint32_t TYPES = DTypeBit(DType::F16) | DTypeBit(DType::BF16) | DTypeBit(DType::I16) |
                               DTypeBit(DType::U16) | DTypeBit(DType::F32) | DTypeBit(DType::I32) | DTypeBit(DType::U32);
    RequireDType("Copy", t, TYPES);
    RequireArch2201("Copy (UB -> UB with CopyRepeatParams)");
    if (s.repeat == 0) return;  // a NOP on 910B
    const void* ret = __builtin_return_address(0);
    const uint32_t size = DTypeSize(t), lanes = 256 / size, perBlock = 32 / size;
    auto at = [&](const void* base, uint32_t r, uint32_t l, uint16_t blk, uint16_t rep) {
        return static_cast<const uint8_t*>(base) + (uint64_t(r) * rep + uint64_t(l / perBlock) * blk) * 32 +
               (l % perBlock) * size;
    };
    // Overlap inside one repeat must be complete (dst == src with equal strides) or absent. Only the
    // blocks the mask touches count: CANN's own TopK copies 4 blocks of indices to the 4 blocks right
    // after them (impl/adv_api/detail/sort/topk, the NSMALL index rows), which a whole-repeat span
    // would call overlapping.
    const bool same = dst == src && s.dstBlk == s.src0Blk && s.dstRep == s.src0Rep;
    bool used[8] = {};
    for (uint32_t l = 0; l < lanes; ++l) used[l / perBlock] |= ((s.mask[l / 64] >> (l % 64)) & 1u) != 0;
    for (uint32_t r = 0; r < s.repeat && !same; ++r) {
        bool hit = false;
        for (uint32_t a = 0; a < 8 && !hit; ++a)
            for (uint32_t b = 0; b < 8 && !hit; ++b)
                hit = used[a] && used[b] &&
                      Overlap(at(dst, r, a * perBlock, s.dstBlk, s.dstRep), 32, at(src, r, b * perBlock, s.src0Blk, s.src0Rep), 32);
        if (hit) {
            RuleBroken("vector-overlap", std::string("Copy: repeat " + std::to_string(r) + " writes dst blocks that overlap the src blocks it "
                       "reads, at a different offset; the NPU needs operands of a repeat to be the same "
                       "address or apart (通用地址重叠约束)").c_str(),
                       ret);
            break;
        }
    }
    ModelVector("Copy", s.repeat);
    ModelRepeatAccess(src, s, s.src0Blk, s.src0Rep, size, false, "Copy", ret);
    ModelRepeatAccess(dst, s, s.dstBlk, s.dstRep, size, true, "Copy", ret);
    uint8_t lane[8];
    for (uint32_t r = 0; r < s.repeat; ++r)
        for (uint32_t l = 0; l < lanes; ++l)
            if ((s.mask[l / 64] >> (l % 64)) & 1u) {
                std::memcpy(lane, at(src, r, l, s.src0Blk, s.src0Rep), size);
                std::memcpy(const_cast<uint8_t*>(at(dst, r, l, s.dstBlk, s.dstRep)), lane, size);
            }
}

}  // namespace rt
}  // namespace opkit

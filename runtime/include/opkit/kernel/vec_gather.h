// opkit: GatherMask (compacting selection by a bit pattern) and Copy (UB -> UB with mask and
// strides), pipe V. Runtime: runtime/src/vec_gather.cpp, where Note [GatherMask] states the semantics.
//
// Facts from asc-devkit docs 基础API/Memory矢量计算/比较与选择/GatherMask.md and
// 数据搬运/UB与UB数据搬运/UBToUB掩码式高维数据搬运(Copy).md; field orders from include/basic_api/
// kernel_struct_gather.h and kernel_struct_data_copy.h.
#pragma once

#include "opkit/kernel/vec_brcb.h"

namespace opkit {
namespace rt {
// One GatherMask: `repeat` repeats of `perRepeat` elements (256 bytes' worth in normal mode, the
// mask in counter mode); src0 element l of repeat r sits at block r*src0Rep + (l / per block) *
// src0Blk. The pattern is one of the built-in patterns 1..7 (pattern == nullptr) or a bit array
// read from `pattern` + r*src1Rep*32 bytes, LSB first. Writes the selected elements packed at dst
// and returns their number (rsvdCnt).
struct GatherMaskShape {
    uint32_t repeat, perRepeat;
    uint32_t mask;   // the call's mask argument (the mask register keeps it afterwards)
    bool counter;    // reduceMode
    uint16_t src0Blk, src0Rep, src1Rep;
    uint8_t builtin;  // 1..7, or 0 for a user pattern
};
uint64_t VecGatherMask(DType t, void* dst, const void* src0, const void* pattern, const GatherMaskShape& g);
// Copy: the masked lanes of each repeat, src strides (src0Blk, src0Rep) to dst strides (dstBlk, dstRep).
void VecCopy(DType t, void* dst, const void* src, const RepeatShape& s);
// The rsvdCnt of this core's last GatherMask (GetGatherMaskRemainCount).
int64_t LastGatherMaskCount();
}  // namespace rt
}  // namespace opkit

namespace AscendC {

enum class GatherMaskMode : uint8_t { VERSION_V1 = 0, VERSION_V2 = 1 };
constexpr GatherMaskMode defaultGatherMaskMode = GatherMaskMode::VERSION_V2;  // arch 2201's default
constexpr GatherMaskMode defaultGahterMaskMode = defaultGatherMaskMode;     // CANN's misspelt alias

struct GatherMaskParams {
    __aicore__ GatherMaskParams() {}
    __aicore__ GatherMaskParams(const uint8_t src0BlockStrideIn, const uint16_t repeatTimesIn,
                                const uint16_t src0RepeatStrideIn, const uint8_t src1RepeatStrideIn)
        : src0BlockStride(src0BlockStrideIn), repeatTimes(repeatTimesIn), src0RepeatStride(src0RepeatStrideIn),
          src1RepeatStride(src1RepeatStrideIn) {}
    uint8_t src0BlockStride = DEFAULT_BLK_STRIDE;
    uint16_t repeatTimes = 0;
    uint16_t src0RepeatStride = DEFAULT_REPEAT_STRIDE;
    uint8_t src1RepeatStride = DEFAULT_REPEAT_STRIDE;
};

struct CopyRepeatParams {
    __aicore__ CopyRepeatParams() {}
    __aicore__ CopyRepeatParams(const uint16_t dstStrideIn, const uint16_t srcStrideIn, uint16_t dstRepeatSizeIn,
                                uint16_t srcRepeatSizeIn)
        : dstStride(dstStrideIn), srcStride(srcStrideIn), dstRepeatSize(dstRepeatSizeIn), srcRepeatSize(srcRepeatSizeIn) {}
    uint16_t dstStride = 1;
    uint16_t srcStride = 1;
    uint16_t dstRepeatSize = DEFAULT_REPEAT_STRIDE;
    uint16_t srcRepeatSize = DEFAULT_REPEAT_STRIDE;
};

namespace detail {

template <typename T>
opkit::rt::GatherMaskShape GatherShape(bool reduceMode, uint32_t mask, const GatherMaskParams& p, uint8_t builtin) {
    if (reduceMode && mask == 0)
        opkit::rt::Fail("GatherMask: in counter mode (reduceMode = true) mask counts the elements of each repeat and "
                        "must be at least 1");
    opkit::rt::GatherMaskShape g{};
    g.repeat = p.repeatTimes;
    g.perRepeat = reduceMode ? mask : 256 / uint32_t(sizeof(T));  // normal mode ignores mask
    g.mask = mask;
    g.counter = reduceMode;
    g.src0Blk = p.src0BlockStride;
    g.src0Rep = p.src0RepeatStride;
    g.src1Rep = builtin != 0 ? 0 : p.src1RepeatStride;  // the built-in patterns ignore src1RepeatStride
    g.builtin = builtin;
    return g;
}

// Bytes src0 spans: the last repeat's last block.
inline uint64_t GatherSrcSpan(const opkit::rt::GatherMaskShape& g, uint32_t size) {
    if (g.repeat == 0 || g.perRepeat == 0) return 0;
    const uint64_t blocks = (uint64_t(g.perRepeat) * size + 31) / 32;
    return (uint64_t(g.repeat - 1) * g.src0Rep + (blocks - 1) * g.src0Blk) * 32 + 32;
}

template <typename T>
void GatherMaskRun(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const void* pattern, TPosition patPos,
                   const opkit::rt::GatherMaskShape& g, uint64_t& rsvdCnt) {
    static_assert(sizeof(T) == 2 || sizeof(T) == 4, "GatherMask takes 16- or 32-bit elements on Ascend910B");
    const char* op = "GatherMask";
    CheckVecOperand(src0.addr_, src0.pos_, GatherSrcSpan(g, sizeof(T)), op);
    if (pattern != nullptr) {
        const uint64_t patBytes = g.repeat == 0 ? 0 : uint64_t(g.repeat - 1) * g.src1Rep * 32 + (g.perRepeat + 7) / 8;
        CheckVecOperand(pattern, patPos, patBytes, op);
    }
    // dst: the selected elements, packed; the runtime checks they fit in UB before writing them.
    CheckVecOperand(dst.addr_, dst.pos_, 0, op);
    rsvdCnt = opkit::rt::VecGatherMask(opkit::DTypeOf<T>::value, dst.addr_, src0.addr_, pattern, g);
}

}  // namespace detail

// User pattern: U is uint16_t for 16-bit T and uint32_t for 32-bit T.
// soc: 910B 310P
template <typename T, typename U, GatherMaskMode mode = defaultGatherMaskMode>
__aicore__ inline void GatherMask(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<U>& src1Pattern,
                                  const bool reduceMode, const uint32_t mask, const GatherMaskParams& gatherMaskParams,
                                  uint64_t& rsvdCnt) {
    static_assert(std::is_same<U, uint16_t>::value || std::is_same<U, uint32_t>::value,
                  "GatherMask: src1Pattern is a uint16_t (16-bit data) or uint32_t (32-bit data) tensor");
    static_assert(sizeof(T) == sizeof(U), "GatherMask: src1Pattern's type must be as wide as the data's "
                                          "(uint16_t for half/int16/uint16/bfloat16, uint32_t for float/int32/uint32)");
    (void)mode;
    detail::GatherMaskRun(dst, src0, src1Pattern.addr_, src1Pattern.pos_,
                          detail::GatherShape<T>(reduceMode, mask, gatherMaskParams, 0), rsvdCnt);
}

// Built-in pattern 1..7: 1 even elements, 2 odd, 3..6 the 1st..4th of every 4, 7 all.
// soc: 910B 310P
template <typename T, GatherMaskMode mode = defaultGatherMaskMode>
__aicore__ inline void GatherMask(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const uint8_t src1Pattern,
                                  const bool reduceMode, const uint32_t mask, const GatherMaskParams& gatherMaskParams,
                                  uint64_t& rsvdCnt) {
    (void)mode;
    if (src1Pattern < 1 || src1Pattern > 7)
        opkit::rt::Fail("GatherMask: built-in src1Pattern " + std::to_string(src1Pattern) +
                        " is outside 1..7 (1 even, 2 odd, 3-6 one of every 4, 7 all elements)");
    detail::GatherMaskRun(dst, src0, nullptr, TPosition::VECCALC,
                          detail::GatherShape<T>(reduceMode, mask, gatherMaskParams, src1Pattern), rsvdCnt);
}

__aicore__ inline int64_t GetGatherMaskRemainCount() { return opkit::rt::LastGatherMaskCount(); }

// ---- Copy: UB -> UB with a mask and strides -----------------------------------------------------
namespace detail {
template <typename T, bool isSetMask, typename M>
void CopyRepeat(const LocalTensor<T>& dst, const LocalTensor<T>& src, M mask, uint8_t repeatTime,
                const CopyRepeatParams& p) {
    static_assert(sizeof(T) == 2 || sizeof(T) == 4, "Copy takes 16- or 32-bit elements on Ascend910B");
    if (p.dstRepeatSize > 4095 || p.srcRepeatSize > 4095)
        opkit::rt::Fail("Copy: dstRepeatSize " + std::to_string(p.dstRepeatSize) + " / srcRepeatSize " +
                        std::to_string(p.srcRepeatSize) + " must lie in 0..4095 (blocks of 32 bytes)");
    auto s = Shape<T, isSetMask>(mask, repeatTime);
    s.dstBlk = p.dstStride;
    s.src0Blk = p.srcStride;
    s.src1Blk = 0;
    s.dstRep = p.dstRepeatSize;
    s.src0Rep = p.srcRepeatSize;
    s.src1Rep = 0;
    CheckRepeatOperand(dst.addr_, dst.pos_, s, s.dstBlk, s.dstRep, sizeof(T), "Copy");
    CheckRepeatOperand(src.addr_, src.pos_, s, s.src0Blk, s.src0Rep, sizeof(T), "Copy");
    opkit::rt::VecCopy(opkit::DTypeOf<T>::value, dst.addr_, src.addr_, s);
}
}  // namespace detail

// soc: 910B
template <typename T, bool isSetMask = true>
__aicore__ inline void Copy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const uint64_t mask[],
                            const uint8_t repeatTime, const CopyRepeatParams& repeatParams) {
    detail::CopyRepeat<T, isSetMask>(dst, src, mask, repeatTime, repeatParams);
}
// soc: 910B
template <typename T, bool isSetMask = true>
__aicore__ inline void Copy(const LocalTensor<T>& dst, const LocalTensor<T>& src, const uint64_t mask,
                            const uint8_t repeatTime, const CopyRepeatParams& repeatParams) {
    detail::CopyRepeat<T, isSetMask>(dst, src, mask, repeatTime, repeatParams);
}

}  // namespace AscendC

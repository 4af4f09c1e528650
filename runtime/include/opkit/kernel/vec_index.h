// opkit: Gather (elements by byte offsets), CreateVecIndex (an arithmetic index vector) and the
// 16x16 two-byte Transpose. Runtime: runtime/src/vec_index.cpp, Note [Gather].
//
// Facts from asc-devkit docs 基础API/Memory矢量计算/{离散与聚合/Gather.md, 数据填充/CreateVecIndex.md,
// 数据排布转换/Transpose.md}. CreateVecIndex is no single instruction on arch 2201: CANN writes the
// first block with scalar SetValue, synchronises S -> V, then builds each further block (and each
// further repeat) from the previous one with Adds (impl/basic_api/dav_c220/
// kernel_operator_vec_createvecindex_impl.h). opkit issues the same sequence through its own basic
// API, so the model checks and costs each step and half results round as on the NPU (value i is
// the previous block's value plus the block's element count, rounded each time). It uses no UB
// scratch (Note [UB scratch area]).
#pragma once

#include "opkit/kernel/sync.h"
#include "opkit/kernel/vec_sort.h"

namespace opkit {
namespace rt {
// dst[i] = the element at src + base + offset[i] bytes, for the masked lanes of each repeat
// (count form: one repeat shape covering `count` lanes).
void VecGather(DType t, void* dst, const void* src, const uint32_t* offset, uint32_t base, const RepeatShape& s,
               int64_t count);
void VecTranspose16(DType t, void* dst, const void* src);
// TransDataTo5HD (Note [TransDataTo5HD]): lists of 16 UB byte offsets, element size 1, 2 or 4.
void VecTransData5HD(uint32_t elemBytes, const uint64_t dst[16], const uint64_t src[16], bool dstHighHalf,
                     bool srcHighHalf, uint8_t repeat, uint16_t dstRepStride, uint16_t srcRepStride);
}  // namespace rt
}  // namespace opkit

namespace AscendC {

// ---- Gather ---------------------------------------------------------------------------------------
// soc: 910B 310P
template <typename T>
__aicore__ inline void Gather(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint32_t>& srcOffset,
                              const uint32_t srcBaseAddr, const uint32_t count) {
    static_assert(sizeof(T) == 2 || sizeof(T) == 4, "Gather takes 16- or 32-bit elements on Ascend910B");
    if (count == 0) return;  // a NOP on 910B
    detail::Operand(dst, count, "Gather");
    detail::CheckVecOperand(src.addr_, src.pos_, 0, "Gather");
    detail::Operand(srcOffset, count, "Gather");
    opkit::rt::RepeatShape s{};
    opkit::rt::VecGather(opkit::DTypeOf<T>::value, dst.addr_, src.addr_, srcOffset.addr_, srcBaseAddr, s, count);
}

namespace detail {
template <typename T, typename M>
void GatherRepeat(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint32_t>& srcOffset,
                  uint32_t srcBaseAddr, M mask, uint8_t repeatTime, uint16_t dstRepStride) {
    static_assert(sizeof(T) == 2 || sizeof(T) == 4, "Gather takes 16- or 32-bit elements on Ascend910B");
    auto s = Shape<T, true>(mask, repeatTime);
    s.dstBlk = 1;
    s.dstRep = dstRepStride;
    if (s.repeat == 0) return;
    CheckRepeatOperand(dst.addr_, dst.pos_, s, s.dstBlk, s.dstRep, sizeof(T), "Gather");
    CheckVecOperand(src.addr_, src.pos_, 0, "Gather");
    // srcOffset: one uint32 per lane of every repeat, consumed continuously.
    CheckVecOperand(srcOffset.addr_, srcOffset.pos_, uint64_t(s.repeat) * (256 / sizeof(T)) * 4, "Gather");
    opkit::rt::VecGather(opkit::DTypeOf<T>::value, dst.addr_, src.addr_, srcOffset.addr_, srcBaseAddr, s, -1);
}
}  // namespace detail

// soc: 910B 310P
template <typename T>
__aicore__ inline void Gather(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint32_t>& srcOffset,
                              const uint32_t srcBaseAddr, const uint64_t mask[], const uint8_t repeatTime,
                              const uint16_t dstRepStride) {
    detail::GatherRepeat(dst, src, srcOffset, srcBaseAddr, mask, repeatTime, dstRepStride);
}
// soc: 910B 310P
template <typename T>
__aicore__ inline void Gather(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<uint32_t>& srcOffset,
                              const uint32_t srcBaseAddr, const uint64_t mask, const uint8_t repeatTime,
                              const uint16_t dstRepStride) {
    detail::GatherRepeat(dst, src, srcOffset, srcBaseAddr, mask, repeatTime, dstRepStride);
}

// ---- CreateVecIndex ----------------------------------------------------------------------------
namespace detail {
template <typename T>
void RequireIndexType() {
    static_assert(std::is_same<T, half>::value || std::is_same<T, float>::value || std::is_same<T, int16_t>::value ||
                      std::is_same<T, int32_t>::value,
                  "CreateVecIndex takes int16_t, half, int32_t or float on Ascend910B");
}
template <typename T>
T IndexValue(const T& first, int32_t i) {
    if constexpr (std::is_integral<T>::value) return T(int64_t(first) + i);
    else return T(float(first) + float(i));
}
// S -> V: the vector unit must not read the scalar unit's block before it is written.
inline void ScalarToVector() {
    SetFlag<HardEvent::S_V>(EVENT_ID0);
    WaitFlag<HardEvent::S_V>(EVENT_ID0);
}
}  // namespace detail

template <typename T>
__aicore__ inline void CreateVecIndex(LocalTensor<T> dst, const T& firstValue, uint32_t count) {
    detail::RequireIndexType<T>();
    if (count == 0) return;
    constexpr uint32_t blk = 32 / sizeof(T), rep = 256 / sizeof(T);
    detail::Operand(dst, count, "CreateVecIndex");
    for (uint32_t i = 0; i < count && i < blk; ++i) dst.SetValue(i, detail::IndexValue(firstValue, int32_t(i)));
    detail::ScalarToVector();
    // Blocks 1..7 of the first repeat, each from the one before it.
    for (uint32_t b = 1; b < 8 && b * blk < count; ++b) {
        Adds(dst[b * blk], dst[(b - 1) * blk], T(blk), int32_t(count - b * blk < blk ? count - b * blk : blk));
        PipeBarrier<PIPE_V>();
    }
    // Repeats 1.., each from the one before it.
    for (uint32_t r = 1; r * rep < count; ++r) {
        Adds(dst[r * rep], dst[(r - 1) * rep], T(rep), int32_t(count - r * rep < rep ? count - r * rep : rep));
        PipeBarrier<PIPE_V>();
    }
}

namespace detail {
template <typename T>
void IndexRepeat(LocalTensor<T>& dst, const T& firstValue, const uint64_t mask[2], uint8_t repeatTime, uint16_t dstBlkStride,
                 uint8_t dstRepStride) {
    RequireIndexType<T>();
    if (repeatTime == 0) return;
    constexpr uint32_t blk = 32 / sizeof(T), lanes = 256 / sizeof(T);
    auto s = Shape<T, true>(mask, repeatTime);
    CheckRepeatOperand(dst.addr_, dst.pos_, s, dstBlkStride, dstRepStride, sizeof(T), "CreateVecIndex");
    for (uint32_t l = 0; l < lanes; ++l)
        if ((s.mask[l / 64] >> (l % 64)) & 1u)
            dst.SetValue(l / blk * blk * dstBlkStride + l % blk, IndexValue(firstValue, int32_t(l)));
    ScalarToVector();
    UnaryRepeatParams p;
    p.dstBlkStride = dstBlkStride;
    p.srcBlkStride = dstBlkStride;
    for (uint32_t r = 1; r < repeatTime; ++r) {
        Adds(dst[r * dstRepStride * blk], dst[(r - 1) * dstRepStride * blk], T(lanes), s.mask, 1, p);
        PipeBarrier<PIPE_V>();
    }
}
}  // namespace detail

template <typename T>
__aicore__ inline void CreateVecIndex(LocalTensor<T>& dst, const T& firstValue, uint64_t mask[], uint8_t repeatTime,
                                      uint16_t dstBlkStride, uint8_t dstRepStride) {
    detail::IndexRepeat(dst, firstValue, mask, repeatTime, dstBlkStride, dstRepStride);
}
template <typename T>
__aicore__ inline void CreateVecIndex(LocalTensor<T>& dst, const T& firstValue, uint64_t mask, uint8_t repeatTime,
                                      uint16_t dstBlkStride, uint8_t dstRepStride) {
    const uint64_t m[2] = {mask >= 64 ? ~0ull : (1ull << mask) - 1, mask <= 64 ? 0 : (mask >= 128 ? ~0ull : (1ull << (mask - 64)) - 1)};
    if (mask == 0 || mask > 256 / sizeof(T))
        opkit::rt::Fail("CreateVecIndex: continuous mask " + std::to_string(mask) + " is outside 1.." +
                        std::to_string(256 / sizeof(T)));
    detail::IndexRepeat(dst, firstValue, m, repeatTime, dstBlkStride, dstRepStride);
}

// ---- Transpose: one 16x16 matrix of 2-byte elements --------------------------------------------
template <typename T>
__aicore__ inline void Transpose(const LocalTensor<T>& dst, const LocalTensor<T>& src) {
    static_assert(sizeof(T) == 2, "Transpose(dst, src) transposes a 16x16 matrix of 2-byte elements "
                                  "(int16_t, uint16_t, half)");
    detail::Operand(dst, 256, "Transpose");
    detail::Operand(src, 256, "Transpose");
    opkit::rt::VecTranspose16(opkit::DTypeOf<T>::value, dst.addr_, src.addr_);
}

// ---- TransDataTo5HD: 16 data blocks transposed (NCHW -> NC1HWC0, or a matrix transpose) ------------
constexpr int32_t NCHW_CONV_ADDR_LIST_SIZE = 16;

struct TransDataTo5HDParams {
    __aicore__ TransDataTo5HDParams() {}
    __aicore__ TransDataTo5HDParams(const bool dstHighHalfIn, const bool srcHighHalfIn, const uint8_t repeatTimesIn,
                                    const uint16_t dstRepStrideIn, const uint16_t srcRepStrideIn)
        : dstHighHalf(dstHighHalfIn), srcHighHalf(srcHighHalfIn), repeatTimes(repeatTimesIn),
          dstRepStride(dstRepStrideIn), srcRepStride(srcRepStrideIn) {}
    bool dstHighHalf = false;
    bool srcHighHalf = false;
    uint8_t repeatTimes = 1;
    uint16_t dstRepStride = 0;
    uint16_t srcRepStride = 0;
};

namespace detail {
template <typename T>
void TransData5HD(const uint64_t dst[16], const uint64_t src[16], const TransDataTo5HDParams& p) {
    static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4,
                  "TransDataTo5HD takes 1-, 2- or 4-byte elements (int8_t, uint8_t, int16_t, uint16_t, half, "
                  "int32_t, uint32_t, float)");
    opkit::rt::VecTransData5HD(uint32_t(sizeof(T)), dst, src, p.dstHighHalf, p.srcHighHalf, p.repeatTimes,
                               p.dstRepStride, p.srcRepStride);
}
}  // namespace detail

// The address forms: each entry is a UB address as LocalTensor::GetPhyAddr gives it.
template <typename T>
__aicore__ inline void TransDataTo5HD(uint64_t dstList[NCHW_CONV_ADDR_LIST_SIZE], uint64_t srcList[NCHW_CONV_ADDR_LIST_SIZE],
                                      const TransDataTo5HDParams& nchwconvParams) {
    detail::TransData5HD<T>(dstList, srcList, nchwconvParams);
}
template <typename T>
__aicore__ inline void TransDataTo5HD(const LocalTensor<uint64_t>& dst, const LocalTensor<uint64_t>& src,
                                      const TransDataTo5HDParams& nchwconvParams) {
    detail::Operand(dst, 16, "TransDataTo5HD (dst address list)");
    detail::Operand(src, 16, "TransDataTo5HD (src address list)");
    uint64_t d[16], s[16];
    for (int i = 0; i < 16; ++i) d[i] = dst.addr_[i], s[i] = src.addr_[i];
    detail::TransData5HD<T>(d, s, nchwconvParams);
}
template <typename T>
__aicore__ inline void TransDataTo5HD(const LocalTensor<T> (&dstList)[NCHW_CONV_ADDR_LIST_SIZE],
                                      const LocalTensor<T> (&srcList)[NCHW_CONV_ADDR_LIST_SIZE],
                                      const TransDataTo5HDParams& nchwconvParams) {
    uint64_t d[16], s[16];
    for (int i = 0; i < 16; ++i) {
        if (detail::MemOf(dstList[i].GetPosition()) != opkit::rt::Mem::UB ||
            detail::MemOf(srcList[i].GetPosition()) != opkit::rt::Mem::UB)
            opkit::rt::Fail("TransDataTo5HD: every tensor of dstList and srcList must be in UB (VECIN/VECCALC/VECOUT)");
        d[i] = dstList[i].GetPhyAddr(), s[i] = srcList[i].GetPhyAddr();
    }
    detail::TransData5HD<T>(d, s, nchwconvParams);
}

}  // namespace AscendC

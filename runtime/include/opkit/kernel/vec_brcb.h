// opkit: Brcb, the block broadcast instruction (asc-devkit 基础API/Memory矢量计算/数据填充/Brcb.md):
// for each of repeatTime repeats, 8 source elements each fill one 32-byte destination block.
// Runtime: runtime/src/vec_brcb.cpp.
#pragma once

#include "opkit/kernel/vec.h"

namespace opkit {
namespace rt {
void VecBrcb(DType t, void* dst, const void* src, uint32_t repeat, uint16_t dstBlk, uint16_t dstRep);
}  // namespace rt
}  // namespace opkit

namespace AscendC {
namespace detail {
inline bool Overlap(const void* a, uint64_t an, const void* b, uint64_t bn) {
    auto pa = reinterpret_cast<uintptr_t>(a), pb = reinterpret_cast<uintptr_t>(b);
    return an != 0 && bn != 0 && pa < pb + bn && pb < pa + an;
}
}  // namespace detail

struct BrcbRepeatParams {
    BrcbRepeatParams() {}
    BrcbRepeatParams(const uint16_t dstBlkStrideIn, const uint16_t dstRepStrideIn)
        : dstRepStride(dstRepStrideIn), dstBlkStride(dstBlkStrideIn) {}
    uint32_t blockNumber = 8;  // reserved by CANN; ignored
    uint16_t dstRepStride = DEFAULT_REPEAT_STRIDE;
    uint16_t dstBlkStride = DEFAULT_BLK_STRIDE;
    uint8_t src0BlkStride = DEFAULT_BLK_STRIDE;  // reserved
    uint8_t src1BlkStride = DEFAULT_BLK_STRIDE;  // reserved
    uint8_t src0RepStride = DEFAULT_REPEAT_STRIDE;  // reserved
    uint8_t src1RepStride = DEFAULT_REPEAT_STRIDE;  // reserved
    bool repeatStrideMode = false;  // reserved
    bool strideSizeMode = false;    // reserved
};

template <typename T>
__aicore__ inline void Brcb(const LocalTensor<T>& dst, const LocalTensor<T>& src, const uint8_t repeatTime,
                            const BrcbRepeatParams& repeatParams) {
    static_assert(sizeof(T) == 2 || sizeof(T) == 4, "Brcb takes 16- or 32-bit elements");
    if (repeatTime == 0) return;
    const uint64_t blk = repeatParams.dstBlkStride == 0 ? 1 : repeatParams.dstBlkStride;
    detail::CheckVecOperand(src.addr_, src.pos_, uint64_t(repeatTime) * 8 * sizeof(T), "Brcb");
    detail::CheckVecOperand(dst.addr_, dst.pos_, ((uint64_t(repeatTime) - 1) * repeatParams.dstRepStride + 7 * blk + 1) * 32,
                            "Brcb");
    if (detail::Overlap(dst.addr_, ((uint64_t(repeatTime) - 1) * repeatParams.dstRepStride + 7 * blk + 1) * 32, src.addr_,
                        uint64_t(repeatTime) * 8 * sizeof(T)))
        opkit::rt::Fail("Brcb: the source and destination overlap, which the instruction does not allow");
    opkit::rt::VecBrcb(opkit::DTypeOf<T>::value, dst.addr_, src.addr_, repeatTime, repeatParams.dstBlkStride,
                       repeatParams.dstRepStride);
}

}  // namespace AscendC

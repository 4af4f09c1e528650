// opkit's lib/reduce/sum_tiling.h (and mean_tiling.h): GetSumMaxMinTmpSize and GetMeanMaxMinTmpSize
// (高阶API/归约操作/Sum接口/GetSumMaxMinTmpSize.md, Mean接口/GetMeanMaxMinTmpSize.md): one element per
// 256-byte repeat of a row, rounded up to a block (CANN's formula). Mean with a float accumulator for
// half input is not implemented on the kernel side; its query gives CANN's size all the same.
#pragma once

#include <cstdint>

#include "opkit/host/ge_shape.h"

namespace AscendC {
namespace detail {
inline uint32_t SumTmpBytes(uint32_t n, uint32_t typeSize) {
    const uint32_t perBlk = 32 / typeSize, perRep = 256 / typeSize, reps = (n + perRep - 1) / perRep;
    return (reps + perBlk - 1) / perBlk * perBlk * typeSize;
}
// Mean: one byte per repeat rounded up to 32 (CANN's formula); half with a float accumulator adds
// the row in float.
inline uint32_t MeanTmpBytes(uint32_t n, uint32_t srcTypeSize, uint32_t accTypeSize) {
    if (srcTypeSize == 2 && accTypeSize == 4) return ((n + 63) / 64 + 31) / 32 * 32 + (n * 2 + 31) / 32 * 32 / 2 * 4;
    const uint32_t reps = (n + 256 / srcTypeSize - 1) / (256 / srcTypeSize);
    return (reps + 31) / 32 * 32;
}
}  // namespace detail

inline void GetSumMaxMinTmpSize(const uint32_t n, const uint32_t typeSize, const bool isReuseSource, uint32_t& maxSize,
                                uint32_t& minSize) {
    (void)isReuseSource;
    opkit::host::QueryTypeSize("GetSumMaxMinTmpSize", typeSize);
    if (n == 0) opkit::rt::Fail("GetSumMaxMinTmpSize: n is 0; it must be the number of elements in a row (> 0)");
    maxSize = minSize = detail::SumTmpBytes(n, typeSize);
}

inline void GetMeanMaxMinTmpSize(const uint32_t n, const uint32_t srcTypeSize, const uint32_t accTypeSize,
                                 const bool isReuseSource, uint32_t& maxSize, uint32_t& minSize) {
    (void)isReuseSource;
    if (!((srcTypeSize == 2 && (accTypeSize == 2 || accTypeSize == 4)) || (srcTypeSize == 4 && accTypeSize == 4)))
        opkit::rt::Fail("GetMeanMaxMinTmpSize: (srcTypeSize, accTypeSize) = (" + std::to_string(srcTypeSize) + ", " +
                        std::to_string(accTypeSize) + ") is not one of (2, 2), (4, 4), (2, 4)");
    if (n == 0) opkit::rt::Fail("GetMeanMaxMinTmpSize: n is 0; it must be the number of elements in a row (> 0)");
    maxSize = minSize = detail::MeanTmpBytes(n, srcTypeSize, accTypeSize);
}

}  // namespace AscendC

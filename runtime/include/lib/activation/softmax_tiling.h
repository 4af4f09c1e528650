// opkit's lib/activation/softmax_tiling.h: the host side of SoftMax/SimpleSoftMax
// (高阶API/激活函数/SoftMax接口/SoftMax-SimpleSoftMax-Tiling.md): the temporary-buffer sizes and
// SoftMaxTilingFunc, which splits the [m, k] input into passes of splitM rows that fit the buffer.
// The formulas are CANN's for 910B-class SoCs (asc-devkit impl/adv_api/tiling/activation/softmax_tiling.cpp):
// a row needs k floats of work space, one block of reduce results and 64 floats of broadcast space.
#pragma once

#include <algorithm>

#include "lib/activation/softmax_tilingdata.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {
namespace detail {
constexpr uint32_t SOFTMAX_ROW_EXTRA = 64;  // floats per row beside the row itself and its result block

struct SoftMaxMK {
    uint32_t m, k;
};
inline SoftMaxMK SoftMaxShape(const char* query, const ge::Shape& shape, uint32_t typeSize) {
    const uint32_t n = opkit::host::QueryElems(query, shape);
    opkit::host::QueryTypeSize(query, typeSize);
    const int64_t k = shape.GetDim(shape.GetDimNum() - 1);
    if (k <= 0 || (uint64_t(k) * typeSize) % 32 != 0)
        opkit::rt::Fail(std::string(query) + ": the last axis (" + std::to_string(k) + " elements of " +
                        std::to_string(typeSize) + " bytes) must be a positive multiple of 32 bytes; pad it");
    return {uint32_t(n / uint64_t(k)), uint32_t(k)};
}
inline uint32_t SoftMaxRowFloats(uint32_t k, uint32_t typeSize) { return 32 / typeSize + k + SOFTMAX_ROW_EXTRA; }
}  // namespace detail

inline uint32_t GetSoftMaxMaxTmpSize(const ge::Shape& srcShape, const uint32_t dataTypeSize, const bool isReuseSource) {
    (void)isReuseSource;
    const auto s = detail::SoftMaxShape("GetSoftMaxMaxTmpSize", srcShape, dataTypeSize);
    return s.m * detail::SoftMaxRowFloats(s.k, dataTypeSize) * 4;
}
inline uint32_t GetSoftMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t dataTypeSize, const bool isReuseSource) {
    (void)isReuseSource;
    const auto s = detail::SoftMaxShape("GetSoftMaxMinTmpSize", srcShape, dataTypeSize);
    return detail::SoftMaxRowFloats(s.k, dataTypeSize) * 4;
}

// splitM: the rows one pass of localWorkSpaceSize bytes holds; a multiple of 8 when it is not all
// of them, and for a basic block (m % 8 == 0, k % 64 == 0) a divisor of m under 64 * 256 elements.
namespace detail {
// Fills SoftMaxTiling or LogSoftMaxTiling (the same 16 fields, the same rule in CANN).
template <typename Tiling>
void FillSoftMaxTiling(const char* query, const ge::Shape& srcShape, const uint32_t dataTypeSize,
                       const uint32_t localWorkSpaceSize, Tiling& softmaxTiling) {
    const auto s = detail::SoftMaxShape(query, srcShape, dataTypeSize);
    const uint32_t blk = 32 / dataTypeSize;
    uint32_t baseM = std::min(localWorkSpaceSize / 4 / detail::SoftMaxRowFloats(s.k, dataTypeSize), s.m);
    if (baseM < s.m && baseM > 8) baseM = baseM / 8 * 8;
    if (baseM > 8 && s.m % 8 == 0 && s.k % 64 == 0) {
        baseM = baseM / 8 * 8;
        while (s.m % baseM != 0) baseM -= 8;
        while (baseM * s.k >= 64 * 256) baseM /= 2;
    }
    softmaxTiling.set_srcM(s.m);
    softmaxTiling.set_srcK(s.k);
    softmaxTiling.set_srcSize(s.m * s.k);
    softmaxTiling.set_outMaxM(s.m);
    softmaxTiling.set_outMaxK(blk);
    softmaxTiling.set_outMaxSize(s.m * blk);
    softmaxTiling.set_splitM(baseM);
    softmaxTiling.set_splitK(s.k);
    softmaxTiling.set_splitSize(baseM * s.k);
    softmaxTiling.set_reduceM(baseM);
    softmaxTiling.set_reduceK(blk);
    softmaxTiling.set_reduceSize(baseM * blk);
    const uint32_t tail = baseM != 0 ? s.m % baseM : 0;
    softmaxTiling.set_rangeM(baseM != 0 ? s.m / baseM : 0);
    softmaxTiling.set_tailM(tail);
    softmaxTiling.set_tailSplitSize(tail * s.k);
    softmaxTiling.set_tailReduceSize(tail * blk);
}
}  // namespace detail

inline void SoftMaxTilingFunc(const ge::Shape& srcShape, const uint32_t dataTypeSize, const uint32_t localWorkSpaceSize,
                              optiling::SoftMaxTiling& softmaxTiling) {
    detail::FillSoftMaxTiling("SoftMaxTilingFunc", srcShape, dataTypeSize, localWorkSpaceSize, softmaxTiling);
}

}  // namespace AscendC

// opkit's lib/normalization/rmsnorm_tiling.h: GetRmsNormMaxMinTmpSize and GetRmsNormTilingInfo
// (高阶API/归一化操作/RmsNorm-Tiling.md) for a [B, S, H] input, H padded to 32 bytes. Sizes as CANN
// computes them (asc-devkit impl/adv_api/tiling/normalization/rmsnorm_tiling_impl.cpp): per row of H,
// H floats of squares (and H more for a half input cast to float), plus a block of row results.
// Both return false, as documented, for a shape or buffer they cannot serve.
#pragma once

#include "lib/normalization/rmsnorm_tilingdata.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {
namespace detail {
inline uint32_t RmsAlign8(uint32_t v) { return (v + 7) / 8 * 8; }
inline uint32_t RmsCoeff(uint32_t typeSize) { return typeSize == 4 ? 1 : 2; }
inline bool RmsBasicBlockBad(uint32_t b, uint32_t s, uint32_t h) { return h % 64 != 0 || (b * s) % 8 != 0 || h >= 2048; }
}  // namespace detail

inline bool GetRmsNormMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, uint32_t& maxValue,
                                    uint32_t& minValue, const bool isBasicBlock = false) {
    if (srcShape.GetDimNum() != 3 || (typeSize != 2 && typeSize != 4)) return false;
    const uint32_t b = uint32_t(srcShape.GetDim(0)), s = uint32_t(srcShape.GetDim(1)), h = uint32_t(srcShape.GetDim(2));
    if (isBasicBlock && detail::RmsBasicBlockBad(b, s, h)) return false;
    const uint32_t bsAligned = (b * s + 32 / typeSize - 1) / (32 / typeSize) * (32 / typeSize);
    maxValue = (b * s * h * detail::RmsCoeff(typeSize) + bsAligned) * 4;
    minValue = (h * detail::RmsCoeff(typeSize) + 8) * 4;
    return true;
}

inline bool GetRmsNormTilingInfo(const ge::Shape& srcShape, const ge::Shape& originSrcShape,
                                 const uint32_t stackBufferByteSize, const uint32_t typeSize,
                                 optiling::RmsNormTiling& tiling, const bool isBasicBlock = false) {
    if (srcShape.GetDimNum() != 3 || originSrcShape.GetDimNum() != 3 || (typeSize != 2 && typeSize != 4)) return false;
    const uint32_t b = uint32_t(srcShape.GetDim(0)), s = uint32_t(srcShape.GetDim(1)), h = uint32_t(srcShape.GetDim(2));
    const uint32_t oriH = uint32_t(originSrcShape.GetDim(2));
    if (b != originSrcShape.GetDim(0) || s != originSrcShape.GetDim(1) || h < oriH || oriH == 0 || h == 0) return false;
    if ((h * typeSize) % 32 != 0 || (isBasicBlock && detail::RmsBasicBlockBad(b, s, h))) return false;
    const uint32_t coeff = detail::RmsCoeff(typeSize), total = stackBufferByteSize / 4;
    if (stackBufferByteSize < (h * coeff + 8) * 4) return false;
    uint32_t bs = 1;
    while (total >= (bs + 1) * h * coeff + detail::RmsAlign8(bs + 1)) ++bs;
    const uint32_t input = b * s * h;
    bs = (bs * h > input ? input : bs * h) / h;
    if (isBasicBlock)
        bs = bs < 8 ? bs : bs / 8 * 8;
    else if (bs > 255)
        bs = 255;
    const uint32_t one = bs * h;
    tiling.set_bLength(b);
    tiling.set_sLength(s);
    tiling.set_hLength(h);
    tiling.set_originalHLength(oriH);
    tiling.set_reciprocalOfHLength(1.0f / float(oriH));
    tiling.set_mainBshLength(one);
    tiling.set_mainBsLength(bs);
    tiling.set_mainBsLengthAlign((bs + 7) / 8 * 8);
    tiling.set_loopRound(input / one);
    tiling.set_tailBshLength(input % one);
    tiling.set_inputTailPos(input - input % one);
    tiling.set_tailBsLength(input % one / h);
    return true;
}

}  // namespace AscendC

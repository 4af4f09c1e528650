// opkit's lib/normalization/layernorm_tiling.h: GetLayerNormMaxMinTmpSize and GetLayerNormNDTilingInfo
// for the [B, S, H] LayerNorm (高阶API/归一化操作/LayerNorm-Tiling.md). srcShape is
// {B, S, storageHLength, originHLength}. Sizes and splitting as CANN computes them (asc-devkit
// impl/adv_api/tiling/normalization/layernorm_tiling_impl.cpp): three float buffers of whole rows (two
// with isReuseSource on float) and, for half, float space for the B*S means and variances.
// The [A, R] (rstd) form is not implemented.
#pragma once

#include "lib/normalization/layernorm_tilingdata.h"
#include "opkit/host/ge_shape.h"

namespace AscendC {
namespace detail {
struct LnShape {
    uint32_t b, s, h, oriH;
};
inline LnShape LayerNormShape(const char* query, const ge::Shape& shape, uint32_t typeSize) {
    if (shape.GetDimNum() != 4)
        opkit::rt::Fail(std::string(query) + ": srcShape has " + std::to_string(shape.GetDimNum()) +
                        " dimensions; it must be {B, S, storageHLength, originHLength}");
    opkit::host::QueryTypeSize(query, typeSize);
    const LnShape s{uint32_t(shape.GetDim(0)), uint32_t(shape.GetDim(1)), uint32_t(shape.GetDim(2)), uint32_t(shape.GetDim(3))};
    if (s.b == 0 || s.s == 0 || s.h == 0 || s.oriH == 0 || s.oriH > s.h || (s.h * typeSize) % 32 != 0)
        opkit::rt::Fail(std::string(query) + ": srcShape {" + std::to_string(s.b) + ", " + std::to_string(s.s) + ", " +
                        std::to_string(s.h) + ", " + std::to_string(s.oriH) + "} is not {B, S, H, original H} with H a "
                        "multiple of 32 bytes and 0 < original H <= H");
    return s;
}
inline uint32_t Align32(uint32_t bytes) { return (bytes + 31) / 32 * 32; }
inline uint32_t LnBuffers(uint32_t typeSize, bool reuse) { return reuse && typeSize == 4 ? 2 : 3; }
}  // namespace detail

inline void GetLayerNormMaxMinTmpSize(const ge::Shape& srcShape, const uint32_t typeSize, const bool isReuseSource,
                                      uint32_t& maxValue, uint32_t& minValue) {
    const auto s = detail::LayerNormShape("GetLayerNormMaxMinTmpSize", srcShape, typeSize);
    const uint32_t mv = detail::Align32(s.b * s.s * 4), bufs = detail::LnBuffers(typeSize, isReuseSource);
    maxValue = bufs * detail::Align32(s.b * s.s * s.h * 4) + 2 * mv;
    minValue = bufs * detail::Align32(s.h * 4) + 2 * mv;
}

inline void GetLayerNormNDTilingInfo(const ge::Shape& srcShape, const uint32_t stackBufferSize, const uint32_t typeSize,
                                     const bool isReuseSource, optiling::LayerNormTiling& tiling) {
    const auto s = detail::LayerNormShape("GetLayerNormNDTilingInfo", srcShape, typeSize);
    const uint32_t inputX = s.b * s.s * s.h, meanVar = s.b * s.s, bufs = detail::LnBuffers(typeSize, isReuseSource);
    const uint32_t mvTmp = (meanVar + 7) / 8 * 8, mvTotal = typeSize == 4 ? 0 : 2 * mvTmp;
    const uint32_t total = stackBufferSize / 4;
    uint32_t one = total > mvTotal ? (total - mvTotal) / bufs / s.h * s.h : 0;
    if (one > inputX) one = inputX;
    if (one == 0) return;  // as CANN: the tiling stays unfilled (the kernel refuses it)
    const uint32_t tail = inputX % one;
    tiling.set_bLength(s.b);
    tiling.set_sLength(s.s);
    tiling.set_hLength(s.h);
    tiling.set_originalHLength(s.oriH);
    tiling.set_inputXSize(inputX);
    tiling.set_meanVarSize(meanVar);
    tiling.set_numberOfTmpBuf(bufs);
    tiling.set_meanTmpTensorPos(0);
    tiling.set_meanTmpTensorSize(mvTmp);
    tiling.set_varianceTmpTensorPos(mvTmp);
    tiling.set_varianceTmpTensorSize(mvTmp);
    tiling.set_tmpBufSize(total);
    tiling.set_oneTmpSize(one);
    tiling.set_firstTmpStartPos(mvTotal);
    tiling.set_secondTmpStartPos(mvTotal + one);
    tiling.set_thirdTmpStartPos(mvTotal + 2 * one);
    tiling.set_loopRound(inputX / one);
    tiling.set_inputRoundSize(one);
    tiling.set_inputTailSize(tail);
    tiling.set_inputTailPos(inputX - tail);
    tiling.set_meanVarRoundSize(one / s.h);
    tiling.set_meanVarTailSize(tail / s.h);
    tiling.set_meanVarTailPos(meanVar - tail / s.h);
    tiling.set_bshCurLength(one);
    tiling.set_bsCurLength(one / s.h);
    tiling.set_lastDimValueBack(1.0f / float(s.oriH));
}

}  // namespace AscendC

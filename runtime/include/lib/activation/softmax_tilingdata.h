// opkit's lib/activation/softmax_tilingdata.h: SoftMaxTiling, the tiling of SoftMax/SimpleSoftMax
// (fields in the documented order, asc-devkit include/adv_api/activation/softmax_tilingdata.h). Like
// TCubeTiling (Note [One TCubeTiling] in kernel_tiling/kernel_tiling.h) the host class
// optiling::SoftMaxTiling, AscendC::tiling::SoftMaxTiling and the kernel's ::SoftMaxTiling are one
// packed type: a kernel reads the bytes the host's SoftMaxTilingFunc wrote, 16 uint32 fields.
#pragma once

#include "register/tilingdata_base.h"

// The 16 fields SoftMaxTiling and LogSoftMaxTiling share, in the documented order.
#define OPKIT_SOFTMAX_TILING_FIELDS \
    TILING_DATA_FIELD_DEF(uint32_t, srcM); \
    TILING_DATA_FIELD_DEF(uint32_t, srcK); \
    TILING_DATA_FIELD_DEF(uint32_t, srcSize); \
    TILING_DATA_FIELD_DEF(uint32_t, outMaxM); \
    TILING_DATA_FIELD_DEF(uint32_t, outMaxK); \
    TILING_DATA_FIELD_DEF(uint32_t, outMaxSize); \
    TILING_DATA_FIELD_DEF(uint32_t, splitM); \
    TILING_DATA_FIELD_DEF(uint32_t, splitK); \
    TILING_DATA_FIELD_DEF(uint32_t, splitSize); \
    TILING_DATA_FIELD_DEF(uint32_t, reduceM); \
    TILING_DATA_FIELD_DEF(uint32_t, reduceK); \
    TILING_DATA_FIELD_DEF(uint32_t, reduceSize); \
    TILING_DATA_FIELD_DEF(uint32_t, rangeM); \
    TILING_DATA_FIELD_DEF(uint32_t, tailM); \
    TILING_DATA_FIELD_DEF(uint32_t, tailSplitSize); \
    TILING_DATA_FIELD_DEF(uint32_t, tailReduceSize);

namespace optiling {
BEGIN_TILING_DATA_DEF(SoftMaxTiling)
OPKIT_SOFTMAX_TILING_FIELDS
END_TILING_DATA_DEF;
}  // namespace optiling

using SoftMaxTiling = optiling::SoftMaxTiling;
namespace AscendC {
namespace tiling {
using SoftMaxTiling = optiling::SoftMaxTiling;
}  // namespace tiling
}  // namespace AscendC
static_assert(sizeof(SoftMaxTiling) == 16 * sizeof(uint32_t), "SoftMaxTiling is 16 packed uint32 fields");

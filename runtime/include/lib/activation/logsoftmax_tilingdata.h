// opkit's lib/activation/logsoftmax_tilingdata.h: LogSoftMaxTiling, the tiling of LogSoftMax. Its 16
// uint32 fields are SoftMaxTiling's, in the same order (asc-devkit include/adv_api/activation/
// logsoftmax_tilingdata.h); a distinct type, so a kernel names the one it was given.
#pragma once

#include "register/tilingdata_base.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(LogSoftMaxTiling)
TILING_DATA_FIELD_DEF(uint32_t, srcM);
TILING_DATA_FIELD_DEF(uint32_t, srcK);
TILING_DATA_FIELD_DEF(uint32_t, srcSize);
TILING_DATA_FIELD_DEF(uint32_t, outMaxM);
TILING_DATA_FIELD_DEF(uint32_t, outMaxK);
TILING_DATA_FIELD_DEF(uint32_t, outMaxSize);
TILING_DATA_FIELD_DEF(uint32_t, splitM);
TILING_DATA_FIELD_DEF(uint32_t, splitK);
TILING_DATA_FIELD_DEF(uint32_t, splitSize);
TILING_DATA_FIELD_DEF(uint32_t, reduceM);
TILING_DATA_FIELD_DEF(uint32_t, reduceK);
TILING_DATA_FIELD_DEF(uint32_t, reduceSize);
TILING_DATA_FIELD_DEF(uint32_t, rangeM);
TILING_DATA_FIELD_DEF(uint32_t, tailM);
TILING_DATA_FIELD_DEF(uint32_t, tailSplitSize);
TILING_DATA_FIELD_DEF(uint32_t, tailReduceSize);
END_TILING_DATA_DEF;
}  // namespace optiling

using LogSoftMaxTiling = optiling::LogSoftMaxTiling;
namespace AscendC {
namespace tiling {
using LogSoftMaxTiling = optiling::LogSoftMaxTiling;
}  // namespace tiling
}  // namespace AscendC
static_assert(sizeof(LogSoftMaxTiling) == 16 * sizeof(uint32_t), "LogSoftMaxTiling is 16 packed uint32 fields");

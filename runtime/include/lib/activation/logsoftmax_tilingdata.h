// opkit's lib/activation/logsoftmax_tilingdata.h: LogSoftMaxTiling, the tiling of LogSoftMax. Its 16
// uint32 fields are SoftMaxTiling's, in the same order (asc-devkit include/adv_api/activation/
// logsoftmax_tilingdata.h); a distinct type, so a kernel names the one it was given.
#pragma once

#include "lib/activation/softmax_tilingdata.h"  // OPKIT_SOFTMAX_TILING_FIELDS
#include "register/tilingdata_base.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(LogSoftMaxTiling)
OPKIT_SOFTMAX_TILING_FIELDS
END_TILING_DATA_DEF;
}  // namespace optiling

using LogSoftMaxTiling = optiling::LogSoftMaxTiling;
namespace AscendC {
namespace tiling {
using LogSoftMaxTiling = optiling::LogSoftMaxTiling;
}  // namespace tiling
}  // namespace AscendC
static_assert(sizeof(LogSoftMaxTiling) == 16 * sizeof(uint32_t), "LogSoftMaxTiling is 16 packed uint32 fields");

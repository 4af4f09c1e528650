// opkit's lib/normalization/rmsnorm_tilingdata.h: RmsNormTiling (fields in the documented order,
// 高阶API/归一化操作/RmsNorm-Tiling.md). One packed type under its host, AscendC::tiling and kernel
// names, as Note [One TCubeTiling] (kernel_tiling/kernel_tiling.h) explains.
#pragma once

#include "register/tilingdata_base.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(RmsNormTiling)
TILING_DATA_FIELD_DEF(uint32_t, bLength);
TILING_DATA_FIELD_DEF(uint32_t, sLength);
TILING_DATA_FIELD_DEF(uint32_t, hLength);
TILING_DATA_FIELD_DEF(uint32_t, originalHLength);
TILING_DATA_FIELD_DEF(float, reciprocalOfHLength);
TILING_DATA_FIELD_DEF(uint32_t, mainBshLength);
TILING_DATA_FIELD_DEF(uint32_t, mainBsLength);
TILING_DATA_FIELD_DEF(uint32_t, mainBsLengthAlign);
TILING_DATA_FIELD_DEF(uint32_t, loopRound);
TILING_DATA_FIELD_DEF(uint32_t, inputTailPos);
TILING_DATA_FIELD_DEF(uint32_t, tailBshLength);
TILING_DATA_FIELD_DEF(uint32_t, tailBsLength);
END_TILING_DATA_DEF;
}  // namespace optiling

using RmsNormTiling = optiling::RmsNormTiling;
namespace AscendC {
namespace tiling {
using RmsNormTiling = optiling::RmsNormTiling;
}  // namespace tiling
}  // namespace AscendC
static_assert(sizeof(RmsNormTiling) == 12 * 4, "RmsNormTiling is 12 packed 4-byte fields");

// CrashCustom's tiling data: which way the kernel misbehaves.
#pragma once
#include "register/tilingdata_base.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(CrashCustomTilingData)
TILING_DATA_FIELD_DEF(int32_t, mode);
END_TILING_DATA_DEF;

REGISTER_TILING_DATA_CLASS(CrashCustom, CrashCustomTilingData)
}  // namespace optiling

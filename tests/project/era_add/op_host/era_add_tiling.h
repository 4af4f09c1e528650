// EraAdd's tiling data (tests/project/test_era_host.py).
#ifndef ERA_ADD_TILING_H
#define ERA_ADD_TILING_H
#include "register/tilingdata_base.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(EraAddTilingData)
TILING_DATA_FIELD_DEF(uint32_t, totalLength);
TILING_DATA_FIELD_DEF(uint32_t, tileNum);
END_TILING_DATA_DEF;

REGISTER_TILING_DATA_CLASS(EraAdd, EraAddTilingData)
}  // namespace optiling
#endif

// EchoTiling's tiling data: fields of every width, an array and odd sizes, to pin the packing.
#pragma once
#include "register/tilingdata_base.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(EchoTilingTilingData)
TILING_DATA_FIELD_DEF(uint8_t, tag);
TILING_DATA_FIELD_DEF(int16_t, shortValue);
TILING_DATA_FIELD_DEF(float, scale);
TILING_DATA_FIELD_DEF(uint64_t, length);
TILING_DATA_FIELD_DEF_ARR(int32_t, 3, triple);
TILING_DATA_FIELD_DEF(uint8_t, last);
TILING_DATA_FIELD_DEF(uint8_t, odd);
END_TILING_DATA_DEF;

REGISTER_TILING_DATA_CLASS(EchoTiling, EchoTilingTilingData)
}  // namespace optiling

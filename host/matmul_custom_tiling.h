// Tiling data of MatmulCustom, shared by host/matmul_custom.cpp and kernels/matmul_custom.cpp: the Matmul
// API's TCubeTiling (computed by matmul_tiling::MultiCoreMatmulTiling) and whether a bias came.
#pragma once
#include "register/tilingdata_base.h"
#include "tiling/tiling_api.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(MatmulCustomTilingData)
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, cube);
TILING_DATA_FIELD_DEF(uint32_t, hasBias);
END_TILING_DATA_DEF;

REGISTER_TILING_DATA_CLASS(MatmulCustom, MatmulCustomTilingData)
}  // namespace optiling

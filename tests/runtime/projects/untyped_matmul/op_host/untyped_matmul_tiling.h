// UntypedMatmul's tiling data: one TCubeTiling for the two AIV halves of M.
#pragma once
#include "register/tilingdata_base.h"
#include "tiling/tiling_api.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(UntypedMatmulTilingData)
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, cube);
END_TILING_DATA_DEF;

REGISTER_TILING_DATA_CLASS(UntypedMatmul, UntypedMatmulTilingData)
}  // namespace optiling

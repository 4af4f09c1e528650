// Tiling data of LoraMatmulCustom, shared by host/lora_matmul_custom.cpp and kernels/lora_matmul_custom.cpp.
// Sizes are elements unless named *Bytes; workspace offsets are bytes from the user workspace
// (GetUserWorkspace). The kernel's design note explains each phase (kernels/lora_matmul_custom.cpp).
#pragma once
#include "register/tilingdata_base.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(LoraMatmulCustomTilingData)
TILING_DATA_FIELD_DEF(uint32_t, m);          // rows of x (its leading dimensions, flattened)
TILING_DATA_FIELD_DEF(uint32_t, n);          // out
TILING_DATA_FIELD_DEF(uint32_t, k);          // in
TILING_DATA_FIELD_DEF(uint32_t, r);          // adapter rank
TILING_DATA_FIELD_DEF(uint32_t, adapters);   // adapters in a and b (1 for the 2-D forms)
TILING_DATA_FIELD_DEF(uint32_t, hasBias);
TILING_DATA_FIELD_DEF(uint32_t, hasIds);     // adapter_ids given (else every row uses adapter 0)
TILING_DATA_FIELD_DEF(uint32_t, hasXLora);   // x_lora given (phase 1 reads it; else x)
TILING_DATA_FIELD_DEF(float, scale);
TILING_DATA_FIELD_DEF(uint32_t, chunk);      // phase 1: rows per block (a multiple of 16)
TILING_DATA_FIELD_DEF(uint32_t, baseM);      // phase 2 output tile rows (multiple of 16, <= 128)
TILING_DATA_FIELD_DEF(uint32_t, baseN);      // phase 2 output tile columns (multiple of 16, <= 256)
TILING_DATA_FIELD_DEF(uint32_t, baseK);      // K per Mmad (64)
TILING_DATA_FIELD_DEF(uint32_t, kL1);        // K per L1 tile (a multiple of baseK)
TILING_DATA_FIELD_DEF(uint32_t, tilesM);
TILING_DATA_FIELD_DEF(uint32_t, tilesN);
TILING_DATA_FIELD_DEF(uint32_t, wsCodes);    // int32 per 16-row group: its adapter, or -2 when mixed
TILING_DATA_FIELD_DEF(uint32_t, wsT);        // float [m, r]: x_lora (or x) · A[id]ᵀ
TILING_DATA_FIELD_DEF(uint32_t, wsTs);       // dtype [m, r]: scale · T rounded to dtype (the high part)
TILING_DATA_FIELD_DEF(uint32_t, wsTsLo);     // dtype [m, r]: what that rounding lost (the low part)
TILING_DATA_FIELD_DEF(uint32_t, wsZero);     // dtype [baseM, r] of zeros
END_TILING_DATA_DEF;

REGISTER_TILING_DATA_CLASS(LoraMatmulCustom, LoraMatmulCustomTilingData)
}  // namespace optiling

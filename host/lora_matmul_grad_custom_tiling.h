// Tiling data of LoraMatmulGradCustom, shared by host/lora_matmul_grad_custom.cpp and
// kernels/lora_matmul_grad_custom.cpp: the problem's sizes, the scale, and one TCubeTiling per Matmul the
// kernel runs (Note [LoRA backward phases] in the kernel says which phase runs which).
#pragma once
#include "register/tilingdata_base.h"
#include "tiling/tiling_api.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(LoraMatmulGradCustomTilingData)
TILING_DATA_FIELD_DEF(uint32_t, m);         // rows of dy and x (their leading dims flattened)
TILING_DATA_FIELD_DEF(uint32_t, in);        // x's last dim, W's columns
TILING_DATA_FIELD_DEF(uint32_t, out);       // dy's last dim, W's rows
TILING_DATA_FIELD_DEF(uint32_t, rank);      // r
TILING_DATA_FIELD_DEF(uint32_t, adapters);  // n (1 for a 2-D a)
TILING_DATA_FIELD_DEF(uint32_t, hasIds);
TILING_DATA_FIELD_DEF(uint32_t, rowsPerBlock);  // phase 1/2: block i owns rows [i * rowsPerBlock, +rowsPerBlock)
TILING_DATA_FIELD_DEF(uint32_t, rowsPerChunk);  // phase 2: rows the vector core masks per UB round
TILING_DATA_FIELD_DEF(float, scale);
TILING_DATA_FIELD_DEF(uint64_t, wsGf);    // byte offsets in the user workspace: Gf, Hf fp32 [M, R]
TILING_DATA_FIELD_DEF(uint64_t, wsHf);
TILING_DATA_FIELD_DEF(uint64_t, wsXaug);  // [dy | Gs]  T [M, out + R]
TILING_DATA_FIELD_DEF(uint64_t, wsWaug);  // [W ; A_all] T [out + R, in]
TILING_DATA_FIELD_DEF(uint64_t, wsGs);    // Gs, Hs  T [M, R]
TILING_DATA_FIELD_DEF(uint64_t, wsHs);
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, g);   // G = dy · B_j      rowsPerBlock x r, K = out
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, h);   // H = x · A_allᵀ    rowsPerBlock x R, K = in
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, dx);  // dx = [dy | Gs] · [W ; A_all]   M x in, K = out + R
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, da);  // dA_all = Gsᵀ · x  R x in, K = M
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, db);  // dB_j = dyᵀ · Hs_j out x r, K = M
END_TILING_DATA_DEF;

REGISTER_TILING_DATA_CLASS(LoraMatmulGradCustom, LoraMatmulGradCustomTilingData)
}  // namespace optiling

// Tiling data of LoraMatmulGradCustom, shared by host/lora_matmul_grad_custom.cpp and
// kernels/lora_matmul_grad_custom.cpp: the problem's sizes, workspace offsets, one TCubeTiling per Matmul the
// kernel runs (Note [LoRA backward phases] in the kernel) and the scale as matrices (Note [Scale on the cube]).
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
TILING_DATA_FIELD_DEF(float, scale);
TILING_DATA_FIELD_DEF(uint32_t, rowsPerBlock);  // phase 1: core i owns rows [i * rowsPerBlock, +rowsPerBlock)
TILING_DATA_FIELD_DEF(uint64_t, wsGt);  // byte offsets in the user workspace: Gt, Ht, Gs, Hs, each T [M, R]
TILING_DATA_FIELD_DEF(uint64_t, wsHt);
TILING_DATA_FIELD_DEF(uint64_t, wsGs);
TILING_DATA_FIELD_DEF(uint64_t, wsHs);
TILING_DATA_FIELD_DEF(uint32_t, hasXLora);  // x_lora given: Ht and dA read it instead of x (here: the
                                            // uint64 offsets above stay 8-byte aligned)
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, g);    // Gt = dy·B_j             rowsPerBlock x r, K = out
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, h);    // Ht = xl·A_allᵀ          rowsPerBlock x R, K = in
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, s);    // Gs = Gt·S (16-wide)     rowsPerBlock x 16, K = 16
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, dx);   // dx = dy·W               M x in, K = out (multi-core)
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, dxl);  // dx += Gs·A_all          dx's share, K = R
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, da);   // dA_all = Gsᵀ·xl         R x in, K = M (multi-core)
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, db);   // dB_j = dyᵀ·Hs_j         out x r, K = M (multi-core)
// Note [Scale on the cube]: the cube cannot multiply by a scalar, so s enters as a matrix operand: two
// 16 x 16 matrices of the input dtype, s·I and 0 (bit patterns), read by the kernel from the tiling data
// in GM (CANN hands the kernel its tiling as a GM address).
TILING_DATA_FIELD_DEF_ARR(uint16_t, 512, consts);
END_TILING_DATA_DEF;

REGISTER_TILING_DATA_CLASS(LoraMatmulGradCustom, LoraMatmulGradCustomTilingData)
}  // namespace optiling

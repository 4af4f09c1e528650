// opkit's kernel_tiling/kernel_tiling.h: the tiling structs of the kernel API's high-level library.
//
// Note [One TCubeTiling]: CANN has two spellings of the matmul tiling, a host class
// (optiling::TCubeTiling, with set_/get_ accessors, filled by matmul_tiling::MatmulApiTiling) and a
// plain kernel struct (::TCubeTiling, read by the Matmul API). Kernels copy one into the other word
// by word (`sizeof(TCubeTiling) / sizeof(uint32_t)` uint32 words), so both must have the same
// packed layout. opkit, like its tiling-data macros (register/tilingdata_base.h), defines the type
// once and names it twice.
//
// Fields: the 33 int32 fields of the classic (CANN 7.x/8.0) TCubeTiling, in the documented order
// (asc-devkit, "TCubeTiling结构体"): 132 bytes. The 2024 official samples size their tiling buffer at
// 48 words and copy sizeof(TCubeTiling) bytes from it, so the struct must stay within 192 bytes.
#pragma once

#include "register/tilingdata_base.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(TCubeTiling)
TILING_DATA_FIELD_DEF(int32_t, usedCoreNum);
TILING_DATA_FIELD_DEF(int32_t, M);
TILING_DATA_FIELD_DEF(int32_t, N);
TILING_DATA_FIELD_DEF(int32_t, Ka);
TILING_DATA_FIELD_DEF(int32_t, Kb);
TILING_DATA_FIELD_DEF(int32_t, singleCoreM);
TILING_DATA_FIELD_DEF(int32_t, singleCoreN);
TILING_DATA_FIELD_DEF(int32_t, singleCoreK);
TILING_DATA_FIELD_DEF(int32_t, baseM);
TILING_DATA_FIELD_DEF(int32_t, baseN);
TILING_DATA_FIELD_DEF(int32_t, baseK);
TILING_DATA_FIELD_DEF(int32_t, depthA1);
TILING_DATA_FIELD_DEF(int32_t, depthB1);
TILING_DATA_FIELD_DEF(int32_t, stepM);
TILING_DATA_FIELD_DEF(int32_t, stepN);
TILING_DATA_FIELD_DEF(int32_t, isBias);
TILING_DATA_FIELD_DEF(int32_t, transLength);
TILING_DATA_FIELD_DEF(int32_t, iterateOrder);
TILING_DATA_FIELD_DEF(int32_t, shareMode);
TILING_DATA_FIELD_DEF(int32_t, shareL1Size);
TILING_DATA_FIELD_DEF(int32_t, shareL0CSize);
TILING_DATA_FIELD_DEF(int32_t, shareUbSize);
TILING_DATA_FIELD_DEF(int32_t, batchM);
TILING_DATA_FIELD_DEF(int32_t, batchN);
TILING_DATA_FIELD_DEF(int32_t, singleBatchM);
TILING_DATA_FIELD_DEF(int32_t, singleBatchN);
TILING_DATA_FIELD_DEF(int32_t, stepKa);
TILING_DATA_FIELD_DEF(int32_t, stepKb);
TILING_DATA_FIELD_DEF(int32_t, depthAL1CacheUB);
TILING_DATA_FIELD_DEF(int32_t, depthBL1CacheUB);
TILING_DATA_FIELD_DEF(int32_t, dbL0A);
TILING_DATA_FIELD_DEF(int32_t, dbL0B);
TILING_DATA_FIELD_DEF(int32_t, dbL0C);
END_TILING_DATA_DEF;
}  // namespace optiling

// The kernel's spelling (Note [One TCubeTiling]).
using TCubeTiling = optiling::TCubeTiling;
static_assert(sizeof(TCubeTiling) == 33 * sizeof(int32_t), "TCubeTiling is 33 packed int32 fields");

// cube_tiling_data: a TCubeTiling inside an op's tiling data, written by host code and read by a
// kernel, as the official MatmulLeakyReluCustom does (TILING_DATA_FIELD_DEF_STRUCT after a float).
//
// The host fills MatmulLeakyreluTilingData with MultiCoreMatmulTiling (2 cores, 1024x640x256 fp16,
// bias, base 256x128), saves it to a GM blob; one core copies it back with
// GET_TILING_DATA_WITH_STRUCT and writes alpha's bits and the 33 TCubeTiling fields into out.
// (Host code that also has `using namespace AscendC` qualifies matmul_tiling::TPosition, as with CANN.)
// main prints "host <alpha bits> <33 fields>" and "kernel <the same, as read by the kernel>".
// Tested by: pytest tests/runtime/test_matmul_tiling.py -k tiling_data
#include <cstdio>
#include <cstring>

#include "tikicpulib.h"
#include "tiling/tiling_api.h"

namespace optiling {
BEGIN_TILING_DATA_DEF(MatmulLeakyreluTilingData)
TILING_DATA_FIELD_DEF(float, alpha);
TILING_DATA_FIELD_DEF_STRUCT(TCubeTiling, cubeTilingData);
END_TILING_DATA_DEF;
}  // namespace optiling

using namespace AscendC;

namespace {
constexpr int WORDS = 34;
}

extern "C" __global__ __aicore__ void read_tiling(GM_ADDR out, GM_ADDR tiling) {
    GET_TILING_DATA_WITH_STRUCT(optiling::MatmulLeakyreluTilingData, data, tiling);
    const TCubeTiling& t = data.cubeTilingData;
    GlobalTensor<int32_t> outGm;
    outGm.SetGlobalBuffer((__gm__ int32_t*)out, WORDS);
    int32_t alphaBits;
    std::memcpy(&alphaBits, &data.alpha, 4);
    const int32_t fields[WORDS] = {alphaBits, t.usedCoreNum, t.M, t.N, t.Ka, t.Kb, t.singleCoreM, t.singleCoreN,
        t.singleCoreK, t.baseM, t.baseN, t.baseK, t.depthA1, t.depthB1, t.stepM, t.stepN, t.isBias, t.transLength,
        t.iterateOrder, t.shareMode, t.shareL1Size, t.shareL0CSize, t.shareUbSize, t.batchM, t.batchN,
        t.singleBatchM, t.singleBatchN, t.stepKa, t.stepKb, t.depthAL1CacheUB, t.depthBL1CacheUB, t.dbL0A, t.dbL0B,
        t.dbL0C};
    for (int i = 0; i < WORDS; ++i) outGm.SetValue(i, fields[i]);
}

int main() {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    optiling::MatmulLeakyreluTilingData tiling;
    tiling.set_alpha(0.001f);
    matmul_tiling::MultiCoreMatmulTiling cube;  // the default SoC
    cube.SetDim(2);
    cube.SetAType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, matmul_tiling::DataType::DT_FLOAT16);
    cube.SetBType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, matmul_tiling::DataType::DT_FLOAT16);
    cube.SetCType(matmul_tiling::TPosition::LCM, matmul_tiling::CubeFormat::ND, matmul_tiling::DataType::DT_FLOAT);
    cube.SetBiasType(matmul_tiling::TPosition::GM, matmul_tiling::CubeFormat::ND, matmul_tiling::DataType::DT_FLOAT);
    cube.SetShape(1024, 640, 256);
    cube.SetOrgShape(1024, 640, 256);
    cube.SetFixSplit(256, 128, -1);
    cube.SetBias(true);
    cube.SetBufferSpace(-1, -1, -1);
    if (cube.GetTiling(tiling.cubeTilingData) == -1) {
        std::printf("GetTiling failed: %s\n", cube.GetFailReason());
        return 1;
    }
    tiling.cubeTilingData.set_stepM(1);
    uint8_t* blob = (uint8_t*)GmAlloc(tiling.GetDataSize());
    tiling.SaveToBuffer(blob, tiling.GetDataSize());
    int32_t* out = (int32_t*)GmAlloc(WORDS * sizeof(int32_t));
    ICPU_RUN_KF(read_tiling, 1, (GM_ADDR)out, (GM_ADDR)blob);
    int32_t host[WORDS];
    std::memcpy(host, &tiling, sizeof(host));
    std::printf("host");
    for (int32_t w : host) std::printf(" %d", w);
    std::printf("\nkernel");
    for (int i = 0; i < WORDS; ++i) std::printf(" %d", out[i]);
    std::printf("\n");
    GmFree(out);
    GmFree(blob);
    return 0;
}

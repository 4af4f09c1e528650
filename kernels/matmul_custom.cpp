// matmul_custom: y = x · w (+ bias) for float16 and bfloat16, with fp32 accumulation on the cube and the
// result rounded once to the input dtype; transpose_w reads w as [N, K] (nn.Dense's layout).
//
// Written with the Matmul high-level API (lib/matmul_intf.h), which issues the basic cube instructions
// (DataCopy ND->NZ into L1, LoadData into L0A/L0B, Mmad, Fixpipe NZ->ND), so npu_simulator checks and
// costs each of them. A pure cube kernel (KERNEL_TYPE_AIC_ONLY): no vector work, so no AIV cores.
//
// Tiling (host/matmul_custom.cpp, MultiCoreMatmulTiling over every cube core): x's leading dimensions
// are one M; the grid of singleCoreM x singleCoreN blocks of y goes to the cores, M fastest:
//
//        N ->  core 0   core m   ...          core c computes y[mi*sM : +sM, ni*sN : +sN] with
//   M  ┌───────┬───────┬──              mi = c % ceil(M/sM), ni = c / ceil(M/sM); the last row and
//   |  │ c0    │ c m   │                column of blocks are shorter (SetTail), K is never split.
//   v  ├───────┼───────┼──              Inside a block the Matmul API walks baseM x baseN tiles with
//      │ c1    │ ...   │                K in baseK steps (L1 holds stepKa/stepKb of them, L0 double-
//                                       buffered per dbL0A/dbL0B).
//
// Test: pytest tests/ops/test_matmul_custom.py --mode=cpu (and --mode=npu_simulator)
#define ASCENDC_CUBE_ONLY  // CANN: a Matmul on the cube core alone, no vector-core client
#include "kernel_operator.h"
#include "lib/matmul_intf.h"

using namespace AscendC;
using namespace matmul;

template <typename T, bool TRANS_W>
__aicore__ inline void MatmulBlock(GM_ADDR x, GM_ADDR w, GM_ADDR bias, GM_ADDR y, const TCubeTiling& t,
                                   bool hasBias, TPipe* pipe) {
    Matmul<MatmulType<TPosition::GM, CubeFormat::ND, T>, MatmulType<TPosition::GM, CubeFormat::ND, T, TRANS_W>,
           MatmulType<TPosition::GM, CubeFormat::ND, T>, MatmulType<TPosition::GM, CubeFormat::ND, float>>
        mm;
    REGIST_MATMUL_OBJ(pipe, GetSysWorkSpacePtr(), mm, &t);

    const int32_t blocksM = (t.M + t.singleCoreM - 1) / t.singleCoreM;
    const int32_t mi = GetBlockIdx() % blocksM;
    const int32_t ni = GetBlockIdx() / blocksM;
    const int32_t tailM = t.M - mi * t.singleCoreM < t.singleCoreM ? t.M - mi * t.singleCoreM : t.singleCoreM;
    const int32_t tailN = t.N - ni * t.singleCoreN < t.singleCoreN ? t.N - ni * t.singleCoreN : t.singleCoreN;
    if (tailM <= 0 || tailN <= 0) return;  // a core the grid does not need

    GlobalTensor<T> xGm, wGm, yGm;
    GlobalTensor<float> biasGm;
    xGm.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(x), static_cast<uint64_t>(t.M) * t.Ka);   // [M, K]
    wGm.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(w), static_cast<uint64_t>(t.Kb) * t.N);   // [K, N] or [N, K]
    yGm.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(y), static_cast<uint64_t>(t.M) * t.N);    // [M, N]
    const uint64_t m0 = static_cast<uint64_t>(mi) * t.singleCoreM, n0 = static_cast<uint64_t>(ni) * t.singleCoreN;
    mm.SetTensorA(xGm[m0 * t.Ka]);
    mm.SetTensorB(wGm[TRANS_W ? n0 * t.Kb : n0], TRANS_W);
    if (hasBias) {
        biasGm.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(bias), t.N);  // [N]
        mm.SetBias(biasGm[n0]);
    }
    mm.SetTail(tailM, tailN);
    mm.IterateAll(yGm[m0 * t.N + n0]);
    mm.End();
}

template <bool TRANS_W>
__aicore__ inline void Run(GM_ADDR x, GM_ADDR w, GM_ADDR bias, GM_ADDR y, const TCubeTiling& t, bool hasBias) {
    TPipe pipe;
    MatmulBlock<DTYPE_X, TRANS_W>(x, w, bias, y, t, hasBias, &pipe);
}

extern "C" __global__ __aicore__ void matmul_custom(GM_ADDR x, GM_ADDR w, GM_ADDR bias, GM_ADDR y, GM_ADDR workspace,
                                                    GM_ADDR tiling) {
    KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_AIC_ONLY);
    GET_TILING_DATA(tilingData, tiling);
    SetSysWorkspace(workspace);
    if (TILING_KEY_IS(1)) {
        Run<true>(x, w, bias, y, tilingData.cube, tilingData.hasBias != 0);
    } else {
        Run<false>(x, w, bias, y, tilingData.cube, tilingData.hasBias != 0);
    }
}

// UntypedMatmul: c = a . b with the Matmul API and NO KERNEL_TASK_TYPE_DEFAULT. The op project must
// infer MIX 1:2 from the Matmul object (Note [Kernel type from the instructions]): the host launches
// one block, and the share a core computes is GetBlockIdx(): 0 and 1 on the block's two AIVs. The
// shares (singleCoreM x singleCoreN, M fastest) go to GetBlockIdx 0 and 1; run AIV-only, share 1
// would stay unwritten.
// Test: pytest tests/runtime/test_kernel_type_inference.py
#include "kernel_operator.h"
#include "lib/matmul_intf.h"

using namespace AscendC;
using namespace matmul;

extern "C" __global__ __aicore__ void untyped_matmul(GM_ADDR a, GM_ADDR b, GM_ADDR c, GM_ADDR workspace, GM_ADDR tiling) {
    GET_TILING_DATA(t, tiling);
    TPipe pipe;
    Matmul<MatmulType<TPosition::GM, CubeFormat::ND, half>, MatmulType<TPosition::GM, CubeFormat::ND, half>,
           MatmulType<TPosition::GM, CubeFormat::ND, float>>
        mm;
    REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t.cube);
    const TCubeTiling& tl = t.cube;
    const int32_t blocksM = (tl.M + tl.singleCoreM - 1) / tl.singleCoreM;
    const int32_t m0 = GetBlockIdx() % blocksM * tl.singleCoreM, n0 = GetBlockIdx() / blocksM * tl.singleCoreN;
    if (m0 >= tl.M || n0 >= tl.N) return;
    GlobalTensor<half> aGm, bGm;
    GlobalTensor<float> cGm;
    aGm.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(a), uint64_t(tl.M) * tl.Ka);  // [M, K]
    bGm.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(b), uint64_t(tl.Kb) * tl.N);  // [K, N]
    cGm.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(c), uint64_t(tl.M) * tl.N);  // [M, N]
    mm.SetTensorA(aGm[uint64_t(m0) * tl.Ka]);
    mm.SetTensorB(bGm[n0]);
    mm.SetTail(tl.M - m0 < tl.singleCoreM ? tl.M - m0 : tl.singleCoreM, tl.N - n0 < tl.singleCoreN ? tl.N - n0 : tl.singleCoreN);
    mm.IterateAll(cGm[uint64_t(m0) * tl.N + n0]);
    mm.End();
}

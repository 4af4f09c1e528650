// lora_matmul_grad_custom: the backward of the LoRA linear layer y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ with W frozen,
//   dx = dy·W + s·(dy·B)·A      dA = s·(dy·B)ᵀ·x      dB = s·dyᵀ·(x·Aᵀ)
// for float16 and bfloat16, fp32 accumulation on the cube, every output rounded once to the input dtype
// (dx like x; dA, dB like a, b, as autograd hands a half parameter its gradient). n adapters (a [n, r, in],
// b [n, out, r]) are taken as one adapter of rank R = n·r whose columns are masked per row: row m keeps
// only the r columns of adapter ids[m] (none for -1), so each adapter's gradient comes from its own rows
// and an adapter without rows gets zeros.
//
// Note [LoRA backward phases]: one MIX launch (1 AIC + 1 AIV per block, blockDim = the cube cores), the
// Matmul API on the cube core (ASCENDC_CUBE_ONLY: CANN's "Matmul on the AIC only" form, its BareMix
// pattern) and the vector core for the scale, the masks and the copies; two SyncAlls order the phases:
//
//   phase 1   AIC b: Gf = dy[rows_b]·B_j (each j)  Hf = x[rows_b]·A_allᵀ      fp32, GM workspace [M, R]
//             AIV b: Xaug[:, :out] = dy, Waug = [W ; A_all]   (its share of the copies)
//   SyncAll ─────────────────────────────────────────────────────────────────────────────────────────
//   phase 2   AIV b: Gs = s·mask(Gf), Hs = s·mask(Hf) for rows_b, rounded to T -> Gs, Xaug[:, out:], Hs
//   SyncAll ─────────────────────────────────────────────────────────────────────────────────────────
//   phase 3   AIC:   dx = Xaug · Waug              (M x in, K = out + R: the augmented-K matmul)
//                    dA = Gsᵀ · x                  (R x in, K = M; all adapters at once)
//                    dB_j = dyᵀ · Hs[:, j-block]   (out x r, K = M; one per adapter)
//
//        Xaug = [ dy | Gs ]   (M x (out+R))         Waug = [ W     ]  (out x in)
//                                                          [ A_all ]  (R x in)
//
// The reductions over M (dA, dB) split their other dimension (in, out) over the cores, never M, so
// no core adds into another's result: MultiCoreMatmulTiling gives each core whole columns (rows) of
// dA (dB) with K = M walked inside. rows_b = [b·rowsPerBlock, +rowsPerBlock) (host tiling); blocks past
// M only join the SyncAlls. Workspace offsets come from the tiling (host/lora_matmul_grad_custom.cpp).
//
// Test: pytest tests/ops/test_lora_matmul_grad_custom.py --mode=cpu (and --mode=npu_simulator)
#define ASCENDC_CUBE_ONLY  // CANN: the Matmul runs on the AIC alone; the AIV code does not call it
#include "kernel_operator.h"
#include "lib/matmul_intf.h"

using namespace AscendC;
using namespace matmul;

namespace {
constexpr uint32_t COPY_BYTES = 64 * 1024;  // one UB buffer of the GM -> GM copies (x2 buffers)

__aicore__ inline uint32_t Min(uint32_t a, uint32_t b) { return a < b ? a : b; }
__aicore__ inline uint32_t Up(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }

template <typename T>
struct Gm {
    GM_ADDR dy, x, w, a, b, ids, dx, da, db, gf, hf, xaug, waug, gs, hs;
};

template <typename T>
__aicore__ inline GlobalTensor<T> At(GM_ADDR p, uint64_t n) {
    GlobalTensor<T> g;
    g.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(p), n);
    return g;
}

// ---- phase 1, cube: Gf and Hf of this block's rows ----------------------------------------------
template <typename T, class TL>
__aicore__ inline void CubeRows(const Gm<T>& g, const TL& t) {
    const uint32_t m0 = GetBlockIdx() * t.rowsPerBlock;
    if (m0 >= t.m) return;
    const uint32_t rows = Min(t.rowsPerBlock, t.m - m0), R = t.adapters * t.rank;
    {
        TPipe pipe;
        Matmul<MatmulType<TPosition::GM, CubeFormat::ND, T>, MatmulType<TPosition::GM, CubeFormat::ND, T>,
               MatmulType<TPosition::GM, CubeFormat::ND, float>> mm;
        REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t.g);
        auto dy = At<T>(g.dy, uint64_t(t.m) * t.out), b = At<T>(g.b, uint64_t(R) * t.out);
        auto gf = At<float>(g.gf, uint64_t(t.m) * R);
        for (uint32_t j = 0; j < t.adapters; ++j) {  // Gf[rows, j-block] = dy[rows] · B_j
            mm.SetOrgShape(int(t.m), int(t.rank), int(t.out), int(t.out), int(R));
            mm.SetTensorA(dy[uint64_t(m0) * t.out]);
            mm.SetTensorB(b[uint64_t(j) * t.out * t.rank]);
            mm.SetTail(int(rows), int(t.rank), int(t.out));
            mm.IterateAll(gf[uint64_t(m0) * R + j * t.rank]);
        }
        mm.End();
    }
    TPipe pipe;
    Matmul<MatmulType<TPosition::GM, CubeFormat::ND, T>, MatmulType<TPosition::GM, CubeFormat::ND, T, true>,
           MatmulType<TPosition::GM, CubeFormat::ND, float>> mm;
    REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t.h);
    mm.SetTensorA(At<T>(g.x, uint64_t(t.m) * t.in)[uint64_t(m0) * t.in]);  // Hf[rows] = x[rows] · A_allᵀ
    mm.SetTensorB(At<T>(g.a, uint64_t(R) * t.in), true);
    mm.SetTail(int(rows), int(R), int(t.in));
    mm.IterateAll(At<float>(g.hf, uint64_t(t.m) * R)[uint64_t(m0) * R]);
    mm.End();
}

// ---- phase 3, cube: this core's share of a multi-core Matmul (MultiCoreMatmulTiling's grid) -----------
template <typename T, bool TRANS_A>
__aicore__ inline void Share(const TCubeTiling& t, GlobalTensor<T> a, GlobalTensor<T> b, GlobalTensor<T> c,
                             int orgN, int orgKc) {
    const int32_t blocksM = (t.M + t.singleCoreM - 1) / t.singleCoreM;
    const int32_t mi = GetBlockIdx() % blocksM, ni = GetBlockIdx() / blocksM;
    const int32_t tailM = Min(t.singleCoreM, t.M - mi * t.singleCoreM), tailN = Min(t.singleCoreN, t.N - ni * t.singleCoreN);
    if (int32_t(GetBlockIdx()) >= t.usedCoreNum || t.M - mi * t.singleCoreM <= 0 || t.N - ni * t.singleCoreN <= 0) return;
    TPipe pipe;
    Matmul<MatmulType<TPosition::GM, CubeFormat::ND, T, TRANS_A>, MatmulType<TPosition::GM, CubeFormat::ND, T>,
           MatmulType<TPosition::GM, CubeFormat::ND, T>, MatmulType<TPosition::GM, CubeFormat::ND, float>> mm;  // no bias
    REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t);
    const uint64_t m0 = uint64_t(mi) * t.singleCoreM, n0 = uint64_t(ni) * t.singleCoreN;
    mm.SetOrgShape(t.M, orgN, t.Ka, t.Kb, orgKc);
    mm.SetTensorA(TRANS_A ? a[m0] : a[m0 * t.Ka], TRANS_A);  // A (M x K) or Aᵀ stored K x M
    mm.SetTensorB(b[n0]);
    mm.SetTail(tailM, tailN);
    mm.IterateAll(c[m0 * (orgKc > 0 ? orgKc : orgN) + n0]);
    mm.End();
}

template <typename T, class TL>
__aicore__ inline void CubeGrads(const Gm<T>& g, const TL& t) {
    const uint32_t R = t.adapters * t.rank;
    const uint64_t M = t.m;
    Share<T, false>(t.dx, At<T>(g.xaug, M * (t.out + R)), At<T>(g.waug, uint64_t(t.out + R) * t.in),
                    At<T>(g.dx, M * t.in), int(t.in), 0);
    Share<T, true>(t.da, At<T>(g.gs, M * R), At<T>(g.x, M * t.in), At<T>(g.da, uint64_t(R) * t.in), int(t.in), 0);
    for (uint32_t j = 0; j < t.adapters; ++j)  // B operand: the j-block of Hs, rows of R; C: db[j], rows of r
        Share<T, true>(t.db, At<T>(g.dy, M * t.out), At<T>(g.hs, M * R)[j * t.rank],
                       At<T>(g.db, uint64_t(t.adapters) * t.out * t.rank)[uint64_t(j) * t.out * t.rank], int(R), int(t.rank));
}
}  // namespace

#include "lora_matmul_grad_custom_vec.h"

extern "C" __global__ __aicore__ void lora_matmul_grad_custom(GM_ADDR dy, GM_ADDR x, GM_ADDR w, GM_ADDR a, GM_ADDR b,
                                                              GM_ADDR adapterIds, GM_ADDR dx, GM_ADDR da, GM_ADDR db,
                                                              GM_ADDR workspace, GM_ADDR tiling) {
    KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_1);
    GET_TILING_DATA(t, tiling);
    SetSysWorkspace(workspace);
    GM_ADDR user = GetUserWorkspace(workspace);
    const Gm<DTYPE_X> g{dy, x, w, a, b, adapterIds, dx, da, db, user + t.wsGf, user + t.wsHf, user + t.wsXaug,
                        user + t.wsWaug, user + t.wsGs, user + t.wsHs};
    if ASCEND_IS_AIC {
        CubeRows<DTYPE_X>(g, t);
        SyncAll<false>();
        SyncAll<false>();
        CubeGrads<DTYPE_X>(g, t);
    }
    if ASCEND_IS_AIV {
        VecCopies<DTYPE_X>(g, t);
        SyncAll<false>();
        VecScale<DTYPE_X>(g, t);
        SyncAll<false>();
    }
}

// lora_matmul_grad_custom: the backward of the LoRA linear layer y = x·Wᵀ + s·(xl·Aᵀ)·Bᵀ with W frozen,
//   dx = dy·W (+ s·(dy·B)·A without x_lora)      dA = s·(dy·B)ᵀ·xl      dB = s·dyᵀ·(xl·Aᵀ)
// for float16 and bfloat16 with fp32 accumulation on the cube; dx, dA, dB come out in the input dtype (as
// autograd hands a half parameter its gradient). n adapters (a [n, r, in], b [n, out, r]) are one adapter
// of rank R = n·r whose columns are masked per row: row m keeps the r columns of adapter ids[m] (none
// for -1), so each adapter's gradient comes from its own rows and an adapter without rows gets zeros.
// xl is the LoRA branch's input: the optional x_lora (x's shape and dtype), else x. With LoRA dropout
// (PEFT, mindpet's LoRADense: xl = dropout(x) = m ⊙ x, m in {0, 1/(1-p)}) x and x_lora are two inputs
// of the layer, and dx is x's own gradient, dy·W: the LoRA term s·(dy·B)·A is x_lora's gradient, which
// the caller takes through its dropout (dx_true = dy·W + m ⊙ (s·(dy·B)·A); two rank-r products, r/in
// of the dx product's work; opkit.mindspore's bprop does exactly that). Without x_lora, dx has both terms.
//
// Note [LoRA backward phases]: one launch on the cube cores alone (KERNEL_TYPE_AIC_ONLY, blockDim = the
// AIC count), every product a Matmul API call; one all-core flag barrier (CrossCoreSetFlag mode 0)
// between the two phases:
//
//   phase 1, core c, rows_c = [c·rowsPerBlock, +rowsPerBlock):
//     Gt[rows_c, j-block] = dy[rows_c]·B_j  (each j)     Ht[rows_c] = xl[rows_c]·A_allᵀ   T [M, R] in GM
//     16 columns at a time (S a 16 x 16 T operand): with ids, Gs[rows_c] = Gt[rows_c]·0, then per run of
//       rows with one id j >= 0, Gs[run, j-block] = Gt[run, j-block]·s·I; without, Gs = Gt·s·I. Hs alike.
//   ─── barrier (every core's Gs/Hs rows are written) ─────────────────────────────────────────────
//   phase 2, MultiCoreMatmulTiling's grid over the cores:
//     dx = dy·W, then on the same share dx += Gs·A_all      (atomic add in Fixpipe, K = R; not with x_lora)
//     dA_all = Gsᵀ·xl   (R x in, K = M: cores split in, never M, so no core adds into another's)
//     dB_j = dyᵀ·Hs[:, j-block]  (out x r, K = M: cores split out)
//
//        dx  =  dy · W   +   Gs · A_all            dA_all = Gsᵀ · xl       dB_j = dyᵀ · Hs_j
//             [M,out][out,in] [M,R][R,in]                [R,M] [M,in]            [out,M] [M,r]
//
// Why not one augmented-K product [dy | Gs]·[W ; A_all]: the Matmul API takes each operand as one GM
// matrix (and opkit's refuses Iterate(enPartialSum), CANN's way to go on accumulating in L0C with other
// operands), so the augmented operands would be copies of dy and W (128 MB of traffic at 4096²) made by the
// vector cores, and a MIX launch splits the GM bandwidth over them in opkit's model (that version took
// 2.1x the forward at 4096², docs/lora_grad.md). So dx is rounded twice, as PEFT does (base and LoRA parts
// apart, added in the dtype): the atomic add rounds round(dy·W) + round(Gs·A) once more.
// Note [Scale on the cube] (host/lora_matmul_grad_custom_tiling.h): s·I is a T matrix, so s is rounded to
// the dtype (exact for powers of two); Gt is rounded before it, so Gs carries up to three roundings.
// Blocks past M take no rows in phase 1 but join the barrier.
//
// Test: pytest tests/ops/test_lora_matmul_grad_custom.py --mode=cpu (and --mode=npu_simulator)
#define ASCENDC_CUBE_ONLY  // CANN: a Matmul on the cube core alone, no vector-core client
#include <cstddef>

#include "kernel_operator.h"
#include "lib/matmul_intf.h"

using namespace AscendC;
using namespace matmul;

namespace {
template <typename T, bool TRANS_A = false, bool TRANS_B = false>
using Mm = Matmul<MatmulType<TPosition::GM, CubeFormat::ND, T, TRANS_A>, MatmulType<TPosition::GM, CubeFormat::ND, T, TRANS_B>,
                  MatmulType<TPosition::GM, CubeFormat::ND, T>, MatmulType<TPosition::GM, CubeFormat::ND, float>>;  // no bias

__aicore__ inline uint32_t Min(uint32_t a, uint32_t b) { return a < b ? a : b; }

struct Gm {
    GM_ADDR dy, x, xl, w, a, b, ids, dx, da, db, gt, ht, gs, hs, consts;  // xl: x_lora, or x when absent
};

template <typename T>
__aicore__ inline GlobalTensor<T> At(GM_ADDR p, uint64_t n) {
    GlobalTensor<T> g;
    g.SetGlobalBuffer(reinterpret_cast<__gm__ T*>(p), n);
    return g;
}

// ---- phase 1 ----------------------------------------------------------------------------------
template <typename T, class TL>
__aicore__ inline void Lowrank(const Gm& g, const TL& t, uint32_t m0, uint32_t rows) {
    const uint32_t R = t.adapters * t.rank;
    const uint64_t M = t.m;
    auto gt = At<T>(g.gt, M * R), ht = At<T>(g.ht, M * R);
    {
        TPipe pipe;
        Mm<T> mm;
        REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t.g);
        auto dy = At<T>(g.dy, M * t.out), b = At<T>(g.b, uint64_t(R) * t.out);
        for (uint32_t j = 0; j < t.adapters; ++j) {  // Gt[rows, j-block] = dy[rows] · B_j (C rows of R)
            mm.SetOrgShape(int(t.m), int(t.rank), int(t.out), int(t.out), int(R));
            mm.SetTensorA(dy[uint64_t(m0) * t.out]);
            mm.SetTensorB(b[uint64_t(j) * t.out * t.rank]);
            mm.SetTail(int(rows), int(t.rank), int(t.out));
            mm.IterateAll(gt[uint64_t(m0) * R + j * t.rank]);
        }
        mm.End();
    }
    TPipe pipe;
    Mm<T, false, true> mm;
    REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t.h);
    mm.SetTensorA(At<T>(g.xl, M * t.in)[uint64_t(m0) * t.in]);  // Ht[rows] = xl[rows] · A_allᵀ
    mm.SetTensorB(At<T>(g.a, uint64_t(R) * t.in), true);
    mm.SetTail(int(rows), int(R), int(t.in));
    mm.IterateAll(ht[uint64_t(m0) * R]);
    mm.End();
}

// Gs = Gt·S and Hs = Ht·S on rows [r0, r0 + len), 16 columns at a time from column c0 to c1, with S the
// 16 x 16 s·I (scaled) or 0 (masked).
template <typename T, class TL>
__aicore__ inline void ScalePieces(Mm<T>& mm, const Gm& g, const TL& t, uint32_t r0, uint32_t len, uint32_t c0,
                                   uint32_t c1, bool keep) {
    const uint32_t R = t.adapters * t.rank;
    const uint64_t M = t.m;
    for (int pass = 0; pass < 2; ++pass) {
        auto src = At<T>(pass == 0 ? g.gt : g.ht, M * R), dst = At<T>(pass == 0 ? g.gs : g.hs, M * R);
        for (uint32_t col = c0; col < c1; col += 16) {
            const uint32_t w = Min(16, c1 - col);
            mm.SetOrgShape(int(t.m), 16, int(R), 16, int(R));  // A rows of R, S rows of 16, C rows of R
            mm.SetTensorA(src[uint64_t(r0) * R + col]);
            mm.SetTensorB(At<T>(g.consts, 512)[keep ? 0 : 256]);
            mm.SetTail(int(len), int(w), int(w));
            mm.IterateAll(dst[uint64_t(r0) * R + col]);
        }
    }
}

template <typename T, class TL>
__aicore__ inline void Phase1(const Gm& g, const TL& t) {
    const uint32_t m0 = GetBlockIdx() * t.rowsPerBlock;
    if (m0 >= t.m) return;
    const uint32_t rows = Min(t.rowsPerBlock, t.m - m0);
    Lowrank<T>(g, t, m0, rows);
    PipeBarrier<PIPE_ALL>();  // Gt/Ht written by Fixpipe before MTE2 reads them back
    TPipe pipe;
    Mm<T> mm;
    REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t.s);
    if (!t.hasIds) {
        ScalePieces<T>(mm, g, t, m0, rows, 0, t.rank, true);
    } else {  // zeros on all R columns, then s·I on each run's own r columns (Fixpipe writes in order)
        ScalePieces<T>(mm, g, t, m0, rows, 0, t.adapters * t.rank, false);
        auto ids = At<int32_t>(g.ids, t.m);
        for (uint32_t r0 = m0, end = m0 + rows; r0 < end;) {  // runs of equal ids (the scalar unit reads them)
            const int32_t id = ids.GetValue(r0);
            uint32_t r1 = r0 + 1;
            while (r1 < end && ids.GetValue(r1) == id) ++r1;
            if (id >= 0 && id < int32_t(t.adapters))
                ScalePieces<T>(mm, g, t, r0, r1 - r0, uint32_t(id) * t.rank, uint32_t(id + 1) * t.rank, true);
            r0 = r1;
        }
    }
    mm.End();
}

// ---- phase 2: this core's share of a multi-core Matmul (MultiCoreMatmulTiling's grid) -----------------
struct ShareAt {
    bool on;
    int32_t tailM, tailN;
    uint64_t m0, n0;
};
__aicore__ inline ShareAt ShareOf(const TCubeTiling& t) {
    const int32_t blocksM = (t.M + t.singleCoreM - 1) / t.singleCoreM;
    const int32_t mi = GetBlockIdx() % blocksM, ni = GetBlockIdx() / blocksM;
    ShareAt s{int32_t(GetBlockIdx()) < t.usedCoreNum && t.M - mi * t.singleCoreM > 0 && t.N - ni * t.singleCoreN > 0,
              int32_t(Min(t.singleCoreM, t.M - mi * t.singleCoreM)), int32_t(Min(t.singleCoreN, t.N - ni * t.singleCoreN)),
              uint64_t(mi) * t.singleCoreM, uint64_t(ni) * t.singleCoreN};
    return s;
}

// C[share] (+)= A·B on the share s: A (M x K, or Aᵀ stored K x M), B (K x N, rows of orgN), C rows of ldc.
template <typename T, bool TRANS_A>
__aicore__ inline void Product(const TCubeTiling& t, const ShareAt& s, GlobalTensor<T> a, GlobalTensor<T> b,
                               GlobalTensor<T> c, int orgM, int orgN, int orgK, int ldc, uint8_t atomic) {
    TPipe pipe;
    Mm<T, TRANS_A> mm;
    REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t);
    mm.SetOrgShape(orgM, orgN, orgK, orgK, ldc);
    mm.SetTensorA(TRANS_A ? a[s.m0] : a[s.m0 * orgK], TRANS_A);
    mm.SetTensorB(b[s.n0]);
    mm.SetTail(s.tailM, s.tailN);
    mm.IterateAll(c[s.m0 * ldc + s.n0], atomic);
    mm.End();
}

template <typename T, class TL>
__aicore__ inline void Phase2(const Gm& g, const TL& t) {
    const uint32_t R = t.adapters * t.rank;
    const uint64_t M = t.m;
    const int m = int(t.m), in = int(t.in), out = int(t.out), rank = int(t.rank);
    const ShareAt x = ShareOf(t.dx);
    if (x.on) {
        auto dx = At<T>(g.dx, M * t.in);
        Product<T, false>(t.dx, x, At<T>(g.dy, M * t.out), At<T>(g.w, uint64_t(t.out) * t.in), dx, m, in, out, in, 0);
        if (!t.hasXLora)  // with x_lora the LoRA term is x_lora's gradient, not x's (see the top)
            Product<T, false>(t.dxl, x, At<T>(g.gs, M * R), At<T>(g.a, uint64_t(R) * t.in), dx, m, in, int(R), in, 1);
    }
    const ShareAt a = ShareOf(t.da);
    if (a.on)
        Product<T, true>(t.da, a, At<T>(g.gs, M * R), At<T>(g.xl, M * t.in), At<T>(g.da, uint64_t(R) * t.in), int(R), in, m, in, 0);
    const ShareAt b = ShareOf(t.db);
    for (uint32_t j = 0; b.on && j < t.adapters; ++j)  // B operand: Hs's j-block, rows of R; C: db[j], rows of r
        Product<T, true>(t.db, b, At<T>(g.dy, M * t.out), At<T>(g.hs, M * R)[j * t.rank],
                         At<T>(g.db, uint64_t(R) * t.out)[uint64_t(j) * t.out * t.rank], out, int(R), m, rank, 0);
}
}  // namespace

extern "C" __global__ __aicore__ void lora_matmul_grad_custom(GM_ADDR dy, GM_ADDR x, GM_ADDR w, GM_ADDR a, GM_ADDR b,
                                                              GM_ADDR adapterIds, GM_ADDR xLora, GM_ADDR dx, GM_ADDR da,
                                                              GM_ADDR db, GM_ADDR workspace, GM_ADDR tiling) {
    KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_AIC_ONLY);
    GET_TILING_DATA(t, tiling);
    SetSysWorkspace(workspace);
    GM_ADDR user = GetUserWorkspace(workspace);
    const Gm g{dy, x, t.hasXLora ? xLora : x, w, a, b, adapterIds, dx, da, db, user + t.wsGt, user + t.wsHt, user + t.wsGs, user + t.wsHs,
               tiling + offsetof(decltype(t), consts)};
    Phase1<DTYPE_X>(g, t);
    CrossCoreSetFlag<0, PIPE_FIX>(0);  // every core's Gs/Hs rows are in GM before any core reads them
    CrossCoreWaitFlag(0);
    Phase2<DTYPE_X>(g, t);
}

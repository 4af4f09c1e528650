// matmul_api: the high-level Matmul API (lib/matmul_intf.h) driven by hand-made TCubeTilings, as a
// CANN kernel-launch CPU-debug program. One program for every configuration; the shapes, tiling
// and options come from the command line (compiling dominates the test time).
//
//   block b of `cores` (grid mCores x nCores, M first): C[mi*singleM.., ni*singleN..] = A x B (+ bias)
//     A: M x K (or K x M stored, transA), B: K x N (or N x K stored, transB), bias: N
//   each block: SetTail(its tail), SetTensorA/B, SetBias, then one of
//     all   IterateAll(cGm, atomic)           iter  Iterate + GetTensorC(cGm, atomic)
//     ub    Iterate + GetTensorC(ub) + DataCopyPad UB -> GM at the block's place (tracks iterateOrder)
//
// Usage: matmul_api TYPES DIR M N K mCores nCores baseM baseN baseK stepM stepN stepKa stepKb dbA1 dbB1
//                   order transA transB bias run atomic misuse
//   TYPES: f16f32 f16f16 f16bf16 bf16f32 bf16bf16 i8i32 f32f32 f16f32ub
//   run: all | iter | ub      misuse: none | lower_steps (not an error) | before_set | tail_too_big | bad_depth | bad_base | l0a | c_pos |
//                                      dtype | float_b | soc310p | no_bias_tiling | get_before_iterate
// Reads DIR/a.bin, b.bin, bias.bin (if bias), c.bin (initial C); writes DIR/c.bin.
// Tested by: pytest tests/runtime/test_matmul_api.py
#include <cstring>
#include <string>

#include "host_io.h"
#include "kernel_operator.h"
#include "lib/matmul_intf.h"
#include "tikicpulib.h"

using namespace AscendC;
using namespace matmul;

struct Args {
    int32_t m, n, k, mCores, nCores, baseM, baseN, baseK, stepM, stepN, stepKa, stepKb, dbA1, dbB1, order;
    int32_t transA, transB, bias, run, atomic;
    char misuse[32];
};

TCubeTiling MakeTiling(const Args& a) {
    TCubeTiling t{};
    t.usedCoreNum = a.mCores * a.nCores;
    t.M = a.m, t.N = a.n, t.Ka = a.k, t.Kb = a.k;
    t.singleCoreM = (a.m + a.mCores - 1) / a.mCores, t.singleCoreN = (a.n + a.nCores - 1) / a.nCores, t.singleCoreK = a.k;
    t.baseM = a.baseM, t.baseN = a.baseN, t.baseK = a.baseK;
    t.stepM = a.stepM, t.stepN = a.stepN, t.stepKa = a.stepKa, t.stepKb = a.stepKb;
    t.depthA1 = a.stepM * a.stepKa * a.dbA1, t.depthB1 = a.stepN * a.stepKb * a.dbB1;
    t.isBias = a.bias, t.iterateOrder = a.order;
    t.dbL0A = 2, t.dbL0B = 2, t.dbL0C = 1;
    return t;
}

template <typename AT, typename CT, typename BiasT, TPosition CPOS>
struct Kernel {
    using MM = Matmul<MatmulType<TPosition::GM, CubeFormat::ND, AT, true>, MatmulType<TPosition::GM, CubeFormat::ND, AT, true>,
                      MatmulType<CPOS, CubeFormat::ND, CT>, MatmulType<TPosition::GM, CubeFormat::ND, BiasT>>;
    static void Run(GM_ADDR a, GM_ADDR b, GM_ADDR bias, GM_ADDR c, GM_ADDR ws, const Args& g) {
        SetSysWorkspace(ws);
        TCubeTiling t = MakeTiling(g);
        const std::string misuse = g.misuse;
        // NORM: a kernel may lower the steps after GetTiling; the depths stay (the official
        // framework MatmulLeakyRelu sample sets stepM = stepN = 1).
        if (misuse == "lower_steps") t.stepM = t.stepN = 1;
        if (misuse == "bad_depth") t.stepM = t.depthA1 / t.stepKa + 1;  // depthA1 cannot hold one step tile
        if (misuse == "bad_base") t.baseN = 40;
        if (misuse == "l0a") t.baseM = 256, t.baseK = 128;
        if (misuse == "no_bias_tiling") t.isBias = 0;
        const int32_t blk = int32_t(GetBlockIdx()), mi = blk % g.mCores, ni = blk / g.mCores;
        const int32_t tailM = std::min(t.singleCoreM, g.m - mi * t.singleCoreM);
        const int32_t tailN = std::min(t.singleCoreN, g.n - ni * t.singleCoreN);
        GlobalTensor<AT> aGm, bGm;
        GlobalTensor<BiasT> biasGm;
        GlobalTensor<CT> cGm;
        aGm.SetGlobalBuffer((__gm__ AT*)a, uint64_t(g.m) * g.k);
        bGm.SetGlobalBuffer((__gm__ AT*)b, uint64_t(g.k) * g.n);
        biasGm.SetGlobalBuffer((__gm__ BiasT*)bias, g.n);
        cGm.SetGlobalBuffer((__gm__ CT*)c, uint64_t(g.m) * g.n);
        const uint64_t aOff = g.transA ? uint64_t(mi) * t.singleCoreM : uint64_t(mi) * t.singleCoreM * g.k;
        const uint64_t bOff = g.transB ? uint64_t(ni) * t.singleCoreN * g.k : uint64_t(ni) * t.singleCoreN;
        const uint64_t cOff = uint64_t(mi) * t.singleCoreM * g.n + uint64_t(ni) * t.singleCoreN;
        TPipe pipe;
        MM mm;
        REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t);
        if (misuse == "get_before_iterate") mm.GetTensorC(cGm);
        mm.SetTail(misuse == "tail_too_big" ? t.singleCoreM + 1 : tailM, tailN, g.k);
        mm.SetTensorA(aGm[aOff], g.transA != 0);
        if (misuse == "before_set") {
            mm.IterateAll(cGm[cOff]);
            return;
        }
        mm.SetTensorB(bGm[bOff], g.transB != 0);
        if (g.bias) mm.SetBias(biasGm[ni * t.singleCoreN]);
        if (g.run == 0) {
            mm.IterateAll(cGm[cOff], uint8_t(g.atomic));
        } else if (g.run == 1) {
            while (mm.Iterate()) mm.GetTensorC(cGm[cOff], uint8_t(g.atomic));
        } else {
            RunUb(mm, pipe, t, cGm[cOff], tailM, tailN, g);
        }
        mm.End();
    }
    static void RunUb(MM& mm, TPipe& pipe, const TCubeTiling& t, const GlobalTensor<CT>& cGm, int32_t tailM, int32_t tailN,
                      const Args& g) {
        TQueBind<TPosition::VECIN, TPosition::VECOUT, 1> cQue;  // MTE2 fills it, MTE3 drains it
        pipe.InitBuffer(cQue, 1, t.baseM * t.baseN * sizeof(CT));
        const int32_t mIter = (tailM + t.baseM - 1) / t.baseM, nIter = (tailN + t.baseN - 1) / t.baseN;
        for (int32_t i = 0; mm.template Iterate<true>(); ++i) {
            LocalTensor<CT> ub = cQue.AllocTensor<CT>();
            mm.template GetTensorC<true>(ub);
            cQue.EnQue(ub);
            ub = cQue.DeQue<CT>();
            const int32_t bm = g.order == 0 ? i % mIter : i / nIter, bn = g.order == 0 ? i / mIter : i % nIter;
            const int32_t mLen = std::min(t.baseM, tailM - bm * t.baseM), nLen = std::min(t.baseN, tailN - bn * t.baseN);
            // UB rows of baseN elements -> C rows of N elements.
            DataCopyPad(cGm[uint64_t(bm) * t.baseM * g.n + uint64_t(bn) * t.baseN], ub,
                        DataCopyExtParams(uint16_t(mLen), uint32_t(nLen * sizeof(CT)),
                                          uint32_t((t.baseN * sizeof(CT) - (nLen * sizeof(CT) + 31) / 32 * 32) / 32),
                                          uint32_t((g.n - nLen) * sizeof(CT)), 0));
            cQue.FreeTensor(ub);
        }
    }
};

// Misuse: C at a position the SoC lacks, an unsupported type combination, B (K x N) of float.
void RunMisuse(GM_ADDR a, GM_ADDR b, GM_ADDR c, const Args& g) {
    TCubeTiling t = MakeTiling(g);
    TPipe pipe;
    const std::string misuse = g.misuse;
    GlobalTensor<float> fa, fb;
    fa.SetGlobalBuffer((__gm__ float*)a, uint64_t(g.m) * g.k);
    fb.SetGlobalBuffer((__gm__ float*)b, uint64_t(g.k) * g.n);
    if (misuse == "c_pos") {
        Matmul<MatmulType<TPosition::GM, CubeFormat::ND, half>, MatmulType<TPosition::GM, CubeFormat::ND, half>,
               MatmulType<TPosition::A1, CubeFormat::ND, float>> mm;
        REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t);
    } else if (misuse == "dtype") {
        Matmul<MatmulType<TPosition::GM, CubeFormat::ND, half>, MatmulType<TPosition::GM, CubeFormat::ND, half>,
               MatmulType<TPosition::GM, CubeFormat::ND, int32_t>> mm;
        REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t);
    } else if (misuse == "float_b") {
        Matmul<MatmulType<TPosition::GM, CubeFormat::ND, float>, MatmulType<TPosition::GM, CubeFormat::ND, float, true>,
               MatmulType<TPosition::GM, CubeFormat::ND, float>> mm;
        REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t);
        mm.SetTensorA(fa);
        mm.SetTensorB(fb, false);
    }
    (void)c;
}

extern "C" __global__ __aicore__ void matmul_api(GM_ADDR a, GM_ADDR b, GM_ADDR bias, GM_ADDR c, GM_ADDR ws, Args g,
                                                 int32_t types) {
    const std::string misuse = g.misuse;
    if (misuse == "c_pos" || misuse == "dtype" || misuse == "float_b") return RunMisuse(a, b, c, g);
    switch (types) {
        case 0: return Kernel<half, float, float, TPosition::GM>::Run(a, b, bias, c, ws, g);
        case 1: return Kernel<half, half, float, TPosition::GM>::Run(a, b, bias, c, ws, g);
        case 2: return Kernel<half, bfloat16_t, float, TPosition::GM>::Run(a, b, bias, c, ws, g);
        case 3: return Kernel<bfloat16_t, float, float, TPosition::GM>::Run(a, b, bias, c, ws, g);
        case 4: return Kernel<bfloat16_t, bfloat16_t, float, TPosition::GM>::Run(a, b, bias, c, ws, g);
        case 5: return Kernel<int8_t, int32_t, int32_t, TPosition::GM>::Run(a, b, bias, c, ws, g);
        case 6: return Kernel<float, float, float, TPosition::GM>::Run(a, b, bias, c, ws, g);
        case 7: return Kernel<half, float, float, TPosition::VECIN>::Run(a, b, bias, c, ws, g);
        case 8: return Kernel<half, float, half, TPosition::GM>::Run(a, b, bias, c, ws, g);
        default: return;
    }
}

int main(int argc, char* argv[]) {
    if (argc < 25) return 2;
    static const char* kTypes[] = {"f16f32", "f16f16", "f16bf16", "bf16f32", "bf16bf16", "i8i32", "f32f32", "f16f32ub", "f16f32hbias"};
    static const int kInBytes[] = {2, 2, 2, 2, 2, 1, 4, 2, 2}, kOutBytes[] = {4, 2, 2, 4, 2, 4, 4, 4, 4};
    static const int kBiasBytes[] = {4, 4, 4, 4, 4, 4, 4, 4, 2};
    int32_t types = -1;
    for (int i = 0; i < 9; ++i)
        if (!std::strcmp(argv[1], kTypes[i])) types = i;
    if (types < 0) return UnknownCase(argv[0], argv[1]);
    const char* dir = argv[2];
    Args g{};
    int32_t* f = &g.m;
    for (int i = 0; i < 15; ++i) f[i] = std::atoi(argv[3 + i]);
    g.transA = std::atoi(argv[18]), g.transB = std::atoi(argv[19]), g.bias = std::atoi(argv[20]);
    g.run = !std::strcmp(argv[21], "all") ? 0 : (!std::strcmp(argv[21], "iter") ? 1 : 2);
    g.atomic = std::atoi(argv[22]);
    std::snprintf(g.misuse, sizeof(g.misuse), "%s", argv[23]);
    (void)argv[24];
    const size_t aBytes = size_t(g.m) * g.k * kInBytes[types], bBytes = size_t(g.k) * g.n * kInBytes[types];
    const size_t cBytes = size_t(g.m) * g.n * kOutBytes[types], biasBytes = size_t(g.n) * kBiasBytes[types];
    const size_t wsBytes = size_t(g.mCores * g.nCores) * g.baseM * g.baseN * 4 + 32;
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* b = (uint8_t*)GmAlloc(bBytes);
    uint8_t* bias = (uint8_t*)GmAlloc(biasBytes);
    uint8_t* c = (uint8_t*)GmAlloc(cBytes);
    uint8_t* ws = (uint8_t*)GmAlloc(wsBytes);
    ReadBin(dir, "a.bin", a, aBytes);
    ReadBin(dir, "b.bin", b, bBytes);
    if (g.bias) ReadBin(dir, "bias.bin", bias, biasBytes);
    ReadBin(dir, "c.bin", c, cBytes);
    SetKernelMode(KernelMode::AIC_MODE);
    ICPU_RUN_KF(matmul_api, g.mCores * g.nCores, a, b, bias, c, ws, g, types);
    WriteBin(dir, "c.bin", c, cBytes);
    GmFree(a), GmFree(b), GmFree(bias), GmFree(c), GmFree(ws);
    return 0;
}

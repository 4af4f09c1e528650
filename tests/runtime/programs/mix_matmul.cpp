// mix_matmul: the Matmul API in MIX kernels (Note [The cube funnel], Note [Matmul clients on the AIC]
// in runtime/include/lib/matrix/matmul/matmul_impl.h) and a vector-only kernel under CPU-debug's
// default kernel mode (Note [CPU-debug kernel mode], runtime/src/cpu_debug.cpp).
//
//   leaky   MIX, blockDim B: AIV v (GetBlockIdx, 0..2B-1) computes rows [v*M, (v+1)*M) of
//           Y = LeakyRelu(A x W, 0.1): its Matmul's cube work runs on its block's AIC (2 clients per
//           AIC); each baseM x baseN block comes to UB (GetTensorC to a VECIN C), LeakyRelu, DataCopy
//           out. The AIC's REGIST_MATMUL_OBJ serves and returns.
//   peek    as leaky with IterateAll to GM (no epilogue), then AIV 1 of each block copies AIV 0's rows
//           of Y into its own rows of Z: with `sync` 1 after SyncAll() (AIVs); with 0 AIV 1 computes
//           nothing and copies at once (an unsynced-gm-access finding in npu_simulator).
//   budget  leaky with the tiling's L1 tiles given on the command line: the two clients of an AIC
//           take turns in the AIC's L1 (their buffers start at the same place of its one TPipe).
//   vector  a vector-only kernel, launched with no SetKernelMode (CANN's default, MIX): Y = X + X
//           over 2B tiles of 1024 floats, tile GetBlockIdx() of GetBlockNum() * GetTaskRation().
//
// Usage: mix_matmul CASE DIR BLOCKS [M N K baseM baseN baseK stepKa stepKb dbA1 [sync]]
// Reads DIR/a.bin (2*BLOCKS*M x K fp16), DIR/w.bin (K x N fp16) or DIR/x.bin; writes DIR/y.bin (z.bin).
// Tested by: pytest tests/runtime/test_mix_matmul.py
#include <cstring>
#include <string>

#include "host_io.h"
#include "kernel_operator.h"
#include "lib/matmul_intf.h"
#include "tikicpulib.h"

using namespace AscendC;
using namespace matmul;

struct Shape {
    int32_t m, n, k, baseM, baseN, baseK, stepKa, stepKb, dbA1, sync;
};

TCubeTiling MakeTiling(const Shape& s) {
    TCubeTiling t{};
    t.usedCoreNum = 1;
    t.M = s.m, t.N = s.n, t.Ka = s.k, t.Kb = s.k;
    t.singleCoreM = s.m, t.singleCoreN = s.n, t.singleCoreK = s.k;
    t.baseM = s.baseM, t.baseN = s.baseN, t.baseK = s.baseK;
    t.stepM = 1, t.stepN = 1, t.stepKa = s.stepKa, t.stepKb = s.stepKb;
    t.depthA1 = s.stepKa * s.dbA1, t.depthB1 = s.stepKb * s.dbA1;
    t.iterateOrder = 0, t.dbL0A = 2, t.dbL0B = 2, t.dbL0C = 1;
    return t;
}

using AType = MatmulType<TPosition::GM, CubeFormat::ND, half>;
using UbC = Matmul<AType, AType, MatmulType<TPosition::VECIN, CubeFormat::ND, float>>;
using GmC = Matmul<AType, AType, MatmulType<TPosition::GM, CubeFormat::ND, float>>;

extern "C" __global__ __aicore__ void mix_leaky(GM_ADDR a, GM_ADDR w, GM_ADDR y, GM_ADDR ws, Shape s) {
    TCubeTiling t = MakeTiling(s);
    SetSysWorkspace(ws);
    TPipe pipe;
    TQue<TPosition::VECOUT, 1> outQue;  // set up on every core; on the AIC it is bookkeeping only
    pipe.InitBuffer(outQue, 1, t.baseM * t.baseN * sizeof(float));
    UbC mm;
    REGIST_MATMUL_OBJ(&pipe, GetSysWorkSpacePtr(), mm, &t);  // the AIC serves here, then returns
    const int64_t row0 = GetBlockIdx() * int64_t(s.m);
    GlobalTensor<half> aGm, wGm;
    GlobalTensor<float> yGm;
    aGm.SetGlobalBuffer((__gm__ half*)a + row0 * s.k, int64_t(s.m) * s.k);
    wGm.SetGlobalBuffer((__gm__ half*)w, int64_t(s.k) * s.n);
    yGm.SetGlobalBuffer((__gm__ float*)y + row0 * s.n, int64_t(s.m) * s.n);
    mm.SetTensorA(aGm);
    mm.SetTensorB(wGm);
    const int32_t mIter = s.m / s.baseM;
    for (int32_t i = 0; mm.Iterate(); ++i) {
        LocalTensor<float> c = outQue.AllocTensor<float>();
        mm.GetTensorC(c);
        LeakyRelu(c, c, 0.1f, s.baseM * s.baseN);
        outQue.EnQue(c);
        c = outQue.DeQue<float>();
        const int64_t at = int64_t(i % mIter) * s.baseM * s.n + int64_t(i / mIter) * s.baseN;
        DataCopy(yGm[at], c, DataCopyParams(uint16_t(s.baseM), uint16_t(s.baseN * 4 / 32), 0, uint16_t((s.n - s.baseN) * 4 / 32)));
        outQue.FreeTensor(c);
    }
    mm.End();
}

// AIV 1 copies the m rows above its own (AIV 0's) from Y into its own rows of Z.
__aicore__ inline void Peek(TPipe& pipe, const GlobalTensor<float>& yGm, const GlobalTensor<float>& zGm, int64_t row0,
                            const Shape& s) {
    TQueBind<TPosition::VECIN, TPosition::VECOUT, 1> q;  // MTE2 fills it, MTE3 drains it
    pipe.InitBuffer(q, 1, s.m * s.n * sizeof(float));
    LocalTensor<float> buf = q.AllocTensor<float>();
    DataCopy(buf, yGm[(row0 - s.m) * s.n], s.m * s.n);
    q.EnQue(buf);
    buf = q.DeQue<float>();
    DataCopy(zGm[row0 * s.n], buf, s.m * s.n);
    q.FreeTensor(buf);
}

extern "C" __global__ __aicore__ void mix_peek(GM_ADDR a, GM_ADDR w, GM_ADDR y, GM_ADDR z, GM_ADDR ws, Shape s) {
    TCubeTiling t = MakeTiling(s);
    TPipe pipe;
    const int64_t row0 = GetBlockIdx() * int64_t(s.m);
    GlobalTensor<half> aGm, wGm;
    GlobalTensor<float> yGm, zGm;
    aGm.SetGlobalBuffer((__gm__ half*)a + row0 * s.k, int64_t(s.m) * s.k);
    wGm.SetGlobalBuffer((__gm__ half*)w, int64_t(s.k) * s.n);
    yGm.SetGlobalBuffer((__gm__ float*)y, int64_t(GetBlockNum()) * 2 * s.m * s.n);
    zGm.SetGlobalBuffer((__gm__ float*)z, int64_t(GetBlockNum()) * 2 * s.m * s.n);
    // Unsynchronised: AIV 1 has no Matmul of its own (whose requests to the shared AIC would order it
    // after AIV 0's, depending on which the AIC served first) and reads at once.
    if (ASCEND_IS_AIV && !s.sync && GetSubBlockIdx() == 1) return Peek(pipe, yGm, zGm, row0, s);
    GmC mm;
    REGIST_MATMUL_OBJ(&pipe, ws, mm, &t);
    mm.SetTensorA(aGm);
    mm.SetTensorB(wGm);
    mm.IterateAll(yGm[row0 * s.n]);
    mm.End();
    if (!s.sync) return;
    SyncAll();  // every AIV (the AIC left at REGIST_MATMUL_OBJ)
    if (GetSubBlockIdx() == 1) Peek(pipe, yGm, zGm, row0, s);
}

constexpr int32_t kTile = 1024;
extern "C" __global__ __aicore__ void vector_double(GM_ADDR x, GM_ADDR y) {
    const int64_t tiles = GetBlockNum() * GetTaskRation(), me = GetBlockIdx();
    GlobalTensor<float> xGm, yGm;
    xGm.SetGlobalBuffer((__gm__ float*)x + me * kTile, kTile);
    yGm.SetGlobalBuffer((__gm__ float*)y + me * kTile, kTile);
    TPipe pipe;
    TQue<TPosition::VECIN, 1> inQue;
    TQue<TPosition::VECOUT, 1> outQue;
    pipe.InitBuffer(inQue, 1, kTile * sizeof(float));
    pipe.InitBuffer(outQue, 1, kTile * sizeof(float));
    if (me >= tiles) return;
    LocalTensor<float> in = inQue.AllocTensor<float>();
    DataCopy(in, xGm, kTile);
    inQue.EnQue(in);
    in = inQue.DeQue<float>();
    LocalTensor<float> out = outQue.AllocTensor<float>();
    Add(out, in, in, kTile);
    outQue.EnQue(out);
    inQue.FreeTensor(in);
    out = outQue.DeQue<float>();
    DataCopy(yGm, out, kTile);
    outQue.FreeTensor(out);
}

int main(int argc, char* argv[]) {
    if (argc < 4) return 2;
    const std::string name = argv[1];
    const char* dir = argv[2];
    const uint32_t blocks = uint32_t(std::atoi(argv[3]));
    if (name == "vector") {
        const size_t bytes = size_t(blocks) * 2 * kTile * sizeof(float);
        uint8_t* x = (uint8_t*)GmAlloc(bytes);
        uint8_t* y = (uint8_t*)GmAlloc(bytes);
        ReadBin(dir, "x.bin", x, bytes);
        ICPU_RUN_KF(vector_double, blocks, x, y);  // no SetKernelMode: MIX
        WriteBin(dir, "y.bin", y, bytes);
        GmFree(x), GmFree(y);
        return 0;
    }
    if (argc < 13) return 2;
    Shape s{};
    int32_t* f = &s.m;
    for (int i = 0; i < 9; ++i) f[i] = std::atoi(argv[4 + i]);
    s.sync = argc > 13 ? std::atoi(argv[13]) : 1;
    const size_t rows = size_t(blocks) * 2 * s.m;
    const size_t aBytes = rows * s.k * 2, wBytes = size_t(s.k) * s.n * 2, yBytes = rows * s.n * 4;
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* w = (uint8_t*)GmAlloc(wBytes);
    uint8_t* y = (uint8_t*)GmAlloc(yBytes);
    uint8_t* z = (uint8_t*)GmAlloc(yBytes);
    uint8_t* ws = (uint8_t*)GmAlloc(16u << 20);
    ReadBin(dir, "a.bin", a, aBytes);
    ReadBin(dir, "w.bin", w, wBytes);
    if (name == "leaky" || name == "budget") {
        ICPU_RUN_KF(mix_leaky, blocks, a, w, y, ws, s);
    } else if (name == "peek") {
        ICPU_RUN_KF(mix_peek, blocks, a, w, y, z, ws, s);
        WriteBin(dir, "z.bin", z, yBytes);
    } else {
        return UnknownCase(argv[0], argv[1]);
    }
    WriteBin(dir, "y.bin", y, yBytes);
    GmFree(a), GmFree(w), GmFree(y), GmFree(z), GmFree(ws);
    return 0;
}

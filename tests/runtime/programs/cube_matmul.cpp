// cube_matmul: C = R * (A x B) on one cube core with the basic cube API, as a CANN kernel-launch
// CPU-debug program: fp16 A (M x K) and B (K x N, or its transpose N x K), fp32 accumulation,
// C written as fp32 (or fp16 through Fixpipe's F322F16 cast).
//
//   GM A (ND) ─DataCopy+Nd2Nz─> A1 (L1, NZ) ─LoadData──────────────> A2 (L0A, Zz) ─┐
//                                                                                  ├─ Mmad ─> CO1 (L0C, NZ) ─Fixpipe─> GM C (ND)
//   GM B (ND) ─DataCopy+Nd2Nz─> B1 (L1, NZ) ─LoadData(ifTranspose)─> B2 (L0B, Zn) ─┘
//
//   Tiling: the whole of A and B stays in L1; K is walked in chunks of KTILE (a multiple of 16)
//   through double-buffered A2/B2 queues, each chunk's Mmad accumulating onto the first
//   (cmatrixInitVal = false). The chunk sequence runs R times (R > 1: a compute-heavy kernel that
//   loads once and multiplies R times, like the official Mmad performance samples' LOOP_COUNT).
//   M, N, K need not be multiples of 16: the NZ copies pad to whole 16x16 fractals, Mmad uses
//   only the m x n x k corner and Fixpipe writes exactly M x N. With B transposed in GM (N x K)
//   its NZ form in L1 is already the L0B layout and LoadData copies without transposing.
//   M = 1 is the GEMV case: A is copied as a plain row (Mmad reads L0A as ND).
//
// Usage: cube_matmul CASE DIR M N K KTILE R        (reads DIR/a.bin, DIR/b.bin; writes DIR/c.bin)
//   CASE: nd (B is K x N), bt (B is N x K), nd_half (C as fp16), l0a_overflow, too_big, no_barrier
// Tested by: pytest tests/runtime/test_cube.py
#include <cstring>
#include <vector>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {

struct Shape {
    uint32_t m, n, k, kTile, repeat;
    bool bTransposed, halfOut, l0aOverflow, skipBarrier;
};

constexpr uint32_t FRACTAL = 16 * 16;  // halves per 512-byte fractal

__aicore__ inline uint32_t Blocks(uint32_t x) { return (x + 15) / 16; }

template <typename OutT>
class CubeMatmul {
public:
    __aicore__ inline void Init(GM_ADDR a, GM_ADDR b, GM_ADDR c, const Shape& s) {
        s_ = s;
        mb_ = Blocks(s.m);
        nb_ = Blocks(s.n);
        kb_ = Blocks(s.k);
        aGm_.SetGlobalBuffer((__gm__ half*)a, uint64_t(s.m) * s.k);
        bGm_.SetGlobalBuffer((__gm__ half*)b, uint64_t(s.k) * s.n);
        cGm_.SetGlobalBuffer((__gm__ OutT*)c, uint64_t(s.m) * s.n);
        const uint32_t ktb = s.kTile / 16;
        pipe_.InitBuffer(inA1_, 1, mb_ * kb_ * FRACTAL * sizeof(half));
        pipe_.InitBuffer(inB1_, 1, kb_ * nb_ * FRACTAL * sizeof(half));
        pipe_.InitBuffer(inA2_, 2, s.l0aOverflow ? 40 * 1024 : mb_ * ktb * FRACTAL * sizeof(half));
        pipe_.InitBuffer(inB2_, 2, ktb * nb_ * FRACTAL * sizeof(half));
        pipe_.InitBuffer(outC_, 1, mb_ * nb_ * FRACTAL * sizeof(float));
    }
    __aicore__ inline void Process() {
        CopyIn();
        LocalTensor<half> a1 = inA1_.DeQue<half>();
        LocalTensor<half> b1 = inB1_.DeQue<half>();
        LocalTensor<float> c = outC_.AllocTensor<float>();
        const uint32_t ktb = s_.kTile / 16;
        bool first = true;
        for (uint32_t r = 0; r < s_.repeat; ++r)
            for (uint32_t kb0 = 0; kb0 < kb_; kb0 += ktb) {
                const uint32_t count = kb_ - kb0 < ktb ? kb_ - kb0 : ktb;  // k-blocks in this chunk
                const uint32_t kLen = (kb0 + count) * 16 > s_.k ? s_.k - kb0 * 16 : count * 16;
                SplitA(a1, kb0, count);
                SplitB(b1, kb0, count);
                LocalTensor<half> a2 = inA2_.DeQue<half>();
                LocalTensor<half> b2 = inB2_.DeQue<half>();
                // Mmad.md: accumulating Mmads on a small result need a PIPE_M barrier between them.
                if (!first && !s_.skipBarrier && (s_.m / 16) * (s_.n / 16) < 10) PipeBarrier<PIPE_M>();
                Mmad(c, a2, b2, MmadParams(uint16_t(s_.m), uint16_t(s_.n), uint16_t(kLen), 0, false, first));
                first = false;
                inA2_.FreeTensor(a2);
                inB2_.FreeTensor(b2);
            }
        outC_.EnQue(c);
        inA1_.FreeTensor(a1);
        inB1_.FreeTensor(b1);
        CopyOut();
    }

private:
    __aicore__ inline void CopyIn() {
        LocalTensor<half> a1 = inA1_.AllocTensor<half>();
        if (s_.m == 1) DataCopy(a1, aGm_, s_.k);  // GEMV: A stays a plain row
        else DataCopy(a1, aGm_, Nd2NzParams(1, s_.m, s_.k, 0, s_.k, mb_ * 16, 1, 0));
        inA1_.EnQue(a1);
        LocalTensor<half> b1 = inB1_.AllocTensor<half>();
        if (s_.bTransposed) DataCopy(b1, bGm_, Nd2NzParams(1, s_.n, s_.k, 0, s_.k, nb_ * 16, 1, 0));
        else DataCopy(b1, bGm_, Nd2NzParams(1, s_.k, s_.n, 0, s_.n, kb_ * 16, 1, 0));
        inB1_.EnQue(b1);
    }
    // A1 (NZ, fractal (mb, kb) at kb*mBlocks + mb) -> A2 (Zz, fractal (mb, kb') at mb*count + kb').
    __aicore__ inline void SplitA(const LocalTensor<half>& a1, uint32_t kb0, uint32_t count) {
        LocalTensor<half> a2 = inA2_.AllocTensor<half>();
        if (s_.m == 1) {  // GEMV: the chunk's K halves, contiguous (one chunk: KTILE >= K)
            LoadData(a2, a1, LoadData2DParams(0, uint8_t((s_.k + FRACTAL - 1) / FRACTAL), 1, 0, 0, false, 0));
        } else {
            for (uint32_t i = 0; i < mb_; ++i)
                LoadData(a2[i * count * FRACTAL], a1,
                         LoadData2DParams(uint16_t(kb0 * mb_ + i), uint8_t(count), uint16_t(mb_), 0, 0, false, 0));
        }
        inA2_.EnQue(a2);
    }
    // B1 -> B2 (Zn, fractal (kb', nb) at kb'*nBlocks + nb). From K x N NZ each fractal is
    // transposed; from N x K NZ (B transposed in GM) it is copied as is.
    __aicore__ inline void SplitB(const LocalTensor<half>& b1, uint32_t kb0, uint32_t count) {
        LocalTensor<half> b2 = inB2_.AllocTensor<half>();
        for (uint32_t j = 0; j < count; ++j) {
            const uint32_t kb = kb0 + j;
            if (s_.bTransposed)  // fractal (nb, kb) of the N x K NZ matrix is at kb*nBlocks + nb
                LoadData(b2[j * nb_ * FRACTAL], b1, LoadData2DParams(uint16_t(kb * nb_), uint8_t(nb_), 1, 0, 0, false, 0));
            else  // fractal (kb, nb) of the K x N NZ matrix is at nb*kBlocks + kb
                LoadData(b2[j * nb_ * FRACTAL], b1, LoadData2DParams(uint16_t(kb), uint8_t(nb_), uint16_t(kb_), 0, 0, true, 0));
        }
        inB2_.EnQue(b2);
    }
    __aicore__ inline void CopyOut() {
        LocalTensor<float> c = outC_.DeQue<float>();
        FixpipeParamsV220 params;
        params.nSize = uint16_t(s_.n);
        params.mSize = uint16_t(s_.m);
        params.srcStride = uint16_t(mb_ * 16);
        params.dstStride = s_.n;
        params.quantPre = s_.halfOut ? QuantMode_t::F322F16 : QuantMode_t::NoQuant;
        Fixpipe<OutT, float, CFG_ROW_MAJOR>(cGm_, c, params);
        outC_.FreeTensor(c);
    }

    Shape s_{};
    uint32_t mb_ = 0, nb_ = 0, kb_ = 0;
    TPipe pipe_;
    TQue<QuePosition::A1, 1> inA1_;
    TQue<QuePosition::B1, 1> inB1_;
    TQue<QuePosition::A2, 2> inA2_;
    TQue<QuePosition::B2, 2> inB2_;
    TQue<QuePosition::CO1, 1> outC_;
    GlobalTensor<half> aGm_, bGm_;
    GlobalTensor<OutT> cGm_;
};

}  // namespace

extern "C" __global__ __aicore__ void cube_matmul(GM_ADDR a, GM_ADDR b, GM_ADDR c, Shape s) {
    if (s.halfOut) {
        CubeMatmul<half> op;
        op.Init(a, b, c, s);
        op.Process();
    } else {
        CubeMatmul<float> op;
        op.Init(a, b, c, s);
        op.Process();
    }
}

// Mmad's m, n, k are at most 4095.
extern "C" __global__ __aicore__ void too_big(GM_ADDR c) {
    TPipe pipe;
    TBuf<TPosition::A2> a;
    TBuf<TPosition::B2> b;
    TBuf<TPosition::CO1> out;
    pipe.InitBuffer(a, 512);
    pipe.InitBuffer(b, 512);
    pipe.InitBuffer(out, 1024);
    Mmad(out.Get<float>(), a.Get<half>(), b.Get<half>(), MmadParams(4096, 16, 16, 0, false, true));
}

int main(int argc, char* argv[]) {
    if (argc < 2) return 2;
    const char* name = argv[1];
    if (!std::strcmp(name, "too_big")) {
        uint8_t* c = (uint8_t*)GmAlloc(1024);
        SetKernelMode(KernelMode::AIC_MODE);
        ICPU_RUN_KF(too_big, 1, c);
        GmFree(c);
        return 0;
    }
    if (argc < 8) return 2;
    Shape s{uint32_t(std::atoi(argv[3])), uint32_t(std::atoi(argv[4])), uint32_t(std::atoi(argv[5])),
            uint32_t(std::atoi(argv[6])), uint32_t(std::atoi(argv[7])), false, false, false, false};
    if (!std::strcmp(name, "bt")) s.bTransposed = true;
    else if (!std::strcmp(name, "nd_half")) s.halfOut = true;
    else if (!std::strcmp(name, "l0a_overflow")) s.l0aOverflow = true;
    else if (!std::strcmp(name, "no_barrier")) s.skipBarrier = true;
    else if (std::strcmp(name, "nd") != 0) return UnknownCase(argv[0], name);
    const char* dir = argv[2];
    const size_t aBytes = size_t(s.m) * s.k * 2, bBytes = size_t(s.k) * s.n * 2;
    const size_t cBytes = size_t(s.m) * s.n * (s.halfOut ? 2 : 4);
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* b = (uint8_t*)GmAlloc(bBytes);
    uint8_t* c = (uint8_t*)GmAlloc(cBytes);
    ReadBin(dir, "a.bin", a, aBytes);
    ReadBin(dir, "b.bin", b, bBytes);
    SetKernelMode(KernelMode::AIC_MODE);
    ICPU_RUN_KF(cube_matmul, 1, a, b, c, s);
    WriteBin(dir, "c.bin", c, cBytes);
    GmFree(a);
    GmFree(b);
    GmFree(c);
    return 0;
}

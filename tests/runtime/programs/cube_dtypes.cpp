// cube_dtypes: C = A x B on one cube core with the basic cube API for every 910B cube input type,
// as a CANN kernel-launch CPU-debug program: A (M x K) and B given transposed (N x K) in GM, of
// float16, bfloat16, float32 or int8; C (M x N) float32 (int32 for int8) through Fixpipe NoQuant.
//
//   GM A (ND, M x K) ─DataCopy+Nd2Nz─> A1 (L1, NZ) ─LoadData─> A2 (L0A, Zz) ─┐
//                                                                          ├─ Mmad ─> CO1 (L0C, NZ) ─Fixpipe─> GM C (ND)
//   GM Bt (ND, N x K) ─DataCopy+Nd2Nz─> B1 (L1, NZ) ─LoadData─> B2 (L0B, Zn) ─┘
//
//   A fractal holds 16 rows of C0 = 32/sizeof(T) elements (16 for 16-bit types, 8 for float, 32 for
//   int8). The NZ form of A (M x K) in L1 has the L0A fractals, and the NZ form of B^T (N x K) has
//   the L0B fractals, so LoadData copies without transposing for every type. K is walked in chunks
//   of KTILE elements (a multiple of C0) through double-buffered A2/B2, each chunk's Mmad after the
//   first accumulating onto L0C (cmatrixInitVal = false). M, N, K need not be multiples of 16 or C0:
//   the NZ copies zero-fill the last 32-byte piece of each row and Mmad uses only the m x n x k corner.
//   M = 1 is GEMV: A is copied as a plain row (Nd2Nz of one row with a 1-block column stride).
//
// Usage: cube_dtypes DTYPE DIR M N K KTILE    (DTYPE: float16 bfloat16 float32 int8; reads DIR/a.bin,
//        DIR/b.bin (B^T); writes DIR/c.bin)
// Tested by: pytest tests/runtime/test_cube_faithful.py
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {

struct Shape {
    uint32_t m, n, k, kTile;
};

__aicore__ inline uint32_t Ceil(uint32_t x, uint32_t b) { return (x + b - 1) / b; }

template <typename T, typename C>
class CubeDtypes {
public:
    static constexpr uint32_t C0 = 32 / sizeof(T);
    static constexpr uint32_t FRACTAL = 16 * C0;  // elements of T per 512-byte fractal

    __aicore__ inline void Init(GM_ADDR a, GM_ADDR b, GM_ADDR c, const Shape& s) {
        s_ = s;
        mb_ = Ceil(s.m, 16);
        nb_ = Ceil(s.n, 16);
        kb_ = Ceil(s.k, C0);
        aGm_.SetGlobalBuffer((__gm__ T*)a, uint64_t(s.m) * s.k);
        bGm_.SetGlobalBuffer((__gm__ T*)b, uint64_t(s.n) * s.k);
        cGm_.SetGlobalBuffer((__gm__ C*)c, uint64_t(s.m) * s.n);
        const uint32_t ktb = s.kTile / C0;
        pipe_.InitBuffer(inA1_, 1, mb_ * kb_ * FRACTAL * sizeof(T));
        pipe_.InitBuffer(inB1_, 1, kb_ * nb_ * FRACTAL * sizeof(T));
        pipe_.InitBuffer(inA2_, 2, mb_ * ktb * FRACTAL * sizeof(T));
        pipe_.InitBuffer(inB2_, 2, ktb * nb_ * FRACTAL * sizeof(T));
        pipe_.InitBuffer(outC_, 1, mb_ * nb_ * 256 * sizeof(C));
    }
    __aicore__ inline void Process() {
        LocalTensor<T> a1 = inA1_.AllocTensor<T>();
        if (s_.m == 1) DataCopy(a1, aGm_, Nd2NzParams(1, 1, s_.k, 0, s_.k, 1, 1, 0));  // a plain row
        else DataCopy(a1, aGm_, Nd2NzParams(1, s_.m, s_.k, 0, s_.k, mb_ * 16, 1, 0));
        inA1_.EnQue(a1);
        LocalTensor<T> b1 = inB1_.AllocTensor<T>();
        DataCopy(b1, bGm_, Nd2NzParams(1, s_.n, s_.k, 0, s_.k, nb_ * 16, 1, 0));
        inB1_.EnQue(b1);
        a1 = inA1_.DeQue<T>();
        b1 = inB1_.DeQue<T>();
        LocalTensor<C> c = outC_.AllocTensor<C>();
        const uint32_t ktb = s_.kTile / C0;
        for (uint32_t kb0 = 0; kb0 < kb_; kb0 += ktb) {
            const uint32_t count = kb_ - kb0 < ktb ? kb_ - kb0 : ktb;  // k-blocks in this chunk
            const uint32_t kLen = (kb0 + count) * C0 > s_.k ? s_.k - kb0 * C0 : count * C0;
            LocalTensor<T> a2 = inA2_.AllocTensor<T>();
            if (s_.m == 1)  // the chunk's elements of the row, whole fractals
                LoadData(a2, a1[kb0 * C0], LoadData2DParams(0, uint8_t(Ceil(count * C0, FRACTAL)), 1, 0, 0, false, 0));
            else  // L1 fractal (mb, kb) is at kb*mb_ + mb; L0A wants it at mb*count + (kb - kb0)
                for (uint32_t i = 0; i < mb_; ++i)
                    LoadData(a2[i * count * FRACTAL], a1,
                             LoadData2DParams(uint16_t(kb0 * mb_ + i), uint8_t(count), uint16_t(mb_), 0, 0, false, 0));
            inA2_.EnQue(a2);
            LocalTensor<T> b2 = inB2_.AllocTensor<T>();  // L1 fractal (nb, kb) at kb*nb_ + nb: already L0B order
            for (uint32_t j = 0; j < count; ++j)
                LoadData(b2[j * nb_ * FRACTAL], b1, LoadData2DParams(uint16_t((kb0 + j) * nb_), uint8_t(nb_), 1, 0, 0, false, 0));
            inB2_.EnQue(b2);
            a2 = inA2_.DeQue<T>();
            b2 = inB2_.DeQue<T>();
            if (kb0 != 0 && (s_.m / 16) * (s_.n / 16) < 10) PipeBarrier<PIPE_M>();  // Mmad.md
            Mmad(c, a2, b2, MmadParams(uint16_t(s_.m), uint16_t(s_.n), uint16_t(kLen), 0, false, kb0 == 0));
            inA2_.FreeTensor(a2);
            inB2_.FreeTensor(b2);
        }
        outC_.EnQue(c);
        inA1_.FreeTensor(a1);
        inB1_.FreeTensor(b1);
        c = outC_.DeQue<C>();
        FixpipeParamsV220 params;
        params.nSize = uint16_t(s_.n);
        params.mSize = uint16_t(s_.m);
        params.srcStride = uint16_t(mb_ * 16);
        params.dstStride = s_.n;
        Fixpipe<C, C, CFG_ROW_MAJOR>(cGm_, c, params);
        outC_.FreeTensor(c);
    }

private:
    Shape s_{};
    uint32_t mb_ = 0, nb_ = 0, kb_ = 0;
    TPipe pipe_;
    TQue<QuePosition::A1, 1> inA1_;
    TQue<QuePosition::B1, 1> inB1_;
    TQue<QuePosition::A2, 2> inA2_;
    TQue<QuePosition::B2, 2> inB2_;
    TQue<QuePosition::CO1, 1> outC_;
    GlobalTensor<T> aGm_, bGm_;
    GlobalTensor<C> cGm_;
};

template <typename T, typename C>
__aicore__ inline void RunOne(GM_ADDR a, GM_ADDR b, GM_ADDR c, const Shape& s) {
    CubeDtypes<T, C> op;
    op.Init(a, b, c, s);
    op.Process();
}

}  // namespace

extern "C" __global__ __aicore__ void cube_dtypes(GM_ADDR a, GM_ADDR b, GM_ADDR c, Shape s, int dtype) {
    switch (dtype) {
        case 0: RunOne<half, float>(a, b, c, s); break;
        case 1: RunOne<bfloat16_t, float>(a, b, c, s); break;
        case 2: RunOne<float, float>(a, b, c, s); break;
        default: RunOne<int8_t, int32_t>(a, b, c, s); break;
    }
}

int main(int argc, char* argv[]) {
    if (argc < 7) return 2;
    static const char* names[] = {"float16", "bfloat16", "float32", "int8"};
    static const size_t sizes[] = {2, 2, 4, 1};
    int dtype = 0;
    while (dtype < 4 && std::strcmp(argv[1], names[dtype]) != 0) ++dtype;
    if (dtype == 4) return UnknownCase(argv[0], argv[1]);
    const Shape s{uint32_t(std::atoi(argv[3])), uint32_t(std::atoi(argv[4])), uint32_t(std::atoi(argv[5])),
                  uint32_t(std::atoi(argv[6]))};
    const char* dir = argv[2];
    const size_t aBytes = size_t(s.m) * s.k * sizes[dtype], bBytes = size_t(s.n) * s.k * sizes[dtype];
    const size_t cBytes = size_t(s.m) * s.n * 4;
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* b = (uint8_t*)GmAlloc(bBytes);
    uint8_t* c = (uint8_t*)GmAlloc(cBytes);
    ReadBin(dir, "a.bin", a, aBytes);
    ReadBin(dir, "b.bin", b, bBytes);
    SetKernelMode(KernelMode::AIC_MODE);
    ICPU_RUN_KF(cube_dtypes, 1, a, b, c, s, dtype);
    WriteBin(dir, "c.bin", c, cBytes);
    GmFree(a);
    GmFree(b);
    GmFree(c);
    return 0;
}

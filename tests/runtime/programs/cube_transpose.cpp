// cube_transpose: C = A x B on one 910B cube core where one operand arrives in GM the "wrong" way
// round and LoadDataWithTranspose turns it into the L0A/L0B layout, as a CANN kernel-launch
// CPU-debug program (the parameters follow the asc-devkit load_data_l12l0 sample).
//
//   a_T: GM A^T (ND, K x M) ─Nd2Nz─> A1 ─LoadDataWithTranspose─> A2 (Zz) ─┐
//        GM B^T (ND, N x K) ─Nd2Nz─> B1 ─LoadData──────────────> B2 (Zn) ─┴ Mmad ─> CO1 ─Fixpipe─> GM C (ND)
//   b_T: GM A (ND, M x K)   ─Nd2Nz─> A1 ─LoadData──────────────> A2 (Zz) ─┐
//        GM B (ND, K x N)   ─Nd2Nz─> B1 ─LoadDataWithTranspose─> B2 (Zn) ─┴ Mmad ─> ...
//
//   T is int8 (C int32), half or float (C float). The square a repeat transposes is 32x32 bytes of
//   int8 (two 16x32 fractals one above the other), one 16x16 half fractal, or 16x16 floats (two 16x8
//   fractals side by side); so in L1 int8 operands are Nz with the K rows padded to 32, and float
//   ones are "Zz" (one Nd2Nz matrix per 16 rows of K, so the two fractals of a square are adjacent).
//   M, N, K: multiples of 32 (int8) or 16 (half, float). One K piece, one Mmad.
//
// Usage: cube_transpose CASE DIR M N K   (reads DIR/a.bin, DIR/b.bin; writes DIR/c.bin)
//   CASE: {a,b}_{int8,half,float}; broken: overlap_int8 (a_int8 with dstGap 0 and dstFracGap 0, so
//   repeats overwrite each other's fractals), small_int8 (a_int8 writing L0A one fractal in, past its
//   tensor's end), swap_int8 (source and destination swapped; M N K unused).
// Tested by: pytest tests/runtime/test_cube_transpose.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {

struct Shape {
    uint32_t m, n, k;
    bool transA;  // A^T in GM (else B in GM as K x N)
    bool overlap, small;
};

__aicore__ inline uint32_t Ceil(uint32_t x, uint32_t b) { return (x + b - 1) / b; }

template <typename T, typename C>
class CubeTranspose {
public:
    static constexpr uint32_t C0 = 32 / sizeof(T);
    static constexpr uint32_t FRACTAL = 16 * C0;  // elements per 512-byte fractal

    __aicore__ inline void Init(GM_ADDR a, GM_ADDR b, GM_ADDR c, const Shape& s) {
        s_ = s;
        mb_ = s.m / 16;
        nb_ = s.n / 16;
        kb_ = s.k / C0;
        aGm_.SetGlobalBuffer((__gm__ T*)a, uint64_t(s.m) * s.k);
        bGm_.SetGlobalBuffer((__gm__ T*)b, uint64_t(s.n) * s.k);
        cGm_.SetGlobalBuffer((__gm__ C*)c, uint64_t(s.m) * s.n);
        pipe_.InitBuffer(inA1_, 1, s.m * s.k * sizeof(T));
        pipe_.InitBuffer(inB1_, 1, s.n * s.k * sizeof(T));
        pipe_.InitBuffer(inA2_, 1, s.m * s.k * sizeof(T));
        pipe_.InitBuffer(inB2_, 1, s.n * s.k * sizeof(T));
        pipe_.InitBuffer(outC_, 1, s.m * s.n * sizeof(C));
    }
    __aicore__ inline void Process() {
        LocalTensor<T> a1 = inA1_.AllocTensor<T>();
        LocalTensor<T> b1 = inB1_.AllocTensor<T>();
        if (s_.transA) CopyTransposed(a1, aGm_, s_.k, s_.m);
        else DataCopy(a1, aGm_, Nd2NzParams(1, s_.m, s_.k, 0, s_.k, s_.m, 1, 0));
        if (s_.transA) DataCopy(b1, bGm_, Nd2NzParams(1, s_.n, s_.k, 0, s_.k, s_.n, 1, 0));
        else CopyTransposed(b1, bGm_, s_.k, s_.n);
        inA1_.EnQue(a1);
        inB1_.EnQue(b1);
        a1 = inA1_.DeQue<T>();
        b1 = inB1_.DeQue<T>();
        LocalTensor<T> a2 = inA2_.AllocTensor<T>();
        LocalTensor<T> b2 = inB2_.AllocTensor<T>();
        if (s_.transA) {
            LoadATransposed(s_.small ? a2[FRACTAL] : a2, a1);
            for (uint32_t j = 0; j < kb_; ++j)  // L1 fractal (nb, kb) at kb*nb_ + nb: already L0B order
                LoadData(b2[j * nb_ * FRACTAL], b1, LoadData2DParams(uint16_t(j * nb_), uint8_t(nb_), 1, 0, 0, false, 0));
        } else {
            for (uint32_t i = 0; i < mb_; ++i)  // L1 fractal (mb, kb) at kb*mb_ + mb; L0A wants mb*kb_ + kb
                LoadData(a2[i * kb_ * FRACTAL], a1, LoadData2DParams(uint16_t(i), uint8_t(kb_), uint16_t(mb_), 0, 0, false, 0));
            LoadBTransposed(b2, b1);
        }
        inA2_.EnQue(a2);
        inB2_.EnQue(b2);
        inA1_.FreeTensor(a1);
        inB1_.FreeTensor(b1);
        a2 = inA2_.DeQue<T>();
        b2 = inB2_.DeQue<T>();
        LocalTensor<C> c = outC_.AllocTensor<C>();
        MmadParams mp(uint16_t(s_.m), uint16_t(s_.n), uint16_t(s_.k), 0, false, true);
        mp.kDirectionAlign = sizeof(T) == 4;  // float: K padded to 16 in L0A/L0B (the squares are 16 wide)
        Mmad(c, a2, b2, mp);
        inA2_.FreeTensor(a2);
        inB2_.FreeTensor(b2);
        outC_.EnQue(c);
        c = outC_.DeQue<C>();
        FixpipeParamsV220 fp;
        fp.nSize = uint16_t(s_.n);
        fp.mSize = uint16_t(s_.m);
        fp.srcStride = uint16_t(s_.m);
        fp.dstStride = s_.n;
        Fixpipe<C, C, CFG_ROW_MAJOR>(cGm_, c, fp);
        outC_.FreeTensor(c);
    }

private:
    // GM (rows x cols, ND) -> L1: Nz (columns in C0 blocks of `rows` rows) for 8/16-bit types, "Zz"
    // (one Nd2Nz matrix per 16 rows) for 32-bit ones.
    __aicore__ inline void CopyTransposed(const LocalTensor<T>& dst, const GlobalTensor<T>& src, uint32_t rows,
                                          uint32_t cols) {
        if (sizeof(T) != 4) {
            DataCopy(dst, src, Nd2NzParams(1, uint16_t(rows), uint16_t(cols), 0, uint16_t(cols), uint16_t(rows), 1, 0));
            return;
        }
        DataCopy(dst, src, Nd2NzParams(uint16_t(rows / 16), 16, uint16_t(cols), uint16_t(16 * cols), uint16_t(cols),
                                       16, 1, uint16_t(16 * cols)));
    }
    // A^T (K x M) in L1 -> A (M x K) in L0A, Zz.
    __aicore__ inline void LoadATransposed(const LocalTensor<T>& a2, const LocalTensor<T>& a1) {
        if (sizeof(T) == 4) {  // square (kr, i) is L1 square kr*(M/16) + i; it becomes L0A fractals (i, 2kr), (i, 2kr + 1)
            for (uint32_t i = 0; i < s_.m / 16; ++i)
                LoadDataWithTranspose(a2[i * kb_ * FRACTAL], a1[i * 2 * FRACTAL],
                                      LoadData2dTransposeParams(0, uint8_t(s_.k / 16), uint16_t(s_.m / 16), 1, 0, 0));
            return;
        }
        // 8/16-bit: column block i of A^T (32 or 16 columns of M) holds squares q = 0.. down K; square q
        // becomes L0A fractal rows 2i, 2i+1 (int8) or i (half), column q.
        const uint32_t rowsPerSquare = sizeof(T) == 1 ? 32 : 16;
        const uint32_t fracs = sizeof(T) == 1 ? 2 : 1;
        for (uint32_t i = 0; i < s_.m / rowsPerSquare; ++i)
            LoadDataWithTranspose(a2[i * fracs * kb_ * FRACTAL], a1[i * s_.k * rowsPerSquare],
                                  LoadData2dTransposeParams(0, uint8_t(s_.k / rowsPerSquare), 1, 0,
                                                            uint16_t(s_.overlap ? 0 : kb_ - 1), 0));
    }
    // B (K x N) in L1 -> L0B, Zn (fractal (kb, nb) at kb*nb_ + nb).
    __aicore__ inline void LoadBTransposed(const LocalTensor<T>& b2, const LocalTensor<T>& b1) {
        if (sizeof(T) == 4) {  // square (kr, i): L1 square kr*(N/16) + i -> L0B fractals (2kr, i), (2kr + 1, i)
            for (uint32_t kr = 0; kr < s_.k / 16; ++kr)
                LoadDataWithTranspose(b2[kr * 2 * nb_ * FRACTAL], b1[kr * (s_.n / 16) * 2 * FRACTAL],
                                      LoadData2dTransposeParams(0, uint8_t(s_.n / 16), 1, 0, uint16_t(nb_ - 1), 0));
            return;
        }
        // 8/16-bit: square q of column block nc (C0 columns of N, K rows) -> L0B fractals (q, 2nc), (q, 2nc+1)
        // for int8, (q, nc) for half.
        const uint32_t kPerSquare = sizeof(T) == 1 ? 32 : 16;
        for (uint32_t q = 0; q < s_.k / kPerSquare; ++q)
            LoadDataWithTranspose(b2[q * nb_ * FRACTAL], b1[q * kPerSquare * C0],
                                  LoadData2dTransposeParams(0, uint8_t(s_.n / C0), uint16_t(s_.k / kPerSquare),
                                                            sizeof(T) == 1 ? 1 : 0, 0, 0));
    }

    Shape s_{};
    uint32_t mb_ = 0, nb_ = 0, kb_ = 0;
    TPipe pipe_;
    TQue<QuePosition::A1, 1> inA1_;
    TQue<QuePosition::B1, 1> inB1_;
    TQue<QuePosition::A2, 1> inA2_;
    TQue<QuePosition::B2, 1> inB2_;
    TQue<QuePosition::CO1, 1> outC_;
    GlobalTensor<T> aGm_, bGm_;
    GlobalTensor<C> cGm_;
};

template <typename T, typename C>
__aicore__ inline void RunOne(GM_ADDR a, GM_ADDR b, GM_ADDR c, const Shape& s) {
    CubeTranspose<T, C> op;
    op.Init(a, b, c, s);
    op.Process();
}

}  // namespace

extern "C" __global__ __aicore__ void transpose_int8(GM_ADDR a, GM_ADDR b, GM_ADDR c, Shape s) {
    RunOne<int8_t, int32_t>(a, b, c, s);
}
extern "C" __global__ __aicore__ void transpose_half(GM_ADDR a, GM_ADDR b, GM_ADDR c, Shape s) {
    RunOne<half, float>(a, b, c, s);
}
extern "C" __global__ __aicore__ void transpose_float(GM_ADDR a, GM_ADDR b, GM_ADDR c, Shape s) {
    RunOne<float, float>(a, b, c, s);
}

// Source and destination the wrong way round: L0A -> L1.
extern "C" __global__ __aicore__ void transpose_swap() {
    TPipe pipe;
    TBuf<TPosition::A1> l1;
    TBuf<TPosition::A2> l0a;
    pipe.InitBuffer(l1, 2048);
    pipe.InitBuffer(l0a, 2048);
    LoadDataWithTranspose(l1.Get<int8_t>(), l0a.Get<int8_t>(), LoadData2dTransposeParams(0, 1, 1, 0, 0, 0));
}

int main(int argc, char* argv[]) {
    if (argc < 6) return 2;
    std::string c = argv[1];
    if (c == "swap_int8") {
        SetKernelMode(KernelMode::AIC_MODE);
        ICPU_RUN_KF(transpose_swap, 1);
        return 0;
    }
    Shape s{uint32_t(std::atoi(argv[3])), uint32_t(std::atoi(argv[4])), uint32_t(std::atoi(argv[5])), true, false,
            false};
    if (c.rfind("overlap_", 0) == 0) {
        s.overlap = true;
        c = "a_" + c.substr(8);
    } else if (c.rfind("small_", 0) == 0) {
        s.small = true;
        c = "a_" + c.substr(6);
    }
    if (c.size() < 3 || (c[0] != 'a' && c[0] != 'b') || c[1] != '_') return UnknownCase(argv[0], argv[1]);
    s.transA = c[0] == 'a';
    const std::string type = c.substr(2);
    const size_t e = type == "int8" ? 1 : type == "half" ? 2 : type == "float" ? 4 : 0;
    if (e == 0) return UnknownCase(argv[0], argv[1]);
    const char* dir = argv[2];
    const size_t aBytes = size_t(s.m) * s.k * e, bBytes = size_t(s.n) * s.k * e, cBytes = size_t(s.m) * s.n * 4;
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* b = (uint8_t*)GmAlloc(bBytes);
    uint8_t* cc = (uint8_t*)GmAlloc(cBytes);
    ReadBin(dir, "a.bin", a, aBytes);
    ReadBin(dir, "b.bin", b, bBytes);
    SetKernelMode(KernelMode::AIC_MODE);
    if (e == 1) ICPU_RUN_KF(transpose_int8, 1, a, b, cc, s);
    else if (e == 2) ICPU_RUN_KF(transpose_half, 1, a, b, cc, s);
    else ICPU_RUN_KF(transpose_float, 1, a, b, cc, s);
    WriteBin(dir, "c.bin", cc, cBytes);
    GmFree(a);
    GmFree(b);
    GmFree(cc);
    return 0;
}

// matmul_basic: C = A x B with the basic cube API, multi-core and double-buffered, as a CANN
// kernel-launch CPU-debug program: fp16 A (M x K) and B (K x N) row-major in GM, fp32 C (M x N).
// The kernel benchmarks/bench_matmul.py times by default, and a worked example of a tiled cube kernel.
//
//   C is cut into BM x BN = 128 x 256 output tiles; core i takes tiles i, i + blockDim, ... (row-major
//   tile order). For one tile, K is walked twice over:
//     L1 chunks of KL = 256:  GM A[m0:+128, k0:+256] ─DataCopy+Nd2Nz─> A1 (NZ, 64 KiB)      x2 buffers
//                             GM B[k0:+256, n0:+256] ─DataCopy+Nd2Nz─> B1 (NZ, 128 KiB)     x2 buffers
//     L0 steps of BK = 64:    A1 ─LoadData─> A2 (Zz, 128 x 64, 16 KiB)                   x2 buffers
//                             B1 ─LoadData(ifTranspose)─> B2 (Zn, 64 x 256, 32 KiB)       x2 buffers
//                             Mmad 128 x 256 x 64 -> CO1 (128 x 256 fp32 = 128 KiB, all of L0C),
//                             the first one of the tile starting C at 0, the others accumulating
//   then Fixpipe CO1 -> GM C[m0:+128, n0:+256] (NZ -> ND). L1 holds 384 of its 512 KiB, L0A 32 of 64,
//   L0B 64 of 64 (910B sizes, runtime/src/soc.cpp). M and N tails give smaller tiles; M, N, K must be
//   multiples of 16 (tails inside a fractal are exercised by tests/runtime/programs/cube_dtypes.cpp).
//
// Usage: matmul_basic DIR M N K REPEAT   (reads DIR/a.bin, DIR/b.bin; writes DIR/c.bin; prints
//        "seconds: t1 t2 ..." with the wall time of each of the REPEAT launches)
// This command line and output are the contract of benchmarks/bench_matmul.py --kernel.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tikicpulib.h"

using namespace AscendC;

namespace {

constexpr uint32_t BM = 128, BN = 256, BK = 64, KL = 256;
constexpr uint32_t FRACTAL = 16 * 16;  // halves per 512-byte fractal
constexpr uint32_t CORES = 24;         // cube cores of Ascend910B1 (runtime/src/soc.cpp)

struct Shape {
    uint32_t m, n, k;
};

__aicore__ inline uint32_t Min(uint32_t a, uint32_t b) { return a < b ? a : b; }
__aicore__ inline uint32_t Blocks(uint32_t x) { return (x + 15) / 16; }

class MatmulBasic {
public:
    __aicore__ inline void Init(GM_ADDR a, GM_ADDR b, GM_ADDR c, const Shape& s) {
        s_ = s;
        aGm_.SetGlobalBuffer((__gm__ half*)a, uint64_t(s.m) * s.k);
        bGm_.SetGlobalBuffer((__gm__ half*)b, uint64_t(s.k) * s.n);
        cGm_.SetGlobalBuffer((__gm__ float*)c, uint64_t(s.m) * s.n);
        pipe_.InitBuffer(a1_, 2, BM * KL * sizeof(half));
        pipe_.InitBuffer(b1_, 2, KL * BN * sizeof(half));
        pipe_.InitBuffer(a2_, 2, BM * BK * sizeof(half));
        pipe_.InitBuffer(b2_, 2, BK * BN * sizeof(half));
        pipe_.InitBuffer(c1_, 1, BM * BN * sizeof(float));
    }
    __aicore__ inline void Process() {
        const uint32_t tilesN = (s_.n + BN - 1) / BN, tiles = (s_.m + BM - 1) / BM * tilesN;
        for (uint32_t t = GetBlockIdx(); t < tiles; t += GetBlockNum()) Tile(t / tilesN * BM, t % tilesN * BN);
    }

private:
    __aicore__ inline void Tile(uint32_t m0, uint32_t n0) {
        const uint32_t mLen = Min(BM, s_.m - m0), nLen = Min(BN, s_.n - n0);
        const uint32_t mb = Blocks(mLen), nb = Blocks(nLen);
        LocalTensor<float> c = c1_.AllocTensor<float>();
        for (uint32_t k0 = 0; k0 < s_.k; k0 += KL) {
            const uint32_t klLen = Min(KL, s_.k - k0), klb = Blocks(klLen);
            LocalTensor<half> a1 = a1_.AllocTensor<half>();
            DataCopy(a1, aGm_[uint64_t(m0) * s_.k + k0], Nd2NzParams(1, mLen, klLen, 0, s_.k, mb * 16, 1, 0));
            a1_.EnQue(a1);
            LocalTensor<half> b1 = b1_.AllocTensor<half>();
            DataCopy(b1, bGm_[uint64_t(k0) * s_.n + n0], Nd2NzParams(1, klLen, nLen, 0, s_.n, klb * 16, 1, 0));
            b1_.EnQue(b1);
            a1 = a1_.DeQue<half>();
            b1 = b1_.DeQue<half>();
            for (uint32_t kb0 = 0; kb0 < klb; kb0 += BK / 16) {
                const uint32_t cnt = Min(BK / 16, klb - kb0);
                // A1 fractal (i, kb) is at kb*mb + i; A2 (Zz) wants it at i*cnt + (kb - kb0).
                LocalTensor<half> a2 = a2_.AllocTensor<half>();
                for (uint32_t j = 0; j < cnt; ++j)
                    LoadData(a2[j * FRACTAL], a1, LoadData2DParams(uint16_t((kb0 + j) * mb), uint8_t(mb), 1, 0,
                                                                   uint16_t(cnt - 1), false, 0));
                a2_.EnQue(a2);
                // B1 fractal (kb, i) is at i*klb + kb, a 16 x 16 of k rows: transposed into B2 (Zn) at (kb - kb0)*nb + i.
                LocalTensor<half> b2 = b2_.AllocTensor<half>();
                for (uint32_t j = 0; j < cnt; ++j)
                    LoadData(b2[j * nb * FRACTAL], b1, LoadData2DParams(uint16_t(kb0 + j), uint8_t(nb), uint16_t(klb), 0, 0, true, 0));
                b2_.EnQue(b2);
                a2 = a2_.DeQue<half>();
                b2 = b2_.DeQue<half>();
                const bool first = k0 == 0 && kb0 == 0;
                if (!first && (mLen / 16) * (nLen / 16) < 10) PipeBarrier<PIPE_M>();  // Mmad.md
                Mmad(c, a2, b2, MmadParams(uint16_t(mLen), uint16_t(nLen), uint16_t(cnt * 16), 0, false, first));
                a2_.FreeTensor(a2);
                b2_.FreeTensor(b2);
            }
            a1_.FreeTensor(a1);
            b1_.FreeTensor(b1);
        }
        c1_.EnQue(c);
        c = c1_.DeQue<float>();
        FixpipeParamsV220 params;
        params.nSize = uint16_t(nLen);
        params.mSize = uint16_t(mLen);
        params.srcStride = uint16_t(mb * 16);
        params.dstStride = s_.n;
        Fixpipe<float, float, CFG_ROW_MAJOR>(cGm_[uint64_t(m0) * s_.n + n0], c, params);
        c1_.FreeTensor(c);
    }

    Shape s_{};
    TPipe pipe_;
    TQue<QuePosition::A1, 2> a1_;
    TQue<QuePosition::B1, 2> b1_;
    TQue<QuePosition::A2, 2> a2_;
    TQue<QuePosition::B2, 2> b2_;
    TQue<QuePosition::CO1, 1> c1_;
    GlobalTensor<half> aGm_, bGm_;
    GlobalTensor<float> cGm_;
};

std::string PathIn(const char* dir, const char* name) { return std::string(dir) + "/" + name; }

bool Io(const char* dir, const char* name, void* data, size_t bytes, bool write) {
    FILE* f = std::fopen(PathIn(dir, name).c_str(), write ? "wb" : "rb");
    const bool ok = f != nullptr && (write ? std::fwrite(data, 1, bytes, f) : std::fread(data, 1, bytes, f)) == bytes;
    if (f != nullptr) std::fclose(f);
    if (!ok) std::fprintf(stderr, "matmul_basic: cannot %s %zu bytes of %s\n", write ? "write" : "read", bytes,
                          PathIn(dir, name).c_str());
    return ok;
}

}  // namespace

extern "C" __global__ __aicore__ void matmul_basic(GM_ADDR a, GM_ADDR b, GM_ADDR c, Shape s) {
    MatmulBasic op;
    op.Init(a, b, c, s);
    op.Process();
}

int main(int argc, char* argv[]) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s DIR M N K REPEAT\n", argv[0]);
        return 2;
    }
    const char* dir = argv[1];
    const Shape s{uint32_t(std::atoi(argv[2])), uint32_t(std::atoi(argv[3])), uint32_t(std::atoi(argv[4]))};
    const int repeat = std::atoi(argv[5]);
    if (s.m % 16 || s.n % 16 || s.k % 16 || s.m == 0 || s.n == 0 || s.k == 0 || s.k > 65535 || s.n > 65535) {
        std::fprintf(stderr, "matmul_basic: M, N, K must be positive multiples of 16 (N, K at most 65535)\n");
        return 2;
    }
    const size_t aBytes = size_t(s.m) * s.k * 2, bBytes = size_t(s.k) * s.n * 2, cBytes = size_t(s.m) * s.n * 4;
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* b = (uint8_t*)GmAlloc(bBytes);
    uint8_t* c = (uint8_t*)GmAlloc(cBytes);
    if (!Io(dir, "a.bin", a, aBytes, false) || !Io(dir, "b.bin", b, bBytes, false)) return 2;
    const uint32_t tiles = (s.m + BM - 1) / BM * ((s.n + BN - 1) / BN);
    const uint32_t blockDim = tiles < CORES ? tiles : CORES;
    SetKernelMode(KernelMode::AIC_MODE);
    std::printf("seconds:");
    for (int r = 0; r < repeat; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        ICPU_RUN_KF(matmul_basic, blockDim, a, b, c, s);
        std::printf(" %.6f", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::printf("\n");
    const bool ok = Io(dir, "c.bin", c, cBytes, true);
    GmFree(a);
    GmFree(b);
    GmFree(c);
    return ok ? 0 : 2;
}

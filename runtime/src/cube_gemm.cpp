// opkit: the arithmetic of Mmad on the host: a packed, register-blocked GEMM that reads L0A/L0B in
// their fractal layouts and writes L0C in its Nz layout (Note [Cube layouts] in cube.cpp). The
// instruction's checks and its npu_simulator costs stay in CubeMmad (cube_mmad.cpp); this file only
// computes.
//
// Note [Host GEMM for Mmad]: how Mmad computes, and what it promises.
//   Summation: each result element is C0 + a(0)b(0) + a(1)b(1) + ... + a(k-1)b(k-1) added one
//   product at a time in k order, in fp32 (int32 for int8), C0 being 0 or the L0C value
//   (cmatrixInitVal false). fp16 and bf16 inputs are exact in fp32 and so is each product of two
//   (11+11 and 8+8 significant bits < 24), so every step rounds only its sum once, whether or not
//   the compiler fuses it into an FMA. The NPU adds the 16-element k fractal's products as a
//   partial sum of its own (an adder tree whose order and internal width the documentation does
//   not give) and then adds those partial sums onto C, so its fp32 result may differ from ours in
//   the last bits: both are sums of the same exact products with k roundings at most, so each
//   differs from the exact sum by at most about k * 2^-24 * sum|a*b| (tests/runtime/
//   test_cube_faithful.py pins this bound against a float64 reference). int8 x int8 sums are exact
//   modulo 2^32 in any order, so int32 results are bit-exact. fp32 inputs are multiplied in fp32
//   (HF32 rounding is off unless SetHF32Mode enables it, HF32.md; opkit has no HF32 mode); the
//   product rounding is the host's (one rounding per fused step where the compiler contracts
//   a*b+c into an FMA, as -O3 -march=native does on x86-64), which the test's bound also covers.
//   Padding: only m x n x k contributes; the rows/columns of C's touched fractals beyond m/n are
//   written with 0xFF bytes (Note [Cube layouts]).
//   Method: an Mmad call is small (a 128x256x64 base block is 2 M multiply-adds), so the GEMM is
//   ours: A is packed into fp32 (int32) panels of MR = 6 rows, k-major; B into panels of 16
//   columns (one L0B fractal column), k-major; a 6 x 16 register tile (12 vectors of 8) walks k in
//   chunks of KC, loading and storing its rows straight from/to the L0C fractal rows (16
//   contiguous elements each). Packing converts each operand once per call (fp16 through F16C
//   where the host has it; F16C widens every fp16 exactly, quieting signalling NaNs) and is
//   O(mk + kn) against O(mnk). One Mmad runs on its simulated core's host thread; the runtime
//   spreads the cores over the threads.
//   Why not a BLAS on fp32 copies (measured on the 2-core development host, thread CPU time, one
//   thread, shared machine so +-20%): Mmad 128x256x64 fp16 here takes 65-85 us per call including
//   the packing from the fractals (50-65 GFLOP/s; the 6 x 16 tile alone runs at ~88 GFLOP/s);
//   OpenBLAS 0.3.31's sgemm (numpy's, one thread) takes 78 us on ready ND fp32 copies, before the
//   fp16 -> fp32 conversion, the unpacking of Zz/Zn to ND and the scatter of C back to Nz that the
//   BLAS route needs (the same O(mk + kn + mn) work as our packing; sgemm then packs again). At the
//   base-block sizes of real kernels that is no gain, and it would add a wheel dependency with its
//   own thread pool. The fixed cost of a call is ~1 us (a 16x16x16 Mmad); a 1x256x64 GEMV ~6 us.
#include "cube_internal.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__F16C__) || defined(__SSE2__)
#include <immintrin.h>
#endif

namespace opkit {
namespace rt {
namespace cube {

namespace {

constexpr uint32_t MR = 6;    // rows of the register tile
constexpr uint32_t NR = 16;   // columns of the register tile: one fractal's width
constexpr uint32_t KC = 256;  // k per pass: a B panel of KC x 16 fp32 is 16 KiB (L1)
constexpr uint32_t L1_A_BYTES = 16 * 1024;  // A panels kept in L1 while the B panels go by

template <typename T>
struct Vec;
template <>
struct Vec<float> {
    typedef float V __attribute__((vector_size(32)));
};
template <>
struct Vec<uint32_t> {  // unsigned: int32 sums wrap modulo 2^32 like the 32-bit adder, no UB
    typedef uint32_t V __attribute__((vector_size(32)));
};

template <typename V, typename T>
inline V LoadV(const T* p) {
    V v;
    std::memcpy(&v, p, sizeof(V));
    return v;
}
template <typename V, typename T>
inline void StoreV(T* p, V v) {
    std::memcpy(p, &v, sizeof(V));
}

// C rows r of the tile (16 elements each, in L0C) += Apanel (k x MR) x Bpanel (k x 16). The twelve
// accumulators are named, not an array, so that the compiler keeps them in registers.
template <typename T>
void Tile(const T* ap, const T* bp, uint32_t k, T* const* crow, bool load) {
    static_assert(MR == 6, "the tile below is written out for 6 rows");
    using V = typename Vec<T>::V;
    V c00{}, c01{}, c10{}, c11{}, c20{}, c21{}, c30{}, c31{}, c40{}, c41{}, c50{}, c51{};
    if (load) {
        c00 = LoadV<V>(crow[0]), c01 = LoadV<V>(crow[0] + 8), c10 = LoadV<V>(crow[1]), c11 = LoadV<V>(crow[1] + 8);
        c20 = LoadV<V>(crow[2]), c21 = LoadV<V>(crow[2] + 8), c30 = LoadV<V>(crow[3]), c31 = LoadV<V>(crow[3] + 8);
        c40 = LoadV<V>(crow[4]), c41 = LoadV<V>(crow[4] + 8), c50 = LoadV<V>(crow[5]), c51 = LoadV<V>(crow[5] + 8);
    }
    for (uint32_t q = 0; q < k; ++q, ap += MR, bp += NR) {
        const V b0 = LoadV<V>(bp), b1 = LoadV<V>(bp + 8);
        T a = ap[0];
        c00 += b0 * a, c01 += b1 * a;
        a = ap[1];
        c10 += b0 * a, c11 += b1 * a;
        a = ap[2];
        c20 += b0 * a, c21 += b1 * a;
        a = ap[3];
        c30 += b0 * a, c31 += b1 * a;
        a = ap[4];
        c40 += b0 * a, c41 += b1 * a;
        a = ap[5];
        c50 += b0 * a, c51 += b1 * a;
    }
    StoreV(crow[0], c00), StoreV(crow[0] + 8, c01), StoreV(crow[1], c10), StoreV(crow[1] + 8, c11);
    StoreV(crow[2], c20), StoreV(crow[2] + 8, c21), StoreV(crow[3], c30), StoreV(crow[3] + 8, c31);
    StoreV(crow[4], c40), StoreV(crow[4] + 8, c41), StoreV(crow[5], c50), StoreV(crow[5] + 8, c51);
}

// ---- element conversion of a contiguous run ----------------------------------------------------
void Widen(DType t, const uint8_t* src, float* dst, uint32_t n) {
    uint32_t i = 0;
    if (t == DType::F16) {
        const auto* s = reinterpret_cast<const uint16_t*>(src);
#if defined(__F16C__)
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i))));
#endif
        for (; i < n; ++i) dst[i] = HalfBitsToFloat(s[i]);
    } else if (t == DType::BF16) {
        const auto* s = reinterpret_cast<const uint16_t*>(src);
        for (; i < n; ++i) dst[i] = Bf16BitsToFloat(s[i]);
    } else {  // F32
        std::memcpy(dst, src, uint64_t(n) * 4);
    }
}
void Widen(DType, const uint8_t* src, uint32_t* dst, uint32_t n) {  // I8, sign-extended
    const auto* s = reinterpret_cast<const int8_t*>(src);
    for (uint32_t i = 0; i < n; ++i) dst[i] = uint32_t(int32_t(s[i]));
}

// Per-thread scratch: the packed panels and one widened fractal, reused across calls. They only grow:
// resizing a vector up again value-initialises the new elements, a memset of the panels on every
// call whose operands are larger than the last one's (the packing writes every element it uses).
template <typename T>
struct Scratch {
    std::vector<T> a, b, fractal;
};
template <typename T>
T* Room(std::vector<T>& v, uint64_t n) {
    if (v.size() < n) v.resize(n);
    return v.data();
}
template <typename T>
Scratch<T>& ScratchOf() {
    thread_local std::unique_ptr<Scratch<T>> s;  // on the heap: Note [Small TLS] in core.cpp
    if (s == nullptr) s = std::make_unique<Scratch<T>>();
    return *s;
}

// A (m x k) -> panels of MR rows: element (i, q) at (i/MR)*k*MR + q*MR + i%MR; rows past m are 0.
// A group's rows are widened one fractal row (C0 elements) at a time, then interleaved.
template <typename T>
void PackA(const GemmArgs& g, Scratch<T>& s) {
    const uint32_t groups = (g.m + MR - 1) / MR, es = DTypeSize(g.in);
    T* const packed = Room(s.a, uint64_t(groups) * g.k * MR);  // every element used is written below
    T tmp[MR][32];                                              // C0 <= 32
    for (uint32_t grp = 0; grp < groups; ++grp) {
        const uint32_t rows = std::min(MR, g.m - grp * MR);
        T* panel = packed + uint64_t(grp) * g.k * MR;
        for (uint32_t kb = 0; kb * g.c0 < g.k; ++kb) {
            const uint32_t kv = std::min(g.c0, g.k - kb * g.c0);
            for (uint32_t r = 0; r < MR; ++r) {
                const uint32_t i = grp * MR + r;
                if (r >= rows) {
                    std::fill(tmp[r], tmp[r] + kv, T{});
                    continue;
                }
                const uint64_t off = g.gemv ? uint64_t(kb) * g.c0  // one plain row of K elements (GEMV.md)
                                            : (uint64_t(i / 16) * g.kBlocks + kb) * 16 * g.c0 + (i % 16) * g.c0;
                Widen(g.in, g.a + off * es, tmp[r], kv);
            }
            T* dst = panel + uint64_t(kb) * g.c0 * MR;
            for (uint32_t q = 0; q < kv; ++q)
                for (uint32_t r = 0; r < MR; ++r) dst[q * MR + r] = tmp[r][q];
        }
    }
}

// B (k x n) -> panels of 16 columns: element (q, c) at (c/16)*k*16 + q*16 + c%16; columns past n
// are 0. An L0B fractal stores its 16 columns as rows of C0 k-elements, so each is transposed.
template <typename T>
void PackB(const GemmArgs& g, Scratch<T>& s) {
    const uint32_t es = DTypeSize(g.in), fe = 16 * g.c0;
    T* const packed = Room(s.b, uint64_t(g.nBlocks) * g.k * NR);  // every element used is written below
    T* const fractal = Room(s.fractal, fe);
    uint16_t t16[256];
    for (uint32_t kb = 0; kb * g.c0 < g.k; ++kb) {
        const uint32_t kv = std::min(g.c0, g.k - kb * g.c0);
        for (uint32_t nb = 0; nb < g.nBlocks; ++nb) {
            const uint8_t* frac = g.b + (uint64_t(kb) * g.nBlocks + nb) * fe * es;
            const uint32_t nv = std::min(16u, g.n - nb * 16);
            T* dst = packed + (uint64_t(nb) * g.k + uint64_t(kb) * g.c0) * NR;
            if (es == 2) {  // 16 x 16: transpose the bits, then widen whole rows
                Transpose16x16(reinterpret_cast<const uint16_t*>(frac), t16);
                Widen(g.in, reinterpret_cast<const uint8_t*>(t16), dst, kv * NR);  // rows q < kv, contiguous
                for (uint32_t q = 0; nv < NR && q < kv; ++q)
                    for (uint32_t c = nv; c < NR; ++c) dst[q * NR + c] = T{};
            } else {
                Widen(g.in, frac, fractal, fe);
                for (uint32_t c = 0; c < NR; ++c)
                    for (uint32_t q = 0; q < kv; ++q) dst[q * NR + c] = c < nv ? fractal[c * g.c0 + q] : T{};
            }
        }
    }
}

template <typename T>
void Run(const GemmArgs& g) {
    Scratch<T>& s = ScratchOf<T>();
    PackA(g, s);
    PackB(g, s);
    T* c = reinterpret_cast<T*>(g.c);
    T sink[NR];  // where the tile's rows past m go
    const uint32_t groups = (g.m + MR - 1) / MR;
    for (uint32_t k0 = 0; k0 < g.k; k0 += KC) {
        const uint32_t kc = std::min(KC, g.k - k0);
        const bool load = g.accumulate || k0 > 0;
        // Row groups in blocks whose A panels (GB x MR x kc) stay in a 32 KiB L1 beside one B panel.
        const uint32_t gb = std::max<uint32_t>(1, L1_A_BYTES / (MR * kc * sizeof(T)));
        for (uint32_t g0 = 0; g0 < groups; g0 += gb)
            for (uint32_t nb = 0; nb < g.nBlocks; ++nb) {
                const T* bp = s.b.data() + (uint64_t(nb) * g.k + k0) * NR;
                for (uint32_t grp = g0; grp < std::min(groups, g0 + gb); ++grp) {
                    T* rows[MR];
                    for (uint32_t r = 0; r < MR; ++r) {
                        const uint32_t i = grp * MR + r;
                        rows[r] = sink;
                        if (i >= g.m) continue;
                        rows[r] = c + (uint64_t(nb) * g.mBlocks + i / 16) * 256 + (i % 16) * 16;
                        if (nb + 1 < g.nBlocks) __builtin_prefetch(rows[r] + 256 * g.mBlocks);  // next column block's rows
                    }
                    Tile<T>(s.a.data() + (uint64_t(grp) * g.k + k0) * MR, bp, kc, rows, load);
                }
            }
    }
    // C's padding inside the touched fractals: undefined, shown as fresh memory (Note [Cube layouts]).
    for (uint32_t nb = 0; nb < g.nBlocks; ++nb)
        for (uint32_t mb = 0; mb < g.mBlocks; ++mb) {
            T* f = c + (uint64_t(nb) * g.mBlocks + mb) * 256;
            const uint32_t mv = std::min(16u, g.m - mb * 16), nv = std::min(16u, g.n - nb * 16);
            for (uint32_t i = 0; i < 16; ++i) {
                if (i >= mv) std::memset(f + i * 16, 0xFF, 16 * sizeof(T));
                else if (nv < 16) std::memset(f + i * 16 + nv, 0xFF, (16 - nv) * sizeof(T));
            }
        }
}

}  // namespace

void Gemm(const GemmArgs& g) {
    if (g.integer) Run<uint32_t>(g);
    else Run<float>(g);
}

// A 16 x 16 matrix of 16-bit elements, transposed: out[i][j] = in[j][i] (in and out may not overlap).
void Transpose16x16(const uint16_t* in, uint16_t* out) {
#if defined(__SSE2__)
    // Four 8 x 8 blocks, each transposed with the three unpack rounds, block (bi, bj) -> (bj, bi).
    for (int bi = 0; bi < 2; ++bi)
        for (int bj = 0; bj < 2; ++bj) {
            __m128i r[8], t[8];
            for (int i = 0; i < 8; ++i)
                r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + (bi * 8 + i) * 16 + bj * 8));
            for (int i = 0; i < 4; ++i) {
                t[2 * i] = _mm_unpacklo_epi16(r[2 * i], r[2 * i + 1]);
                t[2 * i + 1] = _mm_unpackhi_epi16(r[2 * i], r[2 * i + 1]);
            }
            for (int i = 0; i < 2; ++i) {
                r[4 * i + 0] = _mm_unpacklo_epi32(t[4 * i + 0], t[4 * i + 2]);
                r[4 * i + 1] = _mm_unpackhi_epi32(t[4 * i + 0], t[4 * i + 2]);
                r[4 * i + 2] = _mm_unpacklo_epi32(t[4 * i + 1], t[4 * i + 3]);
                r[4 * i + 3] = _mm_unpackhi_epi32(t[4 * i + 1], t[4 * i + 3]);
            }
            for (int i = 0; i < 4; ++i) {
                t[2 * i] = _mm_unpacklo_epi64(r[i], r[i + 4]);
                t[2 * i + 1] = _mm_unpackhi_epi64(r[i], r[i + 4]);
            }
            for (int i = 0; i < 8; ++i)
                _mm_storeu_si128(reinterpret_cast<__m128i*>(out + (bj * 8 + i) * 16 + bi * 8), t[i]);
        }
#else
    for (int i = 0; i < 16; ++i)
        for (int j = 0; j < 16; ++j) out[i * 16 + j] = in[j * 16 + i];
#endif
}

}  // namespace cube
}  // namespace rt
}  // namespace opkit

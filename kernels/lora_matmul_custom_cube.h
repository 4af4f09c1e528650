// The cube side of lora_matmul_custom: one output tile C[mLen, nLen] (float, L0C) accumulated from
// row-major operands that share their K axis, C += P · Qᵀ with P [mLen, K] and Q [nLen, K] (x and w,
// x and A, or s·T and B: every product of the op has this "NT" form). The design note is in
// kernels/lora_matmul_custom.cpp; this file is the data path, on the basic cube API:
//
//   GM P rows --Nd2Nz--> A1 (L1, NZ, [mPad, kL1], 3 buffers) --LoadData--> A2 (L0A, [mPad, baseK], 2) --+
//   GM Q rows --Nd2Nz--> B1 (L1, NZ, [nPad, kL1], 3 buffers) --LoadData--> B2 (L0B, [baseK, nPad], 2) --+-> Mmad -> CO1
//   GM bias ----Nd2Nz--> C1 (L1 row) --DataCopy--> C2 (bias table): the first Mmad's initial C
//
// A K step that is not a multiple of 16 is Mmad's own k (the fractal's spare columns are not read).
// A one-row tile runs Mmad's GEMV form: P is a plain row in L1 and L0A (GEMV.md), as the Matmul API does.
#pragma once
#include "kernel_operator.h"

namespace lora {
using namespace AscendC;

constexpr uint32_t kFrac = 256;  // elements of a 16 x 16 fractal of 2-byte values

inline uint32_t CeilDiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
inline uint32_t Align16(uint32_t a) { return CeilDiv(a, 16) * 16; }

struct NoOp {
    void operator()() const {}
};
struct NoLoad {
    template <typename L>
    void operator()(const L&, uint32_t, uint32_t) const {}
};

// The L1 and L0 queues of one AI Core; sizes from the tiling (host/lora_matmul_custom.cpp).
template <typename T>
struct CubeBuffers {
    TQue<TPosition::A1, 3> a1;
    TQue<TPosition::A1, 2> a1r;  // a1r, b1r: the adapter's narrow K steps, so that they never hold a
    TQue<TPosition::B1, 3> b1;
    TQue<TPosition::B1, 2> b1r;  // wide buffer the next tile's x and w could already be loading into
    TQue<TPosition::A2, 2> a2;
    TQue<TPosition::B2, 2> b2;
    TQue<TPosition::CO1, 1> co1;
    TQue<TPosition::C1, 1> biasL1;
    TQue<TPosition::C2, 1> biasBt;
    uint32_t baseK = 64, kL1 = 128, kL1r = 16;

    void Init(TPipe* pipe, uint32_t aRows, uint32_t bRows, uint32_t cElems, uint32_t baseN, uint32_t baseK_,
              uint32_t kL1_, uint32_t rPad, bool bias) {
        baseK = baseK_, kL1 = kL1_, kL1r = rPad < kL1 ? rPad : kL1;
        pipe->InitBuffer(a1, 3, aRows * kL1 * sizeof(T));  // three: MTE2 runs up to two K tiles ahead
        pipe->InitBuffer(b1, 3, bRows * kL1 * sizeof(T));
        pipe->InitBuffer(a1r, 2, aRows * kL1r * sizeof(T));
        pipe->InitBuffer(b1r, 2, bRows * kL1r * sizeof(T));
        pipe->InitBuffer(a2, 2, aRows * baseK * sizeof(T));
        pipe->InitBuffer(b2, 2, bRows * baseK * sizeof(T));
        pipe->InitBuffer(co1, 1, cElems * sizeof(float));
        if (bias) {
            pipe->InitBuffer(biasL1, 1, baseN * sizeof(float) + 32);
            pipe->InitBuffer(biasBt, 1, CeilDiv(baseN * sizeof(float), 64) * 64);
        }
    }

    // The bias of nLen columns from GM into the bias table (C1 row, then C2 in 64-byte units). A row
    // ending inside the first half of a 64-byte unit gets the unit's second half written too (its
    // last 8 values again), so the table copy reads no unwritten L1; Mmad reads only nLen values.
    LocalTensor<float> LoadBias(const GlobalTensor<float>& bias, uint32_t nLen) {
        LocalTensor<float> c1 = biasL1.template AllocTensor<float>();
        DataCopy(c1, bias, Nd2NzParams(1, 1, uint16_t(nLen), 0, uint16_t(nLen), 1, 1, 0));
        const uint32_t written = CeilDiv(nLen, 8) * 32;
        if (written % 64 != 0) {
            const uint32_t take = nLen < 8 ? nLen : 8;
            DataCopy(c1[written / sizeof(float)], bias[nLen - take], Nd2NzParams(1, 1, uint16_t(take), 0, uint16_t(take), 1, 1, 0));
        }
        biasL1.EnQue(c1);
        LocalTensor<float> src = biasL1.template DeQue<float>();
        LocalTensor<float> bt = biasBt.template AllocTensor<float>();
        DataCopy(bt, src, DataCopyParams(1, uint16_t(CeilDiv(nLen * sizeof(float), 64)), 0, 0));
        biasL1.FreeTensor(src);
        biasBt.EnQue(bt);
        return biasBt.template DeQue<float>();
    }

    // C (+)= P · Qᵀ over K columns. loadP(a1, k0, kc) and loadQ(b1, k0, kc) fill the L1 tiles (NZ with
    // Align16(mLen) / Align16(nLen) rows; a plain row when mLen == 1). `init`: the first Mmad starts C
    // (from the bias table when bt is given) instead of accumulating. `narrow`: the adapter's L1 queues.
    // before(): runs once, after the first K tile's copies are issued and before the first Mmad (the
    // caller takes the previous tile's C out there, so those copies overlap its Fixpipe).
    template <typename LoadP, typename LoadQ, typename Before = NoOp>
    void Accumulate(LocalTensor<float>& c, uint32_t mLen, uint32_t nLen, uint32_t k, LoadP loadP, LoadQ loadQ,
                    bool init, LocalTensor<float>* bt, bool narrow = false, Before before = Before()) {
        if (narrow) return Run(a1r, b1r, kL1r, c, mLen, nLen, k, loadP, loadQ, init, bt, before);
        return Run(a1, b1, kL1, c, mLen, nLen, k, loadP, loadQ, init, bt, before);
    }
    // C += P · Qᵀ + P' · Qᵀ on the narrow queues, Q loaded once for both (the adapter's hi and lo parts).
    template <typename LoadP, typename LoadP2, typename LoadQ>
    void AccumulateTwo(LocalTensor<float>& c, uint32_t mLen, uint32_t nLen, uint32_t k, LoadP loadP, LoadP2 loadP2,
                       LoadQ loadQ) {
        Run(a1r, b1r, kL1r, c, mLen, nLen, k, loadP, loadQ, false, nullptr, NoOp(), &loadP2);
    }
    template <typename QA, typename QB, typename LoadP, typename LoadQ, typename Before, typename LoadP2 = NoLoad>
    void Run(QA& a1, QB& b1, uint32_t kL1, LocalTensor<float>& c, uint32_t mLen, uint32_t nLen, uint32_t k,
             LoadP loadP, LoadQ loadQ, bool init, LocalTensor<float>* bt, Before before, LoadP2* loadP2 = nullptr) {
        const uint32_t nBl = CeilDiv(nLen, 16);
        bool first = init;
        for (uint32_t k0 = 0; k0 < k; k0 += kL1) {
            const uint32_t kc = k - k0 < kL1 ? k - k0 : kL1;
            LocalTensor<T> p1 = a1.template AllocTensor<T>(), p1b;
            loadP(p1, k0, kc);
            a1.EnQue(p1);
            if (loadP2 != nullptr) {
                p1b = a1.template AllocTensor<T>();
                (*loadP2)(p1b, k0, kc);
                a1.EnQue(p1b);
            }
            LocalTensor<T> q1 = b1.template AllocTensor<T>();
            loadQ(q1, k0, kc);
            b1.EnQue(q1);
            if (k0 == 0) before();
            p1 = a1.template DeQue<T>();
            if (loadP2 != nullptr) p1b = a1.template DeQue<T>();
            q1 = b1.template DeQue<T>();
            for (uint32_t kIn = 0; kIn < kc; kIn += baseK) {
                const uint32_t kLen = kc - kIn < baseK ? kc - kIn : baseK, kBl = CeilDiv(kLen, 16);
                LocalTensor<T> q2 = b2.template AllocTensor<T>();
                for (uint32_t j = 0; j < kBl; ++j)  // Qᵀ's Zn fractal (kb, nb) is Q's NZ fractal (nb, kb)
                    LoadData(q2[j * nBl * kFrac], q1, LoadData2DParams(uint16_t((kIn / 16 + j) * nBl), uint8_t(nBl), 1, 0, 0, false, 0));
                b2.EnQue(q2);
                q2 = b2.template DeQue<T>();
                MmadStep(c, p1, q2, mLen, nLen, kIn, kLen, first, bt);
                if (loadP2 != nullptr) MmadStep(c, p1b, q2, mLen, nLen, kIn, kLen, first, bt);
                b2.FreeTensor(q2);
            }
            a1.FreeTensor(p1);
            if (loadP2 != nullptr) a1.FreeTensor(p1b);
            b1.FreeTensor(q1);
        }
    }
    // One Mmad of K columns [kIn, kIn + kLen) of the L1 tile p1 against q2 (already in L0B).
    void MmadStep(LocalTensor<float>& c, const LocalTensor<T>& p1, const LocalTensor<T>& q2, uint32_t mLen,
                  uint32_t nLen, uint32_t kIn, uint32_t kLen, bool& first, LocalTensor<float>*& bt) {
        const uint32_t mBl = CeilDiv(mLen, 16), kBl = CeilDiv(kLen, 16);
        LocalTensor<T> p2 = a2.template AllocTensor<T>();
        if (mLen == 1) {  // GEMV: the plain row's kLen values, in whole 512-byte units
            LoadData(p2, p1[kIn], LoadData2DParams(0, uint8_t(CeilDiv(kLen * sizeof(T), 512)), 1, 0, 0, false, 0));
        } else {  // NZ fractal (mb, kb) at kb*mBl + mb becomes Zz fractal (mb, kb)
            for (uint32_t i = 0; i < mBl; ++i)
                LoadData(p2[i * kBl * kFrac], p1, LoadData2DParams(uint16_t(kIn / 16 * mBl + i), uint8_t(kBl), uint16_t(mBl), 0, 0, false, 0));
        }
        a2.EnQue(p2);
        p2 = a2.template DeQue<T>();
        // Note [Mmad barrier] (runtime/src/cube_mmad.cpp): small accumulating Mmads need PIPE_M.
        if (!first && (mLen / 16) * (nLen / 16) < 10) PipeBarrier<PIPE_M>();  // (the doc's m/16, rounded down)
        MmadParams mp(uint16_t(mLen), uint16_t(nLen), uint16_t(kLen), 0, false, first);
        if (first && bt != nullptr) {
            mp.cmatrixSource = true;
            mp.cmatrixInitVal = false;
            Mmad(c, p2, q2, *bt, mp);
            biasBt.FreeTensor(*bt);
            bt = nullptr;
        } else {
            Mmad(c, p2, q2, mp);
        }
        first = false;
        a2.FreeTensor(p2);
    }
};

// Rows [row0, row0 + rows) x columns [k0, k0 + kc) of a row-major GM matrix (row stride ld) into an
// L1 NZ tile of `pad` rows, starting at tile row `at` (a plain row when the tile has one row).
template <typename T>
inline void RowsToL1(const LocalTensor<T>& dst, const GlobalTensor<T>& src, uint64_t row0, uint32_t rows,
                     uint32_t k0, uint32_t kc, uint32_t ld, uint32_t pad, uint32_t at = 0) {
    if (pad == 1) {
        DataCopy(dst, src[row0 * ld + k0], Nd2NzParams(1, 1, uint16_t(kc), 0, uint16_t(ld), 1, 1, 0));
        return;
    }
    DataCopy(dst[at * 16], src[row0 * ld + k0], Nd2NzParams(1, uint16_t(rows), uint16_t(kc), 0, uint16_t(ld), uint16_t(pad), 1, 0));
}

// L0C rows [row, row + rows) of a tile computed with mLen rows -> GM at dst (row stride ld), cast to D.
template <typename D>
inline void RowsOut(const GlobalTensor<D>& dst, const LocalTensor<float>& c, uint32_t mLen, uint32_t row,
                    uint32_t rows, uint32_t nLen, uint32_t ld) {
    FixpipeParamsV220 fp;
    fp.nSize = uint16_t(nLen), fp.mSize = uint16_t(rows);
    fp.srcStride = uint16_t(Align16(mLen));
    fp.dstStride = ld;
    fp.quantPre = std::is_same<D, half>::value ? F322F16 : (std::is_same<D, bfloat16_t>::value ? F322BF16 : NoQuant);
    Fixpipe<D, float, CFG_ROW_MAJOR>(dst, c[row * 16], fp);
}
}  // namespace lora

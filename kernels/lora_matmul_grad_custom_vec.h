// lora_matmul_grad_custom, vector-core side (phases 1 and 2 of Note [LoRA backward phases] in
// kernels/lora_matmul_grad_custom.cpp): the GM -> GM copies that build Xaug and Waug, and the scale and
// per-row adapter masks of Gf/Hf, rounded once to the input dtype.
#pragma once

namespace {
// rows x cols elements from src (row stride srcLd) to dst (row stride dstLd), through UB in pieces of
// at most COPY_BYTES, double-buffered (the queue orders MTE2 -> MTE3 and the buffer's reuse).
template <typename T>
__aicore__ inline void CopyRows(TQueBind<TPosition::VECIN, TPosition::VECOUT, 2>& q, GlobalTensor<T> dst, uint64_t dstLd,
                                GlobalTensor<T> src, uint64_t srcLd, uint32_t rows, uint32_t cols) {
    const uint32_t colsPer = Min(cols, COPY_BYTES / sizeof(T));
    for (uint32_t c0 = 0; c0 < cols; c0 += colsPer) {
        const uint32_t cl = Min(colsPer, cols - c0), slot = Up(cl * sizeof(T), 32);
        const uint32_t rowsPer = Min(COPY_BYTES / slot, 4095);
        for (uint32_t r0 = 0; r0 < rows; r0 += rowsPer) {
            const uint32_t rl = Min(rowsPer, rows - r0);
            LocalTensor<T> buf = q.AllocTensor<T>();
            DataCopyPad(buf, src[r0 * srcLd + c0], DataCopyExtParams(uint16_t(rl), cl * sizeof(T), uint32_t((srcLd - cl) * sizeof(T)), 0, 0),
                        DataCopyPadExtParams<T>(false, 0, 0, T(0)));
            q.EnQue(buf);
            buf = q.DeQue<T>();
            DataCopyPad(dst[r0 * dstLd + c0], buf, DataCopyExtParams(uint16_t(rl), cl * sizeof(T), 0, uint32_t((dstLd - cl) * sizeof(T)), 0));
            q.FreeTensor(buf);
        }
    }
}

// Phase 1, vector core of block b: dy[rows_b] -> Xaug[rows_b, :out], and the b-th share of the flat
// copy W (out*in elements), A_all (R*in) -> Waug.
template <typename T, class TL>
__aicore__ inline void VecCopies(const Gm<T>& g, const TL& t) {
    const uint32_t block = GetBlockIdx() / GetTaskRation(), R = t.adapters * t.rank;
    TPipe pipe;
    TQueBind<TPosition::VECIN, TPosition::VECOUT, 2> q;
    pipe.InitBuffer(q, 2, COPY_BYTES);
    const uint32_t m0 = block * t.rowsPerBlock;
    if (m0 < t.m)
        CopyRows<T>(q, At<T>(g.xaug, uint64_t(t.m) * (t.out + R))[uint64_t(m0) * (t.out + R)], t.out + R,
                    At<T>(g.dy, uint64_t(t.m) * t.out)[uint64_t(m0) * t.out], t.out, Min(t.rowsPerBlock, t.m - m0), t.out);
    const uint64_t wN = uint64_t(t.out) * t.in, total = wN + uint64_t(R) * t.in;
    const uint64_t share = ((total + GetBlockNum() - 1) / GetBlockNum() + 15) / 16 * 16;
    const uint64_t s0 = block * share, s1 = s0 + share < total ? s0 + share : total;
    auto waug = At<T>(g.waug, total);
    for (uint64_t p = s0; p < s1;) {  // pieces of at most 2^30 elements, within W or within A_all
        const bool inW = p < wN;
        const uint64_t end = inW ? (s1 < wN ? s1 : wN) : s1;
        const uint64_t len = end - p < (1ull << 30) ? end - p : (1ull << 30);
        auto src = inW ? At<T>(g.w, wN)[p] : At<T>(g.a, total - wN)[p - wN];
        CopyRows<T>(q, waug[p], len, src, len, 1, uint32_t(len));
        p += len;
    }
}

// Phase 2, vector core of block b: Gs = s·mask(Gf), Hs = s·mask(Hf) on rows_b, where row m keeps the
// columns [id·r, +r) of its adapter id (all R columns without adapter_ids, none for -1). The mask row
// (fp32 [R]) is rewritten by the scalar unit only where the id changes from one row to the next.
template <typename T, class TL>
__aicore__ inline void VecScale(const Gm<T>& g, const TL& t) {
    const uint32_t block = GetBlockIdx() / GetTaskRation(), R = t.adapters * t.rank, Rp = Up(R, 16);
    const uint32_t m0 = block * t.rowsPerBlock;
    if (m0 >= t.m) return;
    const uint32_t rows = Min(t.rowsPerBlock, t.m - m0), chunk = t.rowsPerChunk;
    TPipe pipe;
    TQue<TPosition::VECIN, 1> inQ;     // fp32 rows [chunk, Rp]
    TQue<TPosition::VECOUT, 1> outQ;   // T rows [chunk, Rp]
    TBuf<TPosition::VECCALC> maskBuf;  // fp32 [Rp]
    pipe.InitBuffer(inQ, 1, chunk * Rp * sizeof(float));
    pipe.InitBuffer(outQ, 1, chunk * Rp * sizeof(T));
    pipe.InitBuffer(maskBuf, Rp * sizeof(float));
    LocalTensor<float> mask = maskBuf.Get<float>();
    Duplicate(mask, t.hasIds ? 0.0f : t.scale, int32_t(Rp));
    int32_t cur = t.hasIds ? -1 : 0;  // the adapter whose columns the mask holds
    auto ids = At<int32_t>(g.ids, t.hasIds ? t.m : 1);
    const uint64_t M = t.m;
    for (int pass = 0; pass < 2; ++pass) {
        auto src = At<float>(pass == 0 ? g.gf : g.hf, M * R);
        auto dst = At<T>(pass == 0 ? g.gs : g.hs, M * R);
        for (uint32_t c0 = 0; c0 < rows; c0 += chunk) {
            const uint32_t rl = Min(chunk, rows - c0);
            const uint64_t row0 = uint64_t(m0) + c0;
            LocalTensor<float> in = inQ.AllocTensor<float>();
            DataCopyPad(in, src[row0 * R], DataCopyExtParams(uint16_t(rl), R * 4, 0, (Rp * 4 - Up(R * 4, 32)) / 32, 0),
                        DataCopyPadExtParams<float>(false, 0, 0, 0.0f));
            inQ.EnQue(in);
            in = inQ.DeQue<float>();
            LocalTensor<T> out = outQ.AllocTensor<T>();
            for (uint32_t i = 0; i < rl; ++i) {
                const int32_t id = t.hasIds ? ids.GetValue(row0 + i) : 0;
                if (id != cur) {  // move the s-block of the mask to this row's adapter
                    SetFlag<HardEvent::V_S>(0);
                    WaitFlag<HardEvent::V_S>(0);
                    for (uint32_t k = 0; cur >= 0 && k < t.rank; ++k) mask.SetValue(uint32_t(cur) * t.rank + k, 0.0f);
                    for (uint32_t k = 0; id >= 0 && id < int32_t(t.adapters) && k < t.rank; ++k)
                        mask.SetValue(uint32_t(id) * t.rank + k, t.scale);
                    SetFlag<HardEvent::S_V>(0);
                    WaitFlag<HardEvent::S_V>(0);
                    cur = id >= 0 && id < int32_t(t.adapters) ? id : -1;
                }
                Mul(in[i * Rp], in[i * Rp], mask, int32_t(R));
                Cast(out[i * Rp], in[i * Rp], RoundMode::CAST_RINT, R);
            }
            inQ.FreeTensor(in);
            outQ.EnQue(out);
            out = outQ.DeQue<T>();
            const uint32_t gap = (Rp * uint32_t(sizeof(T)) - Up(R * sizeof(T), 32)) / 32;
            DataCopyPad(dst[row0 * R], out, DataCopyExtParams(uint16_t(rl), R * sizeof(T), gap, 0, 0));
            if (pass == 0)  // Gs is also the last R columns of Xaug
                DataCopyPad(At<T>(g.xaug, M * (t.out + R))[row0 * (t.out + R) + t.out], out,
                            DataCopyExtParams(uint16_t(rl), R * sizeof(T), gap, t.out * sizeof(T), 0));
            outQ.FreeTensor(out);
        }
    }
}
}  // namespace

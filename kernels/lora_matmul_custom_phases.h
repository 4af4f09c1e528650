// lora_matmul_custom's phases (included by kernels/lora_matmul_custom.cpp inside namespace lora; the
// design note is there). Cube side: RunCube, Phase1, Phase2, Tile. Vector side: RunVector and helpers.
#pragma once

constexpr uint32_t VEC_PIECE = 8192;  // elements per vector pass (32 KiB of float)
constexpr uint32_t ID_PIECE = 2048;   // ids per scan pass (a multiple of 16)

template <typename T>
__aicore__ inline void LoraKernel<T>::RunCube() {
    const uint32_t rPad = Align16(t_.r);
    const uint32_t aRows = t_.baseM > 128 ? t_.baseM : 128, bRows = t_.baseN > rPad ? t_.baseN : rPad;
    const uint32_t cElems = t_.baseM * t_.baseN > 128 * rPad ? t_.baseM * t_.baseN : 128 * rPad;
    cube_.Init(&pipe_, aRows, bRows, cElems, t_.baseN, t_.baseK, t_.kL1, rPad, t_.hasBias != 0);
    CrossCoreWaitFlag(FLAG_CODES);  // this block's group codes are in GM
    Phase1();
    CrossCoreSetFlag<2, PIPE_FIX>(FLAG_T);  // this block's rows of T are in GM
    SyncAll<false>();                      // every block's Ts rows and the zero block are in GM
    Phase2();
}

// T[rows of this block] = xl · A[id]ᵀ in float (xl: x_lora when given, else x), sub-tile by sub-tile. The adapters present in a sub-tile
// share one pass over its x: their A rows stack into one Q of `per` blocks of r rows (as many as L1 and
// L0C hold, r a multiple of 16), so a batch mixing 8 adapters per row reads x once or twice, not 8 times.
template <typename T>
__aicore__ inline void LoraKernel<T>::Phase1() {
    const uint32_t row0 = uint32_t(GetBlockIdx()) * t_.chunk;
    if (row0 >= t_.m) return;
    const uint32_t rows = t_.m - row0 < t_.chunk ? t_.m - row0 : t_.chunk, r = t_.r, rPad = Align16(r);
    const uint32_t bRows = t_.baseN > rPad ? t_.baseN : rPad, cCols = (t_.baseM * t_.baseN > 128 * rPad ? t_.baseM * t_.baseN : 128 * rPad) / 128;
    // (Stacked only when r is a multiple of 16: otherwise an inner block's padding rows would be L1 that
    // nothing wrote, which Mmad reads.)
    const uint32_t per = r % 16 == 0 ? (bRows < cCols ? bRows : cCols) / rPad : 1;
    Runs runs;
    int32_t distinct[MAX_RUNS];
    for (uint32_t s = 0; s < rows; s += 128) {
        const uint32_t mLen = rows - s < 128 ? rows - s : 128, tRow = row0 + s;
        const uint32_t padM = mLen == 1 ? 1 : Align16(mLen);
        RunsOf(tRow, mLen, runs);
        const uint32_t nd = Distinct(runs, distinct);
        for (uint32_t d0 = 0; d0 < nd; d0 += per) {
            const uint32_t nb = nd - d0 < per ? nd - d0 : per, nCols = (nb - 1) * rPad + r;
            LocalTensor<float> c = cube_.co1.template AllocTensor<float>();
            cube_.Accumulate(
                c, mLen, nCols, t_.k,
                [&](const LocalTensor<T>& p, uint32_t k0, uint32_t kc) { RowsToL1(p, xl_, tRow, mLen, k0, kc, t_.k, padM); },
                [&](const LocalTensor<T>& q, uint32_t k0, uint32_t kc) {  // A[distinct[d0 + j]] at rows j * rPad
                    for (uint32_t j = 0; j < nb; ++j)
                        RowsToL1(q, a_, uint64_t(distinct[d0 + j]) * r, r, k0, kc, t_.k, Align16(nCols), j * rPad);
                },
                true, nullptr);
            cube_.co1.EnQue(c);
            c = cube_.co1.template DeQue<float>();
            for (uint32_t j = 0; j < nb; ++j) {
                const LocalTensor<float> cj = c[j * rPad / 16 * Align16(mLen) * 16];  // adapter j's column blocks
                for (uint32_t i = 0; i < runs.count; ++i)
                    if (runs.ad[i] == distinct[d0 + j])
                        RowsOut(tf_[uint64_t(tRow + runs.start[i]) * r], cj, mLen, runs.start[i], runs.len[i], r, r);
            }
            cube_.co1.FreeTensor(c);
        }
    }
}

// Note [Balanced last round]: tiles go round-robin over the blocks; when the last round would leave
// some blocks idle (512 tiles on 24 blocks: 21 rounds and 8 tiles over), each of its tiles is cut
// into `split` column pieces, so every block takes a piece and the busiest moves ~2% fewer bytes.
template <typename T>
__aicore__ inline void LoraKernel<T>::Phase2() {
    Runs runs;
    int32_t distinct[MAX_RUNS];
    const uint32_t tiles = t_.tilesM * t_.tilesN, blocks = uint32_t(GetBlockNum()), me = uint32_t(GetBlockIdx());
    const uint32_t rounds = tiles / blocks, left = tiles % blocks;
    const uint32_t split = left > 0 ? blocks / left : 1;
    for (uint32_t t = me; t < rounds * blocks; t += blocks) Tile(t % t_.tilesM, t / t_.tilesM, 0, 1, runs, distinct);
    if (left > 0 && me < left * split) {
        const uint32_t t = rounds * blocks + me / split;
        Tile(t % t_.tilesM, t / t_.tilesM, me % split, split, runs, distinct);
    }
    TakeOut();
}

// The previous tile's C -> y (Fixpipe), if one is waiting in L0C.
template <typename T>
__aicore__ inline void LoraKernel<T>::TakeOut() {
    if (!pending_) return;
    LocalTensor<float> c = cube_.co1.template DeQue<float>();
    RowsOut(y_[uint64_t(outM0_) * t_.n + outN0_], c, outM_, 0, outM_, outN_, t_.n);
    cube_.co1.FreeTensor(c);
    pending_ = false;
}

// One output tile: bias + x·Wᵀ over K = in, then per adapter present two more K steps of r (the high and
// low parts of s·T, each against B[a]). Its C leaves L0C once the next tile's first copies are issued.
// (piece `piece` of `pieces` column pieces of the tile: Note [Balanced last round])
template <typename T>
__aicore__ inline void LoraKernel<T>::Tile(uint32_t tm, uint32_t tn, uint32_t piece, uint32_t pieces, Runs& runs,
                                           int32_t* distinct) {
    const uint32_t m0 = tm * t_.baseM, width = Align16(CeilDiv(t_.baseN, pieces));
    const uint32_t tileEnd = (tn + 1) * t_.baseN < t_.n ? (tn + 1) * t_.baseN : t_.n, n0 = tn * t_.baseN + piece * width;
    if (n0 >= tileEnd) return;
    const uint32_t mLen = t_.m - m0 < t_.baseM ? t_.m - m0 : t_.baseM;
    const uint32_t nLen = tileEnd - n0 < width ? tileEnd - n0 : width;
    const uint32_t padM = mLen == 1 ? 1 : Align16(mLen), padN = Align16(nLen), r = t_.r;
    RunsOf(m0, mLen, runs);
    const uint32_t nd = Distinct(runs, distinct);
    LocalTensor<float> c;
    LocalTensor<float> bt;
    if (t_.hasBias) bt = cube_.LoadBias(bias_[n0], nLen);
    cube_.Accumulate(
        c, mLen, nLen, t_.k,
        [&](const LocalTensor<T>& p, uint32_t k0, uint32_t kc) { RowsToL1(p, x_, m0, mLen, k0, kc, t_.k, padM); },
        [&](const LocalTensor<T>& q, uint32_t k0, uint32_t kc) { RowsToL1(q, w_, n0, nLen, k0, kc, t_.k, padN); },
        true, t_.hasBias ? &bt : nullptr, false, [&]() {
            TakeOut();
            c = cube_.co1.template AllocTensor<float>();
        });
    for (uint32_t d = 0; d < nd; ++d) {  // s·T = hi + lo, both against the same B[a] tile
        const int32_t a = distinct[d];
        auto rowsOf = [&](const GlobalTensor<T>& src) {  // rows of adapter a from src, zeros elsewhere
            return [&, src](const LocalTensor<T>& p, uint32_t k0, uint32_t kc) {
                // zeros first (one copy; MTE2 keeps its own order), then the runs of a over them
                if (runs.count > 1) RowsToL1(p, zero_, 0, mLen, k0, kc, r, padM, 0);
                for (uint32_t i = 0; i < runs.count; ++i)
                    if (runs.ad[i] == a) RowsToL1(p, src, m0 + runs.start[i], runs.len[i], k0, kc, r, padM, runs.start[i]);
            };
        };
        cube_.AccumulateTwo(c, mLen, nLen, r, rowsOf(ts_), rowsOf(tsLo_),
                            [&](const LocalTensor<T>& q, uint32_t k0, uint32_t kc) {
                                RowsToL1(q, b_, uint64_t(a) * t_.n + n0, nLen, k0, kc, r, padN);
                            });
    }
    cube_.co1.EnQue(c);
    pending_ = true, outM0_ = m0, outN0_ = n0, outM_ = mLen, outN_ = nLen;
}

// ---- vector side --------------------------------------------------------------------------------
// This AIV's rows: its half (in 16-row groups) of its block's phase-1 chunk.
template <typename T>
__aicore__ inline void LoraKernel<T>::VectorRows(uint32_t& row0, uint32_t& rows) const {
    const uint32_t block = uint32_t(GetBlockIdx()) / 2, sub = uint32_t(GetSubBlockIdx());
    rows = 0, row0 = block * t_.chunk;
    if (row0 >= t_.m) return;
    const uint32_t chunkRows = t_.m - row0 < t_.chunk ? t_.m - row0 : t_.chunk;
    const uint32_t groups = CeilDiv(chunkRows, 16), half = CeilDiv(groups, 2);
    const uint32_t g0 = sub * half, g1 = (sub + 1) * half < groups ? (sub + 1) * half : groups;
    if (g0 >= g1) return;
    row0 += g0 * 16;
    rows = (g1 * 16 < chunkRows ? g1 * 16 : chunkRows) - g0 * 16;
}

template <typename T>
__aicore__ inline void LoraKernel<T>::RunVector() {
    TBuf<TPosition::VECCALC> idsBuf, codesBuf, backBuf;
    TQue<TPosition::VECIN, 2> inQ;
    TQue<TPosition::VECOUT, 2> outQ;
    pipe_.InitBuffer(idsBuf, ID_PIECE * sizeof(int32_t));
    pipe_.InitBuffer(codesBuf, ID_PIECE / 16 * sizeof(int32_t));
    pipe_.InitBuffer(inQ, 2, VEC_PIECE * sizeof(float));
    pipe_.InitBuffer(outQ, 2, VEC_PIECE * sizeof(T));
    pipe_.InitBuffer(backBuf, VEC_PIECE * sizeof(float));
    uint32_t row0 = 0, rows = 0;
    VectorRows(row0, rows);
    if (t_.hasIds && rows > 0) VectorCodes(row0, rows, idsBuf.Get<int32_t>(), codesBuf.Get<int32_t>());
    CrossCoreSetFlag<2, PIPE_MTE3>(FLAG_CODES);
    if (GetBlockIdx() == 0) VectorZero(outQ);
    CrossCoreWaitFlag(FLAG_T);
    if (rows > 0) VectorScale(row0, rows, inQ, outQ, backBuf.Get<float>());
    SyncAll<false>();
}

// Group codes of rows [row0, row0 + rows) (row0 a multiple of 16): the adapter shared by the
// group's rows (-1 for none or an id out of range), or MIXED.
template <typename T>
__aicore__ inline void LoraKernel<T>::VectorCodes(uint32_t row0, uint32_t rows, const LocalTensor<int32_t>& idsUb,
                                                  const LocalTensor<int32_t>& codesUb) {
    for (uint32_t p = 0; p < rows; p += ID_PIECE) {
        const uint32_t n = rows - p < ID_PIECE ? rows - p : ID_PIECE, groups = CeilDiv(n, 16);
        if (p > 0) {  // the previous piece's codes have left UB
            SetFlag<HardEvent::MTE3_S>(0);
            WaitFlag<HardEvent::MTE3_S>(0);
        }
        DataCopyPad(idsUb, ids_[row0 + p], DataCopyExtParams(1, n * sizeof(int32_t), 0, 0, 0),
                    DataCopyPadExtParams<int32_t>(false, 0, 0, 0));
        SetFlag<HardEvent::MTE2_S>(0);
        WaitFlag<HardEvent::MTE2_S>(0);
        for (uint32_t g = 0; g < groups; ++g) {
            const uint32_t end = (g + 1) * 16 < n ? (g + 1) * 16 : n;
            int32_t code = 0;
            for (uint32_t i = g * 16; i < end; ++i) {
                int32_t id = idsUb.GetValue(i);
                id = id >= 0 && uint32_t(id) < t_.adapters ? id : -1;
                code = i == g * 16 ? id : (code == id ? code : MIXED);
            }
            codesUb.SetValue(g, code);
        }
        SetFlag<HardEvent::S_MTE3>(0);
        WaitFlag<HardEvent::S_MTE3>(0);
        DataCopyPad(codes_[(row0 + p) / 16], codesUb, DataCopyExtParams(1, groups * sizeof(int32_t), 0, 0, 0));
    }
}

// The zero block [baseM, r] that phase 2 reads for the rows of other adapters.
template <typename T>
__aicore__ inline void LoraKernel<T>::VectorZero(TQue<TPosition::VECOUT, 2>& outQ) {
    const uint32_t total = t_.baseM * t_.r;
    for (uint32_t p = 0; p < total; p += VEC_PIECE) {
        const uint32_t n = total - p < VEC_PIECE ? total - p : VEC_PIECE;
        LocalTensor<T> z = outQ.template AllocTensor<T>();
        Duplicate(z, T(0), int32_t(n));
        outQ.EnQue(z);
        z = outQ.template DeQue<T>();
        DataCopyPad(zero_[p], z, DataCopyExtParams(1, n * sizeof(T), 0, 0, 0));
        outQ.FreeTensor(z);
    }
}

// Ts = scale · T for rows [row0, row0 + rows), one contiguous run of rows * r values, as two dtype
// parts: hi = cast(f), lo = cast(f - hi). hi + lo carries f to about twice the dtype's precision, so
// the adapter's product keeps fp32-level accuracy (Note [Two-part T] in the kernel's design note).
template <typename T>
__aicore__ inline void LoraKernel<T>::VectorScale(uint32_t row0, uint32_t rows, TQue<TPosition::VECIN, 2>& inQ,
                                                  TQue<TPosition::VECOUT, 2>& outQ, const LocalTensor<float>& back) {
    const uint64_t base = uint64_t(row0) * t_.r, total = uint64_t(rows) * t_.r;
    for (uint64_t p = 0; p < total; p += VEC_PIECE) {
        const uint32_t n = uint32_t(total - p < VEC_PIECE ? total - p : VEC_PIECE);
        LocalTensor<float> f = inQ.template AllocTensor<float>();
        DataCopyPad(f, tf_[base + p], DataCopyExtParams(1, n * sizeof(float), 0, 0, 0),
                    DataCopyPadExtParams<float>(false, 0, 0, 0.0f));
        inQ.EnQue(f);
        f = inQ.template DeQue<float>();
        Muls(f, f, t_.scale, int32_t(n));
        LocalTensor<T> hi = outQ.template AllocTensor<T>();
        Cast(hi, f, RoundMode::CAST_RINT, n);
        Cast(back, hi, RoundMode::CAST_NONE, n);
        Sub(f, f, back, int32_t(n));
        outQ.EnQue(hi);
        LocalTensor<T> lo = outQ.template AllocTensor<T>();
        Cast(lo, f, RoundMode::CAST_RINT, n);
        inQ.FreeTensor(f);
        outQ.EnQue(lo);
        hi = outQ.template DeQue<T>();
        DataCopyPad(ts_[base + p], hi, DataCopyExtParams(1, n * sizeof(T), 0, 0, 0));
        outQ.FreeTensor(hi);
        lo = outQ.template DeQue<T>();
        DataCopyPad(tsLo_[base + p], lo, DataCopyExtParams(1, n * sizeof(T), 0, 0, 0));
        outQ.FreeTensor(lo);
    }
}

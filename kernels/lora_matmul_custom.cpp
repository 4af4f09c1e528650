// lora_matmul_custom: y = x · Wᵀ (+ bias) + s · (xl · A[id]ᵀ) · B[id]ᵀ for float16 and bfloat16, fp32
// accumulation on the cube, y rounded once to the input dtype. x [M, in] (leading dims flattened),
// W [out, in], A [adapters, r, in], B [adapters, out, r], id per row (-1: no adapter; one adapter when
// no ids come), s the `scale` attr, bias float32 [out]. xl is the LoRA branch's input: the optional
// x_lora (x's shape and dtype; LoRA fine-tuning passes dropout(x) there, as PEFT and mindpet's
// LoRADense do), else x itself. Only phase 1 reads it (T = xl · A[id]ᵀ); the base product reads x.
//
// Design: augmented K. Each output tile is ONE accumulation in L0C over K = in + r:
//
//     y[tile] = [ x[rows] | s·T[rows] ] · [ W[cols] | B[a][cols] ]ᵀ      T = xl · A[id]ᵀ   [M, r]
//
// so the adapter costs r/in more cube work and GM reads per tile (0.4% at in = 4096, r = 16) and y
// is written once, rounded once. T comes first, from a small pass over xl, all in one MIX launch
// (KERNEL_TYPE_MIX_AIC_1_2: per block one cube core, AIC, and two vector cores, AIV):
//
//   AIV 2b, 2b+1  codes: per 16-row group of block b's rows, its adapter (or -2: mixed) -> GM
//                 ── CrossCoreSetFlag<2> ──┐
//   AIC b         phase 1                 └─> wait; T[rows of b] = xl · A[id]ᵀ (float) -> GM workspace
//                 ── CrossCoreSetFlag<2> ──┐
//   AIV 2b, 2b+1  scale                   └─> wait; s·T as two dtype parts hi + lo -> GM (Note [Two-part
//                                            T]); AIV 0 also writes a zero block
//   everyone      SyncAll<false>()          (phase 2 reads rows of Ts that other blocks wrote)
//   AIC b         phase 2: tiles t = b, b + blockDim, ...: L0C = bias + Σ_K x·Wᵀ, then per adapter a
//                 in the tile two more K steps of r: [hi rows of a, zeros elsewhere] · B[a]ᵀ, the same
//                 with lo (B[a] loaded once); Fixpipe y, issued after the next tile's first copies
//
// Why it wins in the model: the base GEMM is bound by GM reads of x and w (each tile re-reads its
// rows; ~1.6 GB at 4096^3), so the adapter's second product riding on those tiles costs only its own
// small reads, y is written once, and the first pass reads x once. Modelled (Ascend910B1, fp16,
// 4096^3) when built: r = 16 1.020x matmul_custom; 8 adapters of r = 64 in contiguous requests 1.056x.
// matmul_custom has since become 24% faster in the model and this pipeline has not, so now 1.064x and
// 1.107x: the first pass (~24 µs of GM reads before any base work) is the gap (docs/lora.md). With
// x_lora the first pass reads x_lora instead of x: the same bytes, so the same cost.
//
// Note [Two-part T]: the cube multiplies dtype values only, so s·T must enter it in the input dtype.
// Rounded once (as torch's fp16 LoRA rounds x·Aᵀ), the adapter term would carry that rounding (half an
// ulp of s·T, times |B|, summed over r), which is not "fp32 accumulation" and fails float64 goldens on
// small outputs. So the vector cores split f = s·T into hi = dtype(f) and lo = dtype(f - hi): hi + lo
// holds f to ~22 bits (fp16) / ~16 bits (bf16), and both go through the cube against the same B[a].
// The price is one more K step of r per adapter and tile (0.4% of the cube work at in = 4096, r = 16).
//
// Tiles (host/lora_matmul_custom.cpp): baseM x baseN output tiles (128 x 256 at 4096), round-robin
// over the blocks, the last round's tiles cut into column pieces (Note [Balanced last round]); K in
// kL1-wide L1 tiles (three buffers; the adapter's narrow ones have two), baseK = 64 per Mmad. Phase 1:
// block b owns rows [b·chunk, +chunk), chunk = ceil(M / cores) rounded to 16, in sub-tiles of <= 128 rows.
//
// Many adapters (SGMV-style runs, not a per-row BGMV gather): a tile's rows fall into runs of one
// adapter; the tile's extra K steps run once per distinct adapter in it, with the rows of other
// adapters taken from the zero block (phase 1 stacks the A rows of a sub-tile's adapters into one pass
// over its x when r is a multiple of 16). A batch whose requests are contiguous (the serving case) has
// one or two adapters per tile, so the cost stays ~r/in per tile; a per-row gather (BGMV) would need
// one GEMV per row on the cube, whose fractals are 16 rows tall. Ids outside [-1, adapters) count as
// -1 here (no read outside A and B); the host refuses them before launch. More figures: docs/lora.md.
//
// Test: pytest tests/ops/test_lora_matmul_custom.py --mode=cpu (and --mode=npu_simulator)
#include "kernel_operator.h"
#include "lora_matmul_custom_cube.h"

using namespace AscendC;

namespace lora {
constexpr uint16_t FLAG_CODES = 1, FLAG_T = 2;
constexpr int32_t MIXED = -2;
constexpr uint32_t MAX_RUNS = 256;  // rows of a tile

struct Tiling {
    uint32_t m, n, k, r, adapters, hasBias, hasIds, hasXLora;
    float scale;
    uint32_t chunk, baseM, baseN, baseK, kL1, tilesM, tilesN;
    uint32_t wsCodes, wsT, wsTs, wsTsLo, wsZero;
};

// Runs of one adapter inside rows [row0, row0 + rows): from the 16-row group codes, and from the ids
// themselves for a mixed group (GM scalar reads only there).
struct Runs {
    int32_t ad[MAX_RUNS];
    uint32_t start[MAX_RUNS], len[MAX_RUNS];
    uint32_t count = 0;
    void Add(int32_t a, uint32_t s, uint32_t l) {
        if (count > 0 && ad[count - 1] == a && start[count - 1] + len[count - 1] == s) {
            len[count - 1] += l;
        } else {
            ad[count] = a, start[count] = s, len[count] = l, ++count;
        }
    }
};

template <typename T>
class LoraKernel {
public:
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR w, GM_ADDR a, GM_ADDR b, GM_ADDR bias, GM_ADDR ids, GM_ADDR xLora,
                                GM_ADDR y, GM_ADDR ws, const Tiling& t) {
        t_ = t;
        const uint64_t m = t.m, n = t.n, k = t.k, r = t.r;
        x_.SetGlobalBuffer((__gm__ T*)x, m * k);                    // [M, in]
        xl_.SetGlobalBuffer((__gm__ T*)(t.hasXLora ? xLora : x), m * k);  // [M, in]: the LoRA branch's input
        w_.SetGlobalBuffer((__gm__ T*)w, n * k);                    // [out, in]
        a_.SetGlobalBuffer((__gm__ T*)a, t.adapters * r * k);       // [adapters, r, in]
        b_.SetGlobalBuffer((__gm__ T*)b, t.adapters * n * r);       // [adapters, out, r]
        y_.SetGlobalBuffer((__gm__ T*)y, m * n);                    // [M, out]
        if (t.hasBias) bias_.SetGlobalBuffer((__gm__ float*)bias, n);
        if (t.hasIds) ids_.SetGlobalBuffer((__gm__ int32_t*)ids, m);
        codes_.SetGlobalBuffer((__gm__ int32_t*)(ws + t.wsCodes), CeilDiv(t.m, 16));
        tf_.SetGlobalBuffer((__gm__ float*)(ws + t.wsT), m * r);     // [M, r] float
        ts_.SetGlobalBuffer((__gm__ T*)(ws + t.wsTs), m * r);        // [M, r] dtype: hi
        tsLo_.SetGlobalBuffer((__gm__ T*)(ws + t.wsTsLo), m * r);    // [M, r] dtype: lo
        zero_.SetGlobalBuffer((__gm__ T*)(ws + t.wsZero), uint64_t(t.baseM) * r);
    }
    __aicore__ inline void RunCube();
    __aicore__ inline void RunVector();

private:
    // ---- rows and adapters -----------------------------------------------------------------
    int32_t IdOf(uint32_t row) {
        const int32_t id = ids_.GetValue(row);
        return id >= 0 && uint32_t(id) < t_.adapters ? id : -1;
    }
    void RunsOf(uint32_t row0, uint32_t rows, Runs& runs) {
        runs.count = 0;
        if (!t_.hasIds) return runs.Add(0, 0, rows);
        for (uint32_t i = 0; i < rows;) {
            const uint32_t row = row0 + i, g = row / 16, inGroup = (g + 1) * 16 - row;
            const uint32_t take = inGroup < rows - i ? inGroup : rows - i;
            const int32_t code = codes_.GetValue(g);
            if (code != MIXED) {
                runs.Add(code, i, take);
            } else {
                for (uint32_t j = 0; j < take; ++j) runs.Add(IdOf(row + j), i + j, 1);
            }
            i += take;
        }
    }
    // The distinct adapters (>= 0) of `runs`, in first-seen order.
    static uint32_t Distinct(const Runs& runs, int32_t* out) {
        uint32_t n = 0;
        for (uint32_t i = 0; i < runs.count; ++i) {
            bool seen = runs.ad[i] < 0;
            for (uint32_t j = 0; j < n && !seen; ++j) seen = out[j] == runs.ad[i];
            if (!seen) out[n++] = runs.ad[i];
        }
        return n;
    }
    void Phase1();
    void Phase2();
    void TakeOut();
    void Tile(uint32_t tm, uint32_t tn, uint32_t piece, uint32_t pieces, Runs& runs, int32_t* distinct);
    void VectorCodes(uint32_t row0, uint32_t rows, const LocalTensor<int32_t>& idsUb, const LocalTensor<int32_t>& codesUb);
    void VectorZero(TQue<TPosition::VECOUT, 2>& outQ);
    void VectorScale(uint32_t row0, uint32_t rows, TQue<TPosition::VECIN, 2>& inQ, TQue<TPosition::VECOUT, 2>& outQ,
                     const LocalTensor<float>& back);
    void VectorRows(uint32_t& row0, uint32_t& rows) const;

    Tiling t_;
    bool pending_ = false;  // a tile's C waits in L0C for TakeOut
    uint32_t outM0_ = 0, outN0_ = 0, outM_ = 0, outN_ = 0;
    TPipe pipe_;
    CubeBuffers<T> cube_;
    GlobalTensor<T> x_, xl_, w_, a_, b_, y_, ts_, tsLo_, zero_;
    GlobalTensor<float> bias_, tf_;
    GlobalTensor<int32_t> ids_, codes_;
};

#include "lora_matmul_custom_phases.h"
}  // namespace lora

extern "C" __global__ __aicore__ void lora_matmul_custom(GM_ADDR x, GM_ADDR w, GM_ADDR a, GM_ADDR b, GM_ADDR bias,
                                                         GM_ADDR adapterIds, GM_ADDR xLora, GM_ADDR y,
                                                         GM_ADDR workspace, GM_ADDR tiling) {
    KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2);
    GET_TILING_DATA(td, tiling);
    const lora::Tiling t{td.m, td.n, td.k, td.r, td.adapters, td.hasBias, td.hasIds, td.hasXLora, td.scale, td.chunk,
                         td.baseM, td.baseN, td.baseK, td.kL1, td.tilesM, td.tilesN, td.wsCodes, td.wsT,
                         td.wsTs, td.wsTsLo, td.wsZero};
    lora::LoraKernel<DTYPE_X> op;
    op.Init(x, w, a, b, bias, adapterIds, xLora, y, GetUserWorkspace(workspace), t);
    if ASCEND_IS_AIC {
        op.RunCube();
    }
    if ASCEND_IS_AIV {
        op.RunVector();
    }
}

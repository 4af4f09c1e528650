// cube_co2: C = A x B on one coupled AI Core (910A, 310P) whose result leaves L0C the 910A/310P way,
// through UB: DataCopy CO1 -> CO2 with DataCopyEnhancedParams, then DataCopy UB -> GM. As a CANN
// kernel-launch CPU-debug program.
//
//   GM A (ND, M x K) ─DataCopy per C0 column─> A1 (L1, NZ) ─LoadData─> A2 (L0A, Zz) ─┐
//                                                                                   ├ Mmad ─> CO1 (L0C, NZ)
//   GM Bt (ND, N x K) ─DataCopy per C0 column─> B1 (L1, NZ) ─LoadData─> B2 (L0B, Zn) ┘
//   CO1 ─DataCopy(DataCopyEnhancedParams)─> CO2 (UB) ─DataCopy per column block─> GM R (ND)
//
//   A and B^T are fp16 (C fp32) or int8 (C int32); M, N, K are multiples of 16 (K of C0 = 32 /
//   sizeof(In)), or M = 1 (GEMV: A is a plain row). 910A has no ND->NZ copy, so each C0-wide column
//   of A and B^T is one strided DataCopy (M rows of 32 bytes). The NZ form of B^T is the L0B layout.
//   The copy out takes, for each of the N/16 column blocks (one burst each), ROWS fractals of the
//   column (srcStride: the other M/16 - ROWS are skipped), and leaves GAP 32-byte blocks between
//   bursts in UB:
//     matrix mode: whole 16x16 fractals, so R = C[0 : 16*ROWS, :]
//     vector mode: row 0 of each fractal, so R = C[0 : 16*ROWS : 16, :]
//   with ReLU, the float32 -> float16 conversion, DEQ (int32 -> float16 times the half in deqValue),
//   DEQ16 (times the float32 in deqValue bits 0..31) or VDEQ16 (column j times the float32 in bits
//   0..31 of Q[j], Q copied GM -> UB and handed to the V pipe through a queue: burst j reads the 16
//   parameters of its column block, 128 bytes each burst) on the way as the case asks. The rows of
//   each burst go to GM 16 elements at a time.
//
// Usage: cube_co2 CASE DIR M N K ROWS GAP [DEQ]   (reads DIR/a.bin, DIR/bt.bin and, for vdeq16/vdeq,
//   DIR/q.bin: N uint64 parameters; writes DIR/r.bin). DEQ: the float scale of deq, the 64-bit
//   deqValue of deq16 (decimal or 0x...).
//   CASE: {matrix,vector}_{f32,f16,relu_f32,relu_f16}, int_{i32,relu_i32,deq_f16}, int_[relu_]deq16_f16,
//   int_[vector_][relu_]vdeq16_f16, plus the broken variants unaligned (UB destination 16 bytes off),
//   ub_small (CO2 buffer 32 bytes short), no_sync (no queue hand-over between Mmad and the copy),
//   no_sync_table (none between the parameter copy and VDEQ16), unaligned_table (deqTensorAddr 16
//   bytes off), normal_mode (blockMode left at its default), int_deq8_i8 (DEQ8 into int8),
//   int_deq16_i16 (DEQ16 into int16), int_vdeq_f16 (VDEQ); and with no arguments after CASE:
//   wrong_dst, l0c_overrun, block_count, ub_to_ub, ub_convert.
// Tested by: pytest tests/runtime/test_cube_co2.py
#include <cstdlib>
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {

struct Shape {
    uint32_t m, n, k, rows, gap;
    bool vector, relu, deq, deq8, unaligned, ubSmall, noSync, normalMode;
    float deqScale;
    bool deq16, vdeq16, vdeq, noSyncTable, unalignedTable;
    uint64_t deqBits;  // DEQ16's deqValue
};

template <typename In, typename Acc, typename Out>
class CubeCo2 {
public:
    static constexpr uint32_t C0 = 32 / sizeof(In);
    static constexpr uint32_t FRACTAL = 512 / sizeof(In);  // elements of In per 512-byte fractal

    __aicore__ inline void Init(GM_ADDR a, GM_ADDR bt, GM_ADDR r, GM_ADDR q, const Shape& s) {
        s_ = s;
        mb_ = (s.m + 15) / 16;
        nb_ = s.n / 16;
        kb_ = s.k / C0;
        rowsOut_ = s.vector ? s.rows : s.rows * 16;
        burst_ = rowsOut_ * 16 + s.gap * 32 / uint32_t(sizeof(Out));  // elements from one burst's start to the next
        aGm_.SetGlobalBuffer((__gm__ In*)a, uint64_t(s.m) * s.k);
        btGm_.SetGlobalBuffer((__gm__ In*)bt, uint64_t(s.n) * s.k);
        rGm_.SetGlobalBuffer((__gm__ Out*)r, uint64_t(rowsOut_) * s.n);
        const uint32_t aL0 = s.m == 1 ? (s.k * sizeof(In) + 511) / 512 * 512 : mb_ * kb_ * 512;
        pipe_.InitBuffer(inA1_, 1, aL0);  // GEMV: LoadData moves whole 512-byte fractals
        pipe_.InitBuffer(inB1_, 1, nb_ * kb_ * 512);
        pipe_.InitBuffer(inA2_, 1, aL0);
        pipe_.InitBuffer(inB2_, 1, nb_ * kb_ * 512);
        pipe_.InitBuffer(outCO1_, 1, mb_ * nb_ * 256 * sizeof(Acc));
        const uint32_t co2 = nb_ * burst_ * sizeof(Out) + (s.unaligned ? 32 : 0);
        pipe_.InitBuffer(outCO2_, 1, s.ubSmall ? co2 - 32 : co2);
        if (s.vdeq16 || s.vdeq) {  // Q: one uint64 per column, 16 per column block
            qGm_.SetGlobalBuffer((__gm__ uint64_t*)q, s.n);
            pipe_.InitBuffer(inQ_, 1, s.n * 8);
        }
    }
    __aicore__ inline void Process() {
        CopyIn();
        LocalTensor<In> a2 = inA2_.DeQue<In>();
        LocalTensor<In> b2 = inB2_.DeQue<In>();
        LocalTensor<Acc> c1 = outCO1_.AllocTensor<Acc>();
        Mmad(c1, a2, b2, MmadParams(uint16_t(s_.m), uint16_t(s_.n), uint16_t(s_.k), 0, false, true));
        inA2_.FreeTensor(a2);
        inB2_.FreeTensor(b2);
        if (!s_.noSync) {
            outCO1_.EnQue(c1);
            c1 = outCO1_.DeQue<Acc>();
        }
        LocalTensor<Out> c2 = outCO2_.AllocTensor<Out>();
        DataCopyEnhancedParams enhanced;
        enhanced.blockMode = s_.vector ? BlockMode::BLOCK_MODE_VECTOR : BlockMode::BLOCK_MODE_MATRIX;
        if (s_.normalMode) enhanced.blockMode = BlockMode::BLOCK_MODE_NORMAL;
        enhanced.isRelu = s_.relu;
        if (s_.deq || s_.deq8) {
            enhanced.deqScale = s_.deq8 ? DeqScale::DEQ8 : DeqScale::DEQ;
            enhanced.deqValue = half(s_.deqScale).bits;  // DEQ: M is the half in bits 0..15
        }
        if (s_.deq16) {
            enhanced.deqScale = DeqScale::DEQ16;
            enhanced.deqValue = s_.deqBits;
        }
        LocalTensor<uint64_t> q;
        if (s_.vdeq16 || s_.vdeq) {
            q = inQ_.AllocTensor<uint64_t>();
            DataCopy(q, qGm_, s_.n);  // Q[0..N) -> UB (MTE2)
            if (!s_.noSyncTable) {
                inQ_.EnQue(q);
                q = inQ_.DeQue<uint64_t>();
            }
            enhanced.deqScale = s_.vdeq ? DeqScale::VDEQ : DeqScale::VDEQ16;
            enhanced.deqTensorAddr = q.GetPhyAddr() + (s_.unalignedTable ? 16 : 0);
        }
        // One burst per column block: ROWS fractals of it, the column's other fractals skipped.
        DataCopyParams params(uint16_t(nb_), uint16_t(s_.rows), uint16_t(mb_ - s_.rows), uint16_t(s_.gap));
        DataCopy(c2[s_.unaligned ? 16 / sizeof(Out) : 0], c1, params, enhanced);
        outCO1_.FreeTensor(c1);
        if (s_.vdeq16 || s_.vdeq) inQ_.FreeTensor(q);
        outCO2_.EnQue(c2);
        CopyOut();
    }

private:
    __aicore__ inline void CopyIn() {
        // ND -> NZ, one C0-wide column at a time: `rows` rows of 32 bytes, kb_ - 1 blocks apart in GM.
        LocalTensor<In> a1 = inA1_.AllocTensor<In>();
        if (s_.m == 1) DataCopy(a1, aGm_, s_.k);
        else
            for (uint32_t j = 0; j < kb_; ++j)
                DataCopy(a1[j * s_.m * C0], aGm_[j * C0], DataCopyParams(uint16_t(s_.m), 1, uint16_t(kb_ - 1), 0));
        inA1_.EnQue(a1);
        LocalTensor<In> b1 = inB1_.AllocTensor<In>();
        for (uint32_t j = 0; j < kb_; ++j)
            DataCopy(b1[j * s_.n * C0], btGm_[j * C0], DataCopyParams(uint16_t(s_.n), 1, uint16_t(kb_ - 1), 0));
        inB1_.EnQue(b1);

        a1 = inA1_.DeQue<In>();
        LocalTensor<In> a2 = inA2_.AllocTensor<In>();
        if (s_.m == 1)  // GEMV: A stays a plain row
            LoadData(a2, a1, LoadData2DParams(0, uint8_t((s_.k * sizeof(In) + 511) / 512), 1, 0, 0, false, 0));
        else  // A1 fractal (i, j) at j*mb + i -> A2 (Zz) at i*kb + j
            for (uint32_t i = 0; i < mb_; ++i)
                LoadData(a2[i * kb_ * FRACTAL], a1, LoadData2DParams(uint16_t(i), uint8_t(kb_), uint16_t(mb_), 0, 0, false, 0));
        inA2_.EnQue(a2);
        inA1_.FreeTensor(a1);
        b1 = inB1_.DeQue<In>();
        LocalTensor<In> b2 = inB2_.AllocTensor<In>();  // the NZ of B^T is already the Zn layout of L0B
        LoadData(b2, b1, LoadData2DParams(0, uint8_t(kb_ * nb_), 1, 0, 0, false, 0));
        inB2_.EnQue(b2);
        inB1_.FreeTensor(b1);
    }
    // Burst j of UB holds rowsOut_ rows of column block j, 16 elements each.
    __aicore__ inline void CopyOut() {
        LocalTensor<Out> c2 = outCO2_.DeQue<Out>();
        const uint16_t rowBlocks = uint16_t(16 * sizeof(Out) / 32);
        for (uint32_t j = 0; j < nb_; ++j)
            DataCopy(rGm_[j * 16], c2[j * burst_],
                     DataCopyParams(uint16_t(rowsOut_), rowBlocks, 0, uint16_t((s_.n - 16) * sizeof(Out) / 32)));
        outCO2_.FreeTensor(c2);
    }

    Shape s_{};
    uint32_t mb_ = 0, nb_ = 0, kb_ = 0, rowsOut_ = 0, burst_ = 0;
    TPipe pipe_;
    TQue<QuePosition::A1, 1> inA1_;
    TQue<QuePosition::B1, 1> inB1_;
    TQue<QuePosition::A2, 1> inA2_;
    TQue<QuePosition::B2, 1> inB2_;
    TQue<QuePosition::CO1, 1> outCO1_;
    TQue<QuePosition::CO2, 1> outCO2_;
    TQue<QuePosition::VECIN, 1> inQ_;
    GlobalTensor<uint64_t> qGm_;
    GlobalTensor<In> aGm_, btGm_;
    GlobalTensor<Out> rGm_;
};

template <typename In, typename Acc, typename Out>
__aicore__ inline void Run(GM_ADDR a, GM_ADDR bt, GM_ADDR r, GM_ADDR q, const Shape& s) {
    CubeCo2<In, Acc, Out> op;
    op.Init(a, bt, r, q, s);
    op.Process();
}

}  // namespace

extern "C" __global__ __aicore__ void co2_half_f32(GM_ADDR a, GM_ADDR bt, GM_ADDR r, GM_ADDR q, Shape s) {
    Run<half, float, float>(a, bt, r, q, s);
}
extern "C" __global__ __aicore__ void co2_half_f16(GM_ADDR a, GM_ADDR bt, GM_ADDR r, GM_ADDR q, Shape s) {
    Run<half, float, half>(a, bt, r, q, s);
}
extern "C" __global__ __aicore__ void co2_int_i32(GM_ADDR a, GM_ADDR bt, GM_ADDR r, GM_ADDR q, Shape s) {
    Run<int8_t, int32_t, int32_t>(a, bt, r, q, s);
}
extern "C" __global__ __aicore__ void co2_int_f16(GM_ADDR a, GM_ADDR bt, GM_ADDR r, GM_ADDR q, Shape s) {
    Run<int8_t, int32_t, half>(a, bt, r, q, s);
}
extern "C" __global__ __aicore__ void co2_int_i8(GM_ADDR a, GM_ADDR bt, GM_ADDR r, GM_ADDR q, Shape s) {
    Run<int8_t, int32_t, int8_t>(a, bt, r, q, s);
}
extern "C" __global__ __aicore__ void co2_int_i16(GM_ADDR a, GM_ADDR bt, GM_ADDR r, GM_ADDR q, Shape s) {
    Run<int8_t, int32_t, int16_t>(a, bt, r, q, s);
}

// The destination of the copy out of L0C is UB (CO2), not L1.
extern "C" __global__ __aicore__ void wrong_dst() {
    TPipe pipe;
    TBuf<TPosition::CO1> c1;
    TBuf<TPosition::A1> l1;
    pipe.InitBuffer(c1, 1024);
    pipe.InitBuffer(l1, 1024);
    DataCopyEnhancedParams enhanced;
    enhanced.blockMode = BlockMode::BLOCK_MODE_MATRIX;
    DataCopy(l1.Get<float>(), c1.Get<float>(), DataCopyParams(1, 1, 0, 0), enhanced);
}

// Two fractals from the last fractal of L0C run past its end.
extern "C" __global__ __aicore__ void l0c_overrun() {
    TPipe pipe;
    TBuf<TPosition::CO1> c1;
    TBuf<TPosition::VECCALC> ub;
    const uint32_t l0c = 256 * 1024;  // 910A and 310P
    pipe.InitBuffer(c1, l0c);
    pipe.InitBuffer(ub, 2048);
    DataCopyEnhancedParams enhanced;
    enhanced.blockMode = BlockMode::BLOCK_MODE_MATRIX;
    DataCopy(ub.Get<float>(), c1.Get<float>()[(l0c - 1024) / 4], DataCopyParams(1, 2, 0, 0), enhanced);
}

// blockCount is at most 4095.
extern "C" __global__ __aicore__ void block_count() {
    TPipe pipe;
    TBuf<TPosition::CO1> c1;
    TBuf<TPosition::VECCALC> ub;
    pipe.InitBuffer(c1, 1024);
    pipe.InitBuffer(ub, 1024);
    DataCopyEnhancedParams enhanced;
    enhanced.blockMode = BlockMode::BLOCK_MODE_VECTOR;
    DataCopy(ub.Get<float>(), c1.Get<float>(), DataCopyParams(4096, 1, 0, 0), enhanced);
}

// Off L0C the enhanced fields do nothing: GM -> UB -> UB -> GM, each with DataCopyEnhancedParams.
extern "C" __global__ __aicore__ void ub_to_ub(GM_ADDR x, GM_ADDR y) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> a, b;
    pipe.InitBuffer(a, 1024);
    pipe.InitBuffer(b, 1024);
    GlobalTensor<float> xGm, yGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, 256);
    yGm.SetGlobalBuffer((__gm__ float*)y, 256);
    DataCopyEnhancedParams enhanced;
    enhanced.blockMode = BlockMode::BLOCK_MODE_MATRIX;
    enhanced.isRelu = true;
    DataCopy(a.Get<float>(), xGm, DataCopyParams(1, 32, 0, 0), enhanced);
    PipeBarrier<PIPE_ALL>();
    DataCopy(b.Get<float>(), a.Get<float>(), DataCopyParams(1, 32, 0, 0), enhanced);
    PipeBarrier<PIPE_ALL>();
    DataCopy(yGm, b.Get<float>(), DataCopyParams(1, 32, 0, 0), enhanced);
}

// Only the copy out of L0C converts types.
extern "C" __global__ __aicore__ void ub_convert() {
    TPipe pipe;
    TBuf<TPosition::VECCALC> a, b;
    pipe.InitBuffer(a, 1024);
    pipe.InitBuffer(b, 1024);
    DataCopyEnhancedParams enhanced;
    enhanced.blockMode = BlockMode::BLOCK_MODE_MATRIX;
    DataCopy(b.Get<half>(), a.Get<float>(), DataCopyParams(1, 1, 0, 0), enhanced);
}

int main(int argc, char* argv[]) {
    if (argc < 2) return 2;
    const char* name = argv[1];
    SetKernelMode(KernelMode::AIC_MODE);
    if (!std::strcmp(name, "wrong_dst")) {
        ICPU_RUN_KF(wrong_dst, 1);
        return 0;
    }
    if (!std::strcmp(name, "l0c_overrun")) {
        ICPU_RUN_KF(l0c_overrun, 1);
        return 0;
    }
    if (!std::strcmp(name, "block_count")) {
        ICPU_RUN_KF(block_count, 1);
        return 0;
    }
    if (!std::strcmp(name, "ub_convert")) {
        ICPU_RUN_KF(ub_convert, 1);
        return 0;
    }
    if (!std::strcmp(name, "ub_to_ub")) {
        if (argc < 3) return 2;
        uint8_t* x = (uint8_t*)GmAlloc(1024);
        uint8_t* y = (uint8_t*)GmAlloc(1024);
        ReadBin(argv[2], "x.bin", x, 1024);
        ICPU_RUN_KF(ub_to_ub, 1, x, y);
        WriteBin(argv[2], "y.bin", y, 1024);
        GmFree(x);
        GmFree(y);
        return 0;
    }
    if (argc < 8) return 2;
    Shape s{uint32_t(std::atoi(argv[3])), uint32_t(std::atoi(argv[4])), uint32_t(std::atoi(argv[5])),
            uint32_t(std::atoi(argv[6])), uint32_t(std::atoi(argv[7])), false, false, false, false, false, false,
            false, false, argc > 8 ? float(std::atof(argv[8])) : 1.0f, false, false, false, false, false,
            argc > 8 ? uint64_t(std::strtoull(argv[8], nullptr, 0)) : 0};
    std::string c = name;
    auto take = [&](const char* prefix) {  // strips a leading "prefix_" from the case name
        const std::string p = std::string(prefix) + "_";
        if (c.compare(0, p.size(), p) != 0) return false;
        c = c.substr(p.size());
        return true;
    };
    s.unalignedTable = take("unaligned_table");
    s.unaligned = take("unaligned");
    s.ubSmall = take("ub_small");
    s.noSyncTable = take("no_sync_table");
    s.noSync = take("no_sync");
    s.normalMode = take("normal_mode");
    const bool integer = take("int");
    s.vector = take("vector");
    if (!integer && !s.vector && !take("matrix")) return UnknownCase(argv[0], name);
    s.relu = take("relu");
    s.vdeq16 = take("vdeq16");
    s.vdeq = take("vdeq");
    s.deq16 = take("deq16");
    s.deq = take("deq");
    s.deq8 = take("deq8");
    const char* dir = argv[2];
    const uint32_t inBytes = integer ? 1 : 2;
    uint32_t outBytes = 0;
    if (c == "f32" || c == "i32") outBytes = 4;
    else if (c == "f16" || c == "i16") outBytes = 2;
    else if (c == "i8") outBytes = 1;
    else return UnknownCase(argv[0], name);
    const uint32_t rowsOut = s.vector ? s.rows : s.rows * 16;
    const size_t aBytes = size_t(s.m) * s.k * inBytes, bBytes = size_t(s.n) * s.k * inBytes;
    const size_t rBytes = size_t(rowsOut) * s.n * outBytes;
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* bt = (uint8_t*)GmAlloc(bBytes);
    uint8_t* r = (uint8_t*)GmAlloc(rBytes);
    ReadBin(dir, "a.bin", a, aBytes);
    ReadBin(dir, "bt.bin", bt, bBytes);
    uint8_t* q = nullptr;
    if (s.vdeq16 || s.vdeq) {
        q = (uint8_t*)GmAlloc(size_t(s.n) * 8);
        ReadBin(dir, "q.bin", q, size_t(s.n) * 8);
    }
    if (!integer && outBytes == 4) ICPU_RUN_KF(co2_half_f32, 1, a, bt, r, q, s);
    else if (!integer) ICPU_RUN_KF(co2_half_f16, 1, a, bt, r, q, s);
    else if (outBytes == 4) ICPU_RUN_KF(co2_int_i32, 1, a, bt, r, q, s);
    else if (c == "i16") ICPU_RUN_KF(co2_int_i16, 1, a, bt, r, q, s);
    else if (outBytes == 2) ICPU_RUN_KF(co2_int_f16, 1, a, bt, r, q, s);
    else ICPU_RUN_KF(co2_int_i8, 1, a, bt, r, q, s);
    WriteBin(dir, "r.bin", r, rBytes);
    GmFree(a);
    GmFree(bt);
    GmFree(r);
    if (q != nullptr) GmFree(q);
    return 0;
}

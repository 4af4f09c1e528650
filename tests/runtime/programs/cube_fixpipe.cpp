// cube_fixpipe: C = A x B on one 910B cube core, leaving L0C through Fixpipe with a quantising mode
// (DEQF16, QF322B8_PRE, REQ8 with the scalar deqScalar; VDEQF16, VQF322B8_PRE, VREQ8 with one
// parameter per column in L1), as a CANN kernel-launch CPU-debug program.
//
//   GM A (ND, M x K) ─DataCopy+Nd2Nz─> A1 (L1, NZ) ─LoadData─> A2 (L0A, Zz) ─┐
//                                                                          ├ Mmad ─> CO1 (L0C, NZ) ─Fixpipe─> GM R (ND)
//   GM Bt (ND, N x K) ─DataCopy+Nd2Nz─> B1 (L1, NZ) ─LoadData─> B2 (L0B, Zn) ┘             ^
//   GM Q (N x uint64, V modes) ─DataCopy─> C1 (L1) ─(MTE2 -> FIX flag)────────────────────┘ cbufWorkspace
//
//   A and B^T are int8 (C int32: DEQF16 -> float16, REQ8 -> int8/uint8) or float16 (C float32:
//   QF322B8_PRE -> int8/uint8); M, N multiples of 16, K of C0 (32 for int8, 16 for float16), all in
//   one piece (K at most 256 here). The scalar modes read their 64-bit parameter from DIR/q.bin
//   too (its first entry). The facts: Note [Fixpipe quantisation] in runtime/src/cube_fixpipe.cpp.
//
// Usage: cube_fixpipe CASE DIR M N K   (reads DIR/a.bin, DIR/bt.bin, DIR/q.bin; writes DIR/r.bin)
//   CASE: [PREFIX_...]MODE_OUT with MODE deqf16, vdeqf16, qf322b8, vqf322b8, req8, vreq8 and OUT f16,
//   i8, u8; PREFIX relu (reluEn), and the broken variants float (float16 inputs whatever the mode),
//   notable (a V mode through the overload without cbufWorkspace), table (a scalar mode through the
//   overload with it), skew (the table 8 bytes into L1), short (the table's LocalTensor one entry
//   short), nosync (no MTE2 -> FIX flag after the table's copy).
// Tested by: pytest tests/runtime/test_cube_fixpipe.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {

struct Shape {
    uint32_t m, n, k;
    uint8_t mode;  // QuantMode_t
    bool relu, noTable, table, skew, shortTable, noSync;
};

bool IsVector(uint8_t q) { return q == VDEQF16 || q == VQF322B8_PRE || q == VREQ8; }

template <typename In, typename Acc, typename Out>
class CubeFixpipe {
public:
    static constexpr uint32_t C0 = 32 / sizeof(In);
    static constexpr uint32_t FRACTAL = 16 * C0;  // elements of In per 512-byte fractal

    __aicore__ inline void Init(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, const Shape& s) {
        s_ = s;
        mb_ = s.m / 16;
        nb_ = s.n / 16;
        kb_ = s.k / C0;
        aGm_.SetGlobalBuffer((__gm__ In*)a, uint64_t(s.m) * s.k);
        btGm_.SetGlobalBuffer((__gm__ In*)bt, uint64_t(s.n) * s.k);
        qGm_.SetGlobalBuffer((__gm__ uint64_t*)q, s.n);
        rGm_.SetGlobalBuffer((__gm__ Out*)r, uint64_t(s.m) * s.n);
        pipe_.InitBuffer(inA1_, 1, mb_ * kb_ * 512);
        pipe_.InitBuffer(inB1_, 1, nb_ * kb_ * 512);
        pipe_.InitBuffer(inA2_, 1, mb_ * kb_ * 512);
        pipe_.InitBuffer(inB2_, 1, nb_ * kb_ * 512);
        pipe_.InitBuffer(outC_, 1, mb_ * nb_ * 256 * sizeof(Acc));
        pipe_.InitBuffer(table_, (s.n + 16) * 8);
    }
    __aicore__ inline void Process() {
        LocalTensor<In> a1 = inA1_.AllocTensor<In>();
        DataCopy(a1, aGm_, Nd2NzParams(1, s_.m, s_.k, 0, s_.k, mb_ * 16, 1, 0));
        inA1_.EnQue(a1);
        LocalTensor<In> b1 = inB1_.AllocTensor<In>();
        DataCopy(b1, btGm_, Nd2NzParams(1, s_.n, s_.k, 0, s_.k, nb_ * 16, 1, 0));
        inB1_.EnQue(b1);
        a1 = inA1_.DeQue<In>();
        b1 = inB1_.DeQue<In>();
        LocalTensor<In> a2 = inA2_.AllocTensor<In>();  // L1 fractal (mb, kb) at kb*mb_ + mb; L0A wants mb*kb_ + kb
        for (uint32_t i = 0; i < mb_; ++i)
            LoadData(a2[i * kb_ * FRACTAL], a1, LoadData2DParams(uint16_t(i), uint8_t(kb_), uint16_t(mb_), 0, 0, false, 0));
        inA2_.EnQue(a2);
        LocalTensor<In> b2 = inB2_.AllocTensor<In>();  // L1 fractal (nb, kb) at kb*nb_ + nb: already L0B order
        LoadData(b2, b1, LoadData2DParams(0, uint8_t(kb_ * nb_), 1, 0, 0, false, 0));
        inB2_.EnQue(b2);
        inA1_.FreeTensor(a1);
        inB1_.FreeTensor(b1);
        a2 = inA2_.DeQue<In>();
        b2 = inB2_.DeQue<In>();
        LocalTensor<Acc> c = outC_.AllocTensor<Acc>();
        Mmad(c, a2, b2, MmadParams(uint16_t(s_.m), uint16_t(s_.n), uint16_t(s_.k), 0, false, true));
        inA2_.FreeTensor(a2);
        inB2_.FreeTensor(b2);
        outC_.EnQue(c);
        c = outC_.DeQue<Acc>();

        // The parameters: one per column in L1 (the V modes), else the first entry as deqScalar.
        LocalTensor<uint64_t> q = table_.Get<uint64_t>();
        DataCopy(q, qGm_, DataCopyParams(1, uint16_t((s_.n * 8 + 31) / 32), 0, 0));
        if (!s_.noSync) {
            SetFlag<HardEvent::MTE2_FIX>(EVENT_ID0);
            WaitFlag<HardEvent::MTE2_FIX>(EVENT_ID0);
        }
        const uint64_t scalar = qGm_.GetValue(0);
        FixpipeParamsV220 params;
        params.nSize = uint16_t(s_.n);
        params.mSize = uint16_t(s_.m);
        params.srcStride = uint16_t(mb_ * 16);
        params.dstStride = s_.n;
        params.quantPre = QuantMode_t(s_.mode);
        params.reluEn = s_.relu;
        if (!IsVector(s_.mode)) params.deqScalar = scalar;
        const bool withTable = IsVector(s_.mode) ? !s_.noTable : s_.table;
        if (s_.skew) q = q[1];                                  // 8 bytes into L1: misaligned
        if (s_.shortTable) q = table_.Get<uint64_t>(s_.n - 1);  // holds the parameters, but one entry short
        if (withTable) Fixpipe<Out, Acc, CFG_ROW_MAJOR>(rGm_, c, q, params);
        else Fixpipe<Out, Acc, CFG_ROW_MAJOR>(rGm_, c, params);
        outC_.FreeTensor(c);
    }

private:
    Shape s_{};
    uint32_t mb_ = 0, nb_ = 0, kb_ = 0;
    TPipe pipe_;
    TQue<QuePosition::A1, 1> inA1_;
    TQue<QuePosition::B1, 1> inB1_;
    TQue<QuePosition::A2, 1> inA2_;
    TQue<QuePosition::B2, 1> inB2_;
    TQue<QuePosition::CO1, 1> outC_;
    TBuf<TPosition::C1> table_;
    GlobalTensor<In> aGm_, btGm_;
    GlobalTensor<uint64_t> qGm_;
    GlobalTensor<Out> rGm_;
};

template <typename In, typename Acc, typename Out>
__aicore__ inline void RunOne(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, const Shape& s) {
    CubeFixpipe<In, Acc, Out> op;
    op.Init(a, bt, q, r, s);
    op.Process();
}

}  // namespace

extern "C" __global__ __aicore__ void fixpipe_int_f16(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    RunOne<int8_t, int32_t, half>(a, bt, q, r, s);
}
extern "C" __global__ __aicore__ void fixpipe_int_i8(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    RunOne<int8_t, int32_t, int8_t>(a, bt, q, r, s);
}
extern "C" __global__ __aicore__ void fixpipe_int_u8(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    RunOne<int8_t, int32_t, uint8_t>(a, bt, q, r, s);
}
extern "C" __global__ __aicore__ void fixpipe_half_f16(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    RunOne<half, float, half>(a, bt, q, r, s);
}
extern "C" __global__ __aicore__ void fixpipe_half_i8(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    RunOne<half, float, int8_t>(a, bt, q, r, s);
}
extern "C" __global__ __aicore__ void fixpipe_half_u8(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    RunOne<half, float, uint8_t>(a, bt, q, r, s);
}

int main(int argc, char* argv[]) {
    if (argc < 6) return 2;
    std::string c = argv[1];
    auto take = [&](const char* prefix) {  // strips a leading "prefix_" from the case name
        const std::string p = std::string(prefix) + "_";
        if (c.compare(0, p.size(), p) != 0) return false;
        c = c.substr(p.size());
        return true;
    };
    Shape s{uint32_t(std::atoi(argv[3])), uint32_t(std::atoi(argv[4])), uint32_t(std::atoi(argv[5])), 0,
            false, false, false, false, false, false};
    bool forceFloat = false;
    for (bool more = true; more;) {
        more = false;
        if (take("relu")) more = s.relu = true;
        if (take("float")) more = forceFloat = true;
        if (take("notable")) more = s.noTable = true;
        if (take("table")) more = s.table = true;
        if (take("skew")) more = s.skew = true;
        if (take("short")) more = s.shortTable = true;
        if (take("nosync")) more = s.noSync = true;
    }
    static const struct {
        const char* name;
        QuantMode_t mode;
        bool floatIn;
    } modes[] = {{"deqf16", DEQF16, false}, {"vdeqf16", VDEQF16, false}, {"qf322b8", QF322B8_PRE, true},
                 {"vqf322b8", VQF322B8_PRE, true}, {"req8", REQ8, false}, {"vreq8", VREQ8, false}};
    bool floatIn = false, found = false;
    for (const auto& m : modes)
        if (take(m.name)) {
            s.mode = m.mode;
            floatIn = m.floatIn || forceFloat;
            found = true;
            break;
        }
    if (!found || (c != "f16" && c != "i8" && c != "u8")) return UnknownCase(argv[0], argv[1]);
    const char* dir = argv[2];
    const size_t in = floatIn ? 2 : 1, out = c == "f16" ? 2 : 1;
    const size_t aBytes = size_t(s.m) * s.k * in, bBytes = size_t(s.n) * s.k * in, rBytes = size_t(s.m) * s.n * out;
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* bt = (uint8_t*)GmAlloc(bBytes);
    uint8_t* q = (uint8_t*)GmAlloc(size_t(s.n) * 8);
    uint8_t* r = (uint8_t*)GmAlloc(rBytes);
    ReadBin(dir, "a.bin", a, aBytes);
    ReadBin(dir, "bt.bin", bt, bBytes);
    ReadBin(dir, "q.bin", q, size_t(s.n) * 8);
    SetKernelMode(KernelMode::AIC_MODE);
    if (!floatIn && c == "f16") ICPU_RUN_KF(fixpipe_int_f16, 1, a, bt, q, r, s);
    else if (!floatIn && c == "i8") ICPU_RUN_KF(fixpipe_int_i8, 1, a, bt, q, r, s);
    else if (!floatIn) ICPU_RUN_KF(fixpipe_int_u8, 1, a, bt, q, r, s);
    else if (c == "f16") ICPU_RUN_KF(fixpipe_half_f16, 1, a, bt, q, r, s);
    else if (c == "i8") ICPU_RUN_KF(fixpipe_half_i8, 1, a, bt, q, r, s);
    else ICPU_RUN_KF(fixpipe_half_u8, 1, a, bt, q, r, s);
    WriteBin(dir, "r.bin", r, rBytes);
    GmFree(a);
    GmFree(bt);
    GmFree(q);
    GmFree(r);
    return 0;
}

// cube_unitflag: T blocks C_t = A_t x B on one cube core, each block's K loop accumulating in L0C and
// read out by Fixpipe, with L0C handed between M and FIX by the unit flags (Note [UnitFlag] in
// runtime/src/cube_mmad.cpp) or, for comparison, by flags between the pipes. fp16 A (T*M x K) and
// B (K x N), fp32 C (T*M x N). One L0C block is reused by every block, so the next block's Mmads
// overwrite what the previous Fixpipe reads: the case the unit flags exist for.
//
// Usage: cube_unitflag CASE DIR T M N K KTILE     (reads DIR/a.bin, DIR/b.bin; writes DIR/c.bin)
//   CASE: unit      Mmads 2,..,2,3 and Fixpipe 3
//         flags     unitFlag 0, SetFlag/WaitFlag M->FIX and FIX->M around each block
//         fix_first a Fixpipe with unitFlag 3 before any Mmad has finished the units
//         no_fix    the second block's Mmads start with the first block's units unread
//         fix_off   Mmads with unit flags, the Fixpipe with unitFlag 0 (synchronised by flags)
//         bad_value the last Mmad with unitFlag 1
//   cube_unitflag unit_mmad: one Mmad with unitFlag 3 (refused off 910B)
// Tested by: pytest tests/runtime/test_cube_unitflag.py
#include <cstring>

#include "host_io.h"
#include "tikicpulib.h"

using namespace AscendC;

namespace {

struct Shape {
    uint32_t t, m, n, k, kTile;
    int mode;  // 0 unit, 1 flags, 2 fix_first, 3 no_fix, 4 fix_off, 5 bad_value
};

constexpr uint32_t FRACTAL = 16 * 16;

__aicore__ inline uint32_t Blocks(uint32_t x) { return (x + 15) / 16; }

class UnitFlagMatmul {
public:
    __aicore__ inline void Init(GM_ADDR a, GM_ADDR b, GM_ADDR c, const Shape& s) {
        s_ = s;
        mb_ = Blocks(s.m), nb_ = Blocks(s.n), kb_ = Blocks(s.k);
        aGm_.SetGlobalBuffer((__gm__ half*)a, uint64_t(s.t) * s.m * s.k);
        bGm_.SetGlobalBuffer((__gm__ half*)b, uint64_t(s.k) * s.n);
        cGm_.SetGlobalBuffer((__gm__ float*)c, uint64_t(s.t) * s.m * s.n);
        const uint32_t ktb = s.kTile / 16;
        pipe_.InitBuffer(inA1_, 1, mb_ * kb_ * FRACTAL * sizeof(half));
        pipe_.InitBuffer(inB1_, 1, kb_ * nb_ * FRACTAL * sizeof(half));
        pipe_.InitBuffer(inA2_, 2, mb_ * ktb * FRACTAL * sizeof(half));
        pipe_.InitBuffer(inB2_, 2, ktb * nb_ * FRACTAL * sizeof(half));
        pipe_.InitBuffer(l0c_, mb_ * nb_ * FRACTAL * sizeof(float));
    }
    __aicore__ inline void Process() {
        LocalTensor<half> b1 = inB1_.AllocTensor<half>();
        DataCopy(b1, bGm_, Nd2NzParams(1, s_.k, s_.n, 0, s_.n, kb_ * 16, 1, 0));
        inB1_.EnQue(b1);
        b1 = inB1_.DeQue<half>();
        LocalTensor<float> c = l0c_.Get<float>();
        if (s_.mode == 2) Out(c, 0, 3);  // reads units no Mmad has finished
        for (uint32_t t = 0; t < s_.t; ++t) {
            LocalTensor<half> a1 = inA1_.AllocTensor<half>();
            DataCopy(a1, aGm_[uint64_t(t) * s_.m * s_.k], Nd2NzParams(1, s_.m, s_.k, 0, s_.k, mb_ * 16, 1, 0));
            inA1_.EnQue(a1);
            a1 = inA1_.DeQue<half>();
            if (s_.mode == 1 && t > 0) WaitFlag<HardEvent::FIX_M>(0);  // the previous block is read out
            const uint32_t ktb = s_.kTile / 16;
            for (uint32_t kb0 = 0; kb0 < kb_; kb0 += ktb) {
                const uint32_t count = kb_ - kb0 < ktb ? kb_ - kb0 : ktb;
                const uint32_t kLen = (kb0 + count) * 16 > s_.k ? s_.k - kb0 * 16 : count * 16;
                const bool last = kb0 + count >= kb_;
                SplitA(a1, kb0, count);
                SplitB(b1, kb0, count);
                LocalTensor<half> a2 = inA2_.DeQue<half>();
                LocalTensor<half> b2 = inB2_.DeQue<half>();
                if (kb0 > 0 && (s_.m / 16) * (s_.n / 16) < 10) PipeBarrier<PIPE_M>();
                uint8_t unit = s_.mode == 1 ? 0 : (last ? 3 : 2);
                if (s_.mode == 5 && last) unit = 1;
                Mmad(c, a2, b2, MmadParams(uint16_t(s_.m), uint16_t(s_.n), uint16_t(kLen), unit, false, kb0 == 0));
                inA2_.FreeTensor(a2);
                inB2_.FreeTensor(b2);
            }
            inA1_.FreeTensor(a1);
            if (s_.mode == 3 && t == 0) continue;  // the next block overwrites units nobody read
            if (s_.mode == 1 || s_.mode == 4) {
                SetFlag<HardEvent::M_FIX>(0);
                WaitFlag<HardEvent::M_FIX>(0);
            }
            Out(c, t, s_.mode == 1 || s_.mode == 4 ? 0 : 3);
            if (s_.mode == 1 && t + 1 < s_.t) SetFlag<HardEvent::FIX_M>(0);
        }
        inB1_.FreeTensor(b1);
    }

private:
    __aicore__ inline void SplitA(const LocalTensor<half>& a1, uint32_t kb0, uint32_t count) {
        LocalTensor<half> a2 = inA2_.AllocTensor<half>();
        for (uint32_t i = 0; i < mb_; ++i)
            LoadData(a2[i * count * FRACTAL], a1, LoadData2DParams(uint16_t(kb0 * mb_ + i), uint8_t(count), uint16_t(mb_), 0, 0, false, 0));
        inA2_.EnQue(a2);
    }
    __aicore__ inline void SplitB(const LocalTensor<half>& b1, uint32_t kb0, uint32_t count) {
        LocalTensor<half> b2 = inB2_.AllocTensor<half>();
        for (uint32_t j = 0; j < count; ++j)
            LoadData(b2[j * nb_ * FRACTAL], b1, LoadData2DParams(uint16_t(kb0 + j), uint8_t(nb_), uint16_t(kb_), 0, 0, true, 0));
        inB2_.EnQue(b2);
    }
    __aicore__ inline void Out(const LocalTensor<float>& c, uint32_t t, uint8_t unit) {
        FixpipeParamsV220 p;
        p.nSize = uint16_t(s_.n);
        p.mSize = uint16_t(s_.m);
        p.srcStride = uint16_t(mb_ * 16);
        p.dstStride = s_.n;
        p.unitFlag = unit;
        Fixpipe<float, float, CFG_ROW_MAJOR>(cGm_[uint64_t(t) * s_.m * s_.n], c, p);
    }

    Shape s_{};
    uint32_t mb_ = 0, nb_ = 0, kb_ = 0;
    TPipe pipe_;
    TQue<QuePosition::A1, 1> inA1_;
    TQue<QuePosition::B1, 1> inB1_;
    TQue<QuePosition::A2, 2> inA2_;
    TQue<QuePosition::B2, 2> inB2_;
    TBuf<TPosition::CO1> l0c_;
    GlobalTensor<half> aGm_, bGm_;
    GlobalTensor<float> cGm_;
};

}  // namespace

extern "C" __global__ __aicore__ void cube_unitflag(GM_ADDR a, GM_ADDR b, GM_ADDR c, Shape s) {
    UnitFlagMatmul op;
    op.Init(a, b, c, s);
    op.Process();
}

// One Mmad with unitFlag 3: 910B-class SoCs only.
extern "C" __global__ __aicore__ void unit_mmad() {
    TPipe pipe;
    TBuf<TPosition::A2> a;
    TBuf<TPosition::B2> b;
    TBuf<TPosition::CO1> out;
    pipe.InitBuffer(a, 512);
    pipe.InitBuffer(b, 512);
    pipe.InitBuffer(out, 1024);
    Mmad(out.Get<float>(), a.Get<half>(), b.Get<half>(), MmadParams(16, 16, 16, 3, false, true));
}

int main(int argc, char* argv[]) {
    if (argc == 2 && !std::strcmp(argv[1], "unit_mmad")) {
        ICPU_RUN_KF(unit_mmad, 1);
        return 0;
    }
    if (argc < 8) return 2;
    static const char* const kCases[] = {"unit", "flags", "fix_first", "no_fix", "fix_off", "bad_value"};
    int mode = -1;
    for (int i = 0; i < 6; ++i)
        if (!std::strcmp(argv[1], kCases[i])) mode = i;
    if (mode < 0) return UnknownCase(argv[0], argv[1]);
    Shape s{uint32_t(std::atoi(argv[3])), uint32_t(std::atoi(argv[4])), uint32_t(std::atoi(argv[5])),
            uint32_t(std::atoi(argv[6])), uint32_t(std::atoi(argv[7])), mode};
    const char* dir = argv[2];
    const size_t aBytes = size_t(s.t) * s.m * s.k * 2, bBytes = size_t(s.k) * s.n * 2, cBytes = size_t(s.t) * s.m * s.n * 4;
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* b = (uint8_t*)GmAlloc(bBytes);
    uint8_t* c = (uint8_t*)GmAlloc(cBytes);
    ReadBin(dir, "a.bin", a, aBytes);
    ReadBin(dir, "b.bin", b, bBytes);
    SetKernelMode(KernelMode::AIC_MODE);
    ICPU_RUN_KF(cube_unitflag, 1, a, b, c, s);
    WriteBin(dir, "c.bin", c, cBytes);
    GmFree(a);
    GmFree(b);
    GmFree(c);
    return 0;
}

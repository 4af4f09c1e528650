// cube_fixpipe_nz: C = A x B on one 910B cube core written without TPipe, every on-chip tensor placed
// at a byte address with LocalTensor(TPosition, addr, tileSize) (Note [LocalTensor at an address] in
// runtime/src/pipe.cpp), and C moved out by Fixpipe with CFG_NZ, keeping the fractal layout (Note
// [Fixpipe NZ output] in runtime/src/cube_fixpipe.cpp). The pipes are ordered with flags.
//
//   GM A (ND, M x K) ─Nd2Nz─> L1 @0 ─LoadData─> L0A @0 ─┐
//                                                      ├ Mmad ─> L0C @0 (NZ) ─Fixpipe CFG_NZ─> GM R (NZ)
//   GM Bt (ND, N x K) ─Nd2Nz─> L1 @B1 ─LoadData─> L0B @0 ┘            ^
//   GM Q (N x uint64, vqf322b8) ─DataCopy─> L1 @Q ─────────────────────┘ cbufWorkspace
//
// A and B^T are float16 (C float32) or, for req8, int8 (C int32). R is NZ: N / W fractal columns of
// M rows of W elements, W = 16 (8 with isChannelSplit), dstStride blocks of 32 bytes apart. The
// program fills R with 0x5A bytes first, so the gaps a larger dstStride leaves can be checked.
//
// Usage: cube_fixpipe_nz CASE DIR M N K   (reads DIR/a.bin, DIR/bt.bin, DIR/q.bin; writes DIR/r.bin)
//   CASE: [relu_][split_][gap_]KIND, KIND one of f32 (NoQuant), f16 (F322F16), req8 (REQ8 to int8,
//   deqScalar = q[0]), vqf322b8 (VQF322B8_PRE to int8, table in L1); relu: reluEn; split:
//   isChannelSplit; gap: dstStride one block more than a fractal column. Broken cases: misaligned
//   (the L0C tensor at byte 16), beyond (the L1 tensor of B ending past L1), ragged (nSize not a
//   multiple of 16), unitsplit (isChannelSplit with unitFlag 3), and for npu_simulator's findings tight
//   (dstStride one block short of a fractal column) and skewdst (R 16 bytes into its buffer). R has 32
//   spare bytes at its end.
// Tested by: pytest tests/runtime/test_cube_fixpipe.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {

enum Kind : uint8_t { F32, F16, REQ, VQ };

struct Shape {
    uint32_t m, n, k;
    uint8_t kind;
    bool relu, split, gap, misaligned, beyond, ragged, unitSplit, tight, skewDst;
};

uint32_t OutBytes(uint8_t kind) { return kind == F32 ? 4 : kind == F16 ? 2 : 1; }
// The destination stride in 32-byte blocks: one fractal column (M rows of W elements), plus one with gap.
uint32_t DstStride(const Shape& s) {
    const uint32_t w = s.split ? 8 : 16;
    return (s.m * w * OutBytes(s.kind) + 31) / 32 + (s.gap ? 1 : 0) - (s.tight ? 1 : 0);
}

template <typename In, typename Acc, typename Out>
__aicore__ inline void Run(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, const Shape& s) {
    InitSocState();
    constexpr uint32_t C0 = 32 / sizeof(In), FRACTAL = 16 * C0;
    const uint32_t mb = s.m / 16, nb = s.n / 16, kb = s.k / C0;
    GlobalTensor<In> aGm, btGm;
    GlobalTensor<uint64_t> qGm;
    GlobalTensor<Out> rGm;
    aGm.SetGlobalBuffer((__gm__ In*)a, uint64_t(s.m) * s.k);
    btGm.SetGlobalBuffer((__gm__ In*)bt, uint64_t(s.n) * s.k);
    qGm.SetGlobalBuffer((__gm__ uint64_t*)q, s.n);
    rGm.SetGlobalBuffer((__gm__ Out*)r);

    const uint32_t aBytes = mb * kb * 512, bBytes = nb * kb * 512;
    const uint32_t b1Addr = s.beyond ? 512 * 1024 - bBytes + 32 : aBytes;  // beyond: 32 bytes past L1's end
    LocalTensor<In> a1(TPosition::A1, 0, aBytes / sizeof(In));
    LocalTensor<In> b1(TPosition::B1, b1Addr, bBytes / sizeof(In));
    LocalTensor<uint64_t> table(TPosition::C1, aBytes + bBytes, s.n);
    LocalTensor<In> a2(TPosition::A2, 0, aBytes / sizeof(In));
    LocalTensor<In> b2(TPosition::B2, 0, bBytes / sizeof(In));
    LocalTensor<Acc> c(TPosition::CO1, s.misaligned ? 16 : 0, mb * nb * 256);

    DataCopy(a1, aGm, Nd2NzParams(1, s.m, s.k, 0, s.k, mb * 16, 1, 0));
    DataCopy(b1, btGm, Nd2NzParams(1, s.n, s.k, 0, s.k, nb * 16, 1, 0));
    SetFlag<HardEvent::MTE2_MTE1>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_MTE1>(EVENT_ID0);
    for (uint32_t i = 0; i < mb; ++i)  // L1 fractal (mb, kb) at kb*mb_ + mb; L0A wants mb*kb_ + kb
        LoadData(a2[i * kb * FRACTAL], a1, LoadData2DParams(uint16_t(i), uint8_t(kb), uint16_t(mb), 0, 0, false, 0));
    LoadData(b2, b1, LoadData2DParams(0, uint8_t(kb * nb), 1, 0, 0, false, 0));
    SetFlag<HardEvent::MTE1_M>(EVENT_ID0);
    WaitFlag<HardEvent::MTE1_M>(EVENT_ID0);
    Mmad(c, a2, b2, MmadParams(uint16_t(s.m), uint16_t(s.n), uint16_t(s.k), 0, false, true));
    SetFlag<HardEvent::M_FIX>(EVENT_ID0);
    WaitFlag<HardEvent::M_FIX>(EVENT_ID0);

    FixpipeParamsV220 p;
    p.nSize = uint16_t(s.ragged ? s.n - 8 : s.n);
    p.mSize = uint16_t(s.m);
    p.srcStride = uint16_t(mb * 16);
    p.dstStride = DstStride(s);
    p.reluEn = s.relu;
    p.isChannelSplit = s.split;
    if (s.unitSplit) p.unitFlag = 3;
    p.quantPre = s.kind == F32 ? NoQuant : s.kind == F16 ? F322F16 : s.kind == REQ ? REQ8 : VQF322B8_PRE;
    if (s.kind == VQ) {
        DataCopy(table, qGm, DataCopyParams(1, uint16_t((s.n * 8 + 31) / 32), 0, 0));
        SetFlag<HardEvent::MTE2_FIX>(EVENT_ID0);
        WaitFlag<HardEvent::MTE2_FIX>(EVENT_ID0);
        Fixpipe<Out, Acc, CFG_NZ>(rGm, c, table, p);
    } else {
        if (s.kind == REQ) p.deqScalar = qGm.GetValue(0);
        Fixpipe<Out, Acc, CFG_NZ>(s.skewDst ? rGm[16 / sizeof(Out)] : rGm, c, p);
    }
}

}  // namespace

extern "C" __global__ __cube__ void fixnz_f32(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    Run<half, float, float>(a, bt, q, r, s);
}
extern "C" __global__ __cube__ void fixnz_f16(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    Run<half, float, half>(a, bt, q, r, s);
}
extern "C" __global__ __cube__ void fixnz_req8(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    Run<int8_t, int32_t, int8_t>(a, bt, q, r, s);
}
extern "C" __global__ __cube__ void fixnz_vqf322b8(GM_ADDR a, GM_ADDR bt, GM_ADDR q, GM_ADDR r, Shape s) {
    Run<half, float, int8_t>(a, bt, q, r, s);
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
    Shape s{uint32_t(std::atoi(argv[3])), uint32_t(std::atoi(argv[4])), uint32_t(std::atoi(argv[5])), F32,
            false, false, false, false, false, false, false, false, false};
    for (bool more = true; more;) {
        more = false;
        if (take("relu")) more = s.relu = true;
        if (take("split")) more = s.split = true;
        if (take("gap")) more = s.gap = true;
        if (take("misaligned")) more = s.misaligned = true;
        if (take("beyond")) more = s.beyond = true;
        if (take("ragged")) more = s.ragged = true;
        if (take("tight")) more = s.tight = true;
        if (take("skewdst")) more = s.skewDst = true;
        if (take("unitsplit")) more = s.unitSplit = s.split = true;
    }
    if (c == "f32") s.kind = F32;
    else if (c == "f16") s.kind = F16;
    else if (c == "req8") s.kind = REQ;
    else if (c == "vqf322b8") s.kind = VQ;
    else return UnknownCase(argv[0], argv[1]);
    const char* dir = argv[2];
    const size_t in = s.kind == REQ ? 1 : 2;
    const size_t aBytes = size_t(s.m) * s.k * in, bBytes = size_t(s.n) * s.k * in;
    const size_t rBytes = size_t(s.n / (s.split ? 8 : 16)) * DstStride(s) * 32 + 32;
    uint8_t* a = (uint8_t*)GmAlloc(aBytes);
    uint8_t* bt = (uint8_t*)GmAlloc(bBytes);
    uint8_t* q = (uint8_t*)GmAlloc(size_t(s.n) * 8);
    uint8_t* r = (uint8_t*)GmAlloc(rBytes);
    ReadBin(dir, "a.bin", a, aBytes);
    ReadBin(dir, "bt.bin", bt, bBytes);
    ReadBin(dir, "q.bin", q, size_t(s.n) * 8);
    std::memset(r, 0x5A, rBytes);
    SetKernelMode(KernelMode::AIC_MODE);
    if (s.kind == F32) ICPU_RUN_KF(fixnz_f32, 1, a, bt, q, r, s);
    else if (s.kind == F16) ICPU_RUN_KF(fixnz_f16, 1, a, bt, q, r, s);
    else if (s.kind == REQ) ICPU_RUN_KF(fixnz_req8, 1, a, bt, q, r, s);
    else ICPU_RUN_KF(fixnz_vqf322b8, 1, a, bt, q, r, s);
    WriteBin(dir, "r.bin", r, rBytes);
    GmFree(a);
    GmFree(bt);
    GmFree(q);
    GmFree(r);
    return 0;
}

// sort_gather: GatherMask, Copy, Sort32 and MrgSort on one core, each against numpy in
// tests/runtime/test_sort_gather.py.
//
//   gather_f32 / gather_f16  x[512] -> out[512] (pre-filled with -1), cnt[8] (uint32: rsvdCnt,
//                            GetGatherMaskRemainCount). p.bin (uint32[8]): builtin pattern (0 = user
//                            pattern from pat.bin, uint32[64]), reduceMode, mask, repeatTimes,
//                            src0BlockStride, src0RepeatStride, src1RepeatStride.
//   copy                     x[18*64] float -> out[18*8]: Copy(mask 8, repeat 18, {1, 1, 1, 8}).
//   sort_f32 / sort_f16      s[128] scores, idx[128] uint32 -> rec[128 records]: Sort32 x4, then
//                            merged[128 records]: MrgSort of the four 32-record lists (validBit 15);
//                            p.bin (uint32[8]): validBit, ifExhaustedSuspension, lengths[4];
//                            taken[8] (uint32): GetMrgSortResult.
//   broken_*                 a rule broken on purpose (see BrokenKernel).
//
// Usage: sort_gather CASE DIR
// Tested by: pytest tests/runtime/test_sort_gather.py
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {
constexpr uint32_t N = 512;
constexpr uint32_t SORT_N = 128;
}  // namespace

template <typename T, typename U>
__aicore__ inline void GatherKernel(GM_ADDR x, GM_ADDR pat, GM_ADDR prm, GM_ADDR out, GM_ADDR cnt) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, patBuf, outBuf, cntBuf;
    pipe.InitBuffer(xBuf, N * sizeof(T));
    pipe.InitBuffer(patBuf, 64 * sizeof(uint32_t));
    pipe.InitBuffer(outBuf, N * sizeof(T));
    pipe.InitBuffer(cntBuf, 32);
    GlobalTensor<T> xGm, outGm;
    GlobalTensor<U> patGm;
    GlobalTensor<uint32_t> pGm, cntGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, N);
    outGm.SetGlobalBuffer((__gm__ T*)out, N);
    patGm.SetGlobalBuffer((__gm__ U*)pat, 64 * sizeof(uint32_t) / sizeof(U));
    pGm.SetGlobalBuffer((__gm__ uint32_t*)prm, 8);
    cntGm.SetGlobalBuffer((__gm__ uint32_t*)cnt, 8);
    LocalTensor<T> xL = xBuf.Get<T>(), outL = outBuf.Get<T>();
    LocalTensor<U> patL = patBuf.Get<U>();
    LocalTensor<uint32_t> cntL = cntBuf.Get<uint32_t>();
    DataCopy(xL, xGm, N);
    DataCopy(patL, patGm, 64 * sizeof(uint32_t) / sizeof(U));
    Duplicate(outL, T(-1.0f), N);
    const uint8_t builtin = uint8_t(pGm.GetValue(0));
    const bool reduceMode = pGm.GetValue(1) != 0;
    GatherMaskParams gp(uint8_t(pGm.GetValue(4)), uint16_t(pGm.GetValue(3)), uint16_t(pGm.GetValue(5)),
                        uint8_t(pGm.GetValue(6)));
    uint64_t rsvdCnt = 0;
    PipeBarrier<PIPE_ALL>();
    if (builtin == 0) GatherMask(outL, xL, patL, reduceMode, pGm.GetValue(2), gp, rsvdCnt);
    else GatherMask(outL, xL, builtin, reduceMode, pGm.GetValue(2), gp, rsvdCnt);
    PipeBarrier<PIPE_ALL>();
    cntL.SetValue(0, uint32_t(rsvdCnt));
    cntL.SetValue(1, uint32_t(GetGatherMaskRemainCount()));
    for (uint32_t i = 2; i < 8; ++i) cntL.SetValue(i, 0u);
    PipeBarrier<PIPE_ALL>();
    DataCopy(outGm, outL, N);
    DataCopy(cntGm, cntL, 8);
}

extern "C" __global__ __aicore__ void gather_f32(GM_ADDR x, GM_ADDR pat, GM_ADDR p, GM_ADDR out, GM_ADDR cnt) {
    GatherKernel<float, uint32_t>(x, pat, p, out, cnt);
}
extern "C" __global__ __aicore__ void gather_f16(GM_ADDR x, GM_ADDR pat, GM_ADDR p, GM_ADDR out, GM_ADDR cnt) {
    GatherKernel<half, uint16_t>(x, pat, p, out, cnt);
}

extern "C" __global__ __aicore__ void copy_rows(GM_ADDR x, GM_ADDR out) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, outBuf;
    pipe.InitBuffer(xBuf, 18 * 64 * sizeof(float));
    pipe.InitBuffer(outBuf, 18 * 8 * sizeof(float));
    GlobalTensor<float> xGm, outGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, 18 * 64);
    outGm.SetGlobalBuffer((__gm__ float*)out, 18 * 8);
    LocalTensor<float> xL = xBuf.Get<float>(), outL = outBuf.Get<float>();
    DataCopy(xL, xGm, 18 * 64);
    PipeBarrier<PIPE_ALL>();
    Copy(outL, xL, 8, 18, {1, 1, 1, 8});  // [18, 64] -> its first 8 columns, [18, 8]
    PipeBarrier<PIPE_ALL>();
    DataCopy(outGm, outL, 18 * 8);
}

template <typename T>
__aicore__ inline void SortKernel(GM_ADDR s, GM_ADDR idx, GM_ADDR prm, GM_ADDR rec, GM_ADDR merged, GM_ADDR taken) {
    constexpr uint32_t REC = SORT_N * 8 / sizeof(T);  // elements of T in 128 records
    TPipe pipe;
    TBuf<TPosition::VECCALC> sBuf, iBuf, recBuf, mBuf, tBuf;
    pipe.InitBuffer(sBuf, SORT_N * sizeof(T));
    pipe.InitBuffer(iBuf, SORT_N * sizeof(uint32_t));
    pipe.InitBuffer(recBuf, SORT_N * 8);
    pipe.InitBuffer(mBuf, SORT_N * 8);
    pipe.InitBuffer(tBuf, 32);
    GlobalTensor<T> sGm, recGm, mGm;
    GlobalTensor<uint32_t> iGm, pGm, tGm;
    sGm.SetGlobalBuffer((__gm__ T*)s, SORT_N);
    iGm.SetGlobalBuffer((__gm__ uint32_t*)idx, SORT_N);
    pGm.SetGlobalBuffer((__gm__ uint32_t*)prm, 8);
    recGm.SetGlobalBuffer((__gm__ T*)rec, REC);
    mGm.SetGlobalBuffer((__gm__ T*)merged, REC);
    tGm.SetGlobalBuffer((__gm__ uint32_t*)taken, 8);
    LocalTensor<T> sL = sBuf.Get<T>(), recL = recBuf.Get<T>(), mL = mBuf.Get<T>();
    LocalTensor<uint32_t> iL = iBuf.Get<uint32_t>(), tL = tBuf.Get<uint32_t>();
    DataCopy(sL, sGm, SORT_N);
    DataCopy(iL, iGm, SORT_N);
    Duplicate(mL, T(0), REC);
    PipeBarrier<PIPE_ALL>();
    Sort32(recL, sL, iL, SORT_N / 32);
    MrgSort4Info info;
    info.validBit = uint16_t(pGm.GetValue(0));
    info.ifExhaustedSuspension = pGm.GetValue(1) != 0;
    for (int i = 0; i < 4; ++i) info.elementLengths[i] = uint16_t(pGm.GetValue(2 + i));
    info.repeatTimes = 1;
    constexpr uint32_t LIST = 32 * 8 / sizeof(T);  // one Sort32 repeat's records, in elements of T
    MrgSortSrcList<T> list(recL[0], recL[LIST], recL[2 * LIST], recL[3 * LIST]);
    MrgSort(mL, list, info);
    PipeBarrier<PIPE_ALL>();
    uint16_t t[4];
    GetMrgSortResult(t[0], t[1], t[2], t[3]);
    for (uint32_t i = 0; i < 8; ++i) tL.SetValue(i, i < 4 ? uint32_t(t[i]) : 0u);
    PipeBarrier<PIPE_ALL>();
    DataCopy(recGm, recL, REC);
    DataCopy(mGm, mL, REC);
    DataCopy(tGm, tL, 8);
}

extern "C" __global__ __aicore__ void sort_f32(GM_ADDR s, GM_ADDR i, GM_ADDR p, GM_ADDR r, GM_ADDR m, GM_ADDR t) {
    SortKernel<float>(s, i, p, r, m, t);
}
extern "C" __global__ __aicore__ void sort_f16(GM_ADDR s, GM_ADDR i, GM_ADDR p, GM_ADDR r, GM_ADDR m, GM_ADDR t) {
    SortKernel<half>(s, i, p, r, m, t);
}

// One broken rule per `which`: 0 GatherMask dst overlapping src0 one block further, 1 Sort32 dst
// overlapping its scores, 2 MrgSort with validBit 5, 3 Copy whose dst overlaps src at another offset,
// 4 GatherMask built-in pattern 9, 5 GatherMask whose selected elements run past the end of UB.
extern "C" __global__ __aicore__ void broken(uint32_t which) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> aBuf, bBuf;
    pipe.InitBuffer(aBuf, 4096);
    pipe.InitBuffer(bBuf, 1024);
    LocalTensor<float> a = aBuf.Get<float>();
    LocalTensor<uint32_t> b = bBuf.Get<uint32_t>();
    Duplicate(a, 1.0f, 1024);
    Duplicate(b, 0u, 256);
    PipeBarrier<PIPE_ALL>();
    uint64_t cnt = 0;
    if (which == 0) GatherMask(a[8], a, uint8_t(7), false, 0, {1, 2, 8, 0}, cnt);
    if (which == 1) Sort32(a[32], a, b, 2);
    if (which == 2) {
        MrgSort4Info info;
        info.validBit = 5;
        info.elementLengths[0] = info.elementLengths[1] = 32;
        MrgSort(a[512], MrgSortSrcList<float>(a, a[64], a[128], a[192]), info);
    }
    if (which == 3) Copy(a[8], a, 64, 1, {1, 1, 8, 8});
    if (which == 4) GatherMask(a[512], a, uint8_t(9), false, 0, {1, 1, 8, 0}, cnt);
    if (which == 5) {  // 128 selected floats into the last 64 bytes of UB
        TBuf<TPosition::VECCALC> filler, tail;
        pipe.InitBuffer(filler, 192 * 1024 - pipe.Used(opkit::rt::Mem::UB) - 64);
        pipe.InitBuffer(tail, 64);
        GatherMask(tail.Get<float>(), a, uint8_t(7), false, 0, {1, 2, 8, 0}, cnt);
    }
}

namespace {
int Gather(const char* dir, bool f16) {
    const size_t xb = N * (f16 ? 2 : 4);
    uint8_t* x = (uint8_t*)GmAlloc(xb);
    uint8_t* pat = (uint8_t*)GmAlloc(256);
    uint8_t* p = (uint8_t*)GmAlloc(32);
    uint8_t* out = (uint8_t*)GmAlloc(xb);
    uint8_t* cnt = (uint8_t*)GmAlloc(32);
    ReadBin(dir, "x.bin", x, xb);
    ReadBin(dir, "pat.bin", pat, 256);
    ReadBin(dir, "p.bin", p, 32);
    if (f16) ICPU_RUN_KF(gather_f16, 1, x, pat, p, out, cnt);
    else ICPU_RUN_KF(gather_f32, 1, x, pat, p, out, cnt);
    WriteBin(dir, "out.bin", out, xb);
    WriteBin(dir, "cnt.bin", cnt, 32);
    for (uint8_t* b : {x, pat, p, out, cnt}) GmFree(b);
    return 0;
}

int Sort(const char* dir, bool f16) {
    const size_t sb = SORT_N * (f16 ? 2 : 4), rb = SORT_N * 8;
    uint8_t* s = (uint8_t*)GmAlloc(sb);
    uint8_t* idx = (uint8_t*)GmAlloc(SORT_N * 4);
    uint8_t* p = (uint8_t*)GmAlloc(32);
    uint8_t* rec = (uint8_t*)GmAlloc(rb);
    uint8_t* merged = (uint8_t*)GmAlloc(rb);
    uint8_t* taken = (uint8_t*)GmAlloc(32);
    ReadBin(dir, "s.bin", s, sb);
    ReadBin(dir, "idx.bin", idx, SORT_N * 4);
    ReadBin(dir, "p.bin", p, 32);
    if (f16) ICPU_RUN_KF(sort_f16, 1, s, idx, p, rec, merged, taken);
    else ICPU_RUN_KF(sort_f32, 1, s, idx, p, rec, merged, taken);
    WriteBin(dir, "rec.bin", rec, rb);
    WriteBin(dir, "merged.bin", merged, rb);
    WriteBin(dir, "taken.bin", taken, 32);
    for (uint8_t* b : {s, idx, p, rec, merged, taken}) GmFree(b);
    return 0;
}
}  // namespace

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s CASE DIR\n", argv[0]);
        return 2;
    }
    const char* c = argv[1];
    const char* dir = argv[2];
    if (!std::strcmp(c, "gather_f32") || !std::strcmp(c, "gather_f16")) return Gather(dir, c[8] == '1');
    if (!std::strcmp(c, "sort_f32") || !std::strcmp(c, "sort_f16")) return Sort(dir, c[6] == '1');
    if (!std::strcmp(c, "copy")) {
        uint8_t* x = (uint8_t*)GmAlloc(18 * 64 * 4);
        uint8_t* out = (uint8_t*)GmAlloc(18 * 8 * 4);
        ReadBin(dir, "x.bin", x, 18 * 64 * 4);
        ICPU_RUN_KF(copy_rows, 1, x, out);
        WriteBin(dir, "out.bin", out, 18 * 8 * 4);
        GmFree(x);
        GmFree(out);
        return 0;
    }
    if (!std::strncmp(c, "broken_", 7)) {
        ICPU_RUN_KF(broken, 1, uint32_t(std::atoi(c + 7)));
        return 0;
    }
    return UnknownCase(argv[0], c);
}

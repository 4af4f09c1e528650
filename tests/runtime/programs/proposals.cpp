// proposals: the region-proposal sort of Ascend910A/310P (ProposalConcat, RpSort16, MrgSort4,
// ProposalExtract, and their CANN 6.3 names Concat/Extract) and the GM flags IBSet/IBWait, each
// against numpy in tests/runtime/test_proposals.py. The SoC comes from OPKIT_SOC.
//
//   sort_f16 / sort_f32   s[256] scores, lab[256] labels -> rp[256 proposals] after ProposalConcat
//                         (score, label) and an in-place RpSort16; m1[256 proposals]: MrgSort4 of
//                         groups of 4 lists of 16 (repeatTimes 4); m2[256 proposals]: MrgSort4 of
//                         the 4 lists of 64; ex[512]: ProposalExtract of score then label from m2;
//                         p.bin (uint32[8]): 1 = use the CANN 6.3 names Concat/Extract.
//   merge_f16             rp[64 proposals] (4 sorted lists of 16) -> out[64 proposals] by one
//                         MrgSort4; p.bin (uint32[8]): validBit, ifExhaustedSuspension, lengths[4];
//                         taken.bin (uint32[4]): GetMrgSortResult.
//   chain                 4 cores: core i waits for core i-1 (IBWait), adds x[i] to the running sum
//                         in GM, then lets core i+1 go (IBSet) -> sum[4] (float, the prefix sums);
//                         p.bin (uint32[8]): [0] 1 = leave the flags out, [1] 1 = core 3 waits for an
//                         event nobody sets, [2] 1 = blockIdx 9, [3] 1 = a workspace of two slots.
//   ordered_writes        2 cores write the same 64 floats of out, core 1 after IBWait for core 0;
//                         p.bin [0] 1 = without the flags (a gm-overlap finding).
//   broken_*              a rule broken on purpose (see BrokenKernel).
//
// Usage: proposals CASE DIR
// Tested by: pytest tests/runtime/test_proposals.py
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace tik2;  // the era of these instructions; tik2 reaches the same API as AscendC

namespace {
constexpr uint32_t N = 256;
constexpr uint32_t CORES = 4;
}  // namespace

template <typename T>
__aicore__ inline void SortKernel(GM_ADDR s, GM_ADDR lab, GM_ADDR prm, GM_ADDR rp, GM_ADDR m1, GM_ADDR m2, GM_ADDR ex) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> sBuf, lBuf, aBuf, bBuf, eBuf;
    pipe.InitBuffer(sBuf, N * sizeof(T));
    pipe.InitBuffer(lBuf, N * sizeof(T));
    pipe.InitBuffer(aBuf, N * 8 * sizeof(T));
    pipe.InitBuffer(bBuf, N * 8 * sizeof(T));
    pipe.InitBuffer(eBuf, 2 * N * sizeof(T));
    GlobalTensor<T> sGm, lGm, rpGm, m1Gm, m2Gm, exGm;
    GlobalTensor<uint32_t> pGm;
    sGm.SetGlobalBuffer((__gm__ T*)s, N);
    lGm.SetGlobalBuffer((__gm__ T*)lab, N);
    pGm.SetGlobalBuffer((__gm__ uint32_t*)prm, 8);
    rpGm.SetGlobalBuffer((__gm__ T*)rp, N * 8);
    m1Gm.SetGlobalBuffer((__gm__ T*)m1, N * 8);
    m2Gm.SetGlobalBuffer((__gm__ T*)m2, N * 8);
    exGm.SetGlobalBuffer((__gm__ T*)ex, 2 * N);
    LocalTensor<T> sL = sBuf.Get<T>(), lL = lBuf.Get<T>(), a = aBuf.Get<T>(), b = bBuf.Get<T>(), e = eBuf.Get<T>();
    DataCopy(sL, sGm, N);
    DataCopy(lL, lGm, N);
    Duplicate(a, T(0), N * 8);
    const bool oldNames = pGm.GetValue(0) == 1;
    PipeBarrier<PIPE_ALL>();
    if (oldNames) {
        Concat(a, sL, N / 16, 4);
        Concat(a, lL, N / 16, 5);
    } else {
        ProposalConcat(a, sL, N / 16, 4);
        ProposalConcat(a, lL, N / 16, 5);
    }
    PipeBarrier<PIPE_V>();
    RpSort16(a, a, N / 16);  // in place, as the docs' example does
    PipeBarrier<PIPE_ALL>();
    DataCopy(rpGm, a, N * 8);
    PipeBarrier<PIPE_ALL>();
    constexpr uint32_t P = 8;  // elements of T per proposal
    uint16_t len16[4] = {16, 16, 16, 16};
    MrgSort4(b, MrgSortSrcList<T>(a, a[16 * P], a[32 * P], a[48 * P]), MrgSort4Info(len16, false, 15, N / 64));
    PipeBarrier<PIPE_ALL>();
    DataCopy(m1Gm, b, N * 8);
    PipeBarrier<PIPE_ALL>();
    uint16_t len64[4] = {64, 64, 64, 64};
    MrgSort4(a, MrgSortSrcList<T>(b, b[64 * P], b[128 * P], b[192 * P]), MrgSort4Info(len64, false, 15, 1));
    PipeBarrier<PIPE_ALL>();
    DataCopy(m2Gm, a, N * 8);
    if (oldNames) {
        Extract(e, a, N / 16, 4);
        Extract(e[N], a, N / 16, 5);
    } else {
        ProposalExtract(e, a, N / 16, 4);
        ProposalExtract(e[N], a, N / 16, 5);
    }
    PipeBarrier<PIPE_ALL>();
    DataCopy(exGm, e, 2 * N);
}

extern "C" __global__ __aicore__ void sort_f16(GM_ADDR s, GM_ADDR l, GM_ADDR p, GM_ADDR rp, GM_ADDR m1, GM_ADDR m2,
                                               GM_ADDR ex) {
    SortKernel<half>(s, l, p, rp, m1, m2, ex);
}
extern "C" __global__ __aicore__ void sort_f32(GM_ADDR s, GM_ADDR l, GM_ADDR p, GM_ADDR rp, GM_ADDR m1, GM_ADDR m2,
                                               GM_ADDR ex) {
    SortKernel<float>(s, l, p, rp, m1, m2, ex);
}

extern "C" __global__ __aicore__ void merge_f16(GM_ADDR rp, GM_ADDR prm, GM_ADDR out, GM_ADDR taken) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> aBuf, bBuf, tBuf;
    pipe.InitBuffer(aBuf, 64 * 8 * sizeof(half));
    pipe.InitBuffer(bBuf, 64 * 8 * sizeof(half));
    pipe.InitBuffer(tBuf, 32);
    GlobalTensor<half> rpGm, outGm;
    GlobalTensor<uint32_t> pGm, tGm;
    rpGm.SetGlobalBuffer((__gm__ half*)rp, 64 * 8);
    outGm.SetGlobalBuffer((__gm__ half*)out, 64 * 8);
    pGm.SetGlobalBuffer((__gm__ uint32_t*)prm, 8);
    tGm.SetGlobalBuffer((__gm__ uint32_t*)taken, 8);
    LocalTensor<half> a = aBuf.Get<half>(), b = bBuf.Get<half>();
    LocalTensor<uint32_t> t = tBuf.Get<uint32_t>();
    DataCopy(a, rpGm, 64 * 8);
    Duplicate(b, half(0), 64 * 8);
    uint16_t lens[4];
    for (int i = 0; i < 4; ++i) lens[i] = uint16_t(pGm.GetValue(2 + i));
    MrgSort4Info info(lens, pGm.GetValue(1) != 0, uint16_t(pGm.GetValue(0)), 1);
    PipeBarrier<PIPE_ALL>();
    MrgSort4(b, MrgSortSrcList<half>(a, a[16 * 8], a[32 * 8], a[48 * 8]), info);
    uint16_t took[4];
    GetMrgSortResult(took[0], took[1], took[2], took[3]);
    for (int i = 0; i < 4; ++i) t.SetValue(i, took[i]);
    PipeBarrier<PIPE_ALL>();
    DataCopy(outGm, b, 64 * 8);
    DataCopy(tGm, t, 8);
}

// The running sum lives in sum[0..3]: core i reads sum[i-1] (written by core i-1), adds x[i] and
// writes sum[i]. Only the flags order core i's read after core i-1's write.
extern "C" __global__ __aicore__ void chain(GM_ADDR x, GM_ADDR sum, GM_ADDR sync, GM_ADDR prm) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> vBuf, syncBuf;
    pipe.InitBuffer(vBuf, 32);
    pipe.InitBuffer(syncBuf, 32);
    GlobalTensor<float> xGm, sumGm;
    GlobalTensor<int32_t> syncGm;
    GlobalTensor<uint32_t> pGm;
    pGm.SetGlobalBuffer((__gm__ uint32_t*)prm, 8);
    const bool noFlags = pGm.GetValue(0) == 1, neverSet = pGm.GetValue(1) == 1, badIdx = pGm.GetValue(2) == 1;
    const bool shortWs = pGm.GetValue(3) == 1;
    xGm.SetGlobalBuffer((__gm__ float*)x, 8 * CORES);
    sumGm.SetGlobalBuffer((__gm__ float*)sum, 8 * CORES);
    // eventIDs 0 and 1: 2 x 4 cores x 32 bytes; when asked, two slots only (core 3 waits on the third)
    syncGm.SetGlobalBuffer((__gm__ int32_t*)sync, shortWs ? 16 : 2 * 8 * CORES);
    LocalTensor<float> v = vBuf.Get<float>();
    LocalTensor<int32_t> syncL = syncBuf.Get<int32_t>();
    const int32_t me = int32_t(GetBlockIdx());
    if (me > 0 && !noFlags) IBWait(syncGm, syncL, badIdx && me == 2 ? 9 : me - 1, neverSet && me == 3 ? 1 : 0);
    float acc = 0;
    if (me > 0) {
        DataCopy(v, sumGm[8 * (me - 1)], 8);
        PipeBarrier<PIPE_ALL>();
        acc = v.GetValue(0);
    }
    DataCopy(v, xGm[8 * me], 8);
    PipeBarrier<PIPE_ALL>();
    v.SetValue(0, v.GetValue(0) + acc);
    PipeBarrier<PIPE_ALL>();
    DataCopy(sumGm[8 * me], v, 8);
    if (me + 1 < int32_t(CORES) && !noFlags) IBSet(syncGm, syncL, me, 0);
}

// Both cores write out[0..64); core 1 only after core 0 lets it (unless p[0] == 1): the later write wins.
extern "C" __global__ __aicore__ void ordered_writes(GM_ADDR out, GM_ADDR sync, GM_ADDR prm) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> vBuf, syncBuf;
    pipe.InitBuffer(vBuf, 64 * sizeof(float));
    pipe.InitBuffer(syncBuf, 32);
    GlobalTensor<float> outGm;
    GlobalTensor<int32_t> syncGm;
    GlobalTensor<uint32_t> pGm;
    pGm.SetGlobalBuffer((__gm__ uint32_t*)prm, 8);
    outGm.SetGlobalBuffer((__gm__ float*)out, 64);
    syncGm.SetGlobalBuffer((__gm__ int32_t*)sync, 16);
    LocalTensor<float> v = vBuf.Get<float>();
    LocalTensor<int32_t> syncL = syncBuf.Get<int32_t>();
    const bool flags = pGm.GetValue(0) != 1;
    const int32_t me = int32_t(GetBlockIdx());
    if (me == 1 && flags) IBWait(syncGm, syncL, 0, 0);
    Duplicate(v, float(me + 1), 64);
    PipeBarrier<PIPE_ALL>();
    DataCopy(outGm, v, 64);
    if (me == 0 && flags) IBSet(syncGm, syncL, 0, 0);
}

// One broken rule per `which`: 0 RpSort16 of float on Ascend910A, 1 MrgSort4 whose dst overlaps a
// source list, 2 ProposalConcat with modeNumber 6, 3 MrgSort4 with a half list 8 bytes off its
// 16-byte alignment, 4 RpSort16 with repeatTime 256.
extern "C" __global__ __aicore__ void broken(uint32_t which) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, 64 * 1024);
    LocalTensor<half> h = buf.Get<half>();
    LocalTensor<float> f = buf.Get<float>();
    uint16_t lens[4] = {16, 16, 16, 16};
    if (which == 0) RpSort16(f, f, 1);
    if (which == 1) MrgSort4(h[64], MrgSortSrcList<half>(h, h[128], h[256], h[384]), MrgSort4Info(lens, false, 15, 1));
    if (which == 2) ProposalConcat(h, h[4096], 1, 6);
    if (which == 3) MrgSort4(h[4096], MrgSortSrcList<half>(h[4], h[132], h[260], h[388]), MrgSort4Info(lens, false, 15, 1));
    if (which == 4) RpSort16(h, h, 256);
}

namespace {

void RunSort(const char* dir, bool f16) {
    const size_t es = f16 ? 2 : 4;
    auto* s = static_cast<uint8_t*>(GmAlloc(N * es));
    auto* l = static_cast<uint8_t*>(GmAlloc(N * es));
    auto* p = static_cast<uint8_t*>(GmAlloc(32));
    auto* rp = static_cast<uint8_t*>(GmAlloc(N * 8 * es));
    auto* m1 = static_cast<uint8_t*>(GmAlloc(N * 8 * es));
    auto* m2 = static_cast<uint8_t*>(GmAlloc(N * 8 * es));
    auto* ex = static_cast<uint8_t*>(GmAlloc(2 * N * es));
    ReadBin(dir, "s.bin", s, N * es);
    ReadBin(dir, "lab.bin", l, N * es);
    ReadBin(dir, "p.bin", p, 32);
    if (f16) ICPU_RUN_KF(sort_f16, 1, s, l, p, rp, m1, m2, ex);
    else ICPU_RUN_KF(sort_f32, 1, s, l, p, rp, m1, m2, ex);
    WriteBin(dir, "rp.bin", rp, N * 8 * es);
    WriteBin(dir, "m1.bin", m1, N * 8 * es);
    WriteBin(dir, "m2.bin", m2, N * 8 * es);
    WriteBin(dir, "ex.bin", ex, 2 * N * es);
}

void RunMerge(const char* dir) {
    auto* rp = static_cast<uint8_t*>(GmAlloc(64 * 16));
    auto* p = static_cast<uint8_t*>(GmAlloc(32));
    auto* out = static_cast<uint8_t*>(GmAlloc(64 * 16));
    auto* taken = static_cast<uint8_t*>(GmAlloc(32));
    ReadBin(dir, "rp.bin", rp, 64 * 16);
    ReadBin(dir, "p.bin", p, 32);
    ICPU_RUN_KF(merge_f16, 1, rp, p, out, taken);
    WriteBin(dir, "out.bin", out, 64 * 16);
    WriteBin(dir, "taken.bin", taken, 16);
}

void RunChain(const char* dir) {
    auto* x = static_cast<uint8_t*>(GmAlloc(8 * CORES * 4));
    auto* sum = static_cast<uint8_t*>(GmAlloc(8 * CORES * 4));
    auto* sync = static_cast<uint8_t*>(GmAlloc(2 * 8 * CORES * 4));  // eventIDs 0 and 1
    auto* p = static_cast<uint8_t*>(GmAlloc(32));
    ReadBin(dir, "x.bin", x, 8 * CORES * 4);
    ReadBin(dir, "p.bin", p, 32);
    std::memset(sum, 0, 8 * CORES * 4);
    std::memset(sync, 0, 2 * 8 * CORES * 4);
    ICPU_RUN_KF(chain, CORES, x, sum, sync, p);
    WriteBin(dir, "sum.bin", sum, 8 * CORES * 4);
}

void RunOrdered(const char* dir) {
    auto* out = static_cast<uint8_t*>(GmAlloc(64 * 4));
    auto* sync = static_cast<uint8_t*>(GmAlloc(64));
    auto* p = static_cast<uint8_t*>(GmAlloc(32));
    ReadBin(dir, "p.bin", p, 32);
    std::memset(sync, 0, 64);
    ICPU_RUN_KF(ordered_writes, 2, out, sync, p);
    WriteBin(dir, "out.bin", out, 64 * 4);
}

}  // namespace

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);
    if (argc != 3) {
        std::fprintf(stderr, "usage: proposals CASE DIR\n");
        return 2;
    }
    const char* c = argv[1];
    const char* dir = argv[2];
    if (!std::strcmp(c, "sort_f16") || !std::strcmp(c, "sort_f32")) RunSort(dir, !std::strcmp(c, "sort_f16"));
    else if (!std::strcmp(c, "merge_f16")) RunMerge(dir);
    else if (!std::strcmp(c, "chain")) RunChain(dir);
    else if (!std::strcmp(c, "ordered_writes")) RunOrdered(dir);
    else if (!std::strncmp(c, "broken_", 7)) ICPU_RUN_KF(broken, 1, uint32_t(std::atoi(c + 7)));
    else {
        std::fprintf(stderr, "proposals: unknown case %s\n", c);
        return 2;
    }
    return 0;
}

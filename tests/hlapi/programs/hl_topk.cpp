// hl_topk: TopK on one core, against numpy in tests/hlapi/test_topk.py.
//
//   run {half|float} {normal|small} {shared|framework|overlap} OUTTER INNER N K LARGEST INIT FINISH TMP TILEK DIR
//       x.bin [OUTTER, INNER] (rows padded by the test) -> val.bin [OUTTER, kPad], idx.bin
//       [OUTTER, kPadIndex] (small: [OUTTER, K]); INIT 1 reads sidx.bin (NORMAL [INNER], small
//       [OUTTER, INNER] int32), FINISH 1 reads fin.bin (OUTTER bools). The tiling comes from
//       TopKTilingFunc for TILEK (= K unless a test wants a mismatched tiling); shared: a TBuf of TMP
//       bytes as tmpLocal; framework: TMP bytes left free after the TPipe's buffers; overlap: as shared,
//       with dstValueLocal = srcLocal (refused).
//   query SOC INNER OUTTER K TYPESIZE INIT {normal|small} LARGEST
//       prints GetTopKMaxMinTmpSize's max and min, then every TopkTiling field TopKTilingFunc gives.
//
// Tested by: pytest tests/hlapi/test_topk.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "tiling/tiling_api.h"
#include "../../runtime/programs/host_io.h"  // the tests' one host_io

using namespace AscendC;

struct Args {
    uint32_t outter, inner, n, k, tmp, kPad, kPadIndex;
    int32_t largest, shared;
};

inline uint32_t Up32(uint32_t bytes) { return (bytes + 31) / 32 * 32; }

template <typename T, bool init, bool fin, TopKMode mode>
__global__ __aicore__ void hl_topk(GM_ADDR x, GM_ADDR sidx, GM_ADDR finish, GM_ADDR val, GM_ADDR idx, Args a,
                                   TopkTiling tiling) {
    const bool small = mode == TopKMode::TOPK_NSMALL;
    const uint32_t xBytes = a.outter * a.inner * sizeof(T), sidxBytes = (small ? a.outter : 1) * a.inner * 4;
    const uint32_t valBytes = Up32(a.outter * a.kPad * sizeof(T)), idxBytes = Up32(a.outter * a.kPadIndex * 4);
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, sidxBuf, finBuf, valBuf, idxBuf, tmpBuf, filler;
    pipe.InitBuffer(xBuf, xBytes);
    pipe.InitBuffer(valBuf, valBytes);
    pipe.InitBuffer(idxBuf, idxBytes);
    if (init) pipe.InitBuffer(sidxBuf, sidxBytes);
    if (fin) pipe.InitBuffer(finBuf, Up32(a.outter));
    if (a.shared) pipe.InitBuffer(tmpBuf, a.tmp);
    if (!a.shared) pipe.InitBuffer(filler, 192 * 1024 - pipe.Used(opkit::rt::Mem::UB) - a.tmp);
    GlobalTensor<T> xGm, valGm;
    GlobalTensor<int32_t> sidxGm, idxGm;
    GlobalTensor<bool> finGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, a.outter * a.inner);
    valGm.SetGlobalBuffer((__gm__ T*)val, valBytes / sizeof(T));
    idxGm.SetGlobalBuffer((__gm__ int32_t*)idx, idxBytes / 4);
    LocalTensor<T> xl = xBuf.Get<T>(), vl = valBuf.Get<T>();
    LocalTensor<int32_t> il = idxBuf.Get<int32_t>(), sl;  // sl, fl: only defined unless used (TopK.md)
    LocalTensor<bool> fl;
    DataCopy(xl, xGm, a.outter * a.inner);
    if (init) {
        sidxGm.SetGlobalBuffer((__gm__ int32_t*)sidx, sidxBytes / 4);
        sl = sidxBuf.Get<int32_t>();
        DataCopy(sl, sidxGm, sidxBytes / 4);
    }
    if (fin) {
        finGm.SetGlobalBuffer((__gm__ bool*)finish, Up32(a.outter));
        fl = finBuf.Get<bool>();
        DataCopy(fl, finGm, Up32(a.outter));
    }
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    SetFlag<HardEvent::MTE2_S>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_S>(EVENT_ID0);
    const TopKInfo info{int32_t(a.outter), int32_t(a.inner), int32_t(a.n)};
    if (a.shared == 2) {  // a misuse: the values written over the source
        TopK<T, init, fin, false, mode>(xl, il, xl, sl, fl, tmpBuf.Get<uint8_t>(), int32_t(a.k), tiling, info,
                                        a.largest != 0);
    } else if (a.shared) {
        TopK<T, init, fin, false, mode>(vl, il, xl, sl, fl, tmpBuf.Get<uint8_t>(), int32_t(a.k), tiling, info,
                                        a.largest != 0);
    } else {
        TopK<T, init, fin, false, mode>(vl, il, xl, sl, fl, int32_t(a.k), tiling, info, a.largest != 0);
    }
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(valGm, vl, valBytes / sizeof(T));
    DataCopy(idxGm, il, idxBytes / 4);
}

template <typename T, bool init, bool fin, TopKMode mode>
int Run(Args a, uint32_t tileK, const char* dir) {
    const bool small = mode == TopKMode::TOPK_NSMALL;
    fe::PlatFormInfos info(&opkit::rt::DefaultSoc());
    optiling::TopkTiling tiling;
    TopKTilingFunc(platform_ascendc::PlatformAscendC(&info), int32_t(a.inner), int32_t(a.outter), int32_t(tileK),
                   sizeof(T), init, mode, a.largest != 0, tiling);
    const uint32_t xBytes = a.outter * a.inner * sizeof(T), sidxBytes = (small ? a.outter : 1) * a.inner * 4;
    const uint32_t valBytes = Up32(a.outter * a.kPad * sizeof(T)), idxBytes = Up32(a.outter * a.kPadIndex * 4);
    uint8_t* x = (uint8_t*)GmAlloc(xBytes);
    uint8_t* s = (uint8_t*)GmAlloc(sidxBytes);
    uint8_t* f = (uint8_t*)GmAlloc(Up32(a.outter));
    uint8_t* v = (uint8_t*)GmAlloc(valBytes);
    uint8_t* i = (uint8_t*)GmAlloc(idxBytes);
    ReadBin(dir, "x.bin", x, xBytes);
    if (init) ReadBin(dir, "sidx.bin", s, sidxBytes);
    std::memset(f, 0, Up32(a.outter));
    if (fin) ReadBin(dir, "fin.bin", f, a.outter);
    ICPU_RUN_KF((hl_topk<T, init, fin, mode>), 1, x, s, f, v, i, a, tiling);
    WriteBin(dir, "val.bin", v, a.outter * a.kPad * sizeof(T));
    WriteBin(dir, "idx.bin", i, a.outter * a.kPadIndex * 4);
    GmFree(x); GmFree(s); GmFree(f); GmFree(v); GmFree(i);
    return 0;
}

template <typename T>
int Dispatch(bool small, bool init, bool fin, Args a, uint32_t tileK, const char* dir) {
    if (small) {
        return init ? Run<T, true, false, TopKMode::TOPK_NSMALL>(a, tileK, dir)
                    : Run<T, false, false, TopKMode::TOPK_NSMALL>(a, tileK, dir);
    }
    if (init) {
        return fin ? Run<T, true, true, TopKMode::TOPK_NORMAL>(a, tileK, dir)
                   : Run<T, true, false, TopKMode::TOPK_NORMAL>(a, tileK, dir);
    }
    return fin ? Run<T, false, true, TopKMode::TOPK_NORMAL>(a, tileK, dir)
               : Run<T, false, false, TopKMode::TOPK_NORMAL>(a, tileK, dir);
}

int Query(char* argv[]) {
    const opkit::rt::SocInfo* soc = opkit::rt::FindSoc(argv[2]);
    if (soc == nullptr) return 2;
    fe::PlatFormInfos info(soc);
    const platform_ascendc::PlatformAscendC platform(&info);
    const int32_t inner = std::stoi(argv[3]), outter = std::stoi(argv[4]), k = std::stoi(argv[5]);
    const uint32_t ts = uint32_t(std::stoul(argv[6]));
    const bool init = std::stoi(argv[7]) != 0, largest = std::stoi(argv[9]) != 0;
    const TopKMode mode = !std::strcmp(argv[8], "small") ? TopKMode::TOPK_NSMALL : TopKMode::TOPK_NORMAL;
    uint32_t mx = 0, mn = 0;
    GetTopKMaxMinTmpSize(platform, inner, outter, false, init, mode, largest, ts, mx, mn);
    optiling::TopkTiling t;
    TopKTilingFunc(platform, inner, outter, k, ts, init, mode, largest, t);
    std::printf("tmp %u %u\n", mx, mn);
#define PRINT_FIELD(type, name) std::printf("%s %lld\n", #name, (long long)t.name);
    OPKIT_TOPK_TILING_FIELDS(PRINT_FIELD)
#undef PRINT_FIELD
    return 0;
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    try {  // the host-side queries refuse bad arguments by throwing, as an op's TilingFunc would see it
        if (argc == 10 && !std::strcmp(argv[1], "query")) return Query(argv);
        if (argc == 15 && !std::strcmp(argv[1], "run")) {
            const bool half_ = !std::strcmp(argv[2], "half"), small = !std::strcmp(argv[3], "small");
            Args a{};
            a.shared = !std::strcmp(argv[4], "shared") ? 1 : !std::strcmp(argv[4], "overlap") ? 2 : 0;
            a.outter = uint32_t(std::stoul(argv[5]));
            a.inner = uint32_t(std::stoul(argv[6]));
            a.n = uint32_t(std::stoul(argv[7]));
            a.k = uint32_t(std::stoul(argv[8]));
            a.largest = std::stoi(argv[9]);
            const bool init = std::stoi(argv[10]) != 0, fin = std::stoi(argv[11]) != 0;
            a.tmp = uint32_t(std::stoul(argv[12]));
            const uint32_t tileK = uint32_t(std::stoul(argv[13]));
            const uint32_t blk = half_ ? 16 : 8;
            a.kPad = small ? a.k : (a.k + blk - 1) / blk * blk;
            a.kPadIndex = small ? a.k : (a.k + 7) / 8 * 8;
            return half_ ? Dispatch<half>(small, init, fin, a, tileK, argv[14])
                         : Dispatch<float>(small, init, fin, a, tileK, argv[14]);
        }
    } catch (const opkit::KernelError& e) {
        std::fprintf(stderr, "opkit: error: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: %s {run T MODE FORM OUTTER INNER N K LARGEST INIT FINISH TMP TILEK DIR | query SOC INNER "
                 "OUTTER K TYPESIZE INIT MODE LARGEST}\n", argv[0]);
    return 2;
}

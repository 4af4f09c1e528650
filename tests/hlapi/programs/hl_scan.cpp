// hl_scan: LogSoftMax and CumSum (both axes) on one core, against numpy in tests/hlapi/test_scan.py.
//
//   logsoftmax {half|float} M K TMP DIR   x [M, K] -> y [M, K], sum/max [M, one block]; the tiling from
//                                         LogSoftMaxTilingFunc({M, K}, sizeof(T), TMP), the
//                                         sharedTmpBuffer a TBuf of TMP bytes.
//   cumsum {half|float} {shared|framework} M K TMP DIR
//                                         x [M, K] -> y [M, K] (first axis), last [K] (outputLastRow);
//                                         shared: a TBuf of TMP bytes; framework: TMP bytes left free.
//   cumsum_last {half|float} {shared|framework} M K TMP DIR
//                                         the same along the last axis (isLastAxis = true).
//   query M K TYPESIZE                    prints GetCumSumMaxMinTmpSize (first and last axis) and
//                                         GetLogSoftMaxMax/MinTmpSize.
//
// Tested by: pytest tests/hlapi/test_scan.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "tiling/tiling_api.h"
#include "../../runtime/programs/host_io.h"  // the tests' one host_io

using namespace AscendC;

template <typename T>
__global__ __aicore__ void hl_logsoftmax(GM_ADDR x, GM_ADDR y, GM_ADDR sum, GM_ADDR max, uint32_t m, uint32_t k,
                                         uint32_t tmpBytes, LogSoftMaxTiling tiling) {
    constexpr uint32_t blk = 32 / sizeof(T);
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, yBuf, sumBuf, maxBuf, tmpBuf;
    pipe.InitBuffer(xBuf, m * k * sizeof(T));
    pipe.InitBuffer(yBuf, m * k * sizeof(T));
    pipe.InitBuffer(sumBuf, m * blk * sizeof(T));
    pipe.InitBuffer(maxBuf, m * blk * sizeof(T));
    pipe.InitBuffer(tmpBuf, tmpBytes);
    GlobalTensor<T> xGm, yGm, sumGm, maxGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, m * k);
    yGm.SetGlobalBuffer((__gm__ T*)y, m * k);
    sumGm.SetGlobalBuffer((__gm__ T*)sum, m * blk);
    maxGm.SetGlobalBuffer((__gm__ T*)max, m * blk);
    LocalTensor<T> xl = xBuf.Get<T>(), yl = yBuf.Get<T>(), sl = sumBuf.Get<T>(), ml = maxBuf.Get<T>();
    DataCopy(xl, xGm, m * k);
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    LogSoftMax<T>(yl, sl, ml, xl, tmpBuf.Get<uint8_t>(), tiling, SoftMaxShapeInfo{m, k, m, k});
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(yGm, yl, m * k);
    DataCopy(sumGm, sl, m * blk);
    DataCopy(maxGm, ml, m * blk);
}

constexpr CumSumConfig FIRST_AXIS = {false, false, true, CumSumAlgorithm::CUMSUM_ALGORITHM_LINEBYLINE};
constexpr CumSumConfig LAST_AXIS = {true, false, true, CumSumAlgorithm::CUMSUM_ALGORITHM_LINEBYLINE};

template <typename T, const CumSumConfig& config>
__global__ __aicore__ void hl_cumsum(GM_ADDR x, GM_ADDR y, GM_ADDR last, uint32_t m, uint32_t k, int32_t shared,
                                     uint32_t tmpBytes) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, yBuf, lastBuf, tmpBuf, filler;
    pipe.InitBuffer(xBuf, m * k * sizeof(T));
    pipe.InitBuffer(yBuf, m * k * sizeof(T));
    pipe.InitBuffer(lastBuf, k * sizeof(T));
    if (shared) pipe.InitBuffer(tmpBuf, tmpBytes);
    if (!shared) pipe.InitBuffer(filler, 192 * 1024 - pipe.Used(opkit::rt::Mem::UB) - tmpBytes);
    GlobalTensor<T> xGm, yGm, lastGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, m * k);
    yGm.SetGlobalBuffer((__gm__ T*)y, m * k);
    lastGm.SetGlobalBuffer((__gm__ T*)last, k);
    LocalTensor<T> xl = xBuf.Get<T>(), yl = yBuf.Get<T>(), ll = lastBuf.Get<T>();
    DataCopy(xl, xGm, m * k);
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    const CumSumInfo info{m, k};
    if (shared) {
        LocalTensor<uint8_t> tmp = tmpBuf.Get<uint8_t>();
        CumSum<T, config>(yl, ll, xl, tmp, info);
    } else {
        CumSum<T, config>(yl, ll, xl, info);
    }
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(yGm, yl, m * k);
    DataCopy(lastGm, ll, k);
}

template <typename T>
int LogSoftMaxRun(uint32_t m, uint32_t k, uint32_t tmp, const char* dir) {
    const uint32_t blk = 32 / sizeof(T);
    optiling::LogSoftMaxTiling tiling;
    LogSoftMaxTilingFunc(ge::Shape({int64_t(m), int64_t(k)}), sizeof(T), tmp, tiling);
    uint8_t* x = (uint8_t*)GmAlloc(m * k * sizeof(T));
    uint8_t* y = (uint8_t*)GmAlloc(m * k * sizeof(T));
    uint8_t* s = (uint8_t*)GmAlloc(m * blk * sizeof(T));
    uint8_t* mx = (uint8_t*)GmAlloc(m * blk * sizeof(T));
    ReadBin(dir, "x.bin", x, m * k * sizeof(T));
    ICPU_RUN_KF(hl_logsoftmax<T>, 1, x, y, s, mx, m, k, tmp, tiling);
    WriteBin(dir, "y.bin", y, m * k * sizeof(T));
    WriteBin(dir, "sum.bin", s, m * blk * sizeof(T));
    WriteBin(dir, "max.bin", mx, m * blk * sizeof(T));
    std::printf("splitM %u rangeM %u tailM %u\n", tiling.splitM, tiling.rangeM, tiling.tailM);
    GmFree(x); GmFree(y); GmFree(s); GmFree(mx);
    return 0;
}

template <typename T, const CumSumConfig& config>
int CumSumRun(const char* form, uint32_t m, uint32_t k, uint32_t tmp, const char* dir) {
    uint8_t* x = (uint8_t*)GmAlloc(m * k * sizeof(T));
    uint8_t* y = (uint8_t*)GmAlloc(m * k * sizeof(T));
    uint8_t* l = (uint8_t*)GmAlloc(k * sizeof(T));
    ReadBin(dir, "x.bin", x, m * k * sizeof(T));
    ICPU_RUN_KF((hl_cumsum<T, config>), 1, x, y, l, m, k, int32_t(!std::strcmp(form, "shared")), tmp);
    WriteBin(dir, "y.bin", y, m * k * sizeof(T));
    WriteBin(dir, "last.bin", l, k * sizeof(T));
    GmFree(x); GmFree(y); GmFree(l);
    return 0;
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    try {  // the host-side queries refuse bad shapes by throwing, as an op's TilingFunc would see it
        if (argc == 5 && !std::strcmp(argv[1], "query")) {
            const int64_t m = std::stoll(argv[2]), k = std::stoll(argv[3]);
            const uint32_t ts = uint32_t(std::stoul(argv[4]));
            uint32_t mx = 0, mn = 0, lmx = 0, lmn = 0;
            GetCumSumMaxMinTmpSize(ge::Shape({m, k}), ts, false, false, mx, mn);
            GetCumSumMaxMinTmpSize(ge::Shape({m, k}), ts, true, false, lmx, lmn);
            std::printf("cumsum first %u %u last %u %u logsoftmax %u %u\n", mx, mn, lmx, lmn,
                        GetLogSoftMaxMaxTmpSize(ge::Shape({m, k}), ts, false),
                        GetLogSoftMaxMinTmpSize(ge::Shape({m, k}), ts, false));
            return 0;
        }
        if (argc == 7 && !std::strcmp(argv[1], "logsoftmax")) {
            const uint32_t m = uint32_t(std::stoul(argv[3])), k = uint32_t(std::stoul(argv[4])), t = uint32_t(std::stoul(argv[5]));
            if (!std::strcmp(argv[2], "half")) return LogSoftMaxRun<half>(m, k, t, argv[6]);
            if (!std::strcmp(argv[2], "float")) return LogSoftMaxRun<float>(m, k, t, argv[6]);
        }
        if (argc == 8 && !std::strcmp(argv[1], "cumsum")) {
            const uint32_t m = uint32_t(std::stoul(argv[4])), k = uint32_t(std::stoul(argv[5])), t = uint32_t(std::stoul(argv[6]));
            if (!std::strcmp(argv[2], "half")) return CumSumRun<half, FIRST_AXIS>(argv[3], m, k, t, argv[7]);
            if (!std::strcmp(argv[2], "float")) return CumSumRun<float, FIRST_AXIS>(argv[3], m, k, t, argv[7]);
        }
        if (argc == 8 && !std::strcmp(argv[1], "cumsum_last")) {
            const uint32_t m = uint32_t(std::stoul(argv[4])), k = uint32_t(std::stoul(argv[5])), t = uint32_t(std::stoul(argv[6]));
            if (!std::strcmp(argv[2], "half")) return CumSumRun<half, LAST_AXIS>(argv[3], m, k, t, argv[7]);
            if (!std::strcmp(argv[2], "float")) return CumSumRun<float, LAST_AXIS>(argv[3], m, k, t, argv[7]);
        }
    } catch (const opkit::KernelError& e) {
        std::fprintf(stderr, "opkit: error: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "usage: %s {logsoftmax T M K TMP DIR | cumsum[_last] T FORM M K TMP DIR | query M K TYPESIZE}\n", argv[0]);
    return 2;
}

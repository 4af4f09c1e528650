// hl_elementwise: the element-wise high-level APIs (Tanh, Sigmoid, Silu, Swish, Gelu, FasterGelu,
// the Taylor Exp, Log, Log2, Log10, Erf, Sin, Cos) on one core, as a kernel calls them.
//
//   x[n] (GM) --DataCopy--> xLocal --API(calCount = n)--> yLocal --DataCopy--> y[n] (GM)
//   The GM buffers hold n rounded up to a 32-byte block; the API sees exactly n elements.
//   tmp: "shared"    a TBuf of TMP bytes passed as sharedTmpBuffer;
//        "framework" no sharedTmpBuffer: a filler TBuf leaves exactly TMP bytes of UB free after the
//                    TPipe's buffers (TMP = 0: leave all of it), which the API takes for itself.
//
// Usage: hl_elementwise API {half|float} {shared|framework} N TMP DIR   (DIR/x.bin -> DIR/y.bin)
//        API: tanh sigmoid silu swish gelu fastergelu exp log log2 log10 erf sin cos
// Tested by: pytest tests/hlapi/test_elementwise.py
#include <cstring>
#include <string>

#include "tikicpulib.h"
#include "../../runtime/programs/host_io.h"  // the tests' one host_io

using namespace AscendC;

namespace {
enum Api : int32_t { TANH, SIGMOID, SILU, SWISH, GELU, FASTER_GELU, EXP, LOG, LOG2, LOG10, ERF, SIN, COS, API_COUNT };
const char* const API_NAMES[] = {"tanh", "sigmoid", "silu", "swish", "gelu", "fastergelu",
                                 "exp", "log", "log2", "log10", "erf", "sin", "cos"};
constexpr float SWISH_BETA = 1.5f;
constexpr uint8_t TAYLOR_LEVEL = 12;

template <typename T>
void Apply(int32_t api, const LocalTensor<T>& y, const LocalTensor<T>& x, const LocalTensor<uint8_t>* tmp, uint32_t n) {
    switch (api) {
        case TANH: tmp ? Tanh(y, x, *tmp, n) : Tanh(y, x, n); break;
        case SIGMOID: tmp ? Sigmoid(y, x, *tmp, n) : Sigmoid(y, x, n); break;
        case SILU: Silu(y, x, n); break;
        case SWISH: Swish(y, x, n, T(SWISH_BETA)); break;
        case GELU: tmp ? Gelu(y, x, *tmp, n) : Gelu(y, x, n); break;
        case FASTER_GELU: tmp ? FasterGelu(y, x, *tmp, n) : FasterGelu(y, x, n); break;
        case EXP: tmp ? Exp<T, TAYLOR_LEVEL>(y, x, *tmp, n) : Exp<T, TAYLOR_LEVEL>(y, x, n); break;
        case LOG: Log(y, x, n); break;
        case LOG2: tmp ? Log2(y, x, *tmp, n) : Log2(y, x, n); break;
        case LOG10: Log10(y, x, n); break;
        case ERF: tmp ? Erf(y, x, *tmp, n) : Erf(y, x, n); break;
        case SIN: tmp ? Sin(y, x, *tmp, n) : Sin(y, x, n); break;
        case COS: tmp ? Cos(y, x, *tmp, n) : Cos(y, x, n); break;
        default: break;
    }
}
}  // namespace

template <typename T>
__global__ __aicore__ void hl_elementwise(GM_ADDR x, GM_ADDR y, int32_t api, uint32_t n, uint32_t padded, int32_t shared,
                                          uint32_t tmpBytes) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, yBuf, tmpBuf, filler;
    pipe.InitBuffer(xBuf, padded * sizeof(T));
    pipe.InitBuffer(yBuf, padded * sizeof(T));
    if (shared) pipe.InitBuffer(tmpBuf, tmpBytes);
    if (!shared && tmpBytes > 0) {  // leave exactly tmpBytes of UB free
        const uint32_t used = 2 * ((padded * sizeof(T) + 31) / 32 * 32);
        pipe.InitBuffer(filler, 192 * 1024 - used - tmpBytes);
    }
    GlobalTensor<T> xGm, yGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, padded);
    yGm.SetGlobalBuffer((__gm__ T*)y, padded);
    LocalTensor<T> xLocal = xBuf.Get<T>();  // [padded]
    LocalTensor<T> yLocal = yBuf.Get<T>();  // [padded]
    DataCopy(xLocal, xGm, padded);
    SetFlag<HardEvent::MTE2_V>(EVENT_ID0);
    WaitFlag<HardEvent::MTE2_V>(EVENT_ID0);
    if (padded > n) Duplicate(yLocal[n / (32 / sizeof(T)) * (32 / sizeof(T))], T(0), padded - n / (32 / sizeof(T)) * (32 / sizeof(T)));
    PipeBarrier<PIPE_V>();
    LocalTensor<uint8_t> tmp;
    if (shared) tmp = tmpBuf.Get<uint8_t>();
    Apply<T>(api, yLocal, xLocal, shared ? &tmp : nullptr, n);
    SetFlag<HardEvent::V_MTE3>(EVENT_ID0);
    WaitFlag<HardEvent::V_MTE3>(EVENT_ID0);
    DataCopy(yGm, yLocal, padded);
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s API {half|float} {shared|framework} N TMP DIR\n", argv[0]);
        return 2;
    }
    int32_t api = 0;
    while (api < API_COUNT && std::strcmp(argv[1], API_NAMES[api]) != 0) ++api;
    if (api == API_COUNT) return UnknownCase(argv[0], argv[1]);
    const bool isHalf = !std::strcmp(argv[2], "half");
    if (!isHalf && std::strcmp(argv[2], "float") != 0) return UnknownCase(argv[0], argv[2]);
    const int32_t shared = !std::strcmp(argv[3], "shared");
    const uint32_t n = uint32_t(std::stoul(argv[4])), tmp = uint32_t(std::stoul(argv[5]));
    const char* dir = argv[6];
    const uint32_t size = isHalf ? 2 : 4, block = 32 / size, padded = (n + block - 1) / block * block;
    uint8_t* x = (uint8_t*)GmAlloc(padded * size);
    uint8_t* y = (uint8_t*)GmAlloc(padded * size);
    ReadBin(dir, "x.bin", x, padded * size);
    if (isHalf) {
        ICPU_RUN_KF(hl_elementwise<half>, 1, x, y, api, n, padded, shared, tmp);
    } else {
        ICPU_RUN_KF(hl_elementwise<float>, 1, x, y, api, n, padded, shared, tmp);
    }
    WriteBin(dir, "y.bin", y, padded * size);
    GmFree(x);
    GmFree(y);
    return 0;
}

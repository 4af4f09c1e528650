// abi_kernel: a CPU-debug program that crosses every kind of runtime boundary, built by the test
// with -D_GLIBCXX_USE_CXX11_ABI=0 and =1 (Note [Both C++ ABIs] in opkit/rt/api.h).
//
//   ok:       z = x + 1 on 2 cores x 256 halves (DataCopy, Adds, queues), checked here; prints "ok"
//   tbuf:     a kernel asks a TBuf for more bytes than it holds: the message is built in the header
//             (std::string, the caller's ABI) and reported by CpuDebugRun, which exits 1
//   catch:    an API that needs a launch, called outside one, throws opkit::KernelError; this
//             program catches it as std::runtime_error and prints what()
//   securec:  memcpy_s refuses an overlong copy with ERANGE_AND_RESET and clears the destination
//
// Usage: abi_kernel {ok|tbuf|catch|securec}
// Tested by: pytest tests/abi/test_abi.py
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "securec.h"
#include "tikicpulib.h"

namespace {
constexpr uint32_t CORES = 2;
constexpr uint32_t N = 256;  // halves per core
}  // namespace

extern "C" __global__ __aicore__ void add_one(GM_ADDR x, GM_ADDR z) {
    AscendC::TPipe pipe;
    AscendC::TQue<AscendC::QuePosition::VECIN, 1> in;
    AscendC::TQue<AscendC::QuePosition::VECOUT, 1> out;
    AscendC::GlobalTensor<half> xGm, zGm;
    xGm.SetGlobalBuffer((__gm__ half*)x + AscendC::GetBlockIdx() * N, N);
    zGm.SetGlobalBuffer((__gm__ half*)z + AscendC::GetBlockIdx() * N, N);
    pipe.InitBuffer(in, 1, N * sizeof(half));
    pipe.InitBuffer(out, 1, N * sizeof(half));
    AscendC::LocalTensor<half> a = in.AllocTensor<half>();
    AscendC::DataCopy(a, xGm, N);
    in.EnQue(a);
    a = in.DeQue<half>();
    AscendC::LocalTensor<half> b = out.AllocTensor<half>();
    AscendC::Adds(b, a, half(1.0f), N);
    out.EnQue(b);
    in.FreeTensor(a);
    b = out.DeQue<half>();
    AscendC::DataCopy(zGm, b, N);
    out.FreeTensor(b);
}

extern "C" __global__ __aicore__ void tbuf_overrun(GM_ADDR) {
    AscendC::TPipe pipe;
    AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, 64);
    AscendC::LocalTensor<float> t = buf.Get<float>(32);  // 128 bytes of a 64-byte TBuf
    (void)t;
}

int main(int argc, char** argv) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    const std::string mode = argc > 1 ? argv[1] : "ok";
    if (mode == "ok") {
        auto* x = static_cast<half*>(AscendC::GmAlloc(CORES * N * sizeof(half)));
        auto* z = static_cast<half*>(AscendC::GmAlloc(CORES * N * sizeof(half)));
        for (uint32_t i = 0; i < CORES * N; ++i) x[i] = half(float(i % 100));
        ICPU_RUN_KF(add_one, CORES, (GM_ADDR)x, (GM_ADDR)z);
        for (uint32_t i = 0; i < CORES * N; ++i)
            if (float(z[i]) != float(i % 100) + 1.0f) {
                std::printf("wrong z[%u] = %g\n", i, float(z[i]));
                return 2;
            }
        AscendC::GmFree(x);
        AscendC::GmFree(z);
        std::printf("ok\n");
    } else if (mode == "tbuf") {
        auto* x = static_cast<uint8_t*>(AscendC::GmAlloc(64));
        ICPU_RUN_KF(tbuf_overrun, 1, (GM_ADDR)x);
        std::printf("not reached\n");
    } else if (mode == "catch") {
        try {
            (void)AscendC::GetBlockIdx();
            std::printf("no exception\n");
        } catch (const std::runtime_error& e) {
            std::printf("caught: %s\n", e.what());
        }
    } else if (mode == "securec") {
        char dst[8] = "abcdefg";
        const char src[16] = "0123456789abcde";
        int rc = memcpy_s(dst, sizeof dst, src, sizeof src);
        std::printf("memcpy_s %d %d\n", rc, int(dst[0]));
    }
    return 0;
}

// tensor_exprs: LocalTensor operator expressions and the TPipe's event IDs, as a CPU-debug program.
//
//   exprs:   x, y: float32 [256] (one core, one tile). z = [x*y | x+y | x-y | x/y] computed with
//            `c = a * b` and friends (each the count form over c.GetSize()), then read back on the
//            scalar unit after a V->S flag whose ID comes from GetTPipePtr()->FetchEventID.
//   events:  prints the IDs AllocEventID<V_S> hands out (0..7), FetchEventID while some are taken,
//            and the ID reused after a ReleaseEventID; then takes a 9th, which fails.
//   release: releases an ID that was never allocated, which fails.
//
// Usage: tensor_exprs {exprs DIR | events | release}
// Tested by: pytest tests/runtime/test_cpu_debug.py -k tensor_exprs
#include <cstdio>
#include <cstring>

#include "host_io.h"
#include "tikicpulib.h"

namespace {
constexpr uint32_t N = 256;
}  // namespace

extern "C" __global__ __aicore__ void exprs(GM_ADDR x, GM_ADDR y, GM_ADDR z) {
    AscendC::TPipe pipe;
    AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
    AscendC::GlobalTensor<float> xGm, yGm, zGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, N);
    yGm.SetGlobalBuffer((__gm__ float*)y, N);
    zGm.SetGlobalBuffer((__gm__ float*)z, 4 * N);
    pipe.InitBuffer(buf, 6 * N * sizeof(float));
    AscendC::LocalTensor<float> all = buf.Get<float>();
    AscendC::LocalTensor<float> a = all[0], b = all[N], out = all[2 * N];
    a.SetSize(N);
    b.SetSize(N);
    AscendC::DataCopy(a, xGm, N);
    AscendC::DataCopy(b, yGm, N);
    event_t toV = static_cast<event_t>(AscendC::GetTPipePtr()->FetchEventID(AscendC::HardEvent::MTE2_V));
    AscendC::SetFlag<AscendC::HardEvent::MTE2_V>(toV);
    AscendC::WaitFlag<AscendC::HardEvent::MTE2_V>(toV);
    AscendC::LocalTensor<float> mul = out[0], add = out[N], sub = out[2 * N], div = out[3 * N];
    for (AscendC::LocalTensor<float>* t : {&mul, &add, &sub, &div}) t->SetSize(N);
    mul = a * b;
    add = a + b;
    sub = a - b;
    div = a / b;
    event_t toMte3 = static_cast<event_t>(AscendC::GetTPipePtr()->FetchEventID(AscendC::HardEvent::V_MTE3));
    AscendC::SetFlag<AscendC::HardEvent::V_MTE3>(toMte3);
    AscendC::WaitFlag<AscendC::HardEvent::V_MTE3>(toMte3);
    AscendC::DataCopy(zGm, out, 4 * N);
}

extern "C" __global__ __aicore__ void events(GM_ADDR) {
    AscendC::TPipe pipe;
    int8_t ids[8];
    for (int i = 0; i < 8; ++i) {
        ids[i] = AscendC::GetTPipePtr()->AllocEventID<AscendC::HardEvent::V_S>();
        if (i == 2) std::printf("fetch %d\n", int(pipe.FetchEventID(AscendC::HardEvent::V_S)));
    }
    std::printf("alloc %d %d %d %d %d %d %d %d\n", ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7]);
    pipe.ReleaseEventID<AscendC::HardEvent::V_S>(ids[5]);
    std::printf("fetch %d\n", int(pipe.FetchEventID<AscendC::HardEvent::V_S>()));
    std::printf("again %d\n", int(pipe.AllocEventID<AscendC::HardEvent::V_S>()));
    std::printf("other kind %d\n", int(pipe.AllocEventID<AscendC::HardEvent::S_V>()));
    std::fflush(stdout);
    pipe.AllocEventID<AscendC::HardEvent::V_S>();  // a 9th: none left
}

extern "C" __global__ __aicore__ void release(GM_ADDR) {
    AscendC::TPipe pipe;
    pipe.ReleaseEventID<AscendC::HardEvent::MTE2_V>(2);
}

int main(int argc, char** argv) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc > 2 && std::strcmp(argv[1], "exprs") == 0) {
        auto* x = static_cast<float*>(AscendC::GmAlloc(N * sizeof(float)));
        auto* y = static_cast<float*>(AscendC::GmAlloc(N * sizeof(float)));
        auto* z = static_cast<float*>(AscendC::GmAlloc(4 * N * sizeof(float)));
        ReadBin(argv[2], "x.bin", x, N * sizeof(float));
        ReadBin(argv[2], "y.bin", y, N * sizeof(float));
        ICPU_RUN_KF(exprs, 1, (GM_ADDR)x, (GM_ADDR)y, (GM_ADDR)z);
        WriteBin(argv[2], "z.bin", z, 4 * N * sizeof(float));
        return 0;
    }
    auto* unused = static_cast<uint8_t*>(AscendC::GmAlloc(32));
    if (argc > 1 && std::strcmp(argv[1], "events") == 0) ICPU_RUN_KF(events, 1, (GM_ADDR)unused);
    if (argc > 1 && std::strcmp(argv[1], "release") == 0) ICPU_RUN_KF(release, 1, (GM_ADDR)unused);
    return 0;
}

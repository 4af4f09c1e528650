// gather_index: Gather, CreateVecIndex and the 16x16 Transpose on one core, against numpy in
// tests/runtime/test_gather_index.py.
//
//   gather_f32 / gather_f16  x[512], off[256] (uint32 byte offsets), p.bin (uint32[8]: base, count,
//                            form (0 count, 1 repeat with mask p[3] and repeat p[4], dstRepStride p[5]))
//                            -> out[512] pre-filled with -1.
//   index_f32 / index_f16 / index_i32 / index_i16  p.bin (uint32[8]: form (0 count, 1 repeat),
//                            count or mask, repeat, dstBlkStride, dstRepStride, first value as float)
//                            -> out[1024] pre-filled with 0.
//   transpose                x[16*16] half -> out[16*16].
//   broken_N                 0: Gather offset 2 on float (misaligned); 1: Gather past UB; 2: Gather dst == src.
//
// Usage: gather_index CASE DIR
// Tested by: pytest tests/runtime/test_gather_index.py
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

template <typename T>
__aicore__ inline void GatherKernel(GM_ADDR x, GM_ADDR off, GM_ADDR prm, GM_ADDR out) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, offBuf, outBuf;
    pipe.InitBuffer(xBuf, 512 * sizeof(T));
    pipe.InitBuffer(offBuf, 256 * 4);
    pipe.InitBuffer(outBuf, 512 * sizeof(T));
    GlobalTensor<T> xGm, outGm;
    GlobalTensor<uint32_t> offGm, pGm;
    xGm.SetGlobalBuffer((__gm__ T*)x, 512);
    outGm.SetGlobalBuffer((__gm__ T*)out, 512);
    offGm.SetGlobalBuffer((__gm__ uint32_t*)off, 256);
    pGm.SetGlobalBuffer((__gm__ uint32_t*)prm, 8);
    LocalTensor<T> xL = xBuf.Get<T>(), outL = outBuf.Get<T>();
    LocalTensor<uint32_t> offL = offBuf.Get<uint32_t>();
    DataCopy(xL, xGm, 512);
    DataCopy(offL, offGm, 256);
    Duplicate(outL, T(-1.0f), 512);
    PipeBarrier<PIPE_ALL>();
    if (pGm.GetValue(2) == 0) Gather(outL, xL, offL, pGm.GetValue(0), pGm.GetValue(1));
    else Gather(outL, xL, offL, pGm.GetValue(0), uint64_t(pGm.GetValue(3)), uint8_t(pGm.GetValue(4)), uint16_t(pGm.GetValue(5)));
    PipeBarrier<PIPE_ALL>();
    DataCopy(outGm, outL, 512);
}
extern "C" __global__ __aicore__ void gather_f32(GM_ADDR x, GM_ADDR o, GM_ADDR p, GM_ADDR out) { GatherKernel<float>(x, o, p, out); }
extern "C" __global__ __aicore__ void gather_f16(GM_ADDR x, GM_ADDR o, GM_ADDR p, GM_ADDR out) { GatherKernel<half>(x, o, p, out); }

template <typename T>
__aicore__ inline void IndexKernel(GM_ADDR prm, GM_ADDR out) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> outBuf;
    pipe.InitBuffer(outBuf, 1024 * sizeof(T));
    GlobalTensor<T> outGm;
    GlobalTensor<uint32_t> pGm;
    GlobalTensor<float> fGm;
    outGm.SetGlobalBuffer((__gm__ T*)out, 1024);
    pGm.SetGlobalBuffer((__gm__ uint32_t*)prm, 8);
    fGm.SetGlobalBuffer((__gm__ float*)prm, 8);
    LocalTensor<T> outL = outBuf.Get<T>();
    Duplicate(outL, T(0), 1024);
    PipeBarrier<PIPE_ALL>();
    const T first = T(fGm.GetValue(5));
    if (pGm.GetValue(0) == 0) CreateVecIndex(outL, first, pGm.GetValue(1));
    else CreateVecIndex(outL, first, uint64_t(pGm.GetValue(1)), uint8_t(pGm.GetValue(2)), uint16_t(pGm.GetValue(3)),
                        uint8_t(pGm.GetValue(4)));
    PipeBarrier<PIPE_ALL>();
    DataCopy(outGm, outL, 1024);
}
extern "C" __global__ __aicore__ void index_f32(GM_ADDR p, GM_ADDR out) { IndexKernel<float>(p, out); }
extern "C" __global__ __aicore__ void index_f16(GM_ADDR p, GM_ADDR out) { IndexKernel<half>(p, out); }
extern "C" __global__ __aicore__ void index_i32(GM_ADDR p, GM_ADDR out) { IndexKernel<int32_t>(p, out); }
extern "C" __global__ __aicore__ void index_i16(GM_ADDR p, GM_ADDR out) { IndexKernel<int16_t>(p, out); }

extern "C" __global__ __aicore__ void transpose16(GM_ADDR x, GM_ADDR out) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> xBuf, outBuf;
    pipe.InitBuffer(xBuf, 512);
    pipe.InitBuffer(outBuf, 512);
    GlobalTensor<half> xGm, outGm;
    xGm.SetGlobalBuffer((__gm__ half*)x, 256);
    outGm.SetGlobalBuffer((__gm__ half*)out, 256);
    LocalTensor<half> xL = xBuf.Get<half>(), outL = outBuf.Get<half>();
    DataCopy(xL, xGm, 256);
    PipeBarrier<PIPE_ALL>();
    Transpose(outL, xL);
    PipeBarrier<PIPE_ALL>();
    DataCopy(outGm, outL, 256);
}

extern "C" __global__ __aicore__ void broken(uint32_t which) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> aBuf, offBuf, dBuf;
    pipe.InitBuffer(aBuf, 1024);
    pipe.InitBuffer(offBuf, 256);
    pipe.InitBuffer(dBuf, 1024);
    LocalTensor<float> a = aBuf.Get<float>(), d = dBuf.Get<float>();
    LocalTensor<uint32_t> off = offBuf.Get<uint32_t>();
    Duplicate(a, 1.0f, 256);
    Duplicate(off, 0u, 64);
    PipeBarrier<PIPE_ALL>();
    if (which == 0) off.SetValue(3, 2u);            // half-way into element 0
    if (which == 1) off.SetValue(3, 0x7fffff00u);   // far past UB
    PipeBarrier<PIPE_ALL>();
    Gather(which == 2 ? a : d, a, off, 0, 64);
}

namespace {
int Run(const char* c, const char* dir) {
    if (!std::strncmp(c, "gather_", 7)) {
        const size_t xb = 512 * (c[8] == '1' ? 2 : 4);
        uint8_t *x = (uint8_t*)GmAlloc(xb), *o = (uint8_t*)GmAlloc(1024), *p = (uint8_t*)GmAlloc(32), *out = (uint8_t*)GmAlloc(xb);
        ReadBin(dir, "x.bin", x, xb);
        ReadBin(dir, "off.bin", o, 1024);
        ReadBin(dir, "p.bin", p, 32);
        if (c[8] == '1') ICPU_RUN_KF(gather_f16, 1, x, o, p, out);
        else ICPU_RUN_KF(gather_f32, 1, x, o, p, out);
        WriteBin(dir, "out.bin", out, xb);
        for (uint8_t* b : {x, o, p, out}) GmFree(b);
        return 0;
    }
    if (!std::strncmp(c, "index_", 6)) {
        const size_t ob = 1024 * (c[7] == '1' ? 2 : 4);
        uint8_t *p = (uint8_t*)GmAlloc(32), *out = (uint8_t*)GmAlloc(ob);
        ReadBin(dir, "p.bin", p, 32);
        if (!std::strcmp(c, "index_f32")) ICPU_RUN_KF(index_f32, 1, p, out);
        else if (!std::strcmp(c, "index_f16")) ICPU_RUN_KF(index_f16, 1, p, out);
        else if (!std::strcmp(c, "index_i32")) ICPU_RUN_KF(index_i32, 1, p, out);
        else ICPU_RUN_KF(index_i16, 1, p, out);
        WriteBin(dir, "out.bin", out, ob);
        GmFree(p);
        GmFree(out);
        return 0;
    }
    if (!std::strcmp(c, "transpose")) {
        uint8_t *x = (uint8_t*)GmAlloc(512), *out = (uint8_t*)GmAlloc(512);
        ReadBin(dir, "x.bin", x, 512);
        ICPU_RUN_KF(transpose16, 1, x, out);
        WriteBin(dir, "out.bin", out, 512);
        GmFree(x);
        GmFree(out);
        return 0;
    }
    if (!std::strncmp(c, "broken_", 7)) {
        ICPU_RUN_KF(broken, 1, uint32_t(std::atoi(c + 7)));
        return 0;
    }
    return UnknownCase("gather_index", c);
}
}  // namespace

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s CASE DIR\n", argv[0]);
        return 2;
    }
    return Run(argv[1], argv[2]);
}

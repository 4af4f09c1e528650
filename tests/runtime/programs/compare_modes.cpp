// compare_modes: Compare / Compares in every CMPMODE and Select in its tensor and scalar modes, for
// float16 and float32, on one core (Note [Compare and Select in SIMD] in runtime/src/vec_cast.cpp:
// the SIMD paths must give the element loops' bits).
//
//   run  a[n], b[n] (n whole 256-byte repeats, at most 4096 elements), s = b[0]:
//          bits  = Compare(a, b, MODE)                 (n bits, LSB first)
//          sbits = Compares(a, s, MODE)
//          z     = Select(bits, a, b, VSEL_TENSOR_TENSOR_MODE)
//          zs    = Select(sbits, a, s, VSEL_TENSOR_SCALAR_MODE)
//
// Usage: compare_modes {f16|f32} MODE DIR   (MODE 0..5 = LT GT EQ LE GE NE; DIR/a.bin, DIR/b.bin ->
//        DIR/bits.bin, DIR/sbits.bin, DIR/z.bin, DIR/zs.bin)
// Tested by: pytest tests/runtime/test_compare_modes.py
#include <cstring>

#include "host_io.h"
#include "tikicpulib.h"

using namespace AscendC;

namespace {
constexpr uint32_t MAX_N = 4096;

template <typename T>
__aicore__ inline void CompareSelect(GM_ADDR a, GM_ADDR b, GM_ADDR bits, GM_ADDR sbits, GM_ADDR z, GM_ADDR zs,
                                     uint32_t n, uint32_t mode) {
    TPipe pipe;
    TBuf<TPosition::VECCALC> aBuf, bBuf, bitsBuf, sbitsBuf, zBuf, zsBuf;
    pipe.InitBuffer(aBuf, n * sizeof(T));
    pipe.InitBuffer(bBuf, n * sizeof(T));
    pipe.InitBuffer(bitsBuf, MAX_N / 8);
    pipe.InitBuffer(sbitsBuf, MAX_N / 8);
    pipe.InitBuffer(zBuf, n * sizeof(T));
    pipe.InitBuffer(zsBuf, n * sizeof(T));
    GlobalTensor<T> aGm, bGm, zGm, zsGm;
    GlobalTensor<uint8_t> bitsGm, sbitsGm;
    aGm.SetGlobalBuffer((__gm__ T*)a, n);
    bGm.SetGlobalBuffer((__gm__ T*)b, n);
    zGm.SetGlobalBuffer((__gm__ T*)z, n);
    zsGm.SetGlobalBuffer((__gm__ T*)zs, n);
    bitsGm.SetGlobalBuffer((__gm__ uint8_t*)bits, MAX_N / 8);
    sbitsGm.SetGlobalBuffer((__gm__ uint8_t*)sbits, MAX_N / 8);
    LocalTensor<T> aL = aBuf.Get<T>(), bL = bBuf.Get<T>(), zL = zBuf.Get<T>(), zsL = zsBuf.Get<T>();
    LocalTensor<uint8_t> bitsL = bitsBuf.Get<uint8_t>(), sbitsL = sbitsBuf.Get<uint8_t>();
    DataCopy(aL, aGm, n);
    DataCopy(bL, bGm, n);
    PipeBarrier<PIPE_ALL>();
    const T s = bL.GetValue(0);
    const CMPMODE cmp = static_cast<CMPMODE>(mode);
    Compare(bitsL, aL, bL, cmp, n);
    Compares(sbitsL, aL, s, cmp, n);
    PipeBarrier<PIPE_V>();
    Select(zL, bitsL, aL, bL, SELMODE::VSEL_TENSOR_TENSOR_MODE, n);
    Select(zsL, sbitsL, aL, s, SELMODE::VSEL_TENSOR_SCALAR_MODE, n);
    PipeBarrier<PIPE_ALL>();
    DataCopy(bitsGm, bitsL, MAX_N / 8);
    DataCopy(sbitsGm, sbitsL, MAX_N / 8);
    DataCopy(zGm, zL, n);
    DataCopy(zsGm, zsL, n);
}
}  // namespace

extern "C" __global__ __aicore__ void compare_f32(GM_ADDR a, GM_ADDR b, GM_ADDR bits, GM_ADDR sbits, GM_ADDR z,
                                                  GM_ADDR zs, uint32_t n, uint32_t mode) {
    CompareSelect<float>(a, b, bits, sbits, z, zs, n, mode);
}

extern "C" __global__ __aicore__ void compare_f16(GM_ADDR a, GM_ADDR b, GM_ADDR bits, GM_ADDR sbits, GM_ADDR z,
                                                  GM_ADDR zs, uint32_t n, uint32_t mode) {
    CompareSelect<half>(a, b, bits, sbits, z, zs, n, mode);
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);
    if (argc != 4 || (std::strcmp(argv[1], "f16") && std::strcmp(argv[1], "f32"))) {
        std::fprintf(stderr, "usage: %s {f16|f32} MODE DIR\n", argv[0]);
        return 2;
    }
    const bool f32 = !std::strcmp(argv[1], "f32");
    const uint32_t mode = uint32_t(std::atoi(argv[2]));
    const char* dir = argv[3];
    const size_t size = f32 ? 4 : 2;
    const uint32_t n = uint32_t(BinSize(dir, "a.bin") / size);
    if (n == 0 || n > MAX_N || n * size % 256 != 0 || mode > 5) {
        std::fprintf(stderr, "%s: a.bin must hold whole 256-byte repeats, at most %u elements; MODE 0..5\n", argv[0], MAX_N);
        return 2;
    }
    const size_t bytes = n * size;
    uint8_t* a = (uint8_t*)GmAlloc(bytes);
    uint8_t* b = (uint8_t*)GmAlloc(bytes);
    uint8_t* z = (uint8_t*)GmAlloc(bytes);
    uint8_t* zs = (uint8_t*)GmAlloc(bytes);
    uint8_t* bits = (uint8_t*)GmAlloc(MAX_N / 8);
    uint8_t* sbits = (uint8_t*)GmAlloc(MAX_N / 8);
    ReadBin(dir, "a.bin", a, bytes);
    ReadBin(dir, "b.bin", b, bytes);
    if (f32) ICPU_RUN_KF(compare_f32, 1, a, b, bits, sbits, z, zs, n, mode);
    else ICPU_RUN_KF(compare_f16, 1, a, b, bits, sbits, z, zs, n, mode);
    WriteBin(dir, "bits.bin", bits, n / 8);
    WriteBin(dir, "sbits.bin", sbits, n / 8);
    WriteBin(dir, "z.bin", z, bytes);
    WriteBin(dir, "zs.bin", zs, bytes);
    GmFree(a);
    GmFree(b);
    GmFree(z);
    GmFree(zs);
    GmFree(bits);
    GmFree(sbits);
    return 0;
}

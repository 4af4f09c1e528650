// echo_tiling: writes the tiling struct the kernel reads (GET_TILING_DATA) back out, byte by
// byte, so a test can compare it with the blob the host TilingFunc wrote. y[64] bytes.
// Test: pytest tests/project/test_tiling_blob.py
#include "kernel_operator.h"

extern "C" __global__ __aicore__ void echo_tiling(GM_ADDR x, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling) {
    GET_TILING_DATA(data, tiling);
    AscendC::GlobalTensor<uint8_t> out;
    out.SetGlobalBuffer(y, 64);
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(&data);
    for (uint32_t i = 0; i < 64; ++i) out.SetValue(i, i < sizeof(data) ? bytes[i] : uint8_t(0xEE));
}

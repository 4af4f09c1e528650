// scale_custom: z = 2 * x in float32, today's spelling (AscendC, GetBlockIdx).
// 4 cores, 1024 elements each, 4 tiles of 256 per core, one buffer. Test: pytest tests/cli/test_sample.py
#include "kernel_operator.h"

constexpr uint32_t PER_CORE = 1024;
constexpr uint32_t TILE = 256;

extern "C" __global__ __aicore__ void scale_custom(GM_ADDR x, GM_ADDR z) {
    AscendC::TPipe pipe;
    AscendC::TBuf<AscendC::TPosition::VECCALC> buf;
    pipe.InitBuffer(buf, TILE * sizeof(float));
    AscendC::GlobalTensor<float> xGm, zGm;
    xGm.SetGlobalBuffer((__gm__ float*)x + AscendC::GetBlockIdx() * PER_CORE, PER_CORE);
    zGm.SetGlobalBuffer((__gm__ float*)z + AscendC::GetBlockIdx() * PER_CORE, PER_CORE);
    AscendC::LocalTensor<float> t = buf.Get<float>();
    for (uint32_t i = 0; i < PER_CORE / TILE; ++i) {
        AscendC::DataCopy(t, xGm[i * TILE], TILE);
        AscendC::PipeBarrier<PIPE_ALL>();
        AscendC::Muls(t, t, 2.0f, TILE);
        AscendC::PipeBarrier<PIPE_ALL>();
        AscendC::DataCopy(zGm[i * TILE], t, TILE);
        AscendC::PipeBarrier<PIPE_ALL>();
    }
}

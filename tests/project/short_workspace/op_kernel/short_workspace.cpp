// short_workspace: stages x through the user workspace (GetUserWorkspace) into y, 64 floats (beyond aclrtMalloc's 32-byte padding), one core.
// Its TilingFunc leaves the user workspace at 0 bytes. Test: pytest tests/project/test_build.py -k workspace
#include "kernel_operator.h"

using namespace AscendC;

extern "C" __global__ __aicore__ void short_workspace(GM_ADDR x, GM_ADDR y, GM_ADDR workspace, GM_ADDR tiling) {
    GlobalTensor<float> xGm, scratchGm;
    xGm.SetGlobalBuffer((__gm__ float*)x, 64);
    scratchGm.SetGlobalBuffer((__gm__ float*)GetUserWorkspace(workspace), 64);
    TPipe pipe;
    TBuf<> buf;
    pipe.InitBuffer(buf, 64 * sizeof(float));
    LocalTensor<float> t = buf.Get<float>();
    DataCopy(t, xGm, 64);
    PipeBarrier<PIPE_ALL>();
    DataCopy(scratchGm, t, 64);
}

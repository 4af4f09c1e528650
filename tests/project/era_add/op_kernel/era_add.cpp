// EraAdd: z = x + y in float16, CANN 6.3/7.0 spelling (using namespace tik2, ParamOffset, block_idx).
// blockDim cores, totalLength / blockDim elements each (ParamOffset), tileNum * 2 tiles per core,
// double-buffered queues. Test: pytest tests/project/test_era_host.py
#include "kernel_operator.h"
using namespace tik2;

constexpr int32_t BUFFER_NUM = 2;

class EraAddKernel {
public:
    __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, GM_ADDR z, uint32_t totalLength, uint32_t tileNum) {
        ASSERT(block_idx < GetBlockNum() && "block_idx is the core's index");
        blockLength = totalLength / GetBlockNum();
        loops = tileNum * BUFFER_NUM;
        tileLength = blockLength / loops;
        xGm.SetGlobalBuffer((__gm__ half*)ParamOffset<half>(x, blockLength), blockLength);
        yGm.SetGlobalBuffer((__gm__ half*)ParamOffset<half>(y, blockLength), blockLength);
        zGm.SetGlobalBuffer((__gm__ half*)ParamOffset<half>(z, blockLength), blockLength);
        pipe.InitBuffer(inX, BUFFER_NUM, tileLength * sizeof(half));
        pipe.InitBuffer(inY, BUFFER_NUM, tileLength * sizeof(half));
        pipe.InitBuffer(outZ, BUFFER_NUM, tileLength * sizeof(half));
    }
    __aicore__ inline void Process() {
        for (uint32_t i = 0; i < loops; ++i) {
            LocalTensor<half> a = inX.AllocTensor<half>(), b = inY.AllocTensor<half>();
            DataCopy(a, xGm[i * tileLength], tileLength);
            DataCopy(b, yGm[i * tileLength], tileLength);
            inX.EnQue(a);
            inY.EnQue(b);
            a = inX.DeQue<half>();
            b = inY.DeQue<half>();
            LocalTensor<half> c = outZ.AllocTensor<half>();
            Add(c, a, b, tileLength);
            outZ.EnQue(c);
            inX.FreeTensor(a);
            inY.FreeTensor(b);
            c = outZ.DeQue<half>();
            DataCopy(zGm[i * tileLength], c, tileLength);
            outZ.FreeTensor(c);
        }
    }

private:
    TPipe pipe;
    TQue<QuePosition::VECIN, BUFFER_NUM> inX, inY;
    TQue<QuePosition::VECOUT, BUFFER_NUM> outZ;
    GlobalTensor<half> xGm, yGm, zGm;
    uint32_t blockLength = 0, loops = 0, tileLength = 0;
};

extern "C" __global__ __aicore__ void era_add(GM_ADDR x, GM_ADDR y, GM_ADDR z, GM_ADDR workspace, GM_ADDR tiling) {
    GET_TILING_DATA(tilingData, tiling);
    EraAddKernel op;
    op.Init(x, y, z, tilingData.totalLength, tilingData.tileNum);
    if (TILING_KEY_IS(1)) op.Process();
}

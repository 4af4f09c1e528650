// soc_constants: the per-SoC size constants of the kernel API (TOTAL_VEC_LOCAL_SIZE, TOTAL_UB_SIZE,
// TMP_UB_OFFSET, TOTAL_L1_SIZE, TOTAL_L0C_SIZE) as a kernel sees them, and one used as CANN's
// Matmul samples use it: a TBuf of TOTAL_VEC_LOCAL_SIZE bytes, filled and read back at its last block.
//
//   values   one core writes the five values into out[0..5) (uint32); main prints them:
//              vec=<..> ub=<..> tmp=<..> l1=<..> l0c=<..> last=<..>
//            `last` is the value the kernel read back from the final 32-byte block of the TBuf.
//
// Usage: OPKIT_SOC=<soc> soc_constants values
// Tested by: pytest tests/runtime/test_soc_constants.py
#include <cstring>

#include "tikicpulib.h"

using namespace AscendC;

extern "C" __global__ __aicore__ void read_soc_constants(GM_ADDR out) {
    GlobalTensor<uint32_t> outGm;
    outGm.SetGlobalBuffer((__gm__ uint32_t*)out, 8);
    outGm.SetValue(0, static_cast<uint32_t>(static_cast<int32_t>(TOTAL_VEC_LOCAL_SIZE)));
    outGm.SetValue(1, TOTAL_UB_SIZE);
    outGm.SetValue(2, TMP_UB_OFFSET);
    outGm.SetValue(3, TOTAL_L1_SIZE);
    outGm.SetValue(4, TOTAL_L0C_SIZE);
    TPipe pipe;
    TBuf<> whole;
    pipe.InitBuffer(whole, TOTAL_VEC_LOCAL_SIZE);  // as the Matmul samples size their format buffer
    LocalTensor<uint32_t> all = whole.Get<uint32_t>(TOTAL_VEC_LOCAL_SIZE / sizeof(uint32_t));
    const uint32_t lastBlock = TOTAL_VEC_LOCAL_SIZE / sizeof(uint32_t) - 8;
    Duplicate(all[lastBlock], 0xC0FFEEu, 8);
    PipeBarrier<PIPE_ALL>();
    outGm.SetValue(5, all.GetValue(lastBlock + 7));
}

int main(int argc, char* argv[]) {
    if (argc != 2 || std::strcmp(argv[1], "values") != 0) return 2;
    auto* out = (uint32_t*)GmAlloc(8 * sizeof(uint32_t));
    ICPU_RUN_KF(read_soc_constants, 1, (GM_ADDR)out);
    std::printf("vec=%u ub=%u tmp=%u l1=%u l0c=%u last=%x\n", out[0], out[1], out[2], out[3], out[4], out[5]);
    GmFree(out);
    return 0;
}

// core_identity: what a core learns about itself at launch.
//
//   block_idx   5 cores; core b writes {GetBlockIdx(), GetBlockNum(), 0...} into its own
//               32-byte slot out[b*8 .. b*8+8) (int32), through UB. main prints one line per slot:
//                 slot <b>: idx=<..> num=<..>
//   tiling_key  ICPU_SET_TILING_KEY(argv[2]) then one core records which TILING_KEY_IS branch ran:
//                 branch=<1|2|none>
//
// Usage: core_identity block_idx | core_identity tiling_key KEY
// Tested by: pytest tests/runtime/test_cpu_debug.py -k "block_idx or tiling_key or find_package"
#include <cstdlib>
#include <cstring>

#include "tikicpulib.h"
#include "host_io.h"

using namespace AscendC;

namespace {
constexpr uint32_t CORES = 5;
constexpr uint32_t SLOT = 8;  // int32 elements: one 32-byte block per core
}  // namespace

extern "C" __global__ __aicore__ void who_am_i(GM_ADDR out) {
    TPipe pipe;
    TQue<QuePosition::VECOUT, 1> outQue;
    pipe.InitBuffer(outQue, 1, SLOT * sizeof(int32_t));
    GlobalTensor<int32_t> outGm;
    outGm.SetGlobalBuffer((__gm__ int32_t*)out + GetBlockIdx() * SLOT, SLOT);
    LocalTensor<int32_t> slot = outQue.AllocTensor<int32_t>();  // [SLOT]
    Duplicate(slot, int32_t(0), SLOT);
    slot.SetValue(0, static_cast<int32_t>(GetBlockIdx()));
    slot.SetValue(1, static_cast<int32_t>(GetBlockNum()));
    outQue.EnQue(slot);
    slot = outQue.DeQue<int32_t>();
    DataCopy(outGm, slot, SLOT);
    outQue.FreeTensor(slot);
}

extern "C" __global__ __aicore__ void which_branch(GM_ADDR out) {
    GlobalTensor<int32_t> outGm;
    outGm.SetGlobalBuffer((__gm__ int32_t*)out, 1);
    if (TILING_KEY_IS(1)) {
        outGm.SetValue(0, 1);
    } else if (TILING_KEY_IS(2)) {
        outGm.SetValue(0, 2);
    } else {
        outGm.SetValue(0, -1);
    }
}

int main(int argc, char* argv[]) {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    if (argc >= 2 && !std::strcmp(argv[1], "block_idx")) {
        int32_t* out = (int32_t*)GmAlloc(CORES * SLOT * sizeof(int32_t));
        for (uint32_t k = 0; k < CORES * SLOT; ++k) out[k] = -1;
        ICPU_RUN_KF(who_am_i, CORES, (GM_ADDR)out);
        for (uint32_t b = 0; b < CORES; ++b) std::printf("slot %u: idx=%d num=%d\n", b, out[b * SLOT], out[b * SLOT + 1]);
        GmFree(out);
        return 0;
    }
    if (argc == 3 && !std::strcmp(argv[1], "tiling_key")) {
        int32_t* out = (int32_t*)GmAlloc(32);
        out[0] = 0;
        ICPU_SET_TILING_KEY(std::atoi(argv[2]));
        ICPU_RUN_KF(which_branch, 1, (GM_ADDR)out);
        if (out[0] > 0) std::printf("branch=%d\n", out[0]);
        else std::printf("branch=%s\n", out[0] < 0 ? "none" : "not run");
        GmFree(out);
        return 0;
    }
    return UnknownCase(argv[0], argc >= 2 ? argv[1] : "");
}

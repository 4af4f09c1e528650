// opkit test fixture: the host program of scale_custom (2024 layout: ascendc_kernels_bbit).
#include <cstdio>

#include "tikicpulib.h"

extern "C" __global__ __aicore__ void scale_custom(GM_ADDR x, GM_ADDR z);

int main() {
    const size_t bytes = 4 * 1024 * sizeof(float);
    uint8_t* x = (uint8_t*)AscendC::GmAlloc(bytes);
    uint8_t* z = (uint8_t*)AscendC::GmAlloc(bytes);
    FILE* f = std::fopen("./input/input_x.bin", "rb");
    if (f == nullptr || std::fread(x, 1, bytes, f) != bytes) {
        std::fprintf(stderr, "cannot read ./input/input_x.bin\n");
        return 1;
    }
    std::fclose(f);
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // as the 2024 samples do: CPU-debug defaults to MIX
    ICPU_RUN_KF(scale_custom, 4, x, z);
    f = std::fopen("./output/output_z.bin", "wb");
    std::fwrite(z, 1, bytes, f);
    std::fclose(f);
    AscendC::GmFree((void*)x);
    AscendC::GmFree((void*)z);
    return 0;
}

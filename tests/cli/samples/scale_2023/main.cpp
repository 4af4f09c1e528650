// opkit test fixture: the CPU-debug main of scale_custom, 2023 spelling (tik2::GmAlloc / GmFree).
#include <cstdio>

#include "tikicpulib.h"

extern "C" __global__ __aicore__ void scale_custom(GM_ADDR x, GM_ADDR z);

static bool Load(const char* path, void* dst, size_t bytes) {
    FILE* f = std::fopen(path, "rb");
    if (f == nullptr) return false;
    size_t got = std::fread(dst, 1, bytes, f);
    std::fclose(f);
    return got == bytes;
}

int main() {
    const size_t bytes = 4 * 1024 * sizeof(uint16_t);
    uint8_t* x = (uint8_t*)tik2::GmAlloc(bytes);
    uint8_t* z = (uint8_t*)tik2::GmAlloc(bytes);
    if (!Load("./input/input_x.bin", x, bytes)) {
        std::fprintf(stderr, "cannot read ./input/input_x.bin\n");
        return 1;
    }
    ICPU_RUN_KF(scale_custom, 4, x, z);
    FILE* f = std::fopen("./output/output_z.bin", "wb");
    std::fwrite(z, 1, bytes, f);
    std::fclose(f);
    tik2::GmFree((void*)x);
    tik2::GmFree((void*)z);
    return 0;
}

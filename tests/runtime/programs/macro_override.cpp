// macro_override: a kernel unit test that defines the kernel macros itself before including the
// kernel API, as CANN allows (Note [Kernel macros a source may define first] in
// runtime/include/opkit/kernel/sync.h): it fills the tiling struct by hand and picks the tiling
// key itself. opkit's definitions must not replace these; if they did, GET_TILING_DATA would
// name opkit's placeholder struct and the build would fail.
//
// Usage: macro_override        prints "n=<n> scale=<scale> key7=<0|1> member=<n> struct=<n>"
// Tested by: pytest tests/runtime/test_macro_override.py --mode=cpu
#include <cstdint>
#include <cstdio>
#include <cstring>

struct HandTiling {
    uint32_t n;
    float scale;
};

#define GET_TILING_DATA(var, tiling) \
    HandTiling var;                  \
    var.n = 48;                      \
    var.scale = 0.5f
#define GET_TILING_DATA_WITH_STRUCT(type, var, tiling) \
    type var{};                                        \
    var.n = 16
#define GET_TILING_DATA_MEMBER(type, member, var, tiling) decltype(type::member) var = 24
#define TILING_KEY_IS(key) ((key) == 7)
#define REGISTER_TILING_DEFAULT(type) static_assert(sizeof(type) == 8, "the test's own macro")
#define __aicore__ __attribute__((unused))
#define __gm__
#define __ubuf__

#include "tikicpulib.h"

#define OPKIT_STR2(x) #x
#define OPKIT_STR(x) OPKIT_STR2(x)
static_assert(std::strlen(OPKIT_STR(__aicore__)) == std::strlen("__attribute__((unused))"),
              "the source's __aicore__ must survive kernel_operator.h");

namespace {
uint32_t gOut[5];
}

extern "C" __global__ __aicore__ void hand_tiling(GM_ADDR tiling) {
    REGISTER_TILING_DEFAULT(HandTiling);
    GET_TILING_DATA(t, tiling);
    GET_TILING_DATA_WITH_STRUCT(HandTiling, s, tiling);
    GET_TILING_DATA_MEMBER(HandTiling, n, m, tiling);
    gOut[0] = t.n;
    gOut[1] = static_cast<uint32_t>(t.scale * 100);
    gOut[2] = TILING_KEY_IS(7) ? 1 : 0;
    gOut[3] = m;
    gOut[4] = s.n;
}

int main() {
    AscendC::SetKernelMode(KernelMode::AIV_MODE);  // vector kernels (ICPU_RUN_KF.md); CANN's default is MIX
    uint8_t* tiling = (uint8_t*)AscendC::GmAlloc(32);  // never read: the macros fill the struct
    ICPU_RUN_KF(hand_tiling, 1, tiling);
    std::printf("n=%u scale=%u key7=%u member=%u struct=%u\n", gOut[0], gOut[1], gOut[2], gOut[3], gOut[4]);
    AscendC::GmFree(tiling);
    return 0;
}

// hl_queries: the host-side temporary-buffer queries of the high-level APIs, as an op's tiling
// function calls them (#include "tiling/tiling_api.h"). Prints one line per query:
//   <query> <maxValue> <minValue>        (factor queries: <query> <maxLiveNodeCount> <extraBuf>)
//
// Usage: hl_queries N TYPESIZE [REUSE]   (srcShape = {N})
// Tested by: pytest tests/hlapi/test_queries.py
#include <cstdio>
#include <string>
#include <vector>

#include "tiling/tiling_api.h"

int main(int argc, char* argv[]) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s N TYPESIZE [REUSE]\n", argv[0]);
        return 2;
    }
    const ge::Shape shape(std::vector<int64_t>{std::stoll(argv[1])});
    const uint32_t ts = uint32_t(std::stoul(argv[2]));
    const bool reuse = argc > 3 && std::string(argv[3]) == "1";
    uint32_t mx = 0, mn = 0;
    auto print = [&](const char* name) { std::printf("%s %u %u\n", name, mx, mn); };
    try {
        AscendC::GetTanhMaxMinTmpSize(shape, ts, reuse, mx, mn); print("GetTanhMaxMinTmpSize");
        AscendC::GetTanhTmpBufferFactorSize(ts, mx, mn); print("GetTanhTmpBufferFactorSize");
        AscendC::GetSigmoidMaxMinTmpSize(shape, ts, reuse, mx, mn); print("GetSigmoidMaxMinTmpSize");
        AscendC::GetSiluTmpSize(shape, ts, reuse, mx, mn); print("GetSiluTmpSize");
        AscendC::GetSwishTmpSize(shape, ts, reuse, mx, mn); print("GetSwishTmpSize");
        AscendC::GetGeluMaxMinTmpSize(shape, ts, mx, mn); print("GetGeluMaxMinTmpSize");
        mx = AscendC::GetGeluMaxTmpSize(shape, ts); mn = AscendC::GetGeluMinTmpSize(shape, ts); print("GetGeluMax/MinTmpSize");
        AscendC::GetExpMaxMinTmpSize(shape, ts, reuse, mx, mn); print("GetExpMaxMinTmpSize");
        AscendC::GetExpTmpBufferFactorSize(ts, mx, mn); print("GetExpTmpBufferFactorSize");
        AscendC::GetErfMaxMinTmpSize(shape, ts, reuse, mx, mn); print("GetErfMaxMinTmpSize");
        AscendC::GetErfTmpBufferFactorSize(ts, mx, mn); print("GetErfTmpBufferFactorSize");
        AscendC::GetSinMaxMinTmpSize(shape, ts, reuse, mx, mn); print("GetSinMaxMinTmpSize");
        AscendC::GetCosMaxMinTmpSize(shape, ts, reuse, mx, mn); print("GetCosMaxMinTmpSize");
        AscendC::GetLogMaxMinTmpSize(shape, ts, reuse, mx, mn); print("GetLogMaxMinTmpSize");
        AscendC::GetLog2MaxMinTmpSize(shape, ts, reuse, mx, mn); print("GetLog2MaxMinTmpSize");
        AscendC::GetLog10MaxMinTmpSize(shape, ts, reuse, mx, mn); print("GetLog10MaxMinTmpSize");
        AscendC::GetSumMaxMinTmpSize(uint32_t(shape.GetDim(0)), ts, reuse, mx, mn); print("GetSumMaxMinTmpSize");
        AscendC::GetMeanMaxMinTmpSize(uint32_t(shape.GetDim(0)), ts, ts, reuse, mx, mn); print("GetMeanMaxMinTmpSize");
        if (ts == 2) {
            AscendC::GetMeanMaxMinTmpSize(uint32_t(shape.GetDim(0)), 2, 4, reuse, mx, mn);
            print("GetMeanMaxMinTmpSize(half,float)");
        }
        if ((shape.GetDim(0) * ts) % 32 != 0) return 0;  // SoftMax and RmsNorm need a 32-byte aligned last axis
        // SoftMax on [4, N], RmsNorm on [2, 3, N]
        const ge::Shape rows(std::vector<int64_t>{4, shape.GetDim(0)});
        mx = AscendC::GetSoftMaxMaxTmpSize(rows, ts, reuse); mn = AscendC::GetSoftMaxMinTmpSize(rows, ts, reuse);
        print("GetSoftMaxMax/MinTmpSize");
        const ge::Shape bsh(std::vector<int64_t>{2, 3, shape.GetDim(0)});
        const bool ok = AscendC::GetRmsNormMaxMinTmpSize(bsh, ts, mx, mn);
        if (ok) print("GetRmsNormMaxMinTmpSize");
        // LayerNorm on {2, 3, N, N}
        const ge::Shape ln(std::vector<int64_t>{2, 3, shape.GetDim(0), shape.GetDim(0)});
        AscendC::GetLayerNormMaxMinTmpSize(ln, ts, reuse, mx, mn); print("GetLayerNormMaxMinTmpSize");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "opkit: error: %s\n", e.what());
        return 1;
    }
    return 0;
}

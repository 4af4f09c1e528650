// opkit: the per-core state the runtime's translation units share (not part of the kernel API).
#pragma once

#include "opkit/rt/api.h"
#include "sim.h"

#include <vector>

namespace opkit {
namespace rt {

struct CoreState {
    const char* kernelName = "";
    int32_t blockIdx = 0;
    int32_t blockNum = 1;
    uint64_t tilingKey = 0;
    const SocInfo* soc = nullptr;
    uint8_t* mem[static_cast<int>(Mem::COUNT)] = {};
    uint32_t memSize[static_cast<int>(Mem::COUNT)] = {};
    uint64_t maskHi = ~0ull, maskLo = ~0ull;  // SetVectorMask state, for isSetMask=false
    uint8_t* workspace = nullptr;
    const void* pipe = nullptr;  // the live TPipe: a core has one at a time
    const std::vector<GmRegion>* gm = nullptr;  // the launch's GM buffers
    sim::CoreModel* model = nullptr;            // npu_simulator mode only
    std::vector<uint8_t> ubWritten;             // npu_simulator, per 32-byte UB block: writer pipe + 1
    std::vector<uint32_t> ubSeq;                // ... and the writing instruction's sequence number
    sim::LaunchModel* launch = nullptr;
};
CoreState* CurrentCoreOrNull();
inline sim::CoreModel* Model() {
    CoreState* c = CurrentCoreOrNull();
    return c != nullptr ? c->model : nullptr;
}
// A finding of the npu_simulator mode, at the kernel line `ret` returns to.
void Finding(const std::string& kind, const std::string& message, const void* ret);

}  // namespace rt
}  // namespace opkit

// opkit: CANN's CPU-debug launcher (tikicpulib.h): ICPU_RUN_KF's launch, its kernel mode and tiling
// key, and GmAlloc'd buffers as the launch's GM.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "kernel_operator.h"
#include "tikicpulib.h"
#include "sim.h"

namespace opkit {
namespace rt {

// ---- CPU-debug launch (tikicpulib) ---------------------------------------------------------------
namespace {
uint64_t gNextTilingKey = 0;
// Note [CPU-debug kernel mode]: SetKernelMode.md: without a SetKernelMode call CANN's CPU debugging
// runs a kernel in MIX mode, and CPU域孪生调试.md: on a split SoC each AI Core then starts 3 processes,
// 1 cube and 2 vector cores; blockDim counts AI Cores (GetBlockNum.md). So ICPU_RUN_KF(k, n) starts n
// AICs and 2n AIVs unless the program asked for AIV_MODE or AIC_MODE (CANN's vector samples call
// SetKernelMode(KernelMode::AIV_MODE), as ICPU_RUN_KF.md says vector operators must). A vector-only
// kernel still runs under MIX: its AIC does nothing (Note [Vector work on a MIX launch's cube core]).
KernelMode gNextMode = KernelMode::MIX_MODE;
}  // namespace

void SetNextTilingKey(uint64_t key) { gNextTilingKey = key; }
void SetNextKernelMode(KernelMode mode) { gNextMode = mode; }

namespace {
std::mutex gGmMu;
std::map<const uint8_t*, uint64_t> gGmAllocs;  // GmAlloc'd buffers, for CPU-debug launches
}  // namespace

void RegisterGmAlloc(const void* p, uint64_t bytes) {
    std::lock_guard<std::mutex> lock(gGmMu);
    gGmAllocs[static_cast<const uint8_t*>(p)] = bytes;
}
void ForgetGmAlloc(const void* p) {
    std::lock_guard<std::mutex> lock(gGmMu);
    gGmAllocs.erase(static_cast<const uint8_t*>(p));
}

void CpuDebugRun(const char* kernelName, uint32_t blockDim, const std::function<void()>& body) {
    LaunchConfig cfg;
    {
        std::lock_guard<std::mutex> lock(gGmMu);
        for (const auto& kv : gGmAllocs) cfg.gm.push_back({kv.first, kv.second, "a GmAlloc buffer"});
    }
    cfg.kernelName = kernelName;
    cfg.blockDim = blockDim;
    cfg.tilingKey = gNextTilingKey;
    cfg.mode = gNextMode;
    if (const char* simulator = std::getenv("OPKIT_SIMULATOR"); simulator != nullptr && std::strcmp(simulator, "camodel") == 0) {
        // A CPU-debug program is this process: it cannot run on CANN's simulator, whatever is asked.
        static bool told = false;
        if (!told && sim::Enabled())
            std::fputs("opkit: note: OPKIT_SIMULATOR=camodel applies to op calls from Python and pytest; this CPU-debug "
                       "program runs under opkit's model (build it with CANN's run.sh -r sim to run it on camodel)\n",
                       stderr);
        told = true;
    }
    try {
        Launch(cfg, body);
    } catch (const std::exception& e) {
        std::fflush(stdout);
        if (const sim::Summary* s = sim::Last(); s != nullptr && sim::Enabled()) std::fputs(sim::Format(*s).c_str(), stderr);
        std::fprintf(stderr, "opkit: error: %s\n", e.what());
        std::exit(1);
    }
    sim::ReportCompletedLaunch(kernelName);  // npu_simulator mode: the summary; a finding ends the run
}

}  // namespace rt
}  // namespace opkit

// ---- GM ------------------------------------------------------------------------------------------
namespace AscendC {
void* GmAlloc(size_t size) {
    size_t rounded = (size + 31) & ~size_t(31);
    void* p = std::aligned_alloc(32, rounded == 0 ? 32 : rounded);
    if (p == nullptr) throw opkit::KernelError("GmAlloc: out of host memory for " + std::to_string(size) + " bytes");
    std::memset(p, 0, rounded == 0 ? 32 : rounded);
    opkit::rt::RegisterGmAlloc(p, rounded == 0 ? 32 : rounded);
    return p;
}
void GmFree(void* ptr) {
    opkit::rt::ForgetGmAlloc(ptr);
    std::free(ptr);
}
}  // namespace AscendC

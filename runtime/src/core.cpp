// opkit: the software AI Core: per-core state and arenas, the multi-core launch, and the checks
// the headers call before an instruction touches memory.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <vector>

#include "kernel_operator.h"
#include "tikicpulib.h"
#include "core_state.h"
#include "sim.h"

namespace opkit {
namespace rt {


namespace {

thread_local CoreState* tCore = nullptr;

// The on-chip memories one host thread lends to the cores it runs, one after another.
class Arenas {
public:
    void Prepare(const SocInfo& soc, CoreState& core) {
        for (int m = 0; m < static_cast<int>(Mem::COUNT); ++m) {
            uint32_t size = soc.memBytes[m];
            if (size_[m] != size) {
                std::free(buf_[m]);
                buf_[m] = static_cast<uint8_t*>(std::aligned_alloc(512, (size + 511) & ~511u));
                if (buf_[m] == nullptr) throw KernelError("cannot allocate the simulated on-chip memory");
                size_[m] = size;
                // New memory gets a fixed pattern (NaN for every float type) so a read of
                // never-written memory shows up instead of passing by luck; after that a core
                // finds what the previous core left, like stale on-chip memory on the NPU.
                std::memset(buf_[m], 0xFF, size);
            }
            core.mem[m] = buf_[m];
            core.memSize[m] = size;
        }
    }
    ~Arenas() {
        for (auto* b : buf_) std::free(b);
    }

private:
    uint8_t* buf_[static_cast<int>(Mem::COUNT)] = {};
    uint32_t size_[static_cast<int>(Mem::COUNT)] = {};
};

class WorkerPool;
WorkerPool* gPool = nullptr;

// Host threads that run cores. They live as long as the process (never joined, so exit does not
// wait on them); launches are serialised, and worker slot i always uses arenas[i].
class WorkerPool {
public:
    static WorkerPool& Get() {
        static std::once_flag once;
        std::call_once(once, [] {
            gPool = new WorkerPool();  // leaked on purpose: no teardown at exit
            // A forked child (crash isolation) has none of the parent's threads: give it a
            // fresh pool instead of one that waits for workers that do not exist.
            pthread_atfork(nullptr, nullptr, [] { gPool = new WorkerPool(); });
        });
        return *gPool;
    }
    // Runs fn(slot) for slot 0..n-1: slot 0 on the calling thread, the others on pool threads.
    void Run(int n, const std::function<void(int)>& fn) {
        std::lock_guard<std::mutex> launch(launchMu_);
        if (arenas_.size() < static_cast<size_t>(n)) arenas_.resize(n);
        {
            std::unique_lock<std::mutex> lock(mu_);
            while (static_cast<int>(threads_) < n - 1) {
                std::thread(&WorkerPool::Loop, this, static_cast<int>(threads_)).detach();
                ++threads_;
            }
            job_ = &fn;
            want_ = n - 1;
            active_ = n - 1;
            ++generation_;
        }
        wake_.notify_all();
        fn(0);
        std::unique_lock<std::mutex> lock(mu_);
        done_.wait(lock, [&] { return active_ == 0; });
        job_ = nullptr;
    }
    Arenas& ArenasOf(int slot) { return arenas_[slot]; }

private:
    void Loop(int index) {
        uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(mu_);
        for (;;) {
            wake_.wait(lock, [&] { return generation_ != seen; });
            seen = generation_;
            if (index >= want_) continue;
            const std::function<void(int)>* job = job_;
            lock.unlock();
            (*job)(index + 1);
            lock.lock();
            if (--active_ == 0) done_.notify_all();
        }
    }
    std::mutex launchMu_, mu_;
    std::condition_variable wake_, done_;
    std::deque<Arenas> arenas_;  // a deque keeps each slot's arenas in place as it grows
    const std::function<void(int)>* job_ = nullptr;
    uint64_t generation_ = 0;
    int want_ = 0, active_ = 0;
    unsigned threads_ = 0;
};

int ThreadCount(int requested) {
    if (requested > 0) return requested;
    if (const char* env = std::getenv("OPKIT_NUM_THREADS")) {
        int n = std::atoi(env);
        if (n > 0) return n;
    }
    unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace

CoreState& Core() {
    if (tCore == nullptr)
        throw KernelError("an Ascend C kernel API was called outside a kernel launch (use ICPU_RUN_KF or opkit.ops)");
    return *tCore;
}
CoreState* CurrentCoreOrNull() { return tCore; }

int32_t BlockIdx() { return Core().blockIdx; }
int32_t BlockNum() { return Core().blockNum; }
uint64_t TilingKey() { return Core().tilingKey; }
const SocInfo& CoreSoc() { return *Core().soc; }
uint8_t* MemBase(Mem m) { return Core().mem[static_cast<int>(m)]; }
uint32_t MemSize(Mem m) { return Core().memSize[static_cast<int>(m)]; }
uint8_t* SysWorkspace() { return Core().workspace; }
void SetSysWorkspace(uint8_t* workspace) { Core().workspace = workspace; }
// 16 MiB: what library APIs (matmul, SyncAll) reserve on 910B-class parts; an assumption for the
// other SoCs, where no public figure was found.
uint64_t SysWorkspaceBytes() { return 16ull * 1024 * 1024; }

namespace {
thread_local std::string tFailSite;  // npu_simulator: where the last Fail() was raised
}  // namespace

void Fail(const char* what) {
    if (tCore != nullptr && tCore->model != nullptr) tFailSite = sim::CurrentKernelSite();
    throw KernelError(what);
}

void CheckGm(const void* addr, uint64_t bytes, const char* what) {
    const CoreState& core = Core();
    if (core.gm == nullptr || core.gm->empty() || bytes == 0) return;
    const auto* p = static_cast<const uint8_t*>(addr);
    for (const GmRegion& r : *core.gm) {
        if (p < r.base || p >= r.base + r.bytes) continue;
        uint64_t offset = static_cast<uint64_t>(p - r.base);
        if (offset + bytes <= r.bytes) return;
        Fail(std::string(what) + ": " + std::to_string(bytes) + " bytes at offset " + std::to_string(offset) + " of " +
             r.name + " (" + std::to_string(r.bytes) + " bytes) run " + std::to_string(offset + bytes - r.bytes) +
             " bytes past its end; on the NPU this reads or overwrites whatever memory follows the buffer");
    }
    // Every GM buffer of the launch is known, and this address is in none of them.
    std::string nearest;
    uint64_t best = UINT64_MAX;
    for (const GmRegion& r : *core.gm) {
        uint64_t d = p >= r.base + r.bytes ? uint64_t(p - (r.base + r.bytes)) : uint64_t(r.base - p);
        if (d < best) {
            best = d;
            nearest = (p >= r.base + r.bytes ? std::to_string(d) + " bytes after the end of " : std::to_string(d) + " bytes before ") + r.name;
        }
    }
    Fail(std::string(what) + ": " + std::to_string(bytes) + " bytes at a GM address outside every buffer given to the "
         "kernel (" + nearest + "); check the offsets (elements, not bytes?) given to SetGlobalBuffer and operator[]");
}
void Launch(const LaunchConfig& cfg, const std::function<void()>& body) {
    const SocInfo& soc = cfg.soc ? *cfg.soc : DefaultSoc();
    if (cfg.blockDim == 0) throw KernelError(cfg.kernelName + ": blockDim is 0; launch at least one core");
    if (cfg.blockDim > 65535)
        throw KernelError(cfg.kernelName + ": blockDim " + std::to_string(cfg.blockDim) + " exceeds 65535");
    if (tCore != nullptr) throw KernelError(cfg.kernelName + ": a kernel cannot launch another kernel");

    std::unique_ptr<sim::LaunchModel> model;
    if (sim::Enabled())
        model = std::make_unique<sim::LaunchModel>(soc, cfg.blockDim, sim::Tracing(), cfg.mode == KernelMode::AIC_MODE);

    std::atomic<uint32_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex errMu;
    std::string firstError;
    uint32_t firstCore = UINT32_MAX;

    auto worker = [&](int slot) {
        CoreState core;
        core.kernelName = cfg.kernelName.c_str();
        core.blockNum = static_cast<int32_t>(cfg.blockDim);
        core.tilingKey = cfg.tilingKey;
        core.soc = &soc;
        core.gm = &cfg.gm;
        core.workspace = cfg.workspace;
        core.mode = cfg.mode;
        for (;;) {
            uint32_t idx = next.fetch_add(1);
            if (idx >= cfg.blockDim || failed.load()) break;
            core.blockIdx = static_cast<int32_t>(idx);
            core.launch = model.get();
            core.model = model ? model->Core(int(idx)) : nullptr;
            if (model)
                for (int m = 0; m < static_cast<int>(Mem::COUNT); ++m) {
                    core.written[m].assign(soc.memBytes[m] / 32, 0);
                    core.writeSeq[m].assign(core.written[m].size(), 0);
                }
            core.maskHi = core.maskLo = ~0ull;
            core.pipe = nullptr;
            core.lastMmadC = nullptr;
            core.mBarrierSinceMmad = true;
            std::string err;
            try {
                WorkerPool::Get().ArenasOf(slot).Prepare(soc, core);
                tCore = &core;
                body();
            } catch (const std::exception& e) {
                err = e.what();
            } catch (...) {
                err = "unknown C++ exception";
            }
            tCore = nullptr;
            if (!err.empty() && model) {
                model->AddFindingAt(int(idx), "fatal", err, tFailSite);
                tFailSite.clear();
            }
            if (!err.empty()) {
                std::lock_guard<std::mutex> lock(errMu);
                if (idx < firstCore) {
                    firstCore = idx;
                    firstError = err;
                }
                failed.store(true);
            }
        }
    };

    int workers = std::min<int>(ThreadCount(cfg.threads), static_cast<int>(cfg.blockDim));
    WorkerPool::Get().Run(std::max(workers, 1), worker);
    if (model) {
        model->Finish();
        sim::SetLast(sim::Summarise(*model, cfg.kernelName));
    }
    if (failed.load())
        throw KernelError(cfg.kernelName + " core " + std::to_string(firstCore) + ": " + firstError);
}

// ---- CPU-debug launch (tikicpulib) ---------------------------------------------------------------
namespace {
uint64_t gNextTilingKey = 0;
KernelMode gNextMode = KernelMode::AIV_MODE;
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
    if (const sim::Summary* s = sim::Last(); s != nullptr && sim::Enabled()) {
        // npu_simulator mode: the model's summary, and a nonzero exit on any finding
        std::fflush(stdout);
        std::fputs(sim::Format(*s).c_str(), stderr);
        if (!s->findings.empty()) {
            std::fprintf(stderr, "opkit: error: %s: %zu npu_simulator finding(s)\n", kernelName, s->findings.size());
            std::exit(1);
        }
    }
}

// ---- hooks and kernel utilities ------------------------------------------------------------------
void OnSyncAll() {
    // Cores run one after another per host thread, so a kernel that waits for the others cannot
    // be executed faithfully here: refuse instead of returning early.
    if (Core().blockNum > 1)
        Fail("SyncAll across " + std::to_string(Core().blockNum) + " cores is not supported by the CPU runtime yet");
}
void SetVectorMask(uint64_t hi, uint64_t lo) {
    Core().maskHi = hi;
    Core().maskLo = lo;
}
void LoadTiling(void* dst, size_t bytes, const void* blob, const char* type) {
    if (blob == nullptr) Fail(std::string("GET_TILING_DATA(") + type + "): the tiling pointer is null");
    const CoreState& core = Core();
    if (core.gm != nullptr)
        for (const GmRegion& r : *core.gm)
            if (static_cast<const uint8_t*>(blob) >= r.base && static_cast<const uint8_t*>(blob) < r.base + r.bytes &&
                r.bytes - uint64_t(static_cast<const uint8_t*>(blob) - r.base) < bytes)
                Fail(std::string("GET_TILING_DATA(") + type + "): the kernel's struct is " + std::to_string(bytes) +
                     " bytes but " + r.name + " holds " + std::to_string(r.bytes) +
                     "; the host TilingFunc must SaveToBuffer the same struct and call SetDataSize(GetDataSize())");
    std::memcpy(dst, blob, bytes);
}
void KernelPrintf(const char* fmt, va_list ap) {
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    std::vfprintf(stdout, fmt, ap);
}
void AssertFailed(const char* expr, const char* file, int line) {
    Fail(std::string("ASSERT(") + expr + ") failed at " + file + ":" + std::to_string(line));
}

}  // namespace rt
}  // namespace opkit

void AscendC::detail::PrintLocked(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    opkit::rt::KernelPrintf(fmt, ap);
    va_end(ap);
}

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

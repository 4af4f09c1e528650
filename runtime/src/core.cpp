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
#include "xcore.h"

namespace opkit {
namespace rt {


// Note [Vector work on a MIX launch's cube core]: every core of a MIX launch runs the whole kernel
// body, the AIC included. CANN's 910B implementation (impl/basic_api/dav_c220) guards the vector
// side so that it does nothing on the AIC: vector instructions start with `if (g_coreType == AIC)
// return;`, and GM<->UB and UB<->UB copies run only `if ASCEND_IS_AIV`; TPipe still hands out UB
// addresses there (bookkeeping, no memory access). opkit does the same: on the AIC of a MIX launch
// TPipe carves UB as usual (so a kernel that sets up its vector queues on every core, as the
// official MatMulLeakyRelu sample does, runs), and VectorMuted() makes the vector instructions, the
// UB copies, their model costs and checks, and UB scratch writes return at once. So a kernel with
// no cube work runs under MIX (CANN's CPU-debug default, SetKernelMode.md) with the AIC idle; its
// answers are those of its 2 * blockDim AIVs, whose GetBlockIdx runs over [0, 2 * blockDim)
// (GetBlockIdx.md). Scalar GetValue/SetValue of a UB tensor on the AIC reach that unused memory.
namespace {

// Note [Current core lookup]: every kernel API call asks for its core, several times (its checks read
// the core's memories), and libopkit_rt is loaded with dlopen, where a thread_local costs a call to
// __tls_get_addr: with the lookups around it, 13% of a small sinh_custom call. The initial-exec model
// makes it one load from the thread pointer, for 8 bytes of the static TLS that glibc keeps for
// dlopened libraries.
//
// Note [Small TLS]: one initial-exec variable marks the whole library STATIC_TLS, so at dlopen glibc
// places every thread_local of libopkit_rt in that static surplus, which is small and shared with
// every library loaded before: a TLS segment of 1,664 bytes loaded in plain Python but failed inside
// MindSpore, and outside it once glibc.rtld.optional_static_tls was cut to 256 ("cannot allocate
// memory in static TLS block"). So the library's thread_locals are pointers, flags and small
// handles; anything larger (a launch info, GEMM scratch, a message) lives on the heap behind one.
// tests/abi/test_tls_size.py holds the segment to its budget.
__attribute__((tls_model("initial-exec"))) thread_local CoreState* tCore = nullptr;

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
            // In a MIX launch an AIV has only UB; the AIC has L1/L0A/L0B/L0C/BT/FB, and its UB is the
            // bookkeeping-only one of Note [Vector work on a MIX launch's cube core].
            const bool ub = m == static_cast<int>(Mem::UB);
            const bool absent = core.inMix && core.kind == CoreKind::AIV && !ub;
            core.memSize[m] = absent ? 0 : size;
        }
    }
    ~Arenas() {
        for (auto* b : buf_) std::free(b);
    }
    // The buffer records of the cores run on these memories (CoreState::buffers), kept between
    // launches with their capacity: a fresh vector cost a 2 KiB malloc and free per launch.
    std::vector<PipeBuffer> buffers;

private:
    uint8_t* buf_[static_cast<int>(Mem::COUNT)] = {};
    uint32_t size_[static_cast<int>(Mem::COUNT)] = {};
};

std::mutex gSpareMu;
std::vector<std::unique_ptr<Arenas>>* gSpare = new std::vector<std::unique_ptr<Arenas>>();  // never freed
std::unique_ptr<Arenas> TakeSpareArenas() {
    std::lock_guard<std::mutex> lock(gSpareMu);
    if (gSpare->empty()) return std::make_unique<Arenas>();
    std::unique_ptr<Arenas> a = std::move(gSpare->back());
    gSpare->pop_back();
    return a;
}
void GiveSpareArenas(std::unique_ptr<Arenas> a) {
    std::lock_guard<std::mutex> lock(gSpareMu);
    gSpare->push_back(std::move(a));
}

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

thread_local int tWorkers = 0;  // opkitSetLaunchWorkers: this thread's launches' host workers (0: the default)

int ThreadCount(int requested) {
    if (requested > 0) return requested;
    if (tWorkers > 0) return tWorkers;
    if (const char* env = std::getenv("OPKIT_NUM_THREADS")) {
        int n = std::atoi(env);
        if (n > 0) return n;
    }
    static const unsigned hw = std::thread::hardware_concurrency();  // reads /sys on every call
    return hw == 0 ? 1 : static_cast<int>(hw);
}

}  // namespace

CoreState& Core() {
    if (tCore == nullptr)
        throw KernelError("an Ascend C kernel API was called outside a kernel launch (use ICPU_RUN_KF or opkit.ops)");
    return *tCore;
}
CoreState* CurrentCoreOrNull() { return tCore; }
void SetCurrentCore(CoreState* c) { tCore = c; }

int32_t BlockIdx() { return Core().logicalIdx; }
int32_t BlockNum() { return Core().blockNum; }
uint64_t TilingKey() { return Core().tilingKey; }
const SocInfo& CoreSoc() { return *Core().soc; }
namespace {
[[noreturn]] void NoSuchMemory(const CoreState& c, Mem m) {
    Fail(xcore::CoreName(c) + " has no " + MemName(m) + ": in a MIX launch on " + c.soc->name + " " +
         (m == Mem::UB ? "UB belongs to the vector cores (AIV)" : std::string(MemName(m)) + " belongs to the cube core (AIC)") +
         "; put the code that uses it under `if ASCEND_IS_AIV` or `if ASCEND_IS_AIC`");
}
}  // namespace
uint8_t* MemBase(Mem m) {
    const CoreState& c = Core();
    if (c.memSize[static_cast<int>(m)] == 0) NoSuchMemory(c, m);
    return c.mem[static_cast<int>(m)];
}
uint32_t MemSize(Mem m) {
    const CoreState& c = Core();
    if (c.memSize[static_cast<int>(m)] == 0) NoSuchMemory(c, m);
    return c.memSize[static_cast<int>(m)];
}
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
namespace {
// Note [One host worker for an unpaced L2]: the L2 model charges a line's HBM miss to the core that
// reads it first in host order, unless the launch is paced (Note [Cores paced in simulated time] in
// xcore.cpp, for launches with cube cores in one wave). A vector kernel whose cores read the same
// lines (a broadcast input, LayerNorm's gamma) or a launch of several waves, run on two host workers,
// got whichever core the scheduler ran first to pay, and its figures moved between runs with the same
// inputs (a generated broadcast add at 960x4096 on 910B: 37,697 or 37,703 cycles). One worker runs
// the cores in one order every time (by core id, as the fibers take them), so the lowest core id
// that reads a line pays for it. The price is the second host thread in npu_simulator mode only; cpu
// mode, and paced launches, keep every worker.
//
// One attempt at a launch in `mode`; returns true (with `again` set) when the kernel declared
// another kernel type (Note [Kernel task type] in xcore_api.cpp) and must run again in it.
bool LaunchOnce(const LaunchConfig& cfg, KernelMode mode, const std::function<void()>& body, KernelMode& again) {
    const SocInfo& soc = cfg.soc ? *cfg.soc : DefaultSoc();
    const xcore::Shape shape = xcore::ShapeOf(mode, soc, cfg.blockDim);
    std::unique_ptr<sim::LaunchModel> model;
    if (sim::Enabled())
        model = std::make_unique<sim::LaunchModel>(soc, cfg.blockDim, sim::Tracing(), shape.kind == CoreKind::AIC, shape.ratio);
    int workers = std::max(1, std::min<int>(ThreadCount(cfg.threads), static_cast<int>(shape.total)));
    if (xcore::LaunchSync::ReadOrderMatters(shape, model.get()) && !xcore::LaunchSync::Paced(shape, model.get()))
        workers = 1;  // Note [One host worker for an unpaced L2]
    xcore::LaunchSync sync(shape, soc, model.get(), workers, &cfg.gm);
    if (model) {
        model->gmWriteCtx = &sync;
        model->gmWriteHook = [](void* ctx, int core, const uint8_t* a, uint64_t n, const void* ret) {
            static_cast<xcore::LaunchSync*>(ctx)->GmWrite(core, a, n, ret);
        };
        model->writesOrdered = sync.OrdersGmAccesses();
    }

    std::mutex errMu;
    std::string firstError;
    uint32_t firstCore = UINT32_MAX;
    bool relaunch = false;

    auto runCores = [&](Arenas& arenas) {
        CoreState core;
        core.kernelName = cfg.kernelName.c_str();
        core.tilingKey = cfg.tilingKey;
        core.soc = &soc;
        core.gm = &cfg.gm;
        core.workspace = cfg.workspace;
        core.mode = mode;
        core.inferType = cfg.inferType;
        core.sync = &sync;
        core.buffers = std::move(arenas.buffers);
        struct GiveBack {
            CoreState& core;
            Arenas& arenas;
            ~GiveBack() { arenas.buffers = std::move(core.buffers); }
        } giveBack{core, arenas};
        uint32_t id;
        while (sync.Next(id)) {
            xcore::Place(shape, id, core);
            core.launch = model.get();
            core.model = model ? model->Core(int(id)) : nullptr;
            if (model)
                for (int m = 0; m < static_cast<int>(Mem::COUNT); ++m) {
                    core.written[m].assign(soc.memBytes[m] / 32, 0);
                    core.writeSeq[m].assign(core.written[m].size(), 0);
                }
            core.maskHi = core.maskLo = ~0ull;
            core.pipe = nullptr;
            core.lastMmadC = nullptr;
            core.unitFlags.assign(soc.memBytes[static_cast<int>(Mem::L0C)] / 512, 0);  // Note [UnitFlag]
            core.unitMmadSeq = 0;
            core.mBarrierSinceMmad = true;
            core.atomicOp = AtomicOp::NONE;  // each core starts with plain GM writes, whatever the slot ran before
            core.buffers.clear();
            core.typeDeclared = false;
            core.l1Client = nullptr;
            std::string err;
            try {
                arenas.Prepare(soc, core);
                tCore = &core;
                body();
                if (core.kind == CoreKind::AIC && shape.ratio > 0) sync.ServeCube(core, true);  // serve the AIVs to the end
            } catch (const xcore::Relaunch& r) {
                std::lock_guard<std::mutex> lock(errMu);
                relaunch = true;
                again = r.mode;
                sync.Abort();
            } catch (const xcore::Aborted&) {
                // another core failed first; its error is the launch's
            } catch (const xcore::Deadlock& e) {
                err = e.what();
                tFailSite = "-";  // reported as deadlock findings already
            } catch (const std::exception& e) {
                err = e.what();
            } catch (...) {
                err = "unknown C++ exception";
            }
            tCore = nullptr;
            sync.Finished(core);
            if (!err.empty() && model && tFailSite == "-") tFailSite.clear();
            else if (!err.empty() && model) {
                model->AddFindingAt(int(id), "fatal", (shape.ratio > 0 ? xcore::CoreName(core) + ": " : "") + err, tFailSite);
                tFailSite.clear();
            }
            if (!err.empty()) {
                std::lock_guard<std::mutex> lock(errMu);
                if (id < firstCore) {
                    firstCore = id;
                    firstError = (shape.ratio > 0 ? xcore::CoreName(core) + ": " : "") + err;
                }
                sync.Abort();
            }
        }
    };
    WorkerPool::Get().Run(workers, [&](int slot) {
        sync.RunWorker(slot, [&](bool first) {
            if (first) return runCores(WorkerPool::Get().ArenasOf(slot));
            // A later run's cores need memories of their own (the parked cores keep theirs); spare
            // arenas are kept for later launches, so a synchronising launch does not allocate them each time.
            std::unique_ptr<Arenas> own = TakeSpareArenas();
            runCores(*own);
            GiveSpareArenas(std::move(own));
        });
    });
    if (relaunch && firstCore == UINT32_MAX) return true;
    if (model) {
        model->Finish();
        sim::SetLast(sim::Summarise(*model, cfg.kernelName));
    }
    if (firstCore != UINT32_MAX) {
        const CoreState probe = [&] {
            CoreState c;
            xcore::Place(shape, firstCore, c);
            return c;
        }();
        throw KernelError(cfg.kernelName + (shape.ratio > 0 ? "" : " core " + std::to_string(probe.logicalIdx)) + ": " + firstError);
    }
    return false;
}
}  // namespace

void Launch(const LaunchConfig& cfg, const std::function<void()>& body) {
    if (cfg.blockDim == 0) throw KernelError(cfg.kernelName + ": blockDim is 0; launch at least one core");
    if (cfg.blockDim > 65535)
        throw KernelError(cfg.kernelName + ": blockDim " + std::to_string(cfg.blockDim) + " exceeds 65535");
    if (tCore != nullptr) throw KernelError(cfg.kernelName + ": a kernel cannot launch another kernel");
    // Note [Kernel task type]: remembered per kernel function (or per name in CPU-debug programs).
    const std::string key = cfg.entry != nullptr ? std::to_string(reinterpret_cast<uintptr_t>(cfg.entry)) : "name:" + cfg.kernelName;
    KernelMode mode = xcore::RememberedMode(key, cfg.mode);
    KernelMode again = mode;
    if (!LaunchOnce(cfg, mode, body, again)) return;
    xcore::RememberMode(key, again);
    KernelMode third = again;
    if (LaunchOnce(cfg, again, body, third))
        throw KernelError(cfg.kernelName + ": KERNEL_TASK_TYPE_DEFAULT declared a different kernel type on a second run; "
                          "declare one type, as the first statement of the kernel");
}

// ---- hooks and kernel utilities ------------------------------------------------------------------
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

// Note [Host workers inside a framework]: how many host threads run the cores of the launches this
// thread makes (0: $OPKIT_NUM_THREADS, else one per CPU). opkit.mindspore's shim used to set 1 on
// MindSpore's kernel threads: MindSpore keeps a thread of its own busy (it yields in a loop) while a
// kernel runs, and on the LoRA example's training step (2 CPUs, before the shim reused its workspace)
// two workers took 312 ms against 91 ms for one. Since the shim reuses its workspace and the Matmul API
// and queues got cheaper, two workers win on both of issue 11's benchmarks (2 CPUs, one run each,
// alternating): custom(add_custom) at 1e6 float32 in GRAPH_MODE 3.4-3.9 ms with one worker, 1.6-2.1 ms
// with two (native ops.add 1.6-2.1 ms); the LoRA step 1.45-1.46x mindpet's with one, 1.30-1.34x with
// two. So the shim no longer sets it; the call stays for a framework that needs it.
extern "C" __attribute__((visibility("default"))) void opkitSetLaunchWorkers(int workers) {
    opkit::rt::tWorkers = workers > 0 ? workers : 0;
}

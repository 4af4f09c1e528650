// opkit: the cores of one launch and how they meet: which simulated cores a kernel mode starts,
// the scheduler that keeps every core of a launch able to run while others wait, cross-core flags,
// SyncAll, RunOnCube/ServeCube, deadlock detection and the GM happens-before check.
// Note [Cross-core execution] in xcore.cpp.
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <vector>

#include "core_state.h"
#include "fiber.h"

namespace opkit {
namespace rt {
namespace xcore {

// The simulated cores of a launch. Split SoCs: AIV_MODE starts blockDim vector cores, AIC_MODE
// blockDim cube cores, MIX_MODE blockDim AI Cores of 1 AIC + 2 AIV, MIX_AIC_1_1 of 1 AIC + 1 AIV.
// Coupled SoCs (910A, 310P) start blockDim cores that each hold cube and vector units.
struct Shape {
    uint32_t blockDim = 1;
    int ratio = 0;          // AIVs per AI Core in a MIX launch; 0: not a MIX launch
    CoreKind kind = CoreKind::AIV;  // the kind of every core when not MIX
    uint32_t perBlock = 1;  // simulated cores per block
    uint32_t total = 1;
};
Shape ShapeOf(KernelMode mode, const SocInfo& soc, uint32_t blockDim);
// Fills the identity of simulated core `id` (0..total-1; in a MIX launch the AIC of each block
// comes first, then its AIVs).
void Place(const Shape& s, uint32_t id, CoreState& c);
std::string CoreName(const CoreState& c);  // "block 0 AIV 1 (GetBlockIdx 1)", "core 3"

// The lock of a launch's shared state: a glibc adaptive mutex, which spins a little before it
// sleeps. Its holders keep it for a few hundred nanoseconds, and a core on another host worker that
// met a plain mutex held went to sleep in the kernel and was woken again: at 72 cores meeting in
// SyncAll and flags, most of a launch's host time (Note [Cores on fibers], xcore.cpp).
class LaunchMutex {
public:
    LaunchMutex();
    ~LaunchMutex();
    LaunchMutex(const LaunchMutex&) = delete;
    LaunchMutex& operator=(const LaunchMutex&) = delete;
    void lock();
    void unlock();

private:
    pthread_mutex_t m_;
};
using LaunchLock = std::unique_lock<LaunchMutex>;

class LaunchSync {
public:
    LaunchSync(const Shape& shape, const SocInfo& soc, sim::LaunchModel* model, int workers,
               const std::vector<GmRegion>* gm = nullptr);
    ~LaunchSync();

    // ---- scheduling (Note [Cross-core execution]) ----
    // Runs on host worker `w` (0 .. workers-1): body(first) on fibers, one after another and
    // again whenever the cores they run wait, until no core is left for this worker. `first` is true
    // for the worker's first fiber. body runs cores through Next/Finished and catches everything.
    void RunWorker(int w, const std::function<void(bool first)>& body);
    // A fiber takes the next core to run; false when none is left or the launch was aborted.
    bool Next(uint32_t& id);
    void Finished(const CoreState& c);
    // On a failure: stop handing out cores and wake every waiting core (it throws Aborted).
    void Abort();
    const Shape& shape() const { return shape_; }

    // ---- synchronisation ----
    void SetFlag(CoreState& c, int mode, int pipe, uint16_t flag);
    void WaitFlag(CoreState& c, int mode, uint16_t flag, const char* what = nullptr);
    void HardSyncAll(CoreState& c, bool aivOnly);
    void SoftSyncAll(CoreState& c, int32_t* gm, uint64_t gmBytes, int32_t* ub, uint64_t ubBytes, int32_t usedCores,
                     bool aivOnly);
    void IBSync(CoreState& c, int32_t* gm, uint64_t gmBytes, int32_t* ub, uint64_t ubBytes, int32_t blockIdx,
                int32_t eventID, bool aivOnly, bool set);
    void RunOnCube(CoreState& c, const std::function<void()>& fn);
    void ServeCube(CoreState& c, bool afterBody = false);

    // ---- npu_simulator: GM written by one core and read by another ----
    void GmWrite(int core, const uint8_t* addr, uint64_t bytes, const void* ret);
    void GmRead(const CoreState& c, const uint8_t* addr, uint64_t bytes, const void* ret);
    // Whether GmWrite/GmRead check with vector clocks (npu_simulator, and few enough cores).
    bool OrdersGmAccesses() const;
    // Does the model's L2 make the launch's figures depend on the order its cores read GM in? Then
    // they run paced (Paced) or, where pacing is not worth it, on one host worker (Note [One host
    // worker for an unpaced L2]).
    static bool ReadOrderMatters(const Shape& shape, const sim::LaunchModel* model);
    static bool Paced(const Shape& shape, const sim::LaunchModel* model);
    // npu_simulator, before a core's GM read: keep the cores near each other in simulated time, so
    // the core that reads a line first in the model's time is the one that misses the L2 (Note
    // [Cores paced in simulated time]). Parks the core while it is too far ahead.
    void Pace(CoreState& c);

private:
    struct Signal {
        double time = 0;
        std::vector<uint32_t> clock;
    };
    // Signals in arrival order; at most 15 wait in one (a flag's counter), so a vector whose front is
    // erased: unlike a deque, an empty one allocates nothing, and a launch makes thousands of them.
    struct SignalQueue {
        std::vector<Signal> items;
        bool empty() const { return items.empty(); }
        size_t size() const { return items.size(); }
        const Signal& front() const { return items.front(); }
        Signal& front() { return items.front(); }
        void push_back(Signal s) { items.push_back(std::move(s)); }
        void pop_front() { items.erase(items.begin()); }
    };
    struct Worker;
    struct PerCore {
        // A flag's counter: one entry per increment. Made on a core's first cross-core flag, so a
        // launch that never synchronises allocates nothing per core.
        std::vector<SignalQueue> pending;
        Signal softSync;                 // its latest software-SyncAll write
        std::vector<uint32_t> clock;     // vector clock (npu_simulator only)
        std::atomic<bool> finished{false};
        bool blocked = false;
        bool abortProof = false;  // its wait does not end when the launch aborts (RunOnCube's cleanup)
        std::string waitWhat;
        const std::function<bool()>* ready = nullptr;  // while blocked: what would release it
        Worker* worker = nullptr;                       // while blocked: whose fiber it is (Note [Waking only the ready])
        void* frames[24];        // where it waits: taken only for a deadlock report (Note [Deadlock sites])
        int nframes = 0;
        bool siteWanted = false;  // a deadlock was found: take the backtrace, then abort
        // Note [Cores paced in simulated time]: its scalar clock as of its last GM read; +infinity
        // while it waits for another core or once it has finished (then it holds nobody back).
        std::atomic<double> paceClock{0.0};
        double paceResume = 0;  // while it waits: its paceClock before (a bound on its time once released)
        double paceWoke = 0;    // paceClock when it last woke paced cores
        bool pacing = false;  // its wait is Pace's
    };
    struct Scope {  // who must set a flag before whom it releases
        std::vector<int> parts, recv;
        std::vector<SignalQueue> contrib[16];
    };
    struct Request {
        const std::function<void()>* fn;
        bool done = false;
        std::exception_ptr error;
        Signal signal;
    };
    struct Group {
        int aic = -1;
        std::vector<int> aivs;
        int aivsDone = 0;
        std::vector<Request*> requests;  // oldest first
    };
    struct GmWriteRec {
        uint64_t end;
        int core;
        uint32_t epoch;
        const void* ret;
    };

    // Note [Cores on fibers] (xcore.cpp): one per host worker thread of the launch.
    struct Task {  // a fiber running body(first), and the core it waits for (-1 while it runs)
        std::unique_ptr<fiber::Fiber> fiber;
        int waiting = -1;
    };
    struct Worker {
        std::condition_variable_any cv;  // the worker sleeps here when none of its fibers can go on
        std::vector<std::unique_ptr<Task>> tasks;
        bool spawn = false;  // a fiber began to wait while cores were left: start another one
        uint32_t claimedNext = 0, claimedEnd = 0;  // this worker's claimed cores not started yet
    };
    bool Unstarted(const Worker& w) const;  // cores left that w's fibers could start
    static thread_local Worker* tWorker;  // the worker this thread runs, during RunWorker
    static thread_local Task* tTask;      // the fiber it runs now
    // With mu_ held (lk): park the calling core's fiber until `ready()` (or the launch aborts, or it
    // deadlocks: then it throws). abortProof: only ready() ends it.
    void WaitFor(LaunchLock& lk, CoreState& c, const std::function<bool()>& ready, std::string what,
                 bool abortProof = false);
    bool Runnable(const PerCore& pc) const;  // with mu_ held: a blocked core whose wait can end now
    bool PaceTurn(size_t id, double t) const;  // may core `id`'s GM read at t go now? (Note [Cores paced in simulated time])
    bool Deadlocked() const;
    void Wake();  // with mu_ held: after any change a waiter may be waiting for
    // `stuck`: the cores that waited when the deadlock was found; fills each one's kernel line
    std::string DeadlockReport(const std::vector<int>& stuck, std::vector<std::pair<int, std::string>>& sites);
    std::string FinishedNote() const;  // "; finished without releasing them: core 3, ..." or ""
    Signal Release(CoreState& c, int pipe);  // a signal leaving core c now (takes its clock, advances it)
    void Acquire(CoreState& c, const Signal& s);
    void Contribute(Scope& sc, int part, uint16_t flag, Signal s, const CoreState& c);
    Scope& ScopeFor(int mode, int kindOrGroup, int dir);
    void RequireMix(const CoreState& c, const char* what) const;
    void CheckResident(const CoreState& c, const char* what) const;

    Shape shape_;
    const SocInfo& soc_;
    sim::LaunchModel* model_;
    LaunchMutex mu_;
    std::vector<PerCore> cores_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<Group> groups_;
    std::map<uint64_t, Scope> scopes_;
    std::map<const int32_t*, Signal> ibSignals_;  // the latest IBSet/IBWait write of each flag slot
    // Scheduling counters are atomics so a launch whose cores never wait takes no lock per core;
    // `synced_` turns on (for good) when a core first synchronises, and from then on a finishing
    // core also wakes the waiters (Note [Cross-core execution]).
    std::atomic<uint32_t> next_{0};
    std::atomic<int> live_{0}, claimed_{0};  // claimed_: Note [Blocks stay on one worker]
    std::atomic<bool> aborted_{false}, synced_{false};
    int blocked_ = 0, sitesPending_ = 0;
    bool paced_ = false;             // Note [Cores paced in simulated time]
    std::atomic<int> paceParked_{0};  // cores parked by Pace now
    std::atomic<uint64_t> paceLowered_{0};  // bumped after each paceClock that drops (a waiter released)
    std::string NameOf(int id) const;  // CoreName of simulated core `id`
    const std::vector<GmRegion>* gm_ = nullptr;
    std::mutex gmMu_;
    std::map<const uint8_t*, GmWriteRec> gmWrites_, gmReads_;  // by start address
    // The longest record of each map: a scan for records overlapping [addr, ...) starts that far
    // below addr. (One bound for both maps made every read scan the writes over the span of the
    // longest read, a matmul panel's 512 KB: 16% of a matmul's simulation.)
    uint64_t gmLongestWrite_ = 0, gmLongestRead_ = 0;
    // The first access in `recs` (whose longest record is `longest` bytes) overlapping [addr,
    // addr+bytes) by another core that core `c` is not ordered after (gmMu_ held); nullptr if none.
    const std::pair<const uint8_t* const, GmWriteRec>* Unordered(const std::map<const uint8_t*, GmWriteRec>& recs,
                                                                 uint64_t longest, int c, const uint8_t* addr,
                                                                 uint64_t bytes) const;
    void ReportRace(int core, const void* ret, const char* mine, const uint8_t* addr, int other, const char* theirs,
                    const void* otherRet);
};

// Thrown by KERNEL_TASK_TYPE_DEFAULT when the kernel needs other cores than the launch started.
struct Relaunch {
    KernelMode mode;
};
// The kernel type a kernel declared in an earlier launch of this process (else `fallback`).
KernelMode RememberedMode(const std::string& kernel, KernelMode fallback);
void RememberMode(const std::string& kernel, KernelMode mode);

// A wait no core can ever satisfy (reported as deadlock findings, not as a fatal one).
class Deadlock : public KernelError {
public:
    using KernelError::KernelError;
};

// Thrown in a core that waited when another core of the launch failed; not reported itself.
class Aborted : public KernelError {
public:
    Aborted() : KernelError("the launch was aborted by another core's failure") {}
};

}  // namespace xcore
}  // namespace rt
}  // namespace opkit

// opkit: the cores of a launch and how they meet (xcore.h).
//
// Note [Cross-core execution]: a launch hands its simulated cores to a few host workers (the pool,
// one per host thread) that run one core after another, which is fastest when cores never wait for
// each other. A core that waits (CrossCoreWaitFlag, SyncAll, RunOnCube, ServeCube) parks, and while
// cores are still unstarted its worker starts another run of cores (with its own arenas) beside it,
// so every core that a waiting core depends on eventually runs: the cores of a synchronising launch
// really run concurrently (Note [Cores on fibers] says how), and launches that never wait pay a few
// atomic operations per core (no lock). A wait that can never be satisfied (every started core is
// waiting and none is left to start) is a deadlock: the launch ends with an error naming each
// waiting core, what it waits for and its kernel line, instead of hanging.
//
// Note [Cross-core flags]: CrossCoreSetFlag/WaitFlag as asc-devkit documents them for Atlas A2/A3
// (CrossCoreSetFlag(ISASI).md, 关键特性说明.md): each core has a counter per flag id 0..15 (higher ids
// keep their low 4 bits). Mode 0: once every core of the launch of the setter's kind (all AICs or
// all AIVs) has set the flag, each of them gets +1. Mode 1: once both AIVs of an AI Core set it, each
// AIV gets +1. Mode 2: an AIC's set gives +1 to each AIV of its AI Core; once all the AIVs of an AI
// Core set it, their AIC gets +1. A wait blocks until the counter is nonzero and takes 1 from it; a
// counter holds 0..15. Hard SyncAll is built from them as the A2 implementation is (flags 11..14).
// The model carries a time and a vector clock with each signal: a wait ends no earlier than the
// setters' pipe work before the set plus crossCoreLatency, and a GM read is ordered after another
// core's write only if a chain of signals leads from the write to the read.
#include "xcore.h"

#include <execinfo.h>
#include <pthread.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <system_error>

#include "sim.h"

namespace opkit {
namespace rt {
namespace xcore {

Shape ShapeOf(KernelMode mode, const SocInfo& soc, uint32_t blockDim) {
    Shape s;
    s.blockDim = blockDim;
    if (!soc.splitArch) {
        s.kind = CoreKind::COUPLED;
    } else if (mode == KernelMode::MIX_MODE || mode == KernelMode::MIX_AIC_1_1) {
        s.ratio = mode == KernelMode::MIX_MODE ? 2 : 1;
        s.perBlock = uint32_t(1 + s.ratio);
    } else {
        s.kind = mode == KernelMode::AIC_MODE ? CoreKind::AIC : CoreKind::AIV;
    }
    s.total = blockDim * s.perBlock;
    return s;
}

void Place(const Shape& s, uint32_t id, CoreState& c) {
    c.blockIdx = int32_t(id);
    c.group = int32_t(id / s.perBlock);
    c.blockNum = int32_t(s.blockDim);  // GetBlockNum is numBlocks on every core (GetBlockNum.md)
    c.inMix = s.ratio > 0;
    if (s.ratio == 0) {
        c.kind = s.kind;
        c.logicalIdx = c.group;
        c.subBlockIdx = 0;
        c.taskRation = 1;
        return;
    }
    const uint32_t pos = id % s.perBlock;
    c.kind = pos == 0 ? CoreKind::AIC : CoreKind::AIV;
    c.subBlockIdx = pos == 0 ? 0 : int32_t(pos - 1);
    c.taskRation = pos == 0 ? 1 : s.ratio;
    // GetBlockIdx.md: on the AIVs of a 1:2 launch the index runs over [0, 2 * numBlocks).
    c.logicalIdx = pos == 0 ? c.group : c.group * s.ratio + c.subBlockIdx;
}

std::string CoreName(const CoreState& c) {
    const xcore::LaunchSync* s = c.sync;
    if (s == nullptr || s->shape().ratio == 0) return "core " + std::to_string(c.logicalIdx);
    if (c.kind == CoreKind::AIC) return "block " + std::to_string(c.group) + " AIC";
    return "block " + std::to_string(c.group) + " AIV " + std::to_string(c.subBlockIdx) + " (GetBlockIdx " +
           std::to_string(c.logicalIdx) + ")";
}

LaunchMutex::LaunchMutex() {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
#ifdef PTHREAD_MUTEX_ADAPTIVE_NP
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
    pthread_mutex_init(&m_, &a);
    pthread_mutexattr_destroy(&a);
}
LaunchMutex::~LaunchMutex() { pthread_mutex_destroy(&m_); }
void LaunchMutex::lock() {
    if (int e = pthread_mutex_lock(&m_); e != 0) throw std::system_error(e, std::generic_category(), "pthread_mutex_lock");
}
void LaunchMutex::unlock() { pthread_mutex_unlock(&m_); }

// Vector clocks cost cores^2 words; launches with more cores cannot synchronise anyway (they exceed
// the SoC's resident cores), so their GM accesses are not ordered-checked.
constexpr uint32_t kMaxClockedCores = 512;

LaunchSync::LaunchSync(const Shape& shape, const SocInfo& soc, sim::LaunchModel* model, int workers,
                       const std::vector<GmRegion>* gm)
    : shape_(shape), soc_(soc), model_(model), cores_(shape.total), gm_(gm) {
    for (int w = 0; w < std::max(workers, 1); ++w) workers_.push_back(std::make_unique<Worker>());
    // Note [Cores paced in simulated time]: only where it changes a figure (an L2 whose misses go to
    // whoever reads first) and the cores all start at time 0 (one wave).
    paced_ = Paced(shape, model);
    groups_.resize(shape.blockDim);
    for (uint32_t id = 0; id < shape.total; ++id) {
        Group& g = groups_[id / shape.perBlock];
        if (shape.ratio > 0 && id % shape.perBlock == 0) g.aic = int(id);
        else if (shape.ratio > 0) g.aivs.push_back(int(id));
        if (model_ != nullptr && shape.total <= kMaxClockedCores) {
            cores_[id].clock.assign(shape.total, 0);
            cores_[id].clock[id] = 1;  // writes before a core's first signal are in its epoch 1
        }
    }
}

LaunchSync::~LaunchSync() = default;

bool LaunchSync::ReadOrderMatters(const Shape& shape, const sim::LaunchModel* model) {
    return model != nullptr && model->params.l2Bytes > 0 && shape.total > 1;
}

bool LaunchSync::Paced(const Shape& shape, const sim::LaunchModel* model) {
    return ReadOrderMatters(shape, model) && shape.blockDim <= model->physicalCores &&
           (shape.ratio > 0 || shape.kind == CoreKind::AIC);
}

bool LaunchSync::OrdersGmAccesses() const { return model_ != nullptr && shape_.total <= kMaxClockedCores; }

// Note [Blocks stay on one worker]: a worker claims a whole block at a time (in a MIX launch its AIC
// and AIVs, which meet on almost every step) and starts its other cores itself, so the cores that
// signal each other most share a host thread and meet by fiber switches, without waking another
// thread. Claimed cores not started yet are counted in claimed_ before the claim, so a deadlock is
// never declared while one of them could still start.
bool LaunchSync::Next(uint32_t& id) {
    if (aborted_.load()) return false;
    // live first: once nothing is left to start, every core taken is counted live (Deadlocked relies on it)
    live_.fetch_add(1);
    Worker& w = *tWorker;  // cores run only inside RunWorker
    if (w.claimedNext < w.claimedEnd) {
        id = w.claimedNext++;
        claimed_.fetch_sub(1);
        return true;
    }
    const uint32_t step = shape_.perBlock;
    claimed_.fetch_add(step - 1);
    id = next_.fetch_add(step);
    if (id < shape_.total) {
        const uint32_t end = std::min(id + step, shape_.total);
        claimed_.fetch_sub(step - (end - id));  // a short last block
        w.claimedNext = id + 1;
        w.claimedEnd = end;
        return true;
    }
    claimed_.fetch_sub(step - 1);
    live_.fetch_sub(1);
    return false;
}

bool LaunchSync::Unstarted(const Worker& w) const {
    return w.claimedNext < w.claimedEnd || next_.load() < shape_.total;
}

std::string LaunchSync::NameOf(int id) const {
    CoreState c;
    Place(shape_, uint32_t(id), c);
    c.sync = const_cast<LaunchSync*>(this);
    return CoreName(c);
}

void LaunchSync::Finished(const CoreState& c) {
    cores_[c.blockIdx].paceClock.store(HUGE_VAL);
    cores_[c.blockIdx].finished.store(true);
    if (shape_.ratio > 0 || synced_.load()) {
        std::lock_guard<LaunchMutex> lock(mu_);
        if (shape_.ratio > 0 && c.kind == CoreKind::AIV) ++groups_[c.group].aivsDone;
        live_.fetch_sub(1);
        Wake();
        return;
    }
    live_.fetch_sub(1);
    // A core that starts waiting sets synced_ before it reads live_, so it sees this core gone.
    if (synced_.load()) {
        std::lock_guard<LaunchMutex> lock(mu_);
        Wake();
    }
}

void LaunchSync::Abort() {
    std::lock_guard<LaunchMutex> lock(mu_);
    aborted_ = true;
    Wake();
}

// Note [Waking only the ready]: a change of the launch's state wakes just the workers that hold a
// core whose wait can now end (its predicate is read under mu_, as the worker reads it), every worker
// with a waiting core once the launch aborts, and one worker to report a deadlock. A worker that
// sleeps while none of its parked cores can go on is woken by nothing else.
bool LaunchSync::Runnable(const PerCore& pc) const {
    return pc.blocked && ((aborted_ && !pc.abortProof) || (pc.ready != nullptr && (*pc.ready)()));
}

void LaunchSync::Wake() {
    bool deadlock = blocked_ > 0 && Deadlocked();  // one waiter finds it in its loop and reports it
    for (PerCore& pc : cores_) {
        if (!pc.blocked) continue;
        const bool runnable = Runnable(pc);
        if (runnable && paced_ && !pc.pacing && !aborted_ && pc.paceClock.load() == HUGE_VAL) {
            // Released: it holds the others back again from now on, not from when its worker resumes
            // it (Note [Cores paced in simulated time]).
            pc.paceClock.store(pc.paceResume);
            paceLowered_.fetch_add(1);
        }
        if (deadlock || runnable) {
            pc.worker->cv.notify_one();  // no sleeper: no system call
            deadlock = false;
        }
    }
}

// Note [Cores on fibers]: every run of cores (a worker's first, and each one started when a core
// waits) is a fiber (fiber.h) on the worker's host thread. A core that waits parks its fiber and the
// worker goes on with another: a fiber whose core can go on now, else a new run of cores while any
// are unstarted, else it sleeps until a Wake (Note [Waking only the ready]) names one of its cores. A
// fiber stays on the thread that started it, and mu_ travels with the switches: a fiber parks with
// mu_ held, the worker decides under it, and a parked core resumes with it held, as a condition
// variable wait would. Threads did this before (a helper thread per run): a launch of a 910B MIX
// kernel whose 72 cores meet in a SyncAll then cost ~280 context switches, 5 ms of host time; a fiber
// switch is a few dozen instructions. The core a fiber runs is the thread's current core (tCore):
// a parked core restores it when it resumes.
thread_local LaunchSync::Worker* LaunchSync::tWorker = nullptr;
thread_local LaunchSync::Task* LaunchSync::tTask = nullptr;

void LaunchSync::RunWorker(int index, const std::function<void(bool)>& body) {
    Worker& w = *workers_.at(size_t(index));
    tWorker = &w;
    bool held = false;  // does this thread hold mu_? (a fiber that parked left it held)
    auto run = [&](Task* t) {
        tTask = t;
        t->fiber->Resume();
        tTask = nullptr;
        held = !t->fiber->done();
    };
    auto start = [&](bool first) {
        w.tasks.push_back(std::make_unique<Task>());
        Task* t = w.tasks.back().get();
        t->fiber = std::make_unique<fiber::Fiber>([&body, first] { body(first); });
        run(t);
    };
    start(true);
    for (;;) {
        w.tasks.erase(std::remove_if(w.tasks.begin(), w.tasks.end(), [](const std::unique_ptr<Task>& t) { return t->fiber->done(); }),
                      w.tasks.end());
        if (w.tasks.empty()) break;  // a run ends only when no core is left to take
        if (!held) {
            mu_.lock();
            held = true;
        }
        if (w.spawn) {
            w.spawn = false;
            if (Unstarted(w) && !aborted_) {
                mu_.unlock();
                held = false;
                start(false);
                continue;
            }
        }
        Task* pick = nullptr;  // paced: the runnable core furthest behind (Note [Cores paced in simulated time])
        for (const auto& t : w.tasks)
            if (t->waiting >= 0 && Runnable(cores_[size_t(t->waiting)]) &&
                (pick == nullptr || cores_[size_t(t->waiting)].paceClock.load() < cores_[size_t(pick->waiting)].paceClock.load())) {
                pick = t.get();
                if (!paced_) break;
            }
        if (pick == nullptr && Deadlocked())  // a parked core of this worker finds it and reports it
            for (const auto& t : w.tasks)
                if (t->waiting >= 0) {
                    pick = t.get();
                    break;
                }
        if (pick != nullptr) {
            run(pick);
            continue;
        }
        LaunchLock sleep(mu_, std::adopt_lock);
        w.cv.wait(sleep);
        sleep.release();
    }
    if (held) mu_.unlock();
    tWorker = nullptr;
}

// Every started core waits, none is left to start, and no waiter has been released but not yet woken.
bool LaunchSync::Deadlocked() const {
    if (aborted_ || next_ < shape_.total || claimed_ > 0 || live_ == 0 || blocked_ != live_) return false;
    for (const PerCore& pc : cores_)
        if (pc.blocked && pc.ready != nullptr && (*pc.ready)()) return false;
    return true;
}

// Note [Deadlock sites]: where each stuck core waits is read from its own stack, and only once a
// deadlock is found: the core that finds it marks every other stuck core, aborts the launch, and
// parks until each of them, resumed by the abort, has taken its backtrace (its fiber's stack is
// still the one that waits); then it writes the report. A backtrace on every wait cost microseconds
// each, hundreds of times per launch of a synchronising kernel.
void LaunchSync::WaitFor(LaunchLock& lk, CoreState& c, const std::function<bool()>& ready, std::string what,
                         bool abortProof) {
    if (ready()) return;
    Task* task = tTask;
    if (task == nullptr || tWorker == nullptr || !lk.owns_lock())
        Fail("internal error: " + CoreName(c) + " waits " + what + " outside its launch's fibers");
    synced_.store(true);
    PerCore& pc = cores_[c.blockIdx];
    // A core waiting for another holds nobody back in simulated time (Note [Cores paced in simulated time]).
    const double paceBefore = pc.paceClock.load();
    auto holdNobody = [&] {
        pc.paceClock.store(HUGE_VAL);
        if (paceParked_.load() > 0) Wake();  // the floor may have risen
    };
    if (!pc.pacing) {
        pc.paceResume = paceBefore;
        holdNobody();
    }
    pc.blocked = true;
    pc.abortProof = abortProof;
    pc.ready = &ready;
    pc.worker = tWorker;
    pc.waitWhat = std::move(what);
    ++blocked_;
    task->waiting = c.blockIdx;
    if (Unstarted(*tWorker) && !aborted_) tWorker->spawn = true;  // its worker goes on with other cores
    auto leave = [&] {
        if (!pc.pacing) pc.paceClock.store(std::max(paceBefore, c.model != nullptr ? c.model->issue() : 0.0));
        pc.blocked = false;
        pc.abortProof = false;
        pc.ready = nullptr;
        --blocked_;
        task->waiting = -1;
    };
    while (!ready()) {
        if (aborted_ && !abortProof) {
            if (pc.siteWanted) {  // Note [Deadlock sites]
                pc.nframes = backtrace(pc.frames, 24);
                pc.siteWanted = false;
                --sitesPending_;
                Wake();
            }
            leave();
            throw Aborted();
        }
        if (!abortProof && Deadlocked()) {
            std::vector<int> stuck;
            for (size_t id = 0; id < cores_.size(); ++id) {
                PerCore& other = cores_[id];
                if (!other.blocked) continue;
                stuck.push_back(int(id));
                if (&other != &pc && !other.abortProof) {
                    other.siteWanted = true;
                    ++sitesPending_;
                }
            }
            pc.nframes = backtrace(pc.frames, 24);
            const std::string finished = FinishedNote();  // before the stuck ones finish by aborting
            aborted_ = true;
            Wake();
            leave();
            std::string mine = pc.waitWhat;  // what it waited for, not for the report
            WaitFor(lk, c, [&] { return sitesPending_ == 0; }, "for the deadlock report", true);
            pc.waitWhat = std::move(mine);
            std::vector<std::pair<int, std::string>> sites;
            std::string report = DeadlockReport(stuck, sites) + finished;
            if (model_ != nullptr)
                for (const auto& s : sites) model_->AddFindingAt(s.first, "deadlock", report, s.second);
            throw Deadlock(report);
        }
        fiber::Fiber::Suspend();  // with mu_ held; the worker resumes this fiber with it held again
        SetCurrentCore(&c);
        if (!pc.pacing && pc.paceClock.load() != HUGE_VAL && !ready()) holdNobody();  // released, then not
    }
    leave();
}

// Note [Cores paced in simulated time]: the host runs a launch's cores on a few threads, one after
// another, so in host order one core can run far ahead of the others in the model's time. The L2
// model (Note [L2 model], sim.cpp) charges a line's HBM miss to the first core that reads it in host
// order: the core run first paid the misses of every line its neighbours share (a 4096^3 matmul's
// core 0 read 13 MB from HBM where the average was 2.7 MB, and ended 45% after the cores that only
// hit), where on the NPU the cores run at once and whichever asks first in time misses. So, where
// that matters (910B's L2, one wave of cores, launches with cube cores: AIC-only and MIX), a GM read is made in the model's time order: the core
// first publishes when the read could start on its MTE2 (CoreModel::ReadyOn), and while another core
// that can go on is earlier (or as early, with a lower core id) it parks its fiber until that core
// catches up. Cores that wait for another core, or have finished, hold nobody back; cores not yet
// started hold the floor at 0, so a parked core's worker starts them (Note [Cores on fibers]). A
// waiter holds the others back again from the moment it is released (Wake sets its clock back to
// where it stopped, a bound on its time when it goes on), not from when its worker gets round to
// resuming it: in that host-time gap the other cores used to read past it, and a MIX kernel's
// figures moved from run to run (lora_matmul_custom: 11.1 or 12.8 µs). A worker resumes its
// runnable core furthest behind first. Pacing never deadlocks a launch: the core first in that
// order can always go on. A looser window was tried: with it the core furthest behind ran ahead of
// the others and read the next shared tile first, so it kept paying the misses.
// The price is host time: every read may switch fibers, and the two workers often wait for each
// other (a 4096^3 matmul_custom under npu_simulator: 9.8 s -> ~20 s of wall time on 2 cores). That
// is why vector-only launches are not paced: their cores rarely share lines (an elementwise op's
// never do) and their reads are many and small (add_custom at 1.6e7 on 48 AIVs took 1.85 s paced
// against 0.21 s). A vector kernel whose cores do read shared data keeps the host-order charge:
// the core run first pays the shared misses (pessimistic for it), and it runs on one host worker so
// that the order is the same every run (Note [One host worker for an unpaced L2], core.cpp). Nothing
// else in the model changes: a core's figures are its own instructions' either way, and the numbers
// a kernel computes are never affected.
namespace {
constexpr double kPaceWakeStep = 2000;  // a running core wakes paced cores every this many cycles
}

// Core `id` reads at t when no other core is before it in (paceClock, core id) order: the core id
// breaks ties, so cores that reach a read at the same cycle (the same code on every core) read in the
// same order every run. The clocks are read one at a time; each only rises, but for a released
// waiter's (Wake), so the answer stands if no clock dropped while they were read.
bool LaunchSync::PaceTurn(size_t id, double t) const {
    for (;;) {
        const uint64_t lowered = paceLowered_.load();
        for (size_t j = 0; j < cores_.size(); ++j) {
            const double o = cores_[j].paceClock.load();
            if (j != id && (o < t || (o == t && j < id))) return false;
        }
        if (paceLowered_.load() == lowered) return true;
    }
}

void LaunchSync::Pace(CoreState& c) {
    if (!paced_ || c.model == nullptr || tTask == nullptr || tWorker == nullptr) return;
    PerCore& pc = cores_[c.blockIdx];
    const double t = c.model->ReadyOn(sim::MTE2);  // when this read could start
    pc.paceClock.store(t);
    if (PaceTurn(c.blockIdx, t)) {
        if (paceParked_.load(std::memory_order_relaxed) > 0 && t - pc.paceWoke >= kPaceWakeStep) {
            std::lock_guard<LaunchMutex> lock(mu_);
            pc.paceWoke = t;
            Wake();
        }
        return;
    }
    LaunchLock lk(mu_);
    pc.pacing = true;
    ++paceParked_;
    struct Unpace {
        PerCore& pc;
        std::atomic<int>& parked;
        ~Unpace() { pc.pacing = false, --parked; }
    } unpace{pc, paceParked_};
    pc.paceWoke = t;
    Wake();  // this core's clock rose: the floor may have too
    WaitFor(lk, c, [this, &c] { return PaceTurn(c.blockIdx, cores_[c.blockIdx].paceClock.load()); },
            "for the other cores to catch up in simulated time (Note [Cores paced in simulated time])");
}

std::string LaunchSync::DeadlockReport(const std::vector<int>& stuck, std::vector<std::pair<int, std::string>>& sites) {
    std::ostringstream o;
    o << "deadlock: every running core waits and no core is left to wake it; on the NPU the kernel would hang";
    for (int id : stuck) {
        const PerCore& pc = cores_[size_t(id)];
        std::string site;
        for (int i = 0; i < pc.nframes && site.empty(); ++i) site = sim::KernelSite(pc.frames[i]);
        sites.push_back({id, site});
        o << "; " << NameOf(id) << " waits " << pc.waitWhat << (site.empty() ? "" : " at " + site);
    }
    return o.str();
}

std::string LaunchSync::FinishedNote() const {
    std::string finished;
    int count = 0;
    for (size_t id = 0; id < cores_.size(); ++id)
        if (cores_[id].finished.load() && ++count <= 8) finished += (finished.empty() ? "" : ", ") + NameOf(int(id));
    if (count > 8) finished += " and " + std::to_string(count - 8) + " more";
    return count > 0 ? "; finished without releasing them: " + finished : "";
}

LaunchSync::Signal LaunchSync::Release(CoreState& c, int pipe) {
    Signal s;
    if (model_ == nullptr || c.model == nullptr) return s;
    if (cores_[c.blockIdx].clock.empty()) return s;
    // `pipe` is a pipe_t (PIPE_S..PIPE_MTE3 share sim::Pipe's numbers; PIPE_FIX is 10); others: all pipes
    const sim::Pipe p = pipe == PIPE_FIX ? sim::FIX : (pipe <= PIPE_MTE3 ? static_cast<sim::Pipe>(pipe) : sim::PIPE_COUNT);
    s.time = (p < sim::PIPE_COUNT ? c.model->DoneOn(p) : c.model->Cycles()) + model_->params.crossCoreLatency;
    s.time = std::max(s.time, c.model->issue());
    PerCore& pc = cores_[c.blockIdx];
    s.clock = pc.clock;
    ++pc.clock[c.blockIdx];
    return s;
}

void LaunchSync::Acquire(CoreState& c, const Signal& s) {
    if (model_ == nullptr || c.model == nullptr || s.clock.empty()) return;
    c.model->CrossWait(s.time);
    auto& mine = cores_[c.blockIdx].clock;
    for (size_t i = 0; i < mine.size(); ++i) mine[i] = std::max(mine[i], s.clock[i]);
}

LaunchSync::Scope& LaunchSync::ScopeFor(int mode, int kindOrGroup, int dir) {
    const uint64_t key = (uint64_t(mode) << 40) | (uint64_t(dir) << 32) | uint32_t(kindOrGroup);
    auto it = scopes_.find(key);
    if (it != scopes_.end()) return it->second;
    Scope sc;
    if (mode == 0) {  // every core of one kind
        for (uint32_t id = 0; id < shape_.total; ++id) {
            const bool aic = shape_.ratio > 0 ? id % shape_.perBlock == 0 : shape_.kind == CoreKind::AIC;
            if (int(aic) == kindOrGroup) sc.parts.push_back(int(id));
        }
        sc.recv = sc.parts;
    } else if (mode == 1) {
        sc.parts = sc.recv = groups_[kindOrGroup].aivs;
    } else if (dir == 0) {  // mode 2, AIC -> its AIVs
        sc.parts = {groups_[kindOrGroup].aic};
        sc.recv = groups_[kindOrGroup].aivs;
    } else {  // mode 2, AIVs -> their AIC
        sc.parts = groups_[kindOrGroup].aivs;
        sc.recv = {groups_[kindOrGroup].aic};
    }
    for (auto& c : sc.contrib) c.resize(sc.parts.size());
    return scopes_.emplace(key, std::move(sc)).first->second;
}

void LaunchSync::Contribute(Scope& sc, int part, uint16_t flag, Signal s, const CoreState& c) {
    auto& contrib = sc.contrib[flag];
    const size_t slot = size_t(std::find(sc.parts.begin(), sc.parts.end(), part) - sc.parts.begin());
    contrib[slot].push_back(std::move(s));
    for (const auto& q : contrib)
        if (q.empty()) return;
    Signal round;  // every participant has set the flag: a round completes
    for (auto& q : contrib) {
        const Signal& one = q.front();
        round.time = std::max(round.time, one.time);
        if (round.clock.empty()) round.clock = one.clock;
        for (size_t i = 0; i < one.clock.size(); ++i) round.clock[i] = std::max(round.clock[i], one.clock[i]);
        q.pop_front();
    }
    for (int r : sc.recv) {
        if (cores_[r].pending.empty()) cores_[r].pending.resize(16);
        auto& counter = cores_[r].pending[flag];
        if (counter.size() >= 15) {
            aborted_ = true;
            Wake();
            Fail("CrossCoreSetFlag(" + std::to_string(flag) + ") by " + CoreName(c) + " would raise the flag's counter on " +
                 NameOf(r) +
                 " past 15 (15 sets that no CrossCoreWaitFlag consumed); the NPU reports an error and stops the kernel");
        }
        counter.push_back(round);
    }
    Wake();
}

}  // namespace xcore
}  // namespace rt
}  // namespace opkit

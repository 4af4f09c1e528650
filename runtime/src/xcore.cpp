// opkit: the cores of a launch and how they meet (xcore.h).
//
// Note [Cross-core execution]: a launch hands its simulated cores to a few host workers (the pool,
// one per host thread) that run one core after another, which is fastest when cores never wait for
// each other. A core that waits (CrossCoreWaitFlag, SyncAll, RunOnCube, ServeCube) blocks its
// worker; when every worker is blocked and cores are still unstarted, the launch starts a helper
// worker (a new host thread with its own arenas), so every core that a waiting core depends on
// eventually runs: the cores of a synchronising launch really run concurrently, and launches that
// never wait pay a few atomic operations per core (no lock). A wait that can never be satisfied (every
// started core is waiting and none is left to start) is a deadlock: the launch ends with an error
// naming each waiting core, what it waits for and its kernel line, instead of hanging.
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
#include <cstring>
#include <sstream>

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

// Vector clocks cost cores^2 words; launches with more cores cannot synchronise anyway (they exceed
// the SoC's resident cores), so their GM accesses are not ordered-checked.
constexpr uint32_t kMaxClockedCores = 512;

LaunchSync::LaunchSync(const Shape& shape, const SocInfo& soc, sim::LaunchModel* model, int workers,
                       const std::vector<GmRegion>* gm)
    : shape_(shape), soc_(soc), model_(model), cores_(shape.total), running_(workers), target_(workers), gm_(gm) {
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

LaunchSync::~LaunchSync() { JoinHelpers(); }

bool LaunchSync::Next(uint32_t& id) {
    if (aborted_.load()) return false;
    // live first: once next_ reaches the end, every core taken is counted live (Deadlocked relies on it)
    live_.fetch_add(1);
    id = next_.fetch_add(1);
    if (id < shape_.total) return true;
    live_.fetch_sub(1);
    return false;
}

std::string LaunchSync::NameOf(int id) const {
    CoreState c;
    Place(shape_, uint32_t(id), c);
    c.sync = const_cast<LaunchSync*>(this);
    return CoreName(c);
}

void LaunchSync::Finished(const CoreState& c) {
    cores_[c.blockIdx].finished.store(true);
    if (shape_.ratio > 0 || synced_.load()) {
        std::lock_guard<std::mutex> lock(mu_);
        if (shape_.ratio > 0 && c.kind == CoreKind::AIV) ++groups_[c.group].aivsDone;
        live_.fetch_sub(1);
        Wake();
        return;
    }
    live_.fetch_sub(1);
    // A core that starts waiting sets synced_ before it reads live_, so it sees this core gone.
    if (synced_.load()) {
        std::lock_guard<std::mutex> lock(mu_);
        Wake();
    }
}

void LaunchSync::WorkerExit() {
    running_.fetch_sub(1);
    if (synced_.load()) {
        std::lock_guard<std::mutex> lock(mu_);
        Wake();
    }
}

void LaunchSync::Abort() {
    std::lock_guard<std::mutex> lock(mu_);
    aborted_ = true;
    Wake();
}

// Note [Waking only the ready]: each waiting core sleeps on its own condition variable, and a change
// of the launch's state wakes just the cores whose condition now holds (their predicates are read
// under mu_, as the waiters read them), every core once the launch aborts, and one core to report a
// deadlock. One shared condition variable woke all of them on every change: at 60 cores (a MIX
// launch on 910B) that was thousands of futex wake-ups per launch and most of its host time.
void LaunchSync::Wake() {
    bool deadlock = !aborted_ && blocked_ > 0 && Deadlocked();  // one waiter finds it in its loop and reports it
    for (PerCore& pc : cores_) {
        if (!pc.blocked) continue;
        if (aborted_ || deadlock || (pc.ready != nullptr && (*pc.ready)())) {
            pc.cv.notify_one();
            deadlock = false;
        }
    }
    cv_.notify_all();  // RunOnCube's wait for a request the AIC has taken (no waiter: no system call)
}

// Note [Parked helper threads]: a synchronising launch needs about one helper worker per waiting
// core (60 on a 910B MIX launch), and creating that many threads per launch cost milliseconds. Helper
// threads are kept parked after their job and reused by later launches. Every job gets a thread at
// once (a parked one or a new one): a job that waited for a free thread could be the very core the
// others wait for.
namespace {
class HelperThreads {
public:
    static HelperThreads& Get() {
        static std::once_flag once;
        std::call_once(once, [] {
            pool_ = new HelperThreads;  // never destroyed: parked threads outlive statics
            // A forked child (crash isolation) has none of the parked threads, but idle_ still counts
            // them: a job handed to one would never run and the launch would wait forever. The child
            // starts a fresh pool (the old one, and any lock a parent thread held in it, is left alone).
            pthread_atfork(nullptr, nullptr, [] { pool_ = new HelperThreads; });
        });
        return *pool_;
    }
    void Run(std::function<void()> job) {
        std::lock_guard<std::mutex> lock(mu_);
        jobs_.push_back(std::move(job));
        if (idle_ > 0) {
            --idle_;  // that parked thread is now spoken for (it may undercount, never overcount)
            cv_.notify_one();
        } else {
            std::thread([this] { Loop(); }).detach();
        }
    }

private:
    void Loop() {
        std::unique_lock<std::mutex> lock(mu_);
        for (;;) {
            if (jobs_.empty()) {
                ++idle_;
                cv_.wait(lock, [&] { return !jobs_.empty(); });
            }
            std::function<void()> job = std::move(jobs_.front());
            jobs_.pop_front();
            lock.unlock();
            job();
            job = nullptr;  // the launch's state it holds goes before the thread parks
            lock.lock();
        }
    }
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    int idle_ = 0;
    static HelperThreads* pool_;
};
HelperThreads* HelperThreads::pool_ = nullptr;
}  // namespace

void LaunchSync::StartHelper() {
    auto done = helpersDone_;
    {
        std::lock_guard<std::mutex> lock(done->mu);
        ++done->running;
    }
    HelperThreads::Get().Run([body = helperBody_, done] {
        body();
        std::lock_guard<std::mutex> lock(done->mu);
        if (--done->running == 0) done->cv.notify_all();
    });
}

void LaunchSync::JoinHelpers() {
    auto done = helpersDone_;
    std::unique_lock<std::mutex> lock(done->mu);
    done->cv.wait(lock, [&] { return done->running == 0; });
}

// Every started core waits, none is left to start, and no waiter has been released but not yet woken.
bool LaunchSync::Deadlocked() const {
    if (next_ < shape_.total || live_ == 0 || blocked_ != live_) return false;
    for (const PerCore& pc : cores_)
        if (pc.blocked && pc.ready != nullptr && (*pc.ready)()) return false;
    return true;
}

void LaunchSync::WaitFor(std::unique_lock<std::mutex>& lk, CoreState& c, const std::function<bool()>& ready,
                         std::string what) {
    if (ready()) return;
    synced_.store(true);
    PerCore& pc = cores_[c.blockIdx];
    pc.blocked = true;
    pc.ready = &ready;
    pc.waitWhat = std::move(what);
    pc.nframes = backtrace(pc.frames, 24);
    ++blocked_;
    --running_;
    if (running_ < target_ && next_ < shape_.total && helperBody_ && !aborted_) {
        ++running_;  // counted now, so no second helper starts for the same gap
        StartHelper();
    }
    auto leave = [&] {
        pc.blocked = false;
        pc.ready = nullptr;
        --blocked_;
        ++running_;
    };
    while (!ready()) {
        if (aborted_) {
            leave();
            throw Aborted();
        }
        if (Deadlocked()) {
            std::vector<std::pair<int, std::string>> sites;
            std::string report = DeadlockReport(sites);
            aborted_ = true;
            Wake();
            leave();
            if (model_ != nullptr)
                for (const auto& s : sites) model_->AddFindingAt(s.first, "deadlock", report, s.second);
            throw Deadlock(report);
        }
        pc.cv.wait(lk);
    }
    leave();
}

std::string LaunchSync::DeadlockReport(std::vector<std::pair<int, std::string>>& sites) {
    std::ostringstream o;
    o << "deadlock: every running core waits and no core is left to wake it; on the NPU the kernel would hang";
    for (size_t id = 0; id < cores_.size(); ++id) {
        const PerCore& pc = cores_[id];
        if (!pc.blocked) continue;
        std::string site;
        for (int i = 0; i < pc.nframes && site.empty(); ++i) site = sim::KernelSite(pc.frames[i]);
        sites.push_back({int(id), site});
        o << "; " << NameOf(int(id)) << " waits " << pc.waitWhat << (site.empty() ? "" : " at " + site);
    }
    std::string finished;
    int count = 0;
    for (size_t id = 0; id < cores_.size(); ++id)
        if (cores_[id].finished.load() && ++count <= 8) finished += (finished.empty() ? "" : ", ") + NameOf(int(id));
    if (count > 8) finished += " and " + std::to_string(count - 8) + " more";
    if (count > 0) o << "; finished without releasing them: " << finished;
    return o.str();
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

// opkit: cross-core flags, SyncAll, RunOnCube/ServeCube and the GM happens-before check
// (Note [Cross-core flags] and Note [Cross-core execution] in xcore.cpp).
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "sim.h"
#include "xcore.h"

namespace opkit {
namespace rt {
namespace xcore {

namespace {
std::string Hex(const void* p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%p", p);
    return buf;
}
const char* kMixHint = "launch it as a MIX kernel: KERNEL_TASK_TYPE_DEFAULT(KERNEL_TYPE_MIX_AIC_1_2) in the kernel, or "
                       "SetKernelMode(KernelMode::MIX_MODE) before ICPU_RUN_KF";
}  // namespace

void LaunchSync::RequireMix(const CoreState& c, const char* what) const {
    if (shape_.ratio == 0)
        Fail(std::string(what) + " synchronises a cube core with its vector cores, but " + CoreName(c) +
             " runs in a launch without them (not MIX); " + kMixHint);
}

// SyncAll.md: numBlocks must not exceed the cores that run the kernel, or the NPU runs it in waves
// and the cores of the first wave wait forever for the later ones.
void LaunchSync::CheckResident(const CoreState& c, const char* what) const {
    const bool aic = c.kind == CoreKind::AIC;
    const int have = shape_.ratio > 0 || aic ? soc_.aicCores : soc_.aivCores;
    if (shape_.blockDim > uint32_t(have))
        Fail(std::string(what) + " waits for all " + std::to_string(shape_.blockDim) + " blocks of the launch, but " +
             soc_.name + " runs at most " + std::to_string(have) + (shape_.ratio > 0 || aic ? " AI Cores" : " vector cores") +
             " at once: the NPU runs the rest in later waves and the first wave waits forever; launch at most " +
             std::to_string(have) + " blocks");
}

void LaunchSync::SetFlag(CoreState& c, int mode, int pipe, uint16_t flag) {
    if (!soc_.splitArch) Fail(std::string("CrossCoreSetFlag does not exist on ") + soc_.name + " (Atlas A2/A3 only)");
    if (flag > 15 && model_ != nullptr)
        model_->AddFinding(c.blockIdx, "crosscore-flag-id",
                           "CrossCoreSetFlag flag id " + std::to_string(flag) + " is outside 0..15; the NPU uses its low 4 bits (" +
                               std::to_string(flag & 15) + ")",
                           __builtin_return_address(0));
    flag &= 15;
    if (mode != 0) RequireMix(c, "CrossCoreSetFlag mode 1/2");
    if (mode == 1 && c.kind != CoreKind::AIV) Fail("CrossCoreSetFlag mode 1 synchronises the AIVs of an AI Core; " + CoreName(c) + " is its AIC");
    if (mode == 0) CheckResident(c, "CrossCoreSetFlag mode 0");
    LaunchLock lk(mu_);
    Signal s = Release(c, pipe);
    const int key = mode == 0 ? int(c.kind == CoreKind::AIC) : c.group;
    Contribute(ScopeFor(mode, key, mode == 2 && c.kind == CoreKind::AIV ? 1 : 0), c.blockIdx, flag, std::move(s), c);
}

void LaunchSync::WaitFlag(CoreState& c, int mode, uint16_t flag, const char* what) {
    if (!soc_.splitArch) Fail(std::string("CrossCoreWaitFlag does not exist on ") + soc_.name + " (Atlas A2/A3 only)");
    flag &= 15;
    if (mode != 0) RequireMix(c, "CrossCoreWaitFlag mode 1/2");
    LaunchLock lk(mu_);
    if (cores_[c.blockIdx].pending.empty()) cores_[c.blockIdx].pending.resize(16);
    auto& counter = cores_[c.blockIdx].pending[flag];
    WaitFor(lk, c, [&] { return !counter.empty(); },
            what != nullptr ? std::string(what)
                            : "in CrossCoreWaitFlag(flag " + std::to_string(flag) + ", mode " + std::to_string(mode) + ")");
    Signal s = std::move(counter.front());
    counter.pop_front();
    Acquire(c, s);
}

// The A2 implementation's composition (impl/basic_api/dav_c220 SyncAllImpl), flags 11..14.
void LaunchSync::HardSyncAll(CoreState& c, bool aivOnly) {
    if (!soc_.splitArch)
        Fail(std::string("SyncAll() (the hardware form) does not exist on ") + soc_.name +
             "; use the software form SyncAll(gmWorkspace, ubWorkspace)");
    CheckResident(c, "SyncAll");
    if (model_ != nullptr && c.model != nullptr) c.model->Barrier(sim::PIPE_COUNT);  // SyncAll starts with PipeBarrier<PIPE_ALL>
    if (aivOnly) {
        SetFlag(c, 0, PIPE_MTE3, 14);
        WaitFlag(c, 0, 14, "in SyncAll() (for every vector core of the launch to reach it)");
        return;
    }
    RequireMix(c, "SyncAll<false>");
    if (c.kind == CoreKind::AIC) {
        WaitFlag(c, 2, 12, "in SyncAll<false>() (for its AIVs to reach it)");
        SetFlag(c, 0, PIPE_FIX, 11);
        WaitFlag(c, 0, 11, "in SyncAll<false>() (for every AIC of the launch to reach it)");
        SetFlag(c, 2, PIPE_MTE3, 13);
    } else {
        SetFlag(c, 2, PIPE_MTE3, 12);
        WaitFlag(c, 2, 13, "in SyncAll<false>() (for its AIC, after every core reached it)");
    }
}

// SyncAll.md, the software form: each AIV adds 1 to its 32-byte slot of gmWorkspace and waits until
// every slot of the participating cores holds at least its own new value.
void LaunchSync::SoftSyncAll(CoreState& c, int32_t* gm, uint64_t gmBytes, int32_t* ub, uint64_t ubBytes,
                             int32_t usedCores, bool aivOnly) {
    if (c.kind == CoreKind::AIC) return;  // the AICs of a MIX launch take no part
    const int32_t all = aivOnly || shape_.ratio == 0 ? int32_t(shape_.blockDim) : int32_t(shape_.blockDim) * shape_.ratio;
    if (usedCores < 0 || usedCores > all)
        Fail("SyncAll(gmWorkspace, ubWorkspace, usedCores): usedCores " + std::to_string(usedCores) +
             " is outside 0.." + std::to_string(all) + " (the launch's vector cores)");
    const int32_t total = usedCores != 0 ? usedCores : all;
    const int32_t me = aivOnly ? c.group : c.logicalIdx;
    const uint64_t need = uint64_t(std::max(total, me + 1)) * 32;
    if (gm == nullptr) Fail("SyncAll: gmWorkspace has no buffer (call SetGlobalBuffer)");
    if (gmBytes != 0 && gmBytes < need)
        Fail("SyncAll: gmWorkspace holds " + std::to_string(gmBytes) + " bytes; it needs 32 bytes per core, " +
             std::to_string(need) + " (GetBlockNum() * 32), zero-initialised");
    if (ubBytes < need)
        Fail("SyncAll: ubWorkspace holds " + std::to_string(ubBytes) + " bytes; it needs 32 bytes per core, " + std::to_string(need));
    CheckGm(gm, need, "SyncAll(gmWorkspace)");
    if (model_ != nullptr && c.model != nullptr) {
        c.model->Barrier(sim::PIPE_COUNT);
        c.model->Copy(sim::MTE2, "SyncAll (read flag)", 32, true);
        c.model->Copy(sim::MTE3, "SyncAll (write flag)", 32, true);
    }
    LaunchLock lk(mu_);
    const int32_t mine = gm[me * 8] + 1;  // each slot is 8 int32 (32 bytes)
    gm[me * 8] = mine;
    ub[me * 8] = mine;
    cores_[c.blockIdx].softSync = Release(c, PIPE_MTE3);
    Wake();
    WaitFor(lk, c, [&] {
        for (int32_t i = 0; i < total; ++i)
            if (gm[i * 8] < mine) return false;
        return true;
    }, "in SyncAll(gmWorkspace, ubWorkspace) (for every core's slot; a workspace the host did not zero also ends here)");
    for (int32_t i = 0; i < total; ++i) std::memcpy(ub + i * 8, gm + i * 8, 32);
    if (model_ != nullptr)  // ordered after every core's latest write of its slot
        for (const PerCore& pc : cores_)
            if (!pc.softSync.clock.empty()) Acquire(c, pc.softSync);
}

// Note [IBSet and IBWait]: (IBSet.md, IBWait.md; CANN's impl/basic_api/kernel_operator_block_sync_intf_impl.h
// for the slot address)
//   - The flag of (blockIdx, eventID) is the first int32 of a 32-byte slot at int32 offset
//     (cores * eventID + blockIdx) * 8 of gmWorkspace, where cores is GetBlockNum(), or twice that
//     for isAIVOnly = false on a split SoC. The host zeroes the workspace.
//   - IBSet waits until the flag is 0, then writes 1; IBWait waits until it is 1, then writes 0.
//     Each does a pipe_barrier(PIPE_ALL) before and after, reads the slot through ubWorkspace (MTE2)
//     and writes it back from there (MTE3); the model charges one read and one write.
//   - The NPU spins on the GM slot. Here a waiting core parks (Note [Cores on fibers]) until the
//     flag has the value it waits for, so a set that never comes is a deadlock report naming the
//     waiting cores and their kernel lines, in both modes, not a hang. Under npu_simulator the core
//     that leaves a wait is ordered after the last core that wrote the slot, so GM handed over this
//     way is not an unsynchronised read.
//   - On a split SoC the AICs return at once (as CANN's implementation does). Like SyncAll, both
//     need every block resident at once.
void LaunchSync::IBSync(CoreState& c, int32_t* gm, uint64_t gmBytes, int32_t* ub, uint64_t ubBytes, int32_t blockIdx,
                        int32_t eventID, bool aivOnly, bool set) {
    const std::string op = set ? "IBSet" : "IBWait";
    if (soc_.splitArch && c.kind == CoreKind::AIC) return;
    const int32_t vectorCores = int32_t(shape_.blockDim) * (shape_.ratio > 0 ? shape_.ratio : 1);
    const int32_t cores = int32_t(shape_.blockDim) * (soc_.splitArch && !aivOnly ? 2 : 1);
    const std::string call = op + "(gmWorkspace, ubWorkspace, blockIdx " + std::to_string(blockIdx) + ", eventID " +
                             std::to_string(eventID) + ")";
    if (blockIdx < 0 || blockIdx >= vectorCores)
        Fail(call + ": blockIdx is outside 0.." + std::to_string(vectorCores - 1) + " (the launch's cores)");
    if (eventID < 0) Fail(call + ": eventID must not be negative");
    if (gm == nullptr) Fail(call + ": gmWorkspace has no buffer (call SetGlobalBuffer)");
    const uint64_t at = (uint64_t(cores) * uint64_t(eventID) + uint64_t(blockIdx)) * 8;  // in int32
    if (gmBytes != 0 && (at + 8) * 4 > gmBytes)
        Fail(call + ": gmWorkspace holds " + std::to_string(gmBytes) + " bytes, but this flag's slot is bytes " +
             std::to_string(at * 4) + ".." + std::to_string(at * 4 + 32) + "; it needs " + std::to_string(cores) +
             " cores x 32 bytes per eventID up to the largest one, zero-initialised");
    if (ubBytes < 32) Fail(call + ": ubWorkspace holds " + std::to_string(ubBytes) + " bytes; it needs 32");
    int32_t* slot = gm + at;
    CheckGm(slot, 32, (op + "(gmWorkspace)").c_str());
    CheckResident(c, op.c_str());
    if (model_ != nullptr && c.model != nullptr) {
        c.model->Barrier(sim::PIPE_COUNT);
        c.model->Copy(sim::MTE2, set ? "IBSet (read flag)" : "IBWait (read flag)", 32, true);
        c.model->Copy(sim::MTE3, set ? "IBSet (write flag)" : "IBWait (write flag)", 32, true);
    }
    LaunchLock lk(mu_);
    const int32_t want = set ? 0 : 1;
    WaitFor(lk, c, [&] { return *slot == want; },
            "in " + call + (set ? " (for the flag to be 0 again: the previous IBSet of this slot was not yet waited for, "
                                  "or the host did not zero gmWorkspace)"
                                : " (for core " + std::to_string(blockIdx) + "'s IBSet with eventID " +
                                      std::to_string(eventID) + ")"));
    auto it = ibSignals_.find(slot);
    if (it != ibSignals_.end()) Acquire(c, it->second);
    *slot = set ? 1 : 0;
    std::memcpy(ub, slot, 32);
    ibSignals_[slot] = Release(c, PIPE_MTE3);
    Wake();
    if (model_ != nullptr && c.model != nullptr) c.model->Barrier(sim::PIPE_COUNT);
}

void LaunchSync::RunOnCube(CoreState& c, const std::function<void()>& fn) {
    if (shape_.ratio == 0 || c.kind == CoreKind::AIC) {
        fn();
        return;
    }
    Group& g = groups_[c.group];
    Request req;
    req.fn = &fn;
    LaunchLock lk(mu_);
    req.signal = Release(c, PIPE_S);
    g.requests.push_back(&req);
    Wake();
    const std::function<bool()> done = [&] { return req.done; };
    std::exception_ptr failed;
    try {
        WaitFor(lk, c, done, "in RunOnCube (for block " + std::to_string(c.group) + "'s AIC)");
    } catch (...) {
        failed = std::current_exception();  // handled outside the handler: a fiber must not park inside one
    }
    if (failed) {
        // The launch failed elsewhere: take the request back unless the AIC already runs it, which
        // reads this core's stack, so then wait for it to end (a request does not wait for cores).
        auto it = std::find(g.requests.begin(), g.requests.end(), &req);
        if (it != g.requests.end()) g.requests.erase(it);
        else WaitFor(lk, c, done, "for its RunOnCube request to end after the launch failed", true);
        std::rethrow_exception(failed);
    }
    Acquire(c, req.signal);
    lk.unlock();
    if (req.error) std::rethrow_exception(req.error);
}

void LaunchSync::ServeCube(CoreState& c, bool afterBody) {
    if (shape_.ratio == 0) return;  // nothing to serve: no vector core shares this AI Core
    if (c.kind != CoreKind::AIC) Fail("ServeCube is called on the cube core; " + CoreName(c) + " is a vector core");
    Group& g = groups_[c.group];
    LaunchLock lk(mu_);
    for (;;) {
        WaitFor(lk, c, [&] { return !g.requests.empty() || g.aivsDone == int(g.aivs.size()); },
                afterBody ? "after its kernel body returned (an AIC serves RunOnCube until its AIVs end)"
                          : "in ServeCube (for requests from its AIVs)");
        if (g.requests.empty()) return;
        if (aborted_) throw Aborted();  // the waiting AIVs take their requests back
        Request* r = g.requests.front();
        g.requests.erase(g.requests.begin());
        Acquire(c, r->signal);
        lk.unlock();
        try {
            (*r->fn)();
        } catch (...) {
            r->error = std::current_exception();
        }
        lk.lock();
        r->signal = Release(c, PIPE_ALL);  // after all of the request's work
        r->done = true;
        Wake();
    }
}

// Note [Cross-core GM order]: in npu_simulator mode each core's GM reads and writes are recorded with
// its epoch (its own vector-clock entry, advanced by every signal it sends). Core r is ordered after
// an access of core w in epoch e once r's clock holds w >= e: a chain of flags, SyncAll or RunOnCube
// leads from the access to r. A write that a reader is not ordered after (read-after-write), or a
// write after another core's read that the writer is not ordered after (write-after-read), is a race
// on the NPU whichever order the CPU threads happened to run in; each is found from either side.
const std::pair<const uint8_t* const, LaunchSync::GmWriteRec>* LaunchSync::Unordered(
    const std::map<const uint8_t*, GmWriteRec>& recs, uint64_t longest, int c, const uint8_t* addr, uint64_t bytes) const {
    if (recs.empty()) return nullptr;
    const uintptr_t lo = reinterpret_cast<uintptr_t>(addr), hi = lo + bytes;
    auto it = recs.lower_bound(lo > longest ? addr - longest : nullptr);
    const auto& mine = cores_[c].clock;
    for (; it != recs.end() && reinterpret_cast<uintptr_t>(it->first) < hi; ++it) {
        const GmWriteRec& w = it->second;
        if (w.end > lo && w.core != c && mine[w.core] < w.epoch) return &*it;
    }
    return nullptr;
}

void LaunchSync::ReportRace(int core, const void* ret, const char* mine, const uint8_t* addr, int other,
                            const char* theirs, const void* otherRet) {
    auto name = [&](int id) { return NameOf(id); };
    std::string where = "GM at " + std::to_string(reinterpret_cast<uintptr_t>(addr));
    if (gm_ != nullptr)
        for (const GmRegion& r : *gm_)
            if (addr >= r.base && addr < r.base + r.bytes) where = "bytes at offset " + std::to_string(addr - r.base) + " of " + r.name;
    const std::string otherSite = sim::KernelSite(otherRet);
    model_->AddFinding(core, "unsynced-gm-access",
                       name(core) + " " + mine + " " + where + " that " + name(other) + " " + theirs +
                           (otherSite.empty() ? "" : " at " + otherSite) +
                           " with no CrossCoreSetFlag/WaitFlag, SyncAll or RunOnCube ordering the two; on the NPU the "
                           "cores run concurrently and the read can see the data before or after the write",
                       ret);
}

void LaunchSync::GmWrite(int core, const uint8_t* addr, uint64_t bytes, const void* ret) {
    if (model_ == nullptr || shape_.total < 2 || bytes == 0 || cores_[core].clock.empty()) return;
    std::pair<const uint8_t*, GmWriteRec> race{nullptr, {}}, clash{nullptr, {}};
    {
        std::lock_guard<std::mutex> lock(gmMu_);
        if (auto* r = Unordered(gmReads_, gmLongestRead_, core, addr, bytes)) race = *r;
        if (auto* w = Unordered(gmWrites_, gmLongestWrite_, core, addr, bytes)) clash = *w;
        gmWrites_[addr] = {uint64_t(reinterpret_cast<uintptr_t>(addr)) + bytes, core, cores_[core].clock[core], ret};
        gmLongestWrite_ = std::max(gmLongestWrite_, bytes);
    }
    if (race.first != nullptr) ReportRace(core, ret, "writes", race.first, race.second.core, "read", race.second.ret);
    if (clash.first != nullptr) {  // Note [Overlapping GM writes] (sim.cpp)
        const uint8_t* from = std::max(addr, clash.first);
        const uint64_t end = std::min<uint64_t>(reinterpret_cast<uintptr_t>(addr) + bytes, clash.second.end);
        // Named after the write that starts higher (then the higher core), whichever ran first here:
        // the host's order of the two is not the NPU's, and a report must not change from run to run.
        const bool theirs = clash.first > addr || (clash.first == addr && clash.second.core > core);
        const int at = theirs ? clash.second.core : core, other = theirs ? core : clash.second.core;
        const std::string otherSite = sim::KernelSite(theirs ? ret : clash.second.ret);
        model_->AddFinding(at, "gm-overlap",
                           "cores " + std::to_string(std::min(at, other)) + " and " + std::to_string(std::max(at, other)) +
                               " both write the GM bytes at " + Hex(from) + " (" +
                               std::to_string(end - reinterpret_cast<uintptr_t>(from)) + " bytes) in one launch" +
                               (otherSite.empty() ? "" : " (core " + std::to_string(other) + " at " + otherSite + ")") +
                               ", with no CrossCoreSetFlag/WaitFlag, SyncAll, IBSet/IBWait or RunOnCube ordering the two "
                               "writes; on the NPU the result depends on which core writes last",
                           theirs ? clash.second.ret : ret, false);
    }
}

void LaunchSync::GmRead(const CoreState& c, const uint8_t* addr, uint64_t bytes, const void* ret) {
    if (model_ == nullptr || shape_.total < 2 || bytes == 0 || cores_[c.blockIdx].clock.empty()) return;
    std::pair<const uint8_t*, GmWriteRec> race{nullptr, {}};
    {
        std::lock_guard<std::mutex> lock(gmMu_);
        if (auto* r = Unordered(gmWrites_, gmLongestWrite_, c.blockIdx, addr, bytes)) race = *r;
        auto& rec = gmReads_[addr];
        rec = {uint64_t(reinterpret_cast<uintptr_t>(addr)) + bytes, c.blockIdx, cores_[c.blockIdx].clock[c.blockIdx], ret};
        gmLongestRead_ = std::max(gmLongestRead_, bytes);
    }
    if (race.first != nullptr) ReportRace(c.blockIdx, ret, "reads", race.first, race.second.core, "wrote", race.second.ret);
}

}  // namespace xcore
}  // namespace rt
}  // namespace opkit

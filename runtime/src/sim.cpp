// opkit: the npu_simulator model (Note [Online pipe model] in sim.h), its parameters and reports.
#include "sim.h"

#include <dlfcn.h>
#include <execinfo.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <unordered_map>

namespace opkit {
namespace sim {

const char* PipeName(Pipe p) {
    static const char* names[] = {"S", "V", "M", "MTE1", "MTE2", "MTE3", "FIX"};
    return p < PIPE_COUNT ? names[p] : "?";
}

// Note [Model parameters]: no Ascend hardware was available, so no value below is calibrated
// against a measurement. Each says where it comes from:
//   clock            the SoC table (CANN platform_config .ini figures, runtime/src/soc.cpp)
//   gm per core      `ddr_rate=32` of the 910B .ini, read as bytes/cycle/core (unit unconfirmed)
//   gm peak          Huawei's 1.6-1.8 TB/s for 910B-class HBM: the lower figure; 910A 1.2 TB/s and
//                    310P3 204.8 GB/s are third-party figures
//   l2               910B: `l2_size=201326592` (192 MiB), `l2_read_rate=110` and `l2_write_rate=86` (bytes/cycle/core) of
//                    CANN's Ascend910B1.ini [AICoreMemoryRates], as a third-party write-up quotes the file
//                    (no CANN install here to read it); 910A/310P: no L2 modelled (no figures found)
//   vector           256 bytes per cycle per AIV (one repeat per cycle for simple ops)
//   latencies/issue  assumptions of plausible size, to be calibrated when a board or camodel is at hand
Params ParamsFor(const rt::SocInfo& soc) {
    //                      clk  gm/core gm peak  l2 rd/core l2 wr/core l2 size | mteLat mteIss ubCopy vecIss vecLat sIss sAcc sGm | L0A  L0B  mte1 mmad cubeLat fix fixIss
    static const Params b910 = {0, 32.0, 1.6e12, 110.0, 86.0, 201326592.0, 400, 30, 128, 8, 16, 2, 10, 100, 256, 128, 20, 60, 20, 64, 30};
    static const Params a910 = {0, 32.0, 1.2e12, 0.0, 0.0, 0.0, 400, 30, 128, 8, 16, 2, 10, 100, 256, 128, 20, 60, 20, 64, 30};
    static const Params p310 = {0, 16.0, 204.8e9, 0.0, 0.0, 0.0, 400, 30, 128, 8, 16, 2, 10, 100, 256, 128, 20, 60, 20, 64, 30};
    Params p = soc.arch == 2201 ? b910 : (soc.arch == 1001 ? a910 : p310);
    p.clockGhz = soc.clockGhz;
    return p;
}

// Note [Cube model parameters]: the cube-side figures and where each comes from.
//   Mmad        asc-devkit docs/zh/api/附录/Cube指令理论性能汇总.md (arch 2201): cycles =
//               dt + ceil(m/16)*16 * ceil(n/16)*16 * ceil(k/k0)*k0 / (cube_m*cube_n*cube_k), with
//               (cube_m, cube_n, cube_k, k0) = (16,16,16,16) for half and bfloat16, (16,16,32,32) for
//               int8, (16,16,4,8) for float: one 16x16x16 fp16 fractal MAC per cycle per cube core.
//               dt (mmadIssue = 60) is derived from the same docs' UnitFlag.md table, whose
//               "theoretical" Mmad cycles (4156 for 128x256x512, 2108 for 128x128x512 half) exceed the
//               fractal count by 60. 910A/310P: the same 16x16x16 fp16 cube is Huawei's public Da Vinci
//               description (third-party summaries); no table was found, so 2201's figures are used.
//   LoadData    same appendix, table 3: L1 -> L0A 256 B/cycle, L1 -> L0B 128 B/cycle (arch 2201);
//               reused for 910A/310P (assumption). mte1Issue = 20 is an assumption (the docs give a
//               per-instruction overhead "dT" without a figure).
//   Fixpipe     the appendix lists L0C -> L1 at 64 elements/cycle for fp32 -> fp16 (128 B/cycle) and,
//               for arch 3510, 32 elements/cycle for fp32 output; L0C -> GM on 2201 has no figure, so
//               64 elements/cycle for 16-bit and 32 for 32-bit outputs is an assumption, and the
//               write also takes its time on the core's GM port like an MTE3 copy.
//   cubeLatency, fixIssue: assumptions of plausible size, like the vector latencies.
double MmadCycles(const Params& p, DType in, uint32_t m, uint32_t n, uint32_t k, bool kAlign16) {
    double cubeK = 16, k0 = 16;
    switch (in) {
        case DType::I8: case DType::U8: cubeK = 32; k0 = 32; break;
        case DType::F32: case DType::I32: case DType::U32: cubeK = 4; k0 = kAlign16 ? 16 : 8; break;
        default: break;
    }
    const double mb = std::ceil(m / 16.0), nb = std::ceil(n / 16.0), kc = std::ceil(k / k0) * k0;
    return p.mmadIssue + mb * nb * kc / cubeK;
}

// Cycles per 256-byte repeat (assumed: simple ops one repeat per cycle; division, transcendental and
// conversion ops several; see Note [Model parameters]).
double VectorCyclesPerRepeat(const char* op) {
    static const std::unordered_map<std::string, double> table = {
        {"Div", 4}, {"Exp", 4}, {"Ln", 4}, {"Sqrt", 4}, {"Rsqrt", 4}, {"Reciprocal", 2}, {"Cast", 2},
        {"ReduceSum", 2}, {"ReduceMax", 2}, {"ReduceMin", 2}, {"Select", 2}, {"Compare", 1},
        // From asc-devkit docs/zh/api/附录/Vector指令理论性能汇总.md (arch 2201): GatherMask 64
        // (16-bit) / 32 (32-bit) elements per cycle = 2 cycles per repeat; Sort32 and MrgSort 2
        // elements per cycle = 16 cycles per 32 records (their model unit).
        {"GatherMask", 2}, {"Sort32", 16}, {"MrgSort", 16},
        // Arch 1001/2002 proposals (no published figure; Note [Region proposals], vec_sort.cpp).
        {"RpSort16", 8}, {"MrgSort4", 16},
    };
    auto it = table.find(op);
    return it == table.end() ? 1.0 : it->second;
}

CoreModel::CoreModel(int core, const Params& p, double gmBytesPerCycle, bool trace)
    : core_(core), p_(p), gmRate_(gmBytesPerCycle), trace_(trace) {}

double CoreModel::Run(Pipe pipe, const char* name, double occupancy, double latency, uint64_t bytes) {
    double start = std::max({free_[pipe], wait_[pipe], issue_});
    double end = start + occupancy;
    free_[pipe] = end;
    done_[pipe] = std::max(done_[pipe], end + latency);
    busy_[pipe] += occupancy;
    issue_ += p_.scalarIssue;
    busy_[S] += p_.scalarIssue;
    if (trace_)
        events.push_back({static_cast<uint16_t>(core_), static_cast<uint8_t>(pipe), name, start, end, bytes});
    return end;
}

void CoreModel::Copy(Pipe pipe, const char* name, uint64_t bytes, bool touchesGm, uint64_t hbmBytes) {
    Tick();
    if (!touchesGm) {
        Run(pipe, name, p_.vecIssue + double(bytes) / p_.ubCopyBytesPerCycle, p_.vecLatency, bytes);
        return;
    }
    // The core's share of GM bandwidth is one port that MTE2 and MTE3 transfers take turns on.
    // A transfer takes the first gap on the port that is long enough, at or after the moment its
    // pipe could start it, so a copy issued later but ready earlier (the next tile's load, with
    // double buffering) fills the port while an earlier-issued one still waits for its data.
    // Note [L2 model]: the bytes the L2 serves move at its rate, the rest at the core's HBM share.
    const uint64_t hbm = hbmBytes == UINT64_MAX ? bytes : hbmBytes;  // whole lines: may exceed `bytes`
    const double l2 = p_.l2ReadBytesPerCycleCore > 0 && bytes > hbm ? double(bytes - hbm) / p_.l2ReadBytesPerCycleCore : 0;
    const bool write = pipe != MTE2;
    const double duration =
        write && p_.l2WriteBytesPerCycleCore > 0
            ? p_.mteIssue + double(bytes) / p_.l2WriteBytesPerCycleCore
            : p_.mteIssue + double(p_.l2ReadBytesPerCycleCore > 0 ? hbm : bytes) / gmRate_ + l2;
    const double ready = std::max({free_[pipe], wait_[pipe], issue_});
    const double start = ReservePort(ready, duration);
    wait_[pipe] = std::max(wait_[pipe], start);
    Run(pipe, name, duration, p_.mteLatency, bytes);
    if (pipe == MTE2) gmRead_ += bytes, hbmRead_ += p_.l2ReadBytesPerCycleCore > 0 ? hbm : bytes;
    else gmWritten_ += bytes;
}

double CoreModel::ReservePort(double ready, double duration) {
    // Forget intervals no future transfer can start before (every GM pipe is past them; no pipe
    // starts an instruction before the scalar unit has issued it).
    double horizon = HUGE_VAL;
    for (Pipe p : {MTE2, MTE3, FIX}) horizon = std::min(horizon, std::max(free_[p], issue_));
    size_t keep = 0;
    while (keep < port_.size() && port_[keep].second <= horizon) ++keep;
    if (keep > 64) port_.erase(port_.begin(), port_.begin() + long(keep));
    double start = ready;
    size_t i = 0;
    while (i < port_.size() && port_[i].second <= start) ++i;
    for (; i < port_.size(); ++i) {
        if (start + duration <= port_[i].first) break;  // fits in the gap before interval i
        start = std::max(start, port_[i].second);
    }
    port_.insert(port_.begin() + long(i), {start, start + duration});
    return start;
}

void CoreModel::Vector(const char* name, uint64_t repeats) {
    Tick();
    Run(V, name, p_.vecIssue + double(repeats) * VectorCyclesPerRepeat(name), p_.vecLatency, repeats * 256);
}

void CoreModel::Load(const char* name, uint64_t bytes, double bytesPerCycle) {
    Tick();
    Run(MTE1, name, p_.mte1Issue + double(bytes) / bytesPerCycle, p_.vecLatency, bytes);
}

// Note [UnitFlag] timing: M and FIX hand 512-byte L0C units to each other one at a time, in the same
// order (UnitFlag.md, figure 1), so the follower may start one unit after the leader starts and ends
// one unit after the leader ends: a Fixpipe trails the last Mmad of a block, and the next block's
// first Mmad trails that Fixpipe, where a flag between the pipes would wait for the whole instruction.
double CoreModel::TrailUnits(Pipe p, const UnitSpan& lead, const Units& units, double duration) {
    const double share = std::max(1.0, double(units.hi - units.lo) / 512.0);
    const double leadUnit = (lead.end - lead.start) / std::max(1.0, double(lead.hi - lead.lo) / 512.0);
    WaitOn(p, lead.start + leadUnit);
    const double start = std::max({free_[p], wait_[p], issue_});
    return std::max(duration, lead.end + duration / share - start);
}

void CoreModel::Mmad(const char* name, double cycles, double work, const Units* units) {
    Tick();
    cubeWork_ += work;
    if (units != nullptr && Overlap(unitRead_, *units)) cycles = TrailUnits(M, unitRead_, *units, cycles);
    const double start = std::max({free_[M], wait_[M], issue_});
    const double end = Run(M, name, cycles, p_.cubeLatency, 0);
    if (units != nullptr && units->flag == 3) unitWrite_ = {units->lo, units->hi, start, end};
}

void CoreModel::Fixpipe(const char* name, uint64_t elems, uint64_t bytes, bool toGm, const Units* units) {
    Tick();
    const double rate = elems > 0 && bytes / elems >= 4 ? p_.fixElemsPerCycle / 2 : p_.fixElemsPerCycle;
    double duration = p_.fixIssue + double(elems) / rate;
    // The result leaves through the core's GM port: no faster than an MTE3 copy of the same bytes.
    const double port = p_.l2WriteBytesPerCycleCore > 0 ? p_.l2WriteBytesPerCycleCore : gmRate_;  // Note [L2 model]
    if (toGm) duration = std::max(duration, p_.mteIssue + double(bytes) / port);
    if (units != nullptr && Overlap(unitWrite_, *units)) duration = TrailUnits(FIX, unitWrite_, *units, duration);
    double end;
    if (!toGm) {
        end = Run(FIX, name, duration, p_.vecLatency, bytes);
    } else {
        const double ready = std::max({free_[FIX], wait_[FIX], issue_});
        wait_[FIX] = std::max(wait_[FIX], ReservePort(ready, duration));
        end = Run(FIX, name, duration, p_.mteLatency, bytes);
        gmWritten_ += bytes;
    }
    if (units != nullptr && units->flag == 3) unitRead_ = {units->lo, units->hi, end - duration, end};
}

void CoreModel::Scalar(const char* name, double cycles) {
    if (trace_) events.push_back({static_cast<uint16_t>(core_), static_cast<uint8_t>(S), name, issue_, issue_ + cycles, 0});
    issue_ += cycles;
    busy_[S] += cycles;
}

void CoreModel::Barrier(Pipe p) {
    if (p == PIPE_COUNT) {  // PIPE_ALL
        double t = issue_;
        for (int i = 0; i < PIPE_COUNT; ++i) t = std::max(t, done_[i]);
        for (double& w : wait_) w = std::max(w, t);
        issue_ = t;
        for (auto& row : synced_)
            for (uint32_t& v : row) v = seq_;
        return;
    }
    WaitOn(p, done_[p]);
}

void CoreModel::SetFlag(int event, Pipe src, int id) { flags_[event * 16 + id] = {done_[src], seq_}; }

void CoreModel::WaitFlag(int event, Pipe dst, int id, Pipe src) {
    auto it = flags_.find(event * 16 + id);
    if (it != flags_.end()) {
        WaitOn(dst, it->second.first);
        Synced(src, dst, it->second.second);
        flags_.erase(it);  // a wait consumes the flag
    }
}

double CoreModel::Cycles() const {
    double t = issue_;
    for (int i = 0; i < PIPE_COUNT; ++i) t = std::max({t, free_[i], done_[i]});
    return t;
}

// ---- the launch ----------------------------------------------------------------------------------
LaunchModel::LaunchModel(const rt::SocInfo& s, uint32_t dim, bool trace, bool cubeCores, int ratio)
    : soc(s), blockDim(dim), params(ParamsFor(s)) {
    // A MIX launch occupies whole AI Cores (1 AIC + its AIVs), so its blocks are limited by the AIC count.
    physicalCores = std::max(1, s.splitArch && !cubeCores && ratio == 0 ? s.aivCores : s.aicCores);
    perBlock = uint32_t(1 + std::max(ratio, 0));
    cubeLaunch = cubeCores;
    // Every core has its own GM port. Note [GM share of a MIX launch]: the chip's peak is split over
    // the AI Cores in use, not over all 3 cores of each: in a MIX kernel the AIC and its AIVs mostly
    // stream in turn (one waits on the other's flag), so an equal three-way split would charge every
    // cube copy for idle vector cores (a Matmul-API kernel with idle AIVs ran ~2.7x slower than the same
    // kernel launched AIC-only). The chip's peak still bounds the launch: Summarise takes at least
    // gmBytes / peak. (An assumption, like the rest of Note [Model parameters].)
    const uint32_t active = std::min(dim, physicalCores) * (ratio > 0 && s.splitArch ? 1u : perBlock);
    const double share = params.gmPeakBytesPerSecond / (params.clockGhz * 1e9) / active;
    const double rate = std::min(params.gmBytesPerCycleCore, share);
    cores.reserve(size_t(dim) * perBlock);
    for (uint32_t i = 0; i < dim * perBlock; ++i) cores.emplace_back(int(i), params, rate, trace);
}

CoreModel* LaunchModel::Core(int core) { return &cores[core]; }

// Note [L2 model]: 910B's L2 cache (Note [Model parameters]) sits between GM (HBM) and the cores and is
// shared by all cores of a launch. The model keeps the set of 128-byte lines (an assumption) that the
// launch's copies read or wrote, up to the L2's size, the oldest leaving first (an assumption: the
// hardware's replacement policy is not documented); the L2 starts empty with each launch. A GM read
// costs its MTE2 pipe mteIssue + (bytes of the lines it missed, whole lines) / (HBM share) + (the
// other bytes) / l2_read_rate. So a
// tile that several cores read, or one core reads again (a matmul's A and B panels), comes from HBM
// once. Which core's read misses first is the one that reads first in the model's time: the host
// keeps the cores of a one-wave launch with cube cores in step (Note [Cores paced in simulated time],
// xcore.cpp), so cores that share a tile share its misses as on the NPU. Vector-only launches and
// launches of several waves are not paced: there the core the host runs first pays most of the
// shared misses (pessimistic). GM writes (MTE3, Fixpipe) land in the L2 at l2_write_rate;
// contiguous ones leave their lines there. HBM write-back is not modelled beyond the chip-peak bound
// of a MIX launch (Summarise).
namespace {
constexpr uintptr_t kL2Line = 128;
}
uint64_t LaunchModel::L2Touch(uintptr_t lo, uintptr_t hi) {
    uint64_t miss = 0;
    const size_t capacity = size_t(params.l2Bytes / kL2Line);
    for (uintptr_t line = lo / kL2Line; line * kL2Line < hi; ++line) {
        if (!l2Lines_.Insert(line)) continue;
        miss += kL2Line;  // the whole line comes from HBM
        l2Order_.push_back(line);
        while (l2Order_.size() > capacity) l2Lines_.Erase(l2Order_.front()), l2Order_.pop_front();
    }
    return miss;
}
uint64_t LaunchModel::L2Read(const uint8_t* addr, uint32_t rows, uint64_t rowBytes, uint64_t stride) {
    if (params.l2Bytes <= 0) return uint64_t(rows) * rowBytes;
    std::lock_guard<std::mutex> lock(l2Mu_);
    uint64_t miss = 0;
    const uintptr_t base = reinterpret_cast<uintptr_t>(addr);
    for (uint32_t r = 0; r < rows; ++r) miss += L2Touch(base + r * stride, base + r * stride + rowBytes);
    return miss;
}
void LaunchModel::L2Write(const uint8_t* addr, uint64_t bytes) {
    if (params.l2Bytes <= 0 || bytes == 0) return;
    std::lock_guard<std::mutex> lock(l2Mu_);
    L2Touch(reinterpret_cast<uintptr_t>(addr), reinterpret_cast<uintptr_t>(addr) + bytes);
}

std::string CurrentKernelSite() {
    // The offending call is the innermost frame outside opkit: walk the stack (kernels built at
    // -O0 call the API's header functions instead of inlining them).
    void* frames[24];
    int n = backtrace(frames, 24);
    std::string site;
    for (int i = 0; i < n && site.empty(); ++i) site = KernelSite(frames[i]);
    return site;
}

const void* KernelFrameOf(const void* ret) {
    if (ret == nullptr || !KernelSite(ret).empty()) return ret;
    void* frames[24];
    const int n = backtrace(frames, 24);
    for (int i = 0; i < n; ++i)
        if (!KernelSite(frames[i]).empty()) return frames[i];
    return ret;
}

void LaunchModel::AddFinding(int core, const std::string& kind, const std::string& message, const void* ret, bool walkStack) {
    std::string site;
    if (ret != nullptr) {
        if (walkStack) site = CurrentKernelSite();
        if (site.empty()) site = KernelSite(ret);
        if (site.empty()) site = SiteOf(ret);
    }
    AddFindingAt(core, kind, message, site);
}

void LaunchModel::AddFindingAt(int core, const std::string& kind, const std::string& message, const std::string& site) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& f : findings)  // one finding per kind and site: loops would repeat it
        if (f.kind == kind && f.site == site && (!site.empty() || f.message == message)) return;
    findings.push_back({kind, core, site, message});
}

void LaunchModel::RecordGmWrite(int core, const uint8_t* addr, uint64_t bytes, const void* ret) {
    ret = KernelFrameOf(ret);  // named after the launch (Finish), when the stack is gone
    if (gmWriteHook != nullptr) gmWriteHook(gmWriteCtx, core, addr, bytes, ret);
    std::lock_guard<std::mutex> lock(mu_);
    writes_.push_back({addr, bytes, core, ret});
}

// Note [Overlapping GM writes]: two cores writing the same GM bytes race unless something orders the
// writes (a flag, SyncAll, IBSet/IBWait, RunOnCube): the 2023 TopK sample hands each core's boundary
// tile to its neighbour and back this way. Where the launch keeps vector clocks (LaunchSync::GmWrite,
// xcore_sync.cpp) each write is checked against the earlier writes it is not ordered after, as it
// happens; launches too large for clocks get the order-blind check below, which reports any two
// cores writing the same bytes. Atomic writes are not recorded: they do not race. A strided write is
// recorded run by run (RecordGmRuns), so cores writing side-by-side column blocks of the same rows (a
// matmul's shares) are not taken for writers of the bytes in each other's gaps.
void LaunchModel::Finish() {
    if (writesOrdered) return;
    std::sort(writes_.begin(), writes_.end(),
              [](const Write& a, const Write& b) { return a.addr != b.addr ? a.addr < b.addr : a.core < b.core; });
    const Write* reach = nullptr;  // the write reaching furthest so far
    for (const Write& w : writes_) {
        if (reach != nullptr && w.addr < reach->addr + reach->bytes && w.core != reach->core) {
            std::ostringstream msg;
            msg << "cores " << reach->core << " and " << w.core << " both write the GM bytes at "
                << static_cast<const void*>(w.addr) << " (" << std::min<uint64_t>(reach->addr + reach->bytes - w.addr, w.bytes)
                << " bytes) in one launch; on the NPU the result depends on which core writes last";
            AddFinding(w.core, "gm-overlap", msg.str(), w.ret, false);
            if (findings.size() > 50) return;
        }
        if (reach == nullptr || w.addr + w.bytes > reach->addr + reach->bytes) reach = &w;
    }
}

Summary Summarise(LaunchModel& m, const std::string& kernel) {
    Summary s;
    s.kernel = kernel;
    s.soc = m.soc.name;
    s.model = "opkit AI Core model (not calibrated against hardware)";
    s.blockDim = m.blockDim;
    if (m.perBlock > 1) s.layout = "MIX: 1 AIC + " + std::to_string(m.perBlock - 1) + " AIV per block";
    const uint32_t physical = m.physicalCores;
    // Cores beyond the physical count run in later waves.
    double total = 0;
    const uint32_t per = m.perBlock;  // a block's cores (AIC + AIVs of a MIX launch) run together
    for (uint32_t wave = 0; wave * physical < m.blockDim; ++wave) {
        double longest = 0;
        for (uint32_t c = wave * physical * per; c < std::min(m.blockDim, (wave + 1) * physical) * per; ++c)
            longest = std::max(longest, m.cores[c].Cycles());
        total += longest;
    }
    // Note [GM share of a MIX launch]: never faster than the chip's peak allows; Note [L2 model]: the
    // same for every launch's HBM traffic, as writes into the L2 go faster than a core's HBM share.
    if (per > 1 || m.params.l2Bytes > 0) {
        uint64_t bytes = 0;
        for (const auto& c : m.cores) bytes += c.HbmRead() + c.GmWritten();  // Note [L2 model]: HBM traffic
        total = std::max(total, double(bytes) / (m.params.gmPeakBytesPerSecond / (m.params.clockGhz * 1e9)));
    }
    s.cycles = total;
    s.microseconds = total / (m.params.clockGhz * 1e3);
    const double lanes = double(std::min(m.blockDim, physical));
    double maxVector = 0, maxCube = 0, maxScalar = 0;
    for (const auto& c : m.cores) {
        for (int p = 0; p < PIPE_COUNT; ++p) s.pipeBusy[p] += c.Busy()[p];
        s.gmBytes += c.GmRead() + c.GmWritten();
        s.hbmBytes += c.HbmRead() + c.GmWritten();
        s.cubePeakShare += c.CubeWork();
        maxVector = std::max(maxVector, c.Busy()[V]);
        maxCube = std::max(maxCube, c.Busy()[M]);
        maxScalar = std::max(maxScalar, c.Busy()[S]);
    }
    // Utilisation of a pipe is over the cores that have it: in a MIX launch M/MTE1/FIX live on the
    // cube cores and V on the vector cores, MTE2/MTE3/S on both.
    const double blocks = double(std::min(m.blockDim, physical));
    for (int p = 0; p < PIPE_COUNT; ++p) {
        double have = lanes;
        if (per > 1) have = p == M || p == MTE1 || p == FIX ? blocks : (p == V ? blocks * (per - 1) : blocks * per);
        s.pipeUtilisation[p] = total > 0 ? s.pipeBusy[p] / (total * have) : 0;
    }
    const double cubeLanes = per > 1 || m.cubeLaunch || !m.soc.splitArch ? blocks : 0;
    s.cubePeakShare = total > 0 && cubeLanes > 0 ? s.cubePeakShare / (total * cubeLanes) : 0;
    s.peakBytesPerSecond = m.params.gmPeakBytesPerSecond;
    s.achievedBytesPerSecond = s.microseconds > 0 ? double(s.gmBytes) / (s.microseconds * 1e-6) : 0;
    // What bounds the kernel is judged against the bandwidth its active cores can draw (each core's GM
    // port, up to the chip's peak): one core that saturates its own port is memory-bound too.
    const double available =
        std::min(s.peakBytesPerSecond, lanes * per * m.params.gmBytesPerCycleCore * m.params.clockGhz * 1e9);
    // Note [L2 model]: reads the L2 serves do not take HBM bandwidth; they take the cores' L2 rate.
    const double seconds = s.microseconds * 1e-6;
    const double memoryShare = seconds > 0 ? double(s.hbmBytes) / seconds / available : 0;
    const double l2Rate = lanes * per * m.params.l2ReadBytesPerCycleCore * m.params.clockGhz * 1e9;
    const double l2Bytes = s.gmBytes > s.hbmBytes ? double(s.gmBytes - s.hbmBytes) : 0;
    const double l2Share = seconds > 0 && l2Rate > 0 ? l2Bytes / seconds / l2Rate : 0;
    const double cubeShare = maxCube / std::max(total, 1e-9);
    if (total <= 0) s.bound = "nothing ran";
    else if (memoryShare > 0.6 && memoryShare >= cubeShare) s.bound = "memory (GM bandwidth)";
    else if (l2Share > 0.6 && l2Share >= cubeShare) s.bound = "memory (L2 bandwidth)";
    else if (cubeShare > 0.6) s.bound = "cube";
    else if (maxVector / total > 0.6) s.bound = "vector";
    else s.bound = "scalar/latency (pipes wait on each other or on issue)";
    s.findings = m.findings;
    for (auto& c : m.cores) s.events.insert(s.events.end(), c.events.begin(), c.events.end());
    return s;
}

std::string Format(const Summary& s) {
    std::ostringstream o;
    char line[256];
    o << "npu_simulator: " << s.kernel << " on " << s.soc << ", blockDim " << s.blockDim
      << (s.layout.empty() ? "" : " (" + s.layout + ")") << " (" << s.model << ")\n";
    std::snprintf(line, sizeof line, "  time        %.0f cycles = %.2f us\n", s.cycles, s.microseconds);
    o << line;
    // The bandwidth is HBM's: the reads the L2 served (Note [L2 model]) are counted in the traffic only.
    const double hbmRate = s.gmBytes > 0 ? s.achievedBytesPerSecond * double(s.hbmBytes) / double(s.gmBytes) : 0;
    std::snprintf(line, sizeof line, "  GM traffic  %.3f MB, %.1f GB/s of %.1f GB/s peak (%.0f%%)\n", double(s.gmBytes) / 1e6,
                  hbmRate / 1e9, s.peakBytesPerSecond / 1e9, 100.0 * hbmRate / s.peakBytesPerSecond);
    o << line;
    if (s.hbmBytes < s.gmBytes) {
        std::snprintf(line, sizeof line, "  L2          %.3f MB of the reads served by the L2 (%.3f MB to/from HBM)\n",
                      double(s.gmBytes - s.hbmBytes) / 1e6, double(s.hbmBytes) / 1e6);
        o << line;
    }
    o << "  pipe utilisation:";
    for (int p : {MTE2, V, MTE3, S, M, MTE1, FIX}) {
        std::snprintf(line, sizeof line, " %s %.0f%%", PipeName(Pipe(p)), 100.0 * s.pipeUtilisation[p]);
        o << line;
    }
    o << "\n  bound by    " << s.bound << "\n";
    if (s.findings.empty()) o << "  findings    none\n";
    for (const auto& f : s.findings)
        o << "  finding     [" << f.kind << "] core " << f.core << (f.site.empty() ? "" : " at " + f.site) << ": "
          << f.message << "\n";
    return o.str();
}

// ---- mode and results ------------------------------------------------------------------------------
// Note [Simulator state per thread]: whether a launch runs under the model is decided by the thread
// that launches it: its own setting (simulator.enable / simulating() in Python), else the process
// default (the pytest session's mode, set once), else $OPKIT_MODE. Threads that simulate and threads
// that do not never see each other's switches, and nested blocks restore what was there before.
namespace {
std::atomic<int> gDefault{-1};     // -1: follow $OPKIT_MODE
thread_local int tEnabled = -1;    // -1: follow the process default
thread_local bool tTracing = false;
thread_local Summary* tLast = nullptr;
}  // namespace

bool Enabled() {
    if (tEnabled >= 0) return tEnabled == 1;
    if (int d = gDefault.load(); d >= 0) return d == 1;
    const char* mode = std::getenv("OPKIT_MODE");
    return mode != nullptr && std::strcmp(mode, "npu_simulator") == 0;
}
void SetEnabled(int on) { tEnabled = on; }
bool FindingsAreWarnings() {
    const char* v = std::getenv("OPKIT_FINDINGS");
    if (v == nullptr || *v == '\0' || std::strcmp(v, "error") == 0) return false;
    if (std::strcmp(v, "warn") == 0) return true;
    std::fflush(stdout);
    std::fprintf(stderr, "opkit: error: OPKIT_FINDINGS=%s: expected \"error\" (the default: a finding fails the run) "
                 "or \"warn\" (findings are printed and the run goes on)\n", v);
    std::exit(2);
}
void ReportCompletedLaunch(const char* what) {
    const Summary* s = Last();
    if (s == nullptr || !Enabled()) return;
    std::fflush(stdout);
    std::fputs(Format(*s).c_str(), stderr);
    if (s->findings.empty()) return;
    if (FindingsAreWarnings()) {
        std::fprintf(stderr, "opkit: warning: %s: %zu npu_simulator finding(s); OPKIT_FINDINGS=warn, so the run goes on\n",
                     what, s->findings.size());
        return;
    }
    std::fprintf(stderr, "opkit: error: %s: %zu npu_simulator finding(s) (OPKIT_FINDINGS=warn reports them and goes on)\n",
                 what, s->findings.size());
    std::exit(1);
}
int ThreadEnabled() { return tEnabled; }
void SetDefaultEnabled(int on) { gDefault.store(on); }
void SetTracing(bool on) { tTracing = on; }
bool Tracing() { return tTracing; }
const Summary* Last() { return tLast; }
void ClearLast() {
    delete tLast;
    tLast = nullptr;
}
void SetLast(Summary s) {
    delete tLast;
    tLast = new Summary(std::move(s));
}

namespace {
bool OpkitPath(const std::string& location) {
    return location.find("/opkit/include/") != std::string::npos || location.find("/runtime/include/") != std::string::npos ||
           location.find("/include/c++/") != std::string::npos || location.find("/runtime/src/") != std::string::npos;
}
}  // namespace

// The kernel-source location of one stack frame, or "" when the frame is opkit's own code. Kept per
// address, as SiteOf keeps its lines: under npu_simulator every AllocTensor and every GM write asks
// (KernelFrameOf), and dladdr for each took 9% of a matmul's simulation.
std::string KernelSite(const void* frame) {
    static std::mutex mu;
    static std::unordered_map<const void*, std::string> cache;
    {
        std::lock_guard<std::mutex> lock(mu);
        auto it = cache.find(frame);
        if (it != cache.end()) return it->second;
    }
    std::string site;
    Dl_info info{};
    if (dladdr(frame, &info) != 0 && info.dli_fname != nullptr) {
        const std::string lib = info.dli_fname;
        // Not kernel code: opkit, the C and C++ libraries, and a sanitizer build's runtimes, whose
        // interceptor of backtrace() is the innermost frame there (Note [Sanitizer build]).
        bool kernel = true;
        for (const char* notKernel : {"libopkit_rt", "libc.so", "libstdc++", "libasan", "libubsan"})
            kernel = kernel && lib.find(notKernel) == std::string::npos;
        if (kernel) {
            site = SiteOf(frame);
            if (OpkitPath(site) || site.find("+0x") != std::string::npos) site.clear();
        }
    }
    std::lock_guard<std::mutex> lock(mu);
    return cache.emplace(frame, site).first->second;
}

std::string SiteOf(const void* ret) {
    static std::mutex mu;
    static std::unordered_map<const void*, std::string> cache;
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(ret);
    if (it != cache.end()) return it->second;
    Dl_info info{};
    std::string site;
    if (dladdr(ret, &info) != 0 && info.dli_fname != nullptr) {
        uintptr_t offset = reinterpret_cast<uintptr_t>(ret) - reinterpret_cast<uintptr_t>(info.dli_fbase) - 1;
        char cmd[1024];
        std::snprintf(cmd, sizeof cmd, "addr2line -i -e '%s' 0x%lx 2>/dev/null", info.dli_fname, static_cast<unsigned long>(offset));
        if (FILE* f = popen(cmd, "r")) {
            // innermost frame first; the first one outside opkit's own headers is the kernel's line
            char buf[1024];
            std::string first;
            while (std::fgets(buf, sizeof buf, f)) {
                std::string l(buf);
                while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
                size_t disc = l.find(" (discriminator");
                if (disc != std::string::npos) l = l.substr(0, disc);
                if (l.empty() || l[0] == '?') continue;
                if (first.empty()) first = l;
                if (!OpkitPath(l)) {
                    site = l;
                    break;
                }
            }
            pclose(f);
            if (site.empty()) site = first;
        }
        if (site.empty()) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "+0x%lx", static_cast<unsigned long>(offset));
            site = std::string(info.dli_fname).substr(std::string(info.dli_fname).find_last_of('/') + 1) + buf;
        }
    }
    cache[ret] = site;
    return site;
}

}  // namespace sim
}  // namespace opkit

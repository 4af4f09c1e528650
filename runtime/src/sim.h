// opkit: the npu_simulator model of an AI Core: instruction timing per pipe and hardware-rule
// findings, computed while the kernel runs on the CPU.
//
// Note [Online pipe model]: the kernel's API calls arrive in program order, as the scalar unit
// issues them. Each instruction goes to its pipe (MTE2, V, MTE3, S, ...), which runs in order; it
// starts when the pipe is free, it has been issued, and every wait in front of it on that pipe is
// satisfied. Queues and flags become those waits: EnQue remembers when the producer pipe's work so
// far completes and DeQue makes the consumer pipe wait for it; FreeTensor/AllocTensor do the same in
// the other direction; SetFlag/WaitFlag and PipeBarrier likewise. So the timeline is computed in
// one pass, at a few nanoseconds per instruction, with no trace to replay.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "opkit/rt/api.h"
#include "line_set.h"

namespace opkit {
namespace sim {

enum Pipe : uint8_t { S = 0, V, M, MTE1, MTE2, MTE3, FIX, PIPE_COUNT };

const char* PipeName(Pipe p);

// The cost parameters of one SoC (runtime/src/sim_params.cpp names the source of each value).
struct Params {
    double clockGhz;
    double gmBytesPerCycleCore;   // one core's MTE2/MTE3 rate to GM
    double gmPeakBytesPerSecond;  // the chip's GM bandwidth, shared by all cores
    double l2ReadBytesPerCycleCore;  // one core's MTE2 rate for reads the L2 cache serves (Note [L2 model])
    double l2WriteBytesPerCycleCore;  // one core's rate for GM writes, which land in the L2 (Note [L2 model])
    double l2Bytes;                  // the L2 cache's size; 0: no L2 modelled
    double mteLatency;            // cycles from a GM copy's end to its data being usable
    double mteIssue;              // fixed cycles a copy instruction occupies its pipe
    double ubCopyBytesPerCycle;   // UB -> UB copies (on the V pipe)
    double vecIssue;              // fixed cycles per vector instruction
    double vecLatency;            // cycles from a vector instruction's end to its result being usable
    double scalarIssue;           // cycles the scalar unit spends issuing one API call
    double scalarAccess;          // cycles of a UB GetValue/SetValue
    double scalarGmAccess;        // cycles of a GM GetValue/SetValue (through the scalar data cache)
    // The cube side (Note [Cube model parameters] in sim.cpp).
    double l1ToL0aBytesPerCycle;  // LoadData L1 -> L0A (MTE1)
    double l1ToL0bBytesPerCycle;  // LoadData L1 -> L0B (MTE1)
    double mte1Issue;             // fixed cycles of one LoadData
    double mmadIssue;             // fixed cycles of one Mmad (the documented head overhead)
    double cubeLatency;           // cycles from an Mmad's end to its L0C result being readable
    double fixElemsPerCycle;      // L0C elements Fixpipe converts per cycle
    double fixIssue;              // fixed cycles of one Fixpipe
    // Cycles from a CrossCoreSetFlag (after its pipe's work) to the waiting core's release; also the
    // hop of each RunOnCube request and reply. An assumption (no public figure found).
    double crossCoreLatency = 100;
};
Params ParamsFor(const rt::SocInfo& soc);
// Cycles of one Mmad on the cube (Note [Cube model parameters]); `in` is the A/B element type.
double MmadCycles(const Params& p, DType in, uint32_t m, uint32_t n, uint32_t k, bool kAlign16);
double VectorCyclesPerRepeat(const char* op);  // per 256-byte repeat

struct Finding {
    std::string kind;
    int core;
    std::string site;  // kernel source file:line of the offending call, when known
    std::string message;
};

struct Event {  // one instruction on the timeline (kept only when tracing)
    uint16_t core;
    uint8_t pipe;
    const char* name;
    double start, end;
    uint64_t bytes;
};

// One core's model state, owned by the launch (CoreState points at it).
class CoreModel {
public:
    CoreModel(int core, const Params& p, double gmBytesPerCycle, bool trace);

    // Instructions. `ret` is the return address in kernel code, for findings' source lines.
    // A GM read of `bytes` of which `hbmBytes` miss the L2 (Note [L2 model]); other copies: hbmBytes = bytes.
    void Copy(Pipe pipe, const char* name, uint64_t bytes, bool touchesGm, uint64_t hbmBytes = UINT64_MAX);
    void Vector(const char* name, uint64_t repeats);
    void Scalar(const char* name, double cycles);
    // Cube-side instructions: an L1 -> L0 load on MTE1, an Mmad of `cycles` on M, and a Fixpipe of
    // `elems` L0C elements writing `bytes` (to GM when `toGm`: it shares the core's GM port).
    void Load(const char* name, uint64_t bytes, double bytesPerCycle);
    // `work`: of `cycles`, the cube's MAC cycles (the peak's share; the rest is the Mmad's head overhead).
    // Note [UnitFlag] (cube_mmad.cpp): an Mmad or Fixpipe with unitFlag 2/3 on the L0C bytes [lo, hi)
    // follows the other pipe's last unit-flagged instruction on the same units instead of a flag.
    struct Units {
        uintptr_t lo = 0, hi = 0;
        int flag = 0;
    };
    void Mmad(const char* name, double cycles, double work, const Units* units = nullptr);
    double CubeWork() const { return cubeWork_; }
    void Fixpipe(const char* name, uint64_t elems, uint64_t bytes, bool toGm, const Units* units = nullptr);
    // Synchronisation (Note [Online pipe model]).
    double DoneOn(Pipe p) const { return done_[p]; }
    void WaitOn(Pipe p, double t) {
        if (t > wait_[p]) wait_[p] = t;
    }
    void Barrier(Pipe p);  // PIPE_ALL: every pipe waits for every other
    void SetFlag(int event, Pipe src, int id);
    // A cross-core wait on A2/A3 blocks every pipe (CrossCoreWaitFlag.md): nothing issues before t.
    void CrossWait(double t) {
        if (t > issue_) issue_ = t;
        for (double& w : wait_) w = std::max(w, t);
    }
    void WaitFlag(int event, Pipe dst, int id, Pipe src);

    // Note [Cross-pipe order]: each instruction gets a sequence number. A signal from pipe `src`
    // to `dst` (SetFlag, EnQue, FreeTensor) covers everything `src` was given before it; once `dst`
    // waits on it (WaitFlag, DeQue, AllocTensor) data written by those instructions may be read on
    // `dst`. Reading another pipe's data with no such wait in between is a finding.
    uint32_t Seq() const { return seq_; }
    void Tick() { ++seq_; }
    void Synced(Pipe src, Pipe dst, uint32_t signalSeq) {
        if (signalSeq > synced_[src][dst]) synced_[src][dst] = signalSeq;
    }
    bool Ordered(Pipe writer, uint32_t writeSeq, Pipe reader) const {
        return writer == reader || synced_[writer][reader] >= writeSeq;
    }

    double Cycles() const;
    const double* Busy() const { return busy_; }
    uint64_t GmRead() const { return gmRead_; }
    uint64_t HbmRead() const { return hbmRead_; }
    uint64_t GmWritten() const { return gmWritten_; }
    double issue() const { return issue_; }
    // When an instruction issued now on `pipe` could start (its queue and the scalar unit allowing).
    double ReadyOn(Pipe pipe) const { return std::max({free_[pipe], wait_[pipe], issue_}); }

    uint64_t gmRead_ = 0, gmWritten_ = 0, hbmRead_ = 0;
    double cubeWork_ = 0;
    std::vector<Event> events;  // this core's timeline, when tracing

private:
    double Run(Pipe p, const char* name, double occupancy, double latency, uint64_t bytes);
    double ReservePort(double ready, double duration);
    int core_;
    const Params& p_;
    double gmRate_;
    bool trace_;
    double issue_ = 0;               // the scalar unit's clock
    double free_[PIPE_COUNT] = {};   // when each pipe can start its next instruction
    double done_[PIPE_COUNT] = {};   // when each pipe's last instruction's results are usable
    double wait_[PIPE_COUNT] = {};   // waits in front of the pipe's next instruction
    double busy_[PIPE_COUNT] = {};
    std::map<int, std::pair<double, uint32_t>> flags_;  // (event, id) -> when it was set, its sequence number
    uint32_t seq_ = 1;
    struct UnitSpan {  // the last unit-flagged Mmad (unitFlag 3) or Fixpipe (unitFlag 3): its units and times
        uintptr_t lo = 0, hi = 0;
        double start = 0, end = 0;
    };
    UnitSpan unitWrite_, unitRead_;
    // Whether the last unit-flagged instruction of the other pipe (`span`) touched any of `u`'s L0C bytes.
    static bool Overlap(const UnitSpan& span, const Units& u) { return span.hi > u.lo && u.hi > span.lo; }
    // Note [UnitFlag] timing: the duration of an instruction of `duration` on pipe `p` reading or
    // writing `units` after `lead`, the other pipe's unit-flagged instruction on the same units:
    // waits until lead has handed over its first unit and ends no sooner than one of its own units
    // after lead ends.
    double TrailUnits(Pipe p, const UnitSpan& lead, const Units& units, double duration);
    uint32_t synced_[PIPE_COUNT][PIPE_COUNT] = {};
    std::vector<std::pair<double, double>> port_;  // busy intervals of the core's GM port, sorted
};

// Findings and GM writes of a launch, shared by its cores.
class LaunchModel {
public:
    // `cubeCores`: the launch runs on the cube cores (AIC_MODE on a split-architecture SoC).
    // `ratio` > 0: a MIX launch; each block is an AI Core of 1 cube core and `ratio` vector cores,
    // modelled as 1 + ratio cores (the AIC first).
    LaunchModel(const rt::SocInfo& soc, uint32_t blockDim, bool trace, bool cubeCores = false, int ratio = 0);
    CoreModel* Core(int core);
    // `ret`: an address in the kernel's code; the site is the innermost kernel frame of the
    // current stack, or with `walkStack` false the line of `ret` itself.
    void AddFinding(int core, const std::string& kind, const std::string& message, const void* ret, bool walkStack = true);
    void AddFindingAt(int core, const std::string& kind, const std::string& message, const std::string& site);
    void RecordGmWrite(int core, const uint8_t* addr, uint64_t bytes, const void* ret);
    void Finish();  // overlapping GM writes across cores (unless writesOrdered)
    // Note [L2 model]: a GM read of `rows` runs of `rowBytes`, `stride` apart: the bytes the L2 does
    // not hold (read from HBM); the lines read or written stay in the L2.
    uint64_t L2Read(const uint8_t* addr, uint32_t rows, uint64_t rowBytes, uint64_t stride);
    void L2Write(const uint8_t* addr, uint64_t bytes);

    const rt::SocInfo& soc;
    uint32_t blockDim;
    uint32_t physicalCores;  // blocks that run at once; more blocks run in later waves
    uint32_t perBlock = 1;   // modelled cores per block (1 + ratio in a MIX launch)
    bool cubeLaunch = false;
    // Called with every GM write a core records (the cross-core happens-before check).
    void (*gmWriteHook)(void* ctx, int core, const uint8_t* addr, uint64_t bytes, const void* ret) = nullptr;
    void* gmWriteCtx = nullptr;
    bool writesOrdered = false;  // the hook checks overlapping writes with their order (Note [Overlapping GM writes])
    Params params;
    std::vector<CoreModel> cores;
    std::vector<Finding> findings;

private:
    std::mutex mu_;
    std::mutex l2Mu_;
    LineSet l2Lines_;                        // resident lines (address / kL2Line)
    std::deque<uintptr_t> l2Order_;          // in the order they came (first in, first out)
    uint64_t L2Touch(uintptr_t lo, uintptr_t hi);  // the bytes of [lo, hi) not resident; makes them so
    struct Write {
        const uint8_t* addr;
        uint64_t bytes;
        int core;
        const void* ret;  // the copy's kernel code address
    };
    std::vector<Write> writes_;
};

// The summary of the last launch on this thread (for Python and CPU-debug programs).
struct Summary {
    std::string kernel, soc, model;
    uint32_t blockDim = 0;
    std::string layout;  // "MIX: 1 AIC + 2 AIV per block" for MIX launches, else empty
    double cycles = 0, microseconds = 0;
    double pipeBusy[PIPE_COUNT] = {};         // summed over cores, cycles
    double pipeUtilisation[PIPE_COUNT] = {};  // busy / (cycles * cores)
    uint64_t gmBytes = 0;
    uint64_t hbmBytes = 0;  // of gmBytes, what went to or came from HBM (Note [L2 model])
    // The cube's MAC cycles over (time x cube cores in use): the share of the modelled cube peak.
    double cubePeakShare = 0;
    double achievedBytesPerSecond = 0, peakBytesPerSecond = 0;
    std::string bound;
    std::vector<Finding> findings;
    std::vector<Event> events;
};
Summary Summarise(LaunchModel& m, const std::string& kernel);
std::string Format(const Summary& s);  // the table CPU-debug programs print

bool Enabled();            // is the npu_simulator mode on for this thread's launches (Note [Simulator state per thread])
void SetEnabled(int on);   // this thread: 1 on, 0 off, -1 back to the process default
int ThreadEnabled();       // this thread's setting (-1: none)
void SetDefaultEnabled(int on);  // the process default: 1 on, 0 off, -1 back to $OPKIT_MODE
void SetTracing(bool on);  // this thread: keep per-instruction events for timelines
bool Tracing();
const Summary* Last();     // this thread's last simulated launch, or nullptr
void SetLast(Summary s);
void ClearLast();          // forget this thread's last simulated launch
// Note [Findings as warnings]: $OPKIT_FINDINGS=warn lets a CPU-debug program or an aclnn app that
// completed go on (exit status 0) with its findings printed as warnings; unset or "error", a finding
// ends it with status 1. A launch that failed (a fatal finding, a deadlock) fails either way. Any
// other value stops the program with status 2 and says what is accepted.
bool FindingsAreWarnings();
// After a completed simulated launch of `what`: print the model's summary and stop the program on a
// finding (Note [Findings as warnings]); nothing outside npu_simulator mode.
void ReportCompletedLaunch(const char* what);

// Source location of a return address in kernel code: "file:line" via addr2line, else lib+offset.
std::string SiteOf(const void* ret);
std::string KernelSite(const void* frame);  // "" for frames in opkit's own code
std::string CurrentKernelSite();             // the innermost kernel frame of the calling stack
// `ret` when it is kernel code, else the innermost kernel frame of the calling stack (a kernel built at
// -O0 calls the API's header functions, so a return address lands in opkit's headers), else `ret`.
// For sites resolved later (held-tensor, gm-overlap); cheap when `ret` is already the kernel's.
const void* KernelFrameOf(const void* ret);

}  // namespace sim
}  // namespace opkit

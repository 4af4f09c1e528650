// opkit: the runtime's hooks into the npu_simulator model (sim.h): instruction costs, UB access
// tracking (Note [Unwritten reads], Note [Cross-pipe order]), findings, and flags/barriers as waits.
#include <algorithm>
#include <string>

#include "core_state.h"
#include "kernel_operator.h"
#include "sim.h"
#include "xcore.h"

namespace opkit {
namespace rt {

bool Simulating() { return CurrentCoreOrNull() != nullptr && CurrentCoreOrNull()->model != nullptr; }
void ReportFinding(const char* kind, const char* message) { Finding(kind, message, __builtin_return_address(0)); }

void Finding(const std::string& kind, const std::string& message, const void* ret) {
    CoreState* c = CurrentCoreOrNull();
    if (c != nullptr && c->launch != nullptr) c->launch->AddFinding(c->blockIdx, kind, message, ret);
}

void ModelCopy(bool gmSrc, bool gmDst, uint64_t bytes, const uint8_t* gmDstAddr, uint64_t gmDstSpan, const char* what,
               const void* ret, const uint8_t* gmSrcAddr, uint64_t gmSrcSpan, uint32_t srcRows, uint64_t srcRowBytes,
               uint64_t srcStride) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr || c->model == nullptr) return;
    if (gmSrc && c->sync != nullptr) c->sync->Pace(*c);  // Note [Cores paced in simulated time] (xcore.cpp)
    if (gmSrc && gmSrcAddr != nullptr && c->sync != nullptr)  // another core's unordered write? (xcore.cpp)
        c->sync->GmRead(*c, gmSrcAddr, gmSrcSpan, ret != nullptr ? ret : __builtin_return_address(0));
    uint64_t hbm = bytes;  // Note [L2 model] (sim.cpp)
    if (gmSrc && gmSrcAddr != nullptr)
        hbm = srcRows > 0 ? c->launch->L2Read(gmSrcAddr, srcRows, srcRowBytes, srcStride)
                          : c->launch->L2Read(gmSrcAddr, 1, gmSrcSpan, 0);
    c->model->Copy(gmDst ? sim::MTE3 : (gmSrc ? sim::MTE2 : sim::V), what, bytes, gmSrc || gmDst, hbm);
    if (gmDst && gmDstAddr != nullptr && gmDstSpan == bytes) c->launch->L2Write(gmDstAddr, bytes);
    if (gmDst && gmDstAddr != nullptr)
        c->launch->RecordGmWrite(c->blockIdx, gmDstAddr, gmDstSpan, ret != nullptr ? ret : __builtin_return_address(0));
}

void RecordGmRuns(const uint8_t* addr, uint32_t runs, uint64_t runBytes, uint64_t step, const void* ret) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr || c->model == nullptr) return;
    for (uint32_t r = 0; r < runs; ++r) c->launch->RecordGmWrite(c->blockIdx, addr + r * step, runBytes, ret);
}

void ModelAccess(const void* addr, uint64_t bytes, bool write, const char* what, const void* ret, int pipe) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr || c->model == nullptr || bytes == 0) return;
    const auto* p = static_cast<const uint8_t*>(addr);
    int mem = 0;  // the on-chip memory holding addr; GM is not tracked
    while (mem < static_cast<int>(Mem::COUNT) && !(p >= c->mem[mem] && p < c->mem[mem] + c->memSize[mem])) ++mem;
    if (mem == static_cast<int>(Mem::COUNT) || c->written[mem].empty()) return;
    if (mem == static_cast<int>(Mem::UB) && VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    auto& written = c->written[mem];
    auto& seq = c->writeSeq[mem];
    const uint8_t* base = c->mem[mem];
    const uint64_t first = uint64_t(p - base) / 32;
    const uint64_t last = std::min<uint64_t>((uint64_t(p - base) + bytes - 1) / 32, written.size() - 1);
    const auto reader = static_cast<sim::Pipe>(pipe);
    const char* name = MemName(static_cast<Mem>(mem));
    if (write) {  // written holds the writing pipe + 1 (0: never written), seq its instruction
        std::fill(written.begin() + long(first), written.begin() + long(last) + 1, uint8_t(pipe + 1));
        std::fill(seq.begin() + long(first), seq.begin() + long(last) + 1, c->model->Seq());
        return;
    }
    const void* site = ret != nullptr ? ret : __builtin_return_address(0);
    for (uint64_t b = first; b <= last; ++b) {
        if (written[b] == 0) {
            Finding("uninitialised-read",
                    std::string(what) + " reads " + name + " bytes at offset " + std::to_string(b * 32) +
                        " that nothing wrote in this launch; on the NPU they hold whatever an earlier kernel left there",
                    site);
            return;
        }
        const auto writer = static_cast<sim::Pipe>(written[b] - 1);
        if (!c->model->Ordered(writer, seq[b], reader)) {  // Note [Cross-pipe order]
            Finding("unsynced-read",
                    std::string(what) + " on pipe " + sim::PipeName(reader) + " reads " + name + " bytes at offset " +
                        std::to_string(b * 32) + " that pipe " + sim::PipeName(writer) +
                        " wrote, with no SetFlag/WaitFlag, queue hand-over or PipeBarrier<PIPE_ALL> in between; "
                        "on the NPU the read can overtake the write and see old data",
                    site);
            return;
        }
    }
}

namespace {
// The memory holding addr and its block index, or -1 (GM, or not tracked).
int TrackedMem(const CoreState* c, const uint8_t* p) {
    for (int m = 0; m < static_cast<int>(Mem::COUNT); ++m)
        if (p >= c->mem[m] && p < c->mem[m] + c->memSize[m]) return c->written[m].empty() ? -1 : m;
    return -1;
}
}  // namespace

void ModelMove(uint8_t* dst, const uint8_t* src, uint64_t bytes, int pipe, const char* what, const void* ret, bool mix) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr || c->model == nullptr || bytes == 0) return;
    const int dm = TrackedMem(c, dst), sm = TrackedMem(c, src);
    if (dm < 0) return;
    if (sm < 0) {  // from GM: every destination block is written now
        ModelAccess(dst, bytes, true, what, ret, pipe);
        return;
    }
    const uint64_t d0 = uint64_t(dst - c->mem[dm]) / 32, s0 = uint64_t(src - c->mem[sm]) / 32;
    const uint64_t blocks = (bytes + 31) / 32;
    const auto reader = static_cast<sim::Pipe>(pipe);
    bool reported = false;
    uint8_t any = 0;
    for (uint64_t b = 0; mix && b < blocks && s0 + b < c->written[sm].size(); ++b) 
        if (c->written[sm][s0 + b] != 0) any = c->written[sm][s0 + b];
    for (uint64_t b = 0; b < blocks && d0 + b < c->written[dm].size() && s0 + b < c->written[sm].size(); ++b) {
        const uint8_t state = mix ? any : c->written[sm][s0 + b];
        const uint8_t own = c->written[sm][s0 + b];
        if (own != 0 && !reported && !c->model->Ordered(static_cast<sim::Pipe>(own - 1), c->writeSeq[sm][s0 + b], reader)) {
            ModelAccess(src + b * 32, 32, false, what, ret, pipe);  // reports the unsynchronised read
            reported = true;
        }
        c->written[dm][d0 + b] = state == 0 ? 0 : uint8_t(pipe + 1);
        c->writeSeq[dm][d0 + b] = c->model->Seq();
    }
}

void ModelScalar(bool gm) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr || c->model == nullptr) return;
    const sim::Params& p = c->launch->params;
    c->model->Scalar(gm ? "GM scalar access" : "UB scalar access", gm ? p.scalarGmAccess : p.scalarAccess);
}

void ModelVector(const char* name, uint64_t repeats) {
    CoreState* c = CurrentCoreOrNull();
    if (VectorMuted()) return;  // Note [Vector work on a MIX launch's cube core]
    if (c != nullptr && c->model != nullptr) c->model->Vector(name, repeats);
}

namespace {
sim::Pipe PipeOf(pipe_t p) {
    switch (p) {
        case PIPE_S: return sim::S;
        case PIPE_V: return sim::V;
        case PIPE_M: return sim::M;
        case PIPE_MTE1: return sim::MTE1;
        case PIPE_MTE2: return sim::MTE2;
        case PIPE_MTE3: return sim::MTE3;
        case PIPE_FIX: return sim::FIX;
        default: return sim::PIPE_COUNT;  // PIPE_ALL
    }
}
// HardEvent names are <source pipe>_<waiting pipe>, in the enum's order.
void EventPipes(AscendC::HardEvent e, sim::Pipe& src, sim::Pipe& dst) {
    using sim::Pipe;
    static const Pipe table[][2] = {
        {sim::MTE2, sim::MTE1}, {sim::MTE1, sim::MTE2}, {sim::MTE1, sim::M}, {sim::M, sim::MTE1}, {sim::MTE2, sim::V},
        {sim::V, sim::MTE2}, {sim::MTE3, sim::V}, {sim::V, sim::MTE3}, {sim::M, sim::V}, {sim::V, sim::M}, {sim::V, sim::V},
        {sim::MTE3, sim::MTE1}, {sim::MTE1, sim::MTE3}, {sim::MTE1, sim::V}, {sim::MTE2, sim::M}, {sim::M, sim::MTE2},
        {sim::V, sim::MTE1}, {sim::M, sim::FIX}, {sim::FIX, sim::M}, {sim::MTE3, sim::MTE2}, {sim::MTE2, sim::MTE3},
        {sim::S, sim::V}, {sim::V, sim::S}, {sim::S, sim::MTE2}, {sim::MTE2, sim::S}, {sim::S, sim::MTE3}, {sim::MTE3, sim::S},
        {sim::MTE2, sim::FIX}, {sim::FIX, sim::MTE2}, {sim::FIX, sim::S}, {sim::M, sim::S}, {sim::FIX, sim::MTE3},
        {sim::MTE1, sim::FIX}, {sim::FIX, sim::MTE1}, {sim::FIX, sim::FIX},
    };
    size_t i = static_cast<size_t>(e);
    src = i < sizeof(table) / sizeof(table[0]) ? table[i][0] : sim::S;
    dst = i < sizeof(table) / sizeof(table[0]) ? table[i][1] : sim::S;
}
}  // namespace

// On the CPU the instructions of a core complete in program order, so these need no action to
// be correct; the npu_simulator model turns them into the waits they are on the NPU.
void OnBarrier(pipe_t pipe) {
    if (pipe == PIPE_M || pipe == PIPE_ALL) Core().mBarrierSinceMmad = true;
    if (auto* m = Core().model) m->Barrier(PipeOf(pipe));
}
void OnSetFlag(AscendC::HardEvent evt, int32_t id) {
    if (id < 0 || id > 7) Fail("SetFlag: event id " + std::to_string(id) + " is outside 0..7");
    if (auto* m = Core().model) {
        sim::Pipe src, dst;
        EventPipes(evt, src, dst);
        m->SetFlag(static_cast<int>(evt), src, id);
    }
}
void OnWaitFlag(AscendC::HardEvent evt, int32_t id) {
    if (id < 0 || id > 7) Fail("WaitFlag: event id " + std::to_string(id) + " is outside 0..7");
    if (auto* m = Core().model) {
        sim::Pipe src, dst;
        EventPipes(evt, src, dst);
        m->WaitFlag(static_cast<int>(evt), dst, id, src);
    }
}

}  // namespace rt
}  // namespace opkit

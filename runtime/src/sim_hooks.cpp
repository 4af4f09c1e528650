// opkit: the runtime's hooks into the npu_simulator model (sim.h): instruction costs, UB access
// tracking (Note [Unwritten reads], Note [Cross-pipe order]), findings, and flags/barriers as waits.
#include <algorithm>
#include <string>

#include "core_state.h"
#include "kernel_operator.h"
#include "sim.h"

namespace opkit {
namespace rt {

bool Simulating() { return CurrentCoreOrNull() != nullptr && CurrentCoreOrNull()->model != nullptr; }
void ReportFinding(const char* kind, const std::string& message) { Finding(kind, message, __builtin_return_address(0)); }

void Finding(const std::string& kind, const std::string& message, const void* ret) {
    CoreState* c = CurrentCoreOrNull();
    if (c != nullptr && c->launch != nullptr) c->launch->AddFinding(c->blockIdx, kind, message, ret);
}

void ModelCopy(bool gmSrc, bool gmDst, uint64_t bytes, const uint8_t* gmDstAddr, uint64_t gmDstSpan, const char* what,
               const void* ret) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr || c->model == nullptr) return;
    c->model->Copy(gmDst ? sim::MTE3 : (gmSrc ? sim::MTE2 : sim::V), what, bytes, gmSrc || gmDst);
    if (gmDst && gmDstAddr != nullptr)
        c->launch->RecordGmWrite(c->blockIdx, gmDstAddr, gmDstSpan, ret != nullptr ? ret : __builtin_return_address(0));
}

void ModelAccess(const void* addr, uint64_t bytes, bool write, const char* what, const void* ret, int pipe) {
    CoreState* c = CurrentCoreOrNull();
    if (c == nullptr || c->model == nullptr || bytes == 0 || c->ubWritten.empty()) return;
    const uint8_t* base = c->mem[static_cast<int>(Mem::UB)];
    const auto* p = static_cast<const uint8_t*>(addr);
    if (p < base || p >= base + c->memSize[static_cast<int>(Mem::UB)]) return;  // not UB
    const uint64_t first = uint64_t(p - base) / 32;
    const uint64_t last = std::min<uint64_t>((uint64_t(p - base) + bytes - 1) / 32, c->ubWritten.size() - 1);
    const auto reader = static_cast<sim::Pipe>(pipe);
    if (write) {  // ubWritten holds the writing pipe + 1 (0: never written), ubSeq its instruction
        std::fill(c->ubWritten.begin() + long(first), c->ubWritten.begin() + long(last) + 1, uint8_t(pipe + 1));
        std::fill(c->ubSeq.begin() + long(first), c->ubSeq.begin() + long(last) + 1, c->model->Seq());
        return;
    }
    const void* site = ret != nullptr ? ret : __builtin_return_address(0);
    for (uint64_t b = first; b <= last; ++b) {
        if (c->ubWritten[b] == 0) {
            Finding("uninitialised-read",
                    std::string(what) + " reads UB bytes at offset " + std::to_string(b * 32) +
                        " that nothing wrote in this launch; on the NPU they hold whatever an earlier kernel left there",
                    site);
            return;
        }
        const auto writer = static_cast<sim::Pipe>(c->ubWritten[b] - 1);
        if (!c->model->Ordered(writer, c->ubSeq[b], reader)) {  // Note [Cross-pipe order]
            Finding("unsynced-read",
                    std::string(what) + " on pipe " + sim::PipeName(reader) + " reads UB bytes at offset " +
                        std::to_string(b * 32) + " that pipe " + sim::PipeName(writer) +
                        " wrote, with no SetFlag/WaitFlag, queue hand-over or PipeBarrier<PIPE_ALL> in between; "
                        "on the NPU the read can overtake the write and see old data",
                    site);
            return;
        }
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

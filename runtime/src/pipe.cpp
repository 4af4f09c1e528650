// opkit: TPipe's carving of on-chip memory, the queues' buffer discipline, data movement, and the
// operand checks shared by every instruction.
#include <algorithm>
#include <cinttypes>
#include <exception>
#include <cstdio>

#include "kernel_operator.h"
#include "core_state.h"
#include "sim.h"

namespace AscendC {
namespace detail {

using opkit::rt::Fail;
using opkit::rt::Mem;

const char* PositionName(TPosition p) {
    static const char* names[] = {"GM", "A1", "A2", "B1", "B2", "C1", "C2", "CO1", "CO2", "VECIN", "VECOUT",
                                  "VECCALC", "SPM", "TSCM", "C2PIPE2GM", "C2PIPE2LOCAL"};
    auto i = static_cast<size_t>(p);
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : "?";
}

static uint32_t AlignmentOf(Mem m) {
    switch (m) {
        case Mem::L0A: case Mem::L0B: return 512;
        case Mem::L0C: return 64;
        default: return 32;
    }
}

void CheckInArena(const void* addr, uint64_t bytes, Mem mem, const char* what) {
    if (addr == nullptr) Fail(std::string(what) + ": the LocalTensor was never allocated (get it from a queue or a TBuf)");
    // (one core lookup: this runs for every operand of every instruction)
    const opkit::rt::CoreState& c = opkit::rt::Core();
    const int m = static_cast<int>(mem);
    if (c.memSize[m] == 0) opkit::rt::MemBase(mem);  // fails, naming the memory this core lacks
    const uint8_t* base = c.mem[m];
    const uint64_t size = c.memSize[m];
    const uint8_t* p = static_cast<const uint8_t*>(addr);
    if (p < base || p > base + size || bytes > uint64_t(base + size - p)) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "%s: %" PRIu64 " bytes at %s offset %" PRId64 " run outside the core's %s (%" PRIu64 " bytes)",
                      what, bytes, opkit::rt::MemName(mem), int64_t(p - base), opkit::rt::MemName(mem), size);
        Fail(buf);
    }
}

void CheckAligned(const void* addr, Mem mem, const char* what) {
    const uint8_t* base = opkit::rt::MemBase(mem);
    uint64_t off = static_cast<uint64_t>(static_cast<const uint8_t*>(addr) - base);
    uint32_t align = AlignmentOf(mem);
    if (off % align != 0)
        Fail(std::string(what) + ": " + opkit::rt::MemName(mem) + " address offset " + std::to_string(off) +
             " is not " + std::to_string(align) + "-byte aligned; the NPU requires it (index sub-tensors in multiples of " +
             std::to_string(align) + " bytes)");
}

// Note [LocalTensor at an address]: LocalTensor<T>(pos, addr, tileSize) is Ascend C's static tensor
// programming: no TPipe, the kernel names the byte offset `addr` into the memory of `pos` (A1/B1/C1/
// TSCM: L1, A2: L0A, B2: L0B, CO1: L0C, C2: BT, C2PIPE2GM: FB, the others UB) and the tensor holds
// tileSize elements from there. The documentation asks for a 32-byte aligned address in
// [0, memory size) and for addr + tileSize * sizeof(T) to stay inside the memory; opkit fails on
// each, naming the call, as on the NPU the tensor would reach another memory's data or nothing.
// GM and MAX are not on-chip positions and are refused too. Several tensors may share bytes (the
// official samples put A1 and C1 both at 0): nothing tracks ownership, as on the NPU. The per-
// instruction alignment rules (512 bytes in L0A/L0B, 64 in L0C) are checked where the tensor is used;
// CANN's CPU debug build also asserts tileSize > 0 and a length that is a multiple of 32 bytes, which
// the documentation does not ask for, so opkit does not.
void* PlaceLocal(TPosition pos, uint32_t addr, uint64_t bytes, uint32_t tileSize) {
    const std::string call = "LocalTensor(TPosition::" + std::string(PositionName(pos)) + ", " + std::to_string(addr) +
                             ", " + std::to_string(tileSize) + ")";
    if (pos == TPosition::GM || pos >= TPosition::MAX)
        Fail(call + ": the position must be an on-chip one (A1, B1, C1, A2, B2, CO1, C2, VECIN, ...), not GM or MAX; "
                    "GM data goes in a GlobalTensor");
    const Mem mem = MemOf(pos);
    const uint64_t size = opkit::rt::MemSize(mem);
    if (addr % 32 != 0)
        Fail(call + ": the address " + std::to_string(addr) + " is not 32-byte aligned; the NPU requires it (round it to a "
                    "multiple of 32)");
    if (uint64_t(addr) + bytes > size)
        Fail(call + ": " + std::to_string(bytes) + " bytes from offset " + std::to_string(addr) + " run past the end of the "
                    "core's " + opkit::rt::MemName(mem) + " (" + std::to_string(size) +
                    " bytes); lower the address or tileSize");
    return opkit::rt::MemBase(mem) + addr;
}

void CheckVecOperand(const void* addr, TPosition pos, uint64_t bytes, const char* op) {
    Mem m = MemOf(pos);
    if (m != Mem::UB)
        Fail(std::string(op) + ": vector instructions work on UB tensors, this one is in " + PositionName(pos));
    // CheckInArena's and CheckAligned's tests with one core lookup (every operand of every vector
    // instruction comes here); either one, called when its test fails, gives its message.
    const opkit::rt::CoreState& c = opkit::rt::Core();
    const uint8_t* base = c.mem[static_cast<int>(Mem::UB)];
    const uint64_t size = c.memSize[static_cast<int>(Mem::UB)];
    const uint8_t* p = static_cast<const uint8_t*>(addr);
    if (p == nullptr || size == 0 || p < base || p > base + size || bytes > uint64_t(base + size - p))
        CheckInArena(addr, bytes, m, op);
    if (uint64_t(p - base) % AlignmentOf(m) != 0) CheckAligned(addr, m, op);
}

int64_t CheckCount(int64_t count, const char* op) {
    if (count < 0) Fail(std::string(op) + ": negative count " + std::to_string(count));
    return count;
}

opkit::rt::RepeatShape MaskShape(uint64_t maskCount, int32_t lanes, int32_t repeat) {
    // The NPU treats a continuous mask of 0 as "no lanes" (the instruction does nothing) and clamps
    // a larger one to the lanes of a repeat.
    opkit::rt::RepeatShape s{};
    if (opkit::rt::Model() != nullptr) {
        if (maskCount == 0 || maskCount > uint64_t(lanes))
            opkit::rt::Finding("illegal-mask", "continuous mask " + std::to_string(maskCount) + " is outside 1.." +
                                                   std::to_string(lanes) + "; the NPU " +
                                                   (maskCount == 0 ? "does nothing" : "clamps it to " + std::to_string(lanes)),
                               __builtin_return_address(0));
        if (repeat > 255 || repeat < 0)
            opkit::rt::Finding("repeat-overflow", "repeatTimes " + std::to_string(repeat) + " does not fit the 8-bit field; the NPU runs " +
                                                      std::to_string(repeat & 255) + " repeats",
                               __builtin_return_address(0));
    }
    if (maskCount == 0) return s;  // repeat 0: nothing runs
    if (maskCount > uint64_t(lanes)) maskCount = uint64_t(lanes);
    s.repeat = static_cast<uint8_t>(repeat);  // the instruction field is 8 bits wide
    s.mask[0] = maskCount >= 64 ? ~0ull : (1ull << maskCount) - 1;
    s.mask[1] = maskCount <= 64 ? 0 : (maskCount >= 128 ? ~0ull : (1ull << (maskCount - 64)) - 1);
    return s;
}

opkit::rt::RepeatShape MaskShape(const uint64_t mask[], int32_t lanes, int32_t repeat) {
    opkit::rt::RepeatShape s{};
    if ((repeat > 255 || repeat < 0) && opkit::rt::Model() != nullptr)
        opkit::rt::Finding("repeat-overflow", "repeatTimes " + std::to_string(repeat) + " does not fit the 8-bit field; the NPU runs " +
                                                  std::to_string(repeat & 255) + " repeats",
                           __builtin_return_address(0));
    s.repeat = static_cast<uint8_t>(repeat);
    // 32- and 64-bit types have at most 64 lanes, so only mask[0] applies and kernels may pass a
    // one-word array (`uint64_t mask[1]`): mask[1] is read only for 16- and 8-bit types.
    s.mask[0] = mask[0];
    s.mask[1] = lanes > 64 ? mask[1] : 0;
    if (s.mask[0] == 0 && s.mask[1] == 0) Fail("vector mask selects no lane");
    return s;
}

opkit::rt::RepeatShape CurrentMaskShape(int32_t lanes, int32_t repeat) {
    auto& core = opkit::rt::Core();
    uint64_t m[2] = {core.maskLo, lanes > 64 ? core.maskHi : 0};
    return MaskShape(m, lanes, repeat);
}

void CheckRepeatOperand(const void* addr, TPosition pos, const opkit::rt::RepeatShape& s, uint16_t blk, uint16_t rep,
                        uint32_t elemBytes, const char* op) {
    if (s.repeat == 0) return;
    // Footprint: the last repeat's last block that holds an enabled lane (a block whose lanes the
    // mask all disables is not read or written, so a short masked row may end a buffer).
    // Elements per block depend on the operand's width.
    uint32_t lastLane = 0;
    for (uint32_t l = 0; l < 128; ++l)
        if ((s.mask[l / 64] >> (l % 64)) & 1u) lastLane = l;
    const uint32_t perBlock = elemBytes >= 1 && elemBytes <= 32 ? 32u / elemBytes : 8u;
    const uint64_t lastBlock = std::min<uint64_t>(7, lastLane / perBlock);
    uint64_t last = uint64_t(s.repeat - 1) * rep * 32u + lastBlock * blk * 32u + 32u;
    CheckVecOperand(addr, pos, last, op);
}

void RunCopy(const CopyPlan& p, Mem dstMem, Mem srcMem, const char* what) {
    // Note [Vector work on a MIX launch's cube core]: copies into or out of UB do nothing on the AIC.
    if ((dstMem == Mem::UB || srcMem == Mem::UB) && opkit::rt::VectorMuted()) return;
    if (p.requested != 0 && p.requested % 32 != 0 && opkit::rt::Model() != nullptr)
        opkit::rt::Finding("datacopy-round-down",
                           std::string(what) + " of " + std::to_string(p.requested) + " bytes is not a multiple of 32 bytes; " +
                               "the NPU copies " + std::to_string(p.requested / 32 * 32) + " and silently drops the rest " +
                               "(use DataCopyPad, or pad the length to 32 bytes)",
                           __builtin_return_address(0));
    if (p.blocks == 0 || p.runBytes == 0) return;
    if (dstMem == GM_MEM && opkit::rt::Core().atomicOp != opkit::rt::AtomicOp::NONE)
        Fail(std::string(what) + " under SetAtomicAdd/SetAtomicMax/SetAtomicMin: atomic DataCopy UB -> GM is not "
             "implemented by opkit (Fixpipe honours the atomic mode); call SetAtomicNone() before this copy");
    for (Mem m : {dstMem, srcMem})
        if (m == Mem::L0A || m == Mem::L0B || m == Mem::L0C)
            Fail(std::string(what) + " with a tensor in " + opkit::rt::MemName(m) +
                 ": plain DataCopy does not move data into or out of L0A/L0B/L0C; use LoadData (L1 -> L0A/L0B), "
                 "Fixpipe (L0C -> GM, 910B) or, on 910A/310P, DataCopy CO1 -> CO2 with DataCopyEnhancedParams");
    uint64_t dstSpan = uint64_t(p.blocks - 1) * p.dstStep + p.runBytes;
    uint64_t srcSpan = uint64_t(p.blocks - 1) * p.srcStep + p.runBytes;
    if (dstMem != GM_MEM) {
        CheckInArena(p.dst, dstSpan, dstMem, what);
        CheckAligned(p.dst, dstMem, what);
    } else if (p.dst == nullptr) {
        Fail(std::string(what) + ": the GlobalTensor has no buffer (call SetGlobalBuffer)");
    } else {
        opkit::rt::CheckGm(p.dst, dstSpan, what);
    }
    if (srcMem != GM_MEM) {
        CheckInArena(p.src, srcSpan, srcMem, what);
        CheckAligned(p.src, srcMem, what);
    } else if (p.src == nullptr) {
        Fail(std::string(what) + ": the GlobalTensor has no buffer (call SetGlobalBuffer)");
    } else {
        opkit::rt::CheckGm(p.src, srcSpan, what);
    }
    // A strided GM write is recorded run by run (Note [Overlapping GM writes]): two cores writing the
    // columns of one row band each (a matmul's shares side by side) write no byte twice.
    const bool gmRuns = dstMem == GM_MEM && p.blocks > 1 && p.dstStep != p.runBytes;
    opkit::rt::ModelCopy(srcMem == GM_MEM, dstMem == GM_MEM, uint64_t(p.blocks) * p.runBytes, gmRuns ? nullptr : p.dst,
                         dstSpan, what, __builtin_return_address(0), p.src, srcSpan, p.blocks, p.runBytes, p.srcStep);
    if (gmRuns) opkit::rt::RecordGmRuns(p.dst, p.blocks, p.runBytes, p.dstStep, __builtin_return_address(0));
    if (srcMem != GM_MEM && opkit::rt::Model() != nullptr)
        for (uint32_t b = 0; b < p.blocks; ++b)
            opkit::rt::ModelAccess(p.src + b * p.srcStep, p.runBytes, false, what, __builtin_return_address(0),
                                   dstMem == GM_MEM ? opkit::sim::MTE3 : opkit::sim::V);
    if (dstMem != GM_MEM && opkit::rt::Model() != nullptr)
        for (uint32_t b = 0; b < p.blocks; ++b)
            opkit::rt::ModelAccess(p.dst + b * p.dstStep, p.runBytes, true, what, __builtin_return_address(0),
                                   srcMem == GM_MEM ? opkit::sim::MTE2 : opkit::sim::V);
    if (dstMem == GM_MEM && srcMem != GM_MEM)
        opkit::rt::CopyRunsToGm(p.dst, p.src, p.blocks, p.runBytes, p.dstStep, p.srcStep);
    else
        opkit::rt::CopyRuns(p.dst, p.src, p.blocks, p.runBytes, p.dstStep, p.srcStep);
}

void RequirePad(const char* what) {
    const auto& soc = opkit::rt::CoreSoc();
    if (!soc.hasDataCopyPad)
        Fail(std::string(what) + " does not exist on " + soc.name +
             " (only on 910B, 910_93 and 310B); handle the tail by shifting the last tile back to a 32-byte boundary");
}

// ---- queues --------------------------------------------------------------------------------------
namespace {
// Which pipe fills a queue position's buffers and which one drains them (Note [Online pipe model]).
// On 910A/310P results leave L0C on V, into UB (CO2), and go on to GM on MTE3 (Note [CO1 -> CO2
// copy] in cube_co2.cpp); on 910B Fixpipe drains L0C.
bool Coupled() { return !opkit::rt::CoreSoc().splitArch; }
opkit::sim::Pipe ProducerOf(TPosition p) {
    switch (p) {
        case TPosition::VECIN: case TPosition::A1: case TPosition::B1: case TPosition::C1: return opkit::sim::MTE2;
        case TPosition::A2: case TPosition::B2: case TPosition::C2: return opkit::sim::MTE1;
        case TPosition::CO1: return opkit::sim::M;
        default: return opkit::sim::V;  // VECOUT, VECCALC, CO2
    }
}
opkit::sim::Pipe ConsumerOf(TPosition p) {
    switch (p) {
        case TPosition::VECOUT: return opkit::sim::MTE3;
        case TPosition::A1: case TPosition::B1: case TPosition::C1: return opkit::sim::MTE1;
        case TPosition::A2: case TPosition::B2: case TPosition::C2: return opkit::sim::M;
        case TPosition::CO1: return Coupled() ? opkit::sim::V : opkit::sim::FIX;
        case TPosition::CO2: return Coupled() ? opkit::sim::MTE3 : opkit::sim::V;
        default: return opkit::sim::V;  // VECIN, VECCALC
    }
}
}  // namespace

QueBase::~QueBase() {
    opkit::rt::ForgetQueue(this);
    // Not while a kernel error unwinds the stack: that error is the finding.
    if (opkit::rt::Model() == nullptr || base_ == nullptr || std::uncaught_exceptions() > 0) return;
    int held = 0;
    const void* site = nullptr;
    for (int i = 0; i < num_; ++i)
        if (state_[i] != FREE) {
            ++held;
            if (site == nullptr) site = allocSite_[i];
        }
    if (held > 0 && site != nullptr) {
        if (auto* c = opkit::rt::CurrentCoreOrNull(); c != nullptr && c->launch != nullptr)
            c->launch->AddFinding(c->blockIdx, "held-tensor",
                                  std::to_string(held) + " tensor(s) of a " + PositionName(src_) +
                                      " queue were still allocated or enqueued when the kernel ended (the AllocTensor "
                                      "here was never freed); on the NPU the buffer's sync flags stay set and the next "
                                      "launch can hang or read stale data",
                                  site, false);
        return;
    }
    if (held > 0)
        opkit::rt::Finding("held-tensor",
                           std::to_string(held) + " tensor(s) of a " + PositionName(src_) +
                               " queue were still allocated or enqueued when the kernel ended (a missing FreeTensor); "
                               "on the NPU the buffer's sync flags stay set and the next launch can hang or read stale data",
                           __builtin_return_address(0));
}

void QueBase::Init(uint8_t* base, uint8_t num, uint32_t len) {
    if (num == 0) Fail("pipe.InitBuffer: a queue needs at least 1 buffer");
    if (num > MAX_BUFFERS) Fail("pipe.InitBuffer: " + std::to_string(num) + " buffers exceed opkit's limit of 64 per queue");
    if (depth_ < 1) Fail("TQue depth " + std::to_string(depth_) + " is not supported; use 1 or 2");
    base_ = base;
    len_ = len;
    num_ = num;
    for (int i = 0; i < num; ++i) state_[i] = FREE;
    for (; zeroed_ < num; ++zeroed_) {  // Note [Queue slots zeroed on Init] (tensor.h)
        readyAt_[zeroed_] = freeAt_[zeroed_] = 0.0;
        allocSite_[zeroed_] = nullptr;
        readySeq_[zeroed_] = freeSeq_[zeroed_] = 0;
    }
    head_ = 0;
    nextAlloc_ = 0;
    enqueued_ = 0;
}

int QueBase::IndexOf(const void* addr, State want, const char* what) const {
    auto p = static_cast<const uint8_t*>(addr);
    if (base_ != nullptr && len_ == 0 && p == base_) {
        // 0-byte buffers all share one address (Note [Zero-length buffers]): take the oldest one in
        // the state the call expects, else any that is not free.
        for (int k = 0; k < num_; ++k)
            if (state_[(nextAlloc_ + k) % num_] == want) return (nextAlloc_ + k) % num_;
        for (int k = 0; k < num_; ++k)
            if (state_[(nextAlloc_ + k) % num_] != FREE) return (nextAlloc_ + k) % num_;
        return nextAlloc_;
    }
    if (base_ != nullptr && len_ != 0 && p >= base_ && p < base_ + uint64_t(len_) * num_ && (p - base_) % len_ == 0)
        return static_cast<int>((p - base_) / len_);
    Fail(std::string(what) + ": the tensor does not belong to this queue (it was allocated from another queue or a TBuf)");
}

uint8_t* QueBase::Alloc() {
    if (base_ == nullptr) Fail("AllocTensor on a queue that was never given memory: call pipe.InitBuffer(queue, num, bytes) first");
    for (int k = 0; k < num_; ++k) {
        int i = (nextAlloc_ + k) % num_;
        if (state_[i] == FREE) {
            state_[i] = ALLOCATED;
            if (auto* m = opkit::rt::Model()) {
                m->WaitOn(ProducerOf(src_), freeAt_[i]);
                m->Synced(ConsumerOf(dst_), ProducerOf(src_), freeSeq_[i]);
            }
            nextAlloc_ = (i + 1) % num_;
            allocSite_[i] = __builtin_return_address(0);
            // At -O0 AllocTensor is not inlined: its return address is opkit's tensor.h, not the kernel's line.
            if (opkit::rt::Model() != nullptr) allocSite_[i] = opkit::sim::KernelFrameOf(allocSite_[i]);
            return base_ + uint64_t(i) * len_;
        }
    }
    Fail("AllocTensor: all " + std::to_string(num_) + " buffers of this " + PositionName(src_) +
         " queue are still in use (allocated or enqueued, not freed); FreeTensor one first or give the queue more buffers");
}

void QueBase::EnQue(const void* addr) {
    int i = IndexOf(addr, ALLOCATED, "EnQue");
    if (state_[i] != ALLOCATED)
        Fail(std::string("EnQue: the tensor is ") + (state_[i] == FREE ? "not allocated" : "already in the queue") +
             "; EnQue each AllocTensor exactly once");
    if (enqueued_ >= depth_)
        Fail("EnQue: the queue already holds depth=" + std::to_string(depth_) +
             " tensors; DeQue one first or declare a deeper TQue");
    fifo_[(head_ + enqueued_) % MAX_BUFFERS] = i;
    ++enqueued_;
    state_[i] = ENQUEUED;
    if (auto* m = opkit::rt::Model()) {
        readyAt_[i] = m->DoneOn(ProducerOf(src_));
        readySeq_[i] = m->Seq();
    }
}

uint8_t* QueBase::DeQue() {
    if (enqueued_ == 0)
        Fail(std::string("DeQue on an empty ") + PositionName(dst_) +
             " queue: nothing was EnQue'd, the NPU would wait here forever");
    int i = fifo_[head_];
    head_ = (head_ + 1) % MAX_BUFFERS;
    --enqueued_;
    state_[i] = DEQUEUED;
    if (auto* m = opkit::rt::Model()) {
        m->WaitOn(ConsumerOf(dst_), readyAt_[i]);
        m->Synced(ProducerOf(src_), ConsumerOf(dst_), readySeq_[i]);
    }
    return base_ + uint64_t(i) * len_;
}

void QueBase::Free(const void* addr) {
    int i = IndexOf(addr, DEQUEUED, "FreeTensor");
    if (state_[i] == FREE) Fail("FreeTensor: the tensor was already freed (double FreeTensor)");
    if (state_[i] == ENQUEUED) Fail("FreeTensor: the tensor is still in the queue; DeQue it before freeing it");
    state_[i] = FREE;
    if (auto* m = opkit::rt::Model()) {
        freeAt_[i] = m->DoneOn(ConsumerOf(dst_));
        freeSeq_[i] = m->Seq();
    }
}

bool QueBase::HasIdleBuffer() const {
    for (int i = 0; i < num_; ++i)
        if (state_[i] == FREE) return true;
    return false;
}

}  // namespace detail

// ---- TPipe ---------------------------------------------------------------------------------------
// Every TPipe carves from offset 0 of the core's memories, so two live ones would hand out the same
// bytes twice; the NPU allows one TPipe at a time (Destroy the first before making another).
TPipe::TPipe() {
    auto& core = opkit::rt::Core();
    if (core.pipe != nullptr)
        opkit::rt::Fail("a second TPipe was created while another is alive on this core; both would hand out the "
                        "same UB. Keep one TPipe per kernel, or call Destroy() on the first one before creating another");
    core.pipe = this;
}
TPipe::~TPipe() { Release(); }
void TPipe::Release() {
    auto* core = opkit::rt::CurrentCoreOrNull();
    if (core != nullptr && core->pipe == this) {
        core->pipe = nullptr;
        core->buffers.clear();
    }
}
void TPipe::ForgetBuffers() {
    auto* core = opkit::rt::CurrentCoreOrNull();
    if (core != nullptr && core->pipe == this) core->buffers.clear();
}

// The whole of each memory can be given out, UB's scratch area included (Note [UB scratch area]).
uint8_t* TPipe::Carve(opkit::rt::Mem m, uint64_t bytes, const char* what, int num, uint32_t len,
                      const detail::QueBase* que) {
    const int k = static_cast<int>(m);
    const uint32_t size = opkit::rt::MemSize(m);
    buffers_ += num;
    if (buffers_ > MAX_BUFFERS)
        opkit::rt::Fail("pipe.InitBuffer: " + std::to_string(buffers_) + " buffers in one kernel exceed the NPU's limit of " +
                        std::to_string(MAX_BUFFERS) + "; share buffers between stages or use fewer queues");
    if (uint64_t(used_[k]) + bytes > size) {
        char buf[320];
        std::snprintf(buf, sizeof buf,
                      "pipe.InitBuffer: %s of %d x %u bytes needs %" PRIu64 " bytes of %s, but only %u of the %u bytes a TPipe can give out "
                      "are left (%u already given to other buffers) on %s; use smaller tiles or fewer buffers",
                      what, num, len, bytes, opkit::rt::MemName(m), size - used_[k], size, used_[k], opkit::rt::CoreSoc().name);
        opkit::rt::Fail(buf);
    }
    uint8_t* p = opkit::rt::MemBase(m) + used_[k];
    for (int i = 0; i < num; ++i)
        opkit::rt::RememberBuffer(m, used_[k] + uint32_t(bytes / uint64_t(num)) * uint32_t(i), uint32_t(bytes / uint64_t(num)), que, i);
    used_[k] += static_cast<uint32_t>(bytes);
    return p;
}

}  // namespace AscendC

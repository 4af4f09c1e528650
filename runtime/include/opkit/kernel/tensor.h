// opkit: GlobalTensor, LocalTensor, TPipe, TQue, TQueBind and TBuf on the CPU.
//
// Each simulated AI Core owns real arenas of its SoC's UB/L1/L0 sizes (runtime/src/core.cpp).
// TPipe carves queue and TBuf buffers out of them and refuses to go past the end, so a kernel that
// overflows UB fails here exactly where it would misbehave on the NPU.
#pragma once

#include <cstdio>
#include <string>

#include "opkit/kernel/types.h"
#include "opkit/rt/api.h"

namespace AscendC {
namespace detail {

inline opkit::rt::Mem MemOf(TPosition p) {
    using opkit::rt::Mem;
    switch (p) {
        case TPosition::A1: case TPosition::B1: case TPosition::C1: case TPosition::TSCM:
            return Mem::L1;
        case TPosition::A2: return Mem::L0A;
        case TPosition::B2: return Mem::L0B;
        case TPosition::CO1: return Mem::L0C;
        case TPosition::C2: return Mem::BT;
        case TPosition::C2PIPE2GM: return Mem::FB;
        default: return Mem::UB;  // VECIN, VECOUT, VECCALC, CO2, SPM
    }
}

const char* PositionName(TPosition p);

// Fail unless [addr, addr+bytes) lies inside the arena of `mem` on this core.
void CheckInArena(const void* addr, uint64_t bytes, opkit::rt::Mem mem, const char* what);
void CheckAligned(const void* addr, opkit::rt::Mem mem, const char* what);
// npu_simulator: `op` uses a tensor of 0 elements for data; a finding when it came from a 0-byte
// buffer (pipe.InitBuffer(buf, 0)), see Note [Zero-length buffers] in runtime/src/ub_scratch.cpp.
void EmptyBufferUse(const void* addr, TPosition pos, const char* op);
// LocalTensor(pos, addr, tileSize): the byte `addr` of pos's memory on this core, after the checks of
// Note [LocalTensor at an address] (runtime/src/pipe.cpp).
void* PlaceLocal(TPosition pos, uint32_t addr, uint64_t bytes, uint32_t tileSize);

}  // namespace detail

namespace detail {
// Note [GlobalTensor size]: SetGlobalBuffer(ptr, n) declares that the kernel works on n elements from
// ptr; the NPU does not enforce it, so an access past it reads or writes whatever lies there, on a
// multi-core kernel usually the next core's share. npu_simulator reports each such access
// (globaltensor-size): DataCopy, DataCopyPad, GetValue/SetValue/operator(). operator[] keeps what is
// left of the range, down to nothing when its offset is at or past the end, so `gm[n]` is still
// known to be outside. Without a size (SetGlobalBuffer(ptr)) nothing is declared and nothing is checked.
inline void GlobalBeyond(const char* what, uint64_t endBytes, uint64_t sizeElems, uint64_t elemBytes) {
    const uint64_t sizeBytes = sizeElems * elemBytes;
    if (endBytes <= sizeBytes || !opkit::rt::Simulating()) return;
    opkit::rt::ReportFinding(
        "globaltensor-size",
        std::string(what) + " touches " + std::to_string(endBytes) + " bytes of a GlobalTensor set up with " +
            (sizeBytes == 0 ? std::string("nothing left (an operator[] offset at or past the end of its SetGlobalBuffer range)")
                            : std::to_string(sizeElems) + " elements (" + std::to_string(sizeBytes) + " bytes)") +
            "; on the NPU it reaches whatever lies there, on a multi-core kernel usually another core's data; "
            "check SetGlobalBuffer's size and the offsets");
}
}  // namespace detail

template <typename T>
class GlobalTensor {
public:
    using PrimType = T;
    GlobalTensor() = default;
    __aicore__ inline void SetGlobalBuffer(__gm__ T* buffer, uint64_t bufferSize) {
        addr_ = buffer;
        size_ = bufferSize;
        sized_ = bufferSize > 0;
    }
    __aicore__ inline void SetGlobalBuffer(__gm__ T* buffer) {
        addr_ = buffer;
        size_ = 0;
        sized_ = false;
    }
    __aicore__ inline const __gm__ T* GetPhyAddr() const { return addr_; }
    __aicore__ inline __gm__ T* GetPhyAddr(uint64_t offset) const { return addr_ + offset; }
    __aicore__ inline __gm__ T* address() const { return addr_; }
    __aicore__ inline T GetValue(uint64_t offset) const {
        opkit::rt::CheckGm(addr_ + offset, sizeof(T), "GlobalTensor::GetValue");
        if (sized_ && offset >= size_)  // Note [GlobalTensor size]
            detail::GlobalBeyond("GlobalTensor::GetValue", (offset + 1) * sizeof(T), size_, sizeof(T));
        opkit::rt::ModelScalar(true);
        return addr_[offset];
    }
    __aicore__ inline void SetValue(uint64_t offset, T value) {
        opkit::rt::CheckGm(addr_ + offset, sizeof(T), "GlobalTensor::SetValue");
        if (sized_ && offset >= size_)  // Note [GlobalTensor size]
            detail::GlobalBeyond("GlobalTensor::SetValue", (offset + 1) * sizeof(T), size_, sizeof(T));
        opkit::rt::ModelScalar(true);
        addr_[offset] = value;
    }
    __aicore__ inline T& operator()(uint64_t offset) {
        opkit::rt::CheckGm(addr_ + offset, sizeof(T), "GlobalTensor::operator()");
        if (sized_ && offset >= size_)  // Note [GlobalTensor size]
            detail::GlobalBeyond("GlobalTensor::operator()", (offset + 1) * sizeof(T), size_, sizeof(T));
        return addr_[offset];
    }
    __aicore__ inline uint64_t GetSize() const { return size_; }
    __aicore__ inline GlobalTensor operator[](uint64_t offset) const {
        GlobalTensor r;
        r.addr_ = addr_ + offset;
        r.size_ = size_ > offset ? size_ - offset : 0;
        r.sized_ = sized_;
        return r;
    }
    template <typename U>
    __aicore__ inline void SetL2CacheHint(U) {}  // a cache hint; the CPU has no L2 policy to set

    __gm__ T* addr_ = nullptr;
    uint64_t size_ = 0;
    bool sized_ = false;  // SetGlobalBuffer was given a size (Note [GlobalTensor size])
};

template <typename T>
class LocalTensor;

namespace detail {
// `x * y` on LocalTensors: the expression Ascend C's operator overloads build; assigning it to a
// LocalTensor runs the vector instruction over the destination's whole size (GetSize()), as CANN's
// symbol overloads do. Process is defined in opkit/kernel/vec_expr.h.
template <typename T>
struct VecExpr {
    opkit::rt::VOp op;
    const char* name;
    LocalTensor<T> a, b;
    void Process(const LocalTensor<T>& dst) const;
};
}  // namespace detail

template <typename T>
class LocalTensor {
public:
    using PrimType = T;
    LocalTensor() = default;
    LocalTensor(T* addr, uint32_t count, TPosition pos) : addr_(addr), size_(count), pos_(pos) {}
    // Static tensor programming: tileSize elements at byte `addr` of pos's memory, without TPipe
    // (Note [LocalTensor at an address] in runtime/src/pipe.cpp).
    __aicore__ inline LocalTensor(TPosition pos, uint32_t addr, uint32_t tileSize)
        : addr_(static_cast<T*>(detail::PlaceLocal(pos, addr, uint64_t(tileSize) * sizeof(T), tileSize))),
          size_(tileSize),
          pos_(pos) {}

    __aicore__ inline T GetValue(uint32_t index) const {
        if (size_ == 0) detail::EmptyBufferUse(addr_, pos_, "LocalTensor::GetValue");
        detail::CheckInArena(addr_ + index, sizeof(T), detail::MemOf(pos_), "LocalTensor::GetValue");
        opkit::rt::ModelAccess(addr_ + index, sizeof(T), false, "LocalTensor::GetValue", nullptr, 0);
        opkit::rt::ModelScalar(false);
        return addr_[index];
    }
    __aicore__ inline void SetValue(uint32_t index, const T& value) const {
        if (size_ == 0) detail::EmptyBufferUse(addr_, pos_, "LocalTensor::SetValue");
        detail::CheckInArena(addr_ + index, sizeof(T), detail::MemOf(pos_), "LocalTensor::SetValue");
        opkit::rt::ModelAccess(addr_ + index, sizeof(T), true, "LocalTensor::SetValue", nullptr, 0);
        opkit::rt::ModelScalar(false);
        addr_[index] = value;
    }
    __aicore__ inline T& operator()(uint32_t index) const {
        if (size_ == 0) detail::EmptyBufferUse(addr_, pos_, "LocalTensor::operator()");
        detail::CheckInArena(addr_ + index, sizeof(T), detail::MemOf(pos_), "LocalTensor::operator()");
        opkit::rt::ModelAccess(addr_ + index, sizeof(T), true, "LocalTensor::operator()", nullptr, 0);  // may be a write
        return addr_[index];
    }
    __aicore__ inline LocalTensor operator[](uint32_t offset) const {
        return LocalTensor(addr_ + offset, size_ > offset ? size_ - offset : 0, pos_);
    }
    __aicore__ inline uint32_t GetSize() const { return size_; }
    __aicore__ inline uint32_t GetLength() const { return size_ * sizeof(T); }
    __aicore__ inline void SetSize(uint32_t count) { size_ = count; }
    __aicore__ inline TPosition GetPosition() const { return pos_; }
    __aicore__ inline uint64_t GetPhyAddr() const {
        return static_cast<uint64_t>(reinterpret_cast<uint8_t*>(addr_) -
                                     opkit::rt::MemBase(detail::MemOf(pos_)));
    }
    __aicore__ inline void SetUserTag(int32_t tag) { tag_ = tag; }
    __aicore__ inline int32_t GetUserTag() const { return tag_; }
    template <typename U>
    __aicore__ inline LocalTensor<U> ReinterpretCast() const {
        return LocalTensor<U>(reinterpret_cast<U*>(addr_),
                              static_cast<uint32_t>(uint64_t(size_) * sizeof(T) / sizeof(U)), pos_);
    }
    T* Data() const { return addr_; }
    __aicore__ inline detail::VecExpr<T> operator+(const LocalTensor& b) const { return {opkit::rt::VOp::ADD, "Add operator", *this, b}; }
    __aicore__ inline detail::VecExpr<T> operator-(const LocalTensor& b) const { return {opkit::rt::VOp::SUB, "Sub operator", *this, b}; }
    __aicore__ inline detail::VecExpr<T> operator*(const LocalTensor& b) const { return {opkit::rt::VOp::MUL, "Mul operator", *this, b}; }
    __aicore__ inline detail::VecExpr<T> operator/(const LocalTensor& b) const { return {opkit::rt::VOp::DIV, "Div operator", *this, b}; }
    __aicore__ inline void operator=(const detail::VecExpr<T>& e) { e.Process(*this); }

    T* addr_ = nullptr;
    uint32_t size_ = 0;
    TPosition pos_ = TPosition::VECCALC;
    int32_t tag_ = 0;
};

class TPipe;

namespace detail {
// `op` uses `bytes` of t for data: see EmptyBufferUse.
template <typename T>
inline void UseData(const LocalTensor<T>& t, uint64_t bytes, const char* op) {
    if (t.size_ == 0 && bytes != 0) EmptyBufferUse(t.addr_, t.pos_, op);
}

// The buffer bookkeeping shared by every queue type. The hardware couples a queue's producer and
// consumer pipes with flags; on the CPU one instruction stream runs per core, so the discipline
// the flags enforce is checked instead: a DeQue with nothing enqueued would wait forever on the
// NPU and an AllocTensor with no free buffer would reuse a buffer still in flight.
class QueBase {
public:
    static constexpr int MAX_BUFFERS = 64;
    QueBase(TPosition src, TPosition dst, int32_t depth) : src_(src), dst_(dst), depth_(depth) {}
    QueBase(const QueBase&) = delete;
    ~QueBase();
    QueBase& operator=(const QueBase&) = delete;

    void Init(uint8_t* base, uint8_t num, uint32_t len);
    uint8_t* Alloc();
    void Free(const void* addr);
    void EnQue(const void* addr);
    uint8_t* DeQue();
    __aicore__ bool VacantInQue() const { return enqueued_ < depth_; }
    __aicore__ bool HasTensorInQue() const { return enqueued_ > 0; }
    __aicore__ int32_t GetTensorCountInQue() const { return enqueued_; }
    __aicore__ bool HasIdleBuffer() const;
    bool InUse(int i) const { return i < num_ && state_[i] != FREE; }  // allocated, enqueued or dequeued
    __aicore__ void FreeAllEvent() {}
    uint32_t BufferLen() const { return len_; }
    TPosition SrcPosition() const { return src_; }
    TPosition DstPosition() const { return dst_; }
    int NumBuffers() const { return num_; }

private:
    enum State : uint8_t { FREE, ALLOCATED, ENQUEUED, DEQUEUED };
    int IndexOf(const void* addr, State want, const char* what) const;
    TPosition src_, dst_;
    int32_t depth_;
    uint8_t* base_ = nullptr;
    uint32_t len_ = 0;
    uint8_t num_ = 0;
    // Note [Queue slots zeroed on Init]: the per-buffer arrays below start out zero for every buffer
    // a queue ever has, but only the first `zeroed_` entries are actually cleared, by Init: a queue
    // uses 1-4 of its 64 slots, and a kernel builds its queues on every core of every launch (a Matmul
    // object holds seven), so clearing all 64 (2.4 KB a queue) cost a tenth of a small LoRA launch.
    // fifo_ needs no clearing: an entry is written by EnQue before DeQue reads it.
    State state_[MAX_BUFFERS];
    int fifo_[MAX_BUFFERS];
    int head_ = 0;       // oldest enqueued entry of fifo_
    int nextAlloc_ = 0;  // buffers are handed out round-robin, like the hardware's ping-pong
    double readyAt_[MAX_BUFFERS];  // npu_simulator: when an enqueued buffer's data is complete
    double freeAt_[MAX_BUFFERS];   // npu_simulator: when a freed buffer's last reader is done
    const void* allocSite_[MAX_BUFFERS];  // where each buffer was last allocated (for findings)
    uint32_t readySeq_[MAX_BUFFERS];      // npu_simulator: Note [Cross-pipe order]
    uint32_t freeSeq_[MAX_BUFFERS];
    int zeroed_ = 0;  // entries [0, zeroed_) of the arrays above have been cleared
    int32_t enqueued_ = 0;
};

}  // namespace detail

template <TPosition src, TPosition dst, int32_t depth, auto mask = 0>
class TQueBind : public detail::QueBase {
public:
    TQueBind() : detail::QueBase(src, dst, depth) {}
    template <typename T>
    __aicore__ inline LocalTensor<T> AllocTensor() {
        return LocalTensor<T>(reinterpret_cast<T*>(Alloc()), BufferLen() / sizeof(T), src);
    }
    template <typename T>
    __aicore__ inline void FreeTensor(LocalTensor<T>& t) { Free(t.addr_); }
    template <typename T>
    __aicore__ inline bool EnQue(const LocalTensor<T>& t) {
        detail::QueBase::EnQue(t.addr_);
        return true;
    }
    template <typename T>
    __aicore__ inline LocalTensor<T> DeQue() {
        return LocalTensor<T>(reinterpret_cast<T*>(detail::QueBase::DeQue()), BufferLen() / sizeof(T), dst);
    }
};

template <TPosition pos, int32_t depth, auto mask = 0>
class TQue : public TQueBind<pos, pos, depth, mask> {};

template <TPosition pos = TPosition::VECCALC>
class TBuf {
public:
    TBuf() = default;
    TBuf(const TBuf&) = delete;
    template <typename T>
    __aicore__ inline LocalTensor<T> Get() const { return Get<T>(len_ / sizeof(T)); }
    template <typename T>
    __aicore__ inline LocalTensor<T> Get(uint32_t count) const {
        Require(uint64_t(count) * sizeof(T), 0, "TBuf::Get");
        return LocalTensor<T>(reinterpret_cast<T*>(base_), count, pos);
    }
    template <typename T>
    __aicore__ inline LocalTensor<T> GetWithOffset(uint32_t count, uint32_t byteOffset) const {
        Require(uint64_t(count) * sizeof(T), byteOffset, "TBuf::GetWithOffset");
        return LocalTensor<T>(reinterpret_cast<T*>(base_ + byteOffset), count, pos);
    }
    void Init(uint8_t* base, uint32_t len) {
        base_ = base;
        len_ = len;
    }

private:
    void Require(uint64_t bytes, uint32_t offset, const char* what) const {
        if (base_ == nullptr)
            opkit::rt::Fail(std::string(what) + " on a TBuf that was never given memory: call "
                            "pipe.InitBuffer(buf, bytes) first");
        if (bytes + offset > len_)
            opkit::rt::Fail(std::string(what) + ": " + std::to_string(bytes) + " bytes at offset " +
                            std::to_string(offset) + " exceed the TBuf's " + std::to_string(len_) +
                            " bytes; enlarge pipe.InitBuffer(buf, ...)");
    }
    uint8_t* base_ = nullptr;
    uint32_t len_ = 0;
};

class TPipe {
public:
    TPipe();
    ~TPipe();
    TPipe(const TPipe&) = delete;
    TPipe& operator=(const TPipe&) = delete;

    template <TPosition s, TPosition d, int32_t depth, auto mask>
    __aicore__ inline bool InitBuffer(TQueBind<s, d, depth, mask>& que, uint8_t num, uint32_t len) {
        uint32_t aligned = AlignLen(len);
        uint8_t* base = Carve(detail::MemOf(s), uint64_t(aligned) * num, "a TQue", num, len, &que);
        que.Init(base, num, aligned);
        return true;
    }
    template <TPosition pos>
    __aicore__ inline bool InitBuffer(TBuf<pos>& buf, uint32_t len) {
        uint32_t aligned = AlignLen(len);
        buf.Init(Carve(detail::MemOf(pos), aligned, "a TBuf", 1, len, nullptr), aligned);
        return true;
    }
    __aicore__ inline void Reset();
    __aicore__ inline void Destroy() {
        Reset();
        Release();
    }
    __aicore__ inline void Init() { Reset(); }
    // Note [Event IDs]: each HardEvent kind has 8 event IDs (event_t EVENT_ID0..7). AllocEventID
    // takes the lowest free one until ReleaseEventID gives it back; FetchEventID names the lowest
    // free one without taking it (for a SetFlag/WaitFlag pair issued at once). Running out, or
    // releasing an ID that is not taken, fails: on the NPU two users would share one flag.
    template <HardEvent evt>
    __aicore__ inline int8_t AllocEventID() { return AllocEvent(evt); }
    template <HardEvent evt>
    __aicore__ inline void ReleaseEventID(int8_t id) { ReleaseEvent(evt, id); }
    template <HardEvent evt>
    __aicore__ inline int8_t FetchEventID() { return FetchEventID(evt); }
    __aicore__ inline int8_t FetchEventID(HardEvent evt) { return FreeEvent(evt, "TPipe::FetchEventID"); }

    uint32_t Used(opkit::rt::Mem m) const { return used_[static_cast<int>(m)]; }
    // For library code whose buffers take turns in one memory (the Matmul API's clients on a MIX
    // launch's AIC, Note [Matmul clients on the AIC]): the next buffers of `m` start at `offset`;
    // returns the previous fill level (put it back with the larger of the two afterwards).
    uint32_t CarveFrom(opkit::rt::Mem m, uint32_t offset) {
        const uint32_t old = used_[static_cast<int>(m)];
        used_[static_cast<int>(m)] = offset;
        return old;
    }
    // Where those turn-taking buffers start in `m`: the fill level when the first of them came.
    uint32_t ClientBase(opkit::rt::Mem m) {
        const int i = static_cast<int>(m);
        if (clientBase_[i] == kNoBase) clientBase_[i] = used_[i];
        return clientBase_[i];
    }

private:
    // A length of 0 is accepted as on the NPU (Note [Zero-length buffers]).
    static uint32_t AlignLen(uint32_t len) {
        if (len > 0xFFFFFFE0u) opkit::rt::Fail("pipe.InitBuffer: " + std::to_string(len) + " bytes is no buffer length (a negative number?)");
        return (len + 31u) & ~31u;
    }
    void Release();
    void ForgetBuffers();
    uint8_t* Carve(opkit::rt::Mem m, uint64_t bytes, const char* what, int num, uint32_t len, const detail::QueBase* que);
    static constexpr int MAX_BUFFERS = 64;  // buffers one kernel's TPipe can hand out on the NPU
    uint32_t used_[static_cast<int>(opkit::rt::Mem::COUNT)] = {};
    static constexpr uint32_t kNoBase = 0xFFFFFFFFu;
    uint32_t clientBase_[static_cast<int>(opkit::rt::Mem::COUNT)] = {kNoBase, kNoBase, kNoBase, kNoBase,
                                                                   kNoBase, kNoBase, kNoBase};
    static_assert(static_cast<int>(opkit::rt::Mem::COUNT) == 7, "one kNoBase per memory");
    int buffers_ = 0;
    int8_t AllocEvent(HardEvent evt);
    void ReleaseEvent(HardEvent evt, int8_t id);
    int8_t FreeEvent(HardEvent evt, const char* what) const;
    uint8_t eventsTaken_[static_cast<int>(HardEvent::MAX)] = {};  // bit i: event ID i is allocated
};

// The kernel's live TPipe on this core (the one constructed last and not yet destroyed).
TPipe* GetTPipePtr();

inline void TPipe::Reset() {
    for (auto& u : used_) u = 0;
    for (auto& b : clientBase_) b = kNoBase;
    buffers_ = 0;
    ForgetBuffers();
}

using TEventID = int8_t;

}  // namespace AscendC

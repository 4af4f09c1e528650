// opkit: the simulated device's memory. aclrtMalloc/aclrtFree, the table of live blocks that
// aclrtMemcpy, aclrtMemset and a launch's GM bounds consult (DeviceRoom), a cache of freed blocks,
// and host memory lent to the device for one call (opkitLendDeviceMemory).
//
// Note [Device memory cache]: a freed block of 64 KiB or more is kept (up to 1 GiB in all) and handed
// out again by an aclrtMalloc that fits it. This is opkit's choice, not CANN's documented behaviour:
// fresh host memory of that size comes from mmap, every page of it faults on first touch, and a
// Python op call, which allocates each tensor's device copy, ran 10x slower than numpy for it (the
// NPU frameworks keep a caching allocator for the same reason). Kernels cannot tell: a freed block
// leaves the table at once, so a use after free is still refused, and reused memory holds stale
// bytes as the NPU's does. Sanitizer builds (OPKIT_SANITIZE) keep no cache, so ASan sees every free.
// Smaller blocks (every capacity a multiple of 512 bytes) are kept too, up to 32 per capacity and 16
// MiB in all, in a list per capacity: a call at 1,000 elements took four 512-byte-aligned blocks from
// malloc and gave them back (an input with no room for its padding is copied, and the output), and
// aligned malloc and free of a few KiB cost a tenth of the call's instructions.
//
// Note [Lent host memory]: the Python binding passes an array opkit allocated itself with room past
// its end (library.py _gm_empty: outputs, and inputs that were an earlier call's outputs) without a
// copy. opkitLendDeviceMemory enters it in the table with the padded size aclrtMalloc would give
// (Note [aclrtMalloc padding]) once the caller vouches that much is usable; opkitReturnDeviceMemory
// takes it out. Lending is counted, so one array passed twice to a call is lent twice. aclrtFree
// refuses a lent block: the memory belongs to its Python array.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "acl_state.h"

namespace opkit {
namespace acl {
namespace {
struct Block {
    size_t padded = 0;    // what the kernel may touch (Note [aclrtMalloc padding])
    size_t capacity = 0;  // what was allocated (>= padded; a cached block may be larger)
    int lent = 0;         // > 0: host memory lent for a call, this many times
};
std::mutex gMemMu;
std::map<const uint8_t*, Block> gBlocks;  // base -> block
std::multimap<size_t, void*> gCache;     // capacity -> a freed block, kept for reuse
size_t gCachedBytes = 0;
constexpr size_t kCacheMinBytes = size_t(64) << 10;
constexpr size_t kCacheMaxBytes = size_t(1) << 30;
constexpr size_t kSmallStep = 512;  // small blocks: capacities that are multiples of this, below kCacheMinBytes
constexpr size_t kSmallPerSize = 32;
constexpr size_t kSmallMaxBytes = size_t(16) << 20;
std::vector<void*> gSmall[kCacheMinBytes / kSmallStep];  // capacity / kSmallStep -> freed blocks
size_t gSmallBytes = 0;
#if defined(OPKIT_SANITIZE)
constexpr bool kCacheOn = false;
#else
constexpr bool kCacheOn = true;
#endif

// A cached block taken out of the cache, null if none: below kCacheMinBytes one of `need` rounded up to
// kSmallStep, else one with capacity in [need, need + need/4].
void* TakeCached(size_t need, size_t* capacity) {
    if (need < kCacheMinBytes) {
        const size_t steps = (need + kSmallStep - 1) / kSmallStep;
        auto& list = gSmall[steps];
        if (list.empty()) return nullptr;
        void* p = list.back();
        list.pop_back();
        *capacity = steps * kSmallStep;
        gSmallBytes -= *capacity;
        return p;
    }
    auto it = gCache.lower_bound(need);
    if (it == gCache.end() || it->first > need + need / 4) return nullptr;
    void* p = it->second;
    *capacity = it->first;
    gCachedBytes -= it->first;
    gCache.erase(it);
    return p;
}

void Cache(void* p, size_t capacity) {
    if (kCacheOn && capacity < kCacheMinBytes && capacity % kSmallStep == 0 && capacity > 0) {
        auto& list = gSmall[capacity / kSmallStep];
        if (list.size() < kSmallPerSize && gSmallBytes + capacity <= kSmallMaxBytes) {
            if (list.capacity() == 0) list.reserve(kSmallPerSize);
            list.push_back(p);
            gSmallBytes += capacity;
            return;
        }
    }
    if (!kCacheOn || capacity < kCacheMinBytes || capacity > kCacheMaxBytes) {
        std::free(p);
        return;
    }
    while (gCachedBytes + capacity > kCacheMaxBytes && !gCache.empty()) {  // drop the largest first
        auto last = std::prev(gCache.end());
        gCachedBytes -= last->first;
        std::free(last->second);
        gCache.erase(last);
    }
    gCache.emplace(capacity, p);
    gCachedBytes += capacity;
}
}  // namespace

size_t PaddedDeviceBytes(size_t size) { return (size + 31) / 32 * 32 + 32; }

int64_t DeviceRoom(const void* p) {
    std::lock_guard<std::mutex> lock(gMemMu);
    auto it = gBlocks.upper_bound(static_cast<const uint8_t*>(p));
    if (it == gBlocks.begin()) return -1;
    --it;
    const auto* q = static_cast<const uint8_t*>(p);
    return q < it->first + it->second.padded ? int64_t(it->first + it->second.padded - q) : -1;
}

// Note [Output memory]: an op call's outputs are new arrays, and new memory of their size comes from
// mmap: the kernel zeroes every page on its first touch. For add_custom at 1.6e7 float32 that zeroing
// was as long as the kernel's own copies (perf: clear_page 31% of the samples, memmove 29%). NPU
// frameworks keep a caching allocator for their device memory for the same reason, and so does opkit:
// the Python binding takes the memory of a returned array from the cache of Note [Device memory cache]
// and gives it back when the array is freed. numpy's own arrays pay the zeroing each time.
void* TakeHostBlock(size_t bytes, size_t* capacity) {
    size_t want = (std::max<size_t>(bytes, 1) + 511) & ~size_t(511);
    {
        std::lock_guard<std::mutex> lock(gMemMu);
        if (void* p = TakeCached(want, capacity)) return p;
    }
    *capacity = want;
    return std::aligned_alloc(512, want);
}

void GiveHostBlock(void* p, size_t capacity) {
    if (p == nullptr) return;
    std::lock_guard<std::mutex> lock(gMemMu);
    Cache(p, capacity);
}

void WidenToDeviceBlock(uint64_t& bytes, std::string* name, int64_t room) {
    if (room <= 0 || uint64_t(room) <= bytes) return;
    bytes = uint64_t(room);
    if (name != nullptr) *name += " with its aclrtMalloc padding";
}

void ReleaseCachedMemory() {
    std::lock_guard<std::mutex> lock(gMemMu);
    for (auto& [capacity, p] : gCache) std::free(p);
    gCache.clear();
    gCachedBytes = 0;
    for (auto& list : gSmall) {
        for (void* p : list) std::free(p);
        list.clear();
    }
    gSmallBytes = 0;
}
}  // namespace acl
}  // namespace opkit

using opkit::acl::SetError;
namespace mem = opkit::acl;

extern "C" {

aclError aclrtMalloc(void** devPtr, size_t size, aclrtMemMallocPolicy) {
    if (devPtr == nullptr) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMalloc: null pointer");
    if (size == 0) return SetError(ACL_ERROR_INVALID_PARAM, "aclrtMalloc: size 0");
    const size_t padded = mem::PaddedDeviceBytes(size);  // Note [aclrtMalloc padding]
    size_t capacity = (padded + 511) & ~size_t(511);  // 512-byte blocks like the NPU's allocator
    std::lock_guard<std::mutex> lock(mem::gMemMu);
    void* p = mem::TakeCached(capacity, &capacity);  // Note [Device memory cache]
    if (p == nullptr) p = std::aligned_alloc(512, capacity);
    if (p == nullptr)
        return SetError(ACL_ERROR_RT_MEMORY_ALLOCATION, "aclrtMalloc: out of memory for " + std::to_string(size) + " bytes");
    mem::gBlocks[static_cast<const uint8_t*>(p)] = mem::Block{padded, capacity, 0};
    *devPtr = p;
    return ACL_SUCCESS;
}

aclError aclrtFree(void* devPtr) {
    std::lock_guard<std::mutex> lock(mem::gMemMu);
    auto it = mem::gBlocks.find(static_cast<const uint8_t*>(devPtr));
    if (it == mem::gBlocks.end())
        return SetError(ACL_ERROR_RT_PARAM_INVALID, "aclrtFree: pointer was not returned by aclrtMalloc (or freed twice)");
    if (it->second.lent > 0)
        return SetError(ACL_ERROR_RT_PARAM_INVALID, "aclrtFree: this memory was lent by the host for a call, not allocated by aclrtMalloc");
    const size_t capacity = it->second.capacity;
    mem::gBlocks.erase(it);
    mem::Cache(devPtr, capacity);
    return ACL_SUCCESS;
}

// Note [Lent host memory]. `usable`: bytes from p the caller owns (at least the padded size of `size`).
aclError opkitLendDeviceMemory(void* p, size_t size, size_t usable) {
    if (p == nullptr || size == 0) return SetError(ACL_ERROR_INVALID_PARAM, "opkitLendDeviceMemory: null pointer or size 0");
    const size_t padded = mem::PaddedDeviceBytes(size);
    if (usable < padded)
        return SetError(ACL_ERROR_INVALID_PARAM, "opkitLendDeviceMemory: " + std::to_string(usable) + " usable bytes, but " +
                                                     std::to_string(size) + " bytes of device memory need " +
                                                     std::to_string(padded));
    std::lock_guard<std::mutex> lock(mem::gMemMu);
    const auto* base = static_cast<const uint8_t*>(p);
    auto it = mem::gBlocks.find(base);
    if (it != mem::gBlocks.end()) {
        if (it->second.lent == 0 || it->second.padded != padded)
            return SetError(ACL_ERROR_INVALID_PARAM, "opkitLendDeviceMemory: the memory is already device memory of another size");
        ++it->second.lent;
        return ACL_SUCCESS;
    }
    auto next = mem::gBlocks.upper_bound(base);
    bool overlaps = next != mem::gBlocks.end() && next->first < base + padded;
    if (next != mem::gBlocks.begin()) {
        auto prev = std::prev(next);
        overlaps = overlaps || base < prev->first + prev->second.padded;
    }
    if (overlaps) return SetError(ACL_ERROR_INVALID_PARAM, "opkitLendDeviceMemory: the memory overlaps a device block");
    mem::gBlocks[base] = mem::Block{padded, padded, 1};
    return ACL_SUCCESS;
}

aclError opkitReturnDeviceMemory(void* p) {
    std::lock_guard<std::mutex> lock(mem::gMemMu);
    auto it = mem::gBlocks.find(static_cast<const uint8_t*>(p));
    if (it == mem::gBlocks.end() || it->second.lent == 0)
        return SetError(ACL_ERROR_RT_PARAM_INVALID, "opkitReturnDeviceMemory: this memory is not lent");
    if (--it->second.lent == 0) mem::gBlocks.erase(it);
    return ACL_SUCCESS;
}

}  // extern "C"

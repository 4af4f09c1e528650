// fiber_check: runtime/src/fiber.cpp on its own (Note [Fiber switch]), compiled by
// tests/runtime/test_fiber.py with the hand-written x86-64 switch and with -DOPKIT_FIBER_UCONTEXT (the
// switch every other architecture uses). Prints "ok <checksum>" or what went wrong, and exits nonzero.
//
// It interleaves 64 fibers that each suspend three times: once after throwing and catching an exception,
// once at the bottom of a 200-frame recursion, and once with its own floating-point rounding mode set,
// which must come back unchanged while other fibers run in the default mode (fesetround is per thread,
// so a switch must carry it, as a thread switch does; glibc's fegetround reads the x87 word, the
// float division the SSE one, so both are checked).
#include <cfenv>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "fiber.h"

using opkit::rt::fiber::Fiber;

namespace {
int failures = 0;

int Deep(int n) {
    volatile char frame[512];
    frame[0] = char(n & 0x7f);
    if (n == 0) {
        Fiber::Suspend();
        return frame[0];
    }
    return Deep(n - 1) + frame[0];
}

float Third(float x) {
    volatile float v = x;  // computed at run time, in the current rounding mode
    return v / 3.0f;
}
}  // namespace

int main() {
    constexpr int kFibers = 64;
    std::vector<std::unique_ptr<Fiber>> fibers;
    long sum = 0;
    for (int i = 0; i < kFibers; ++i)
        fibers.push_back(std::make_unique<Fiber>([i, &sum] {
            try {
                if (i % 2 == 0) throw std::runtime_error("inside a fiber");
            } catch (const std::runtime_error&) {
                sum += 1000;
            }
            Fiber::Suspend();
            sum += Deep(200);
            const int mode = i % 3 == 0 ? FE_DOWNWARD : FE_TONEAREST;  // 1/3 rounds differently in the two
            std::fesetround(mode);
            const float before = Third(1.0f);
            Fiber::Suspend();
            if (std::fegetround() != mode || Third(1.0f) != before) {
                std::printf("fiber %d: its rounding mode changed while it was suspended\n", i);
                ++failures;
            }
            std::fesetround(FE_TONEAREST);
            sum += i;
        }));
    const float nearest = Third(1.0f);
    for (int round = 0; round < 4; ++round)
        for (auto& f : fibers)
            if (!f->done()) {
                f->Resume();
                if (std::fegetround() != FE_TONEAREST || Third(1.0f) != nearest) {
                    std::printf("a fiber's rounding mode leaked into the thread that resumed it\n");
                    ++failures;
                    std::fesetround(FE_TONEAREST);
                }
            }
    for (int i = 0; i < kFibers; ++i)
        if (!fibers[i]->done()) {
            std::printf("fiber %d did not finish after four resumes\n", i);
            ++failures;
        }
    long deep = 0;
    for (int n = 0; n <= 200; ++n) deep += n & 0x7f;
    const long want = 1000L * (kFibers / 2) + deep * kFibers + long(kFibers) * (kFibers - 1) / 2;
    if (sum != want) {
        std::printf("checksum %ld, expected %ld\n", sum, want);
        ++failures;
    }
    if (failures != 0) return 1;
    std::printf("ok %ld\n", sum);
    return 0;
}

// opkit: fibers, the stacks the simulated cores of a launch run on (Note [Cores on fibers], xcore.cpp).
#pragma once

#include <cstddef>
#include <functional>

namespace opkit {
namespace rt {
namespace fiber {

// A function that runs on a stack of its own and can stop midway (Suspend) to be continued later
// (Resume), all on the host thread that made it. Switching costs a few dozen instructions, against
// two futex system calls and two trips through the kernel's scheduler for a thread that waits.
class Fiber {
public:
    explicit Fiber(std::function<void()> body);  // takes a stack from the pool; does not run yet
    ~Fiber();                                    // the body must have ended (or never started)
    Fiber(const Fiber&) = delete;
    Fiber& operator=(const Fiber&) = delete;

    // From the thread's own stack (not from a fiber): run the body until it suspends or ends.
    void Resume();
    bool done() const { return done_; }
    // From inside a fiber's body: back to the Resume() that ran it.
    static void Suspend();

private:
    static void Entry(Fiber* f);
    std::function<void()> body_;
    unsigned char* stack_ = nullptr;  // the mapping, guard page first
    void* sp_ = nullptr;              // the fiber's saved stack pointer while it is not running
    void* callerSp_ = nullptr;        // Resume's, while the fiber runs
    void* ctx_ = nullptr;             // the ucontext pair where there is no hand-written switch
    bool done_ = false;
    // AddressSanitizer's view of the two stacks (Note [Fibers under AddressSanitizer], fiber.cpp)
    void* fakeStack_ = nullptr;
    const void* callerBottom_ = nullptr;
    size_t callerSize_ = 0;
};

}  // namespace fiber
}  // namespace rt
}  // namespace opkit

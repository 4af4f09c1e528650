// opkit: fibers (fiber.h; why the cores of a launch run on them: Note [Cores on fibers], xcore.cpp).
//
// Note [Fiber switch]: on x86-64 a switch is hand-written (opkit_fiber_switch below): it pushes the
// callee-saved registers of the System V ABI (rbp, rbx, r12-r15) and the SSE and x87 control words
// (rounding, exception masks) on the running stack, stores the stack pointer, loads the other one
// and pops the same. Everything else is caller-saved, so the C++ call around it saves what is live.
// A new fiber's stack is laid out as if it had been switched away from at the start of
// opkit_fiber_start, which calls Entry(fiber) with the stack 16-byte aligned, and whose CFI marks the
// end of the stack, so backtrace() and exceptions stop there. Elsewhere the switch is glibc's
// swapcontext (also on x86-64 with -DOPKIT_FIBER_UCONTEXT), which saves the signal mask too (two
// system calls per switch) and which AddressSanitizer only half supports (it warns once per process).
//
// Note [Fibers under AddressSanitizer]: ASan keeps shadow memory for the stack it believes is in
// use; every switch tells it (__sanitizer_start_switch_fiber before, ..._finish_ after), as its
// documentation asks, and a pooled stack is unpoisoned before a new fiber runs on it (the frames an
// ended fiber left hold poisoned redzones).
#include "fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define OPKIT_FIBER_ASAN 1
#endif

#if !defined(__x86_64__) || defined(OPKIT_FIBER_UCONTEXT)
#define OPKIT_FIBER_USE_UCONTEXT 1
#include <ucontext.h>
#endif

#if !OPKIT_FIBER_USE_UCONTEXT
extern "C" void opkit_fiber_switch(void** save, void* to);  // Note [Fiber switch]
extern "C" void opkit_fiber_start();
asm(R"(
    .text
    .p2align 4
    .globl opkit_fiber_switch
    .hidden opkit_fiber_switch
    .type opkit_fiber_switch,@function
opkit_fiber_switch:
    .cfi_startproc
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $16, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size opkit_fiber_switch, .-opkit_fiber_switch

    .p2align 4
    .globl opkit_fiber_start
    .hidden opkit_fiber_start
    .type opkit_fiber_start,@function
opkit_fiber_start:
    .cfi_startproc
    .cfi_undefined rip
    movq %rbx, %rdi
    andq $-16, %rsp
    callq *%r12
    ud2
    .cfi_endproc
    .size opkit_fiber_start, .-opkit_fiber_start
)");
#endif

namespace opkit {
namespace rt {
namespace fiber {
namespace {

// 8 MiB, a thread's usual default, so a kernel's locals fit as they did on a thread; reserved, not
// committed (only the pages a core touches take memory), with a guard page below so an overflow is a
// SIGSEGV, not a write into a neighbour.
constexpr size_t kStackBytes = size_t(8) << 20;
constexpr size_t kPooled = 256;  // stacks kept for later launches (a 910B MIX launch has 72 cores)

size_t Page() {
    static const size_t page = size_t(sysconf(_SC_PAGESIZE));
    return page;
}

std::mutex* gPoolMu = new std::mutex;                                  // never freed: threads outlive statics
std::vector<unsigned char*>* gPool = new std::vector<unsigned char*>;  // likewise

[[noreturn]] void Die(const char* what) {
    std::fprintf(stderr, "opkit: %s: %s\n", what, std::strerror(errno));
    std::abort();
}

unsigned char* TakeStack() {
    static std::once_flag once;
    std::call_once(once, [] {
        // A forked child (crash isolation) may inherit the lock held by a parent thread: it starts
        // a pool of its own (the parent's stacks stay mapped in it, unused).
        pthread_atfork(nullptr, nullptr, [] {
            gPoolMu = new std::mutex;
            gPool = new std::vector<unsigned char*>;
        });
    });
    {
        std::lock_guard<std::mutex> lock(*gPoolMu);
        if (!gPool->empty()) {
            unsigned char* s = gPool->back();
            gPool->pop_back();
#if OPKIT_FIBER_ASAN
            ASAN_UNPOISON_MEMORY_REGION(s + Page(), kStackBytes - Page());
#endif
            return s;
        }
    }
    void* p = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                   -1, 0);
    if (p == MAP_FAILED) Die("cannot map a stack for a simulated core");
    if (mprotect(p, Page(), PROT_NONE) != 0) Die("cannot protect a simulated core's stack guard page");
    return static_cast<unsigned char*>(p);
}

void GiveStack(unsigned char* s) {
    {
        std::lock_guard<std::mutex> lock(*gPoolMu);
        if (gPool->size() < kPooled) {
            gPool->push_back(s);
            return;
        }
    }
    munmap(s, kStackBytes);
}

thread_local Fiber* tCurrent = nullptr;

#if OPKIT_FIBER_USE_UCONTEXT
struct Contexts {
    ucontext_t fiber, caller;
};
#endif

}  // namespace

Fiber::Fiber(std::function<void()> body) : body_(std::move(body)), stack_(TakeStack()) {
    unsigned char* top = stack_ + kStackBytes;
#if OPKIT_FIBER_USE_UCONTEXT
    auto* cx = new Contexts;
    ctx_ = cx;
    if (getcontext(&cx->fiber) != 0) Die("getcontext");
    cx->fiber.uc_stack.ss_sp = stack_ + Page();
    cx->fiber.uc_stack.ss_size = kStackBytes - Page();
    cx->fiber.uc_link = nullptr;
    const auto bits = reinterpret_cast<uintptr_t>(this);
    makecontext(&cx->fiber, reinterpret_cast<void (*)()>(+[](unsigned hi, unsigned lo) {
        Entry(reinterpret_cast<Fiber*>((uintptr_t(hi) << 32) | uintptr_t(lo)));
    }), 2, unsigned(bits >> 32), unsigned(bits & 0xffffffffu));
    (void)top;
#else
    // The frame opkit_fiber_switch pops (Note [Fiber switch]), highest address first.
    auto* sp = reinterpret_cast<uint64_t*>(top);
    *--sp = 0;                                                  // where a caller's return address would be
    *--sp = reinterpret_cast<uint64_t>(&opkit_fiber_start);    // popped by ret
    *--sp = 0;                                                  // rbp
    *--sp = reinterpret_cast<uint64_t>(this);                   // rbx: Entry's argument
    *--sp = reinterpret_cast<uint64_t>(&Entry);                 // r12: called by opkit_fiber_start
    *--sp = 0;                                                  // r13
    *--sp = 0;                                                  // r14
    *--sp = 0;                                                  // r15
    sp -= 2;                                                    // MXCSR and the x87 control word:
    uint32_t mxcsr;                                             // the creating thread's, as a new thread's
    uint16_t fcw;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fcw));
    std::memcpy(sp, &mxcsr, 4);
    std::memcpy(reinterpret_cast<unsigned char*>(sp) + 4, &fcw, 2);
    sp_ = sp;
#endif
}

Fiber::~Fiber() {
#if OPKIT_FIBER_USE_UCONTEXT
    delete static_cast<Contexts*>(ctx_);
#endif
    GiveStack(stack_);
}

void Fiber::Resume() {
    tCurrent = this;
#if OPKIT_FIBER_ASAN
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, stack_ + Page(), kStackBytes - Page());
#endif
#if OPKIT_FIBER_USE_UCONTEXT
    auto* cx = static_cast<Contexts*>(ctx_);
    if (swapcontext(&cx->caller, &cx->fiber) != 0) Die("swapcontext");
#else
    opkit_fiber_switch(&callerSp_, sp_);
#endif
#if OPKIT_FIBER_ASAN
    __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
    tCurrent = nullptr;
}

void Fiber::Suspend() {
    Fiber* f = tCurrent;
    if (f == nullptr) {
        std::fprintf(stderr, "opkit: internal error: Fiber::Suspend outside a fiber\n");
        std::abort();
    }
#if OPKIT_FIBER_ASAN
    __sanitizer_start_switch_fiber(&f->fakeStack_, f->callerBottom_, f->callerSize_);
#endif
#if OPKIT_FIBER_USE_UCONTEXT
    auto* cx = static_cast<Contexts*>(f->ctx_);
    if (swapcontext(&cx->fiber, &cx->caller) != 0) Die("swapcontext");
#else
    opkit_fiber_switch(&f->sp_, f->callerSp_);
#endif
#if OPKIT_FIBER_ASAN
    __sanitizer_finish_switch_fiber(f->fakeStack_, &f->callerBottom_, &f->callerSize_);
#endif
}

void Fiber::Entry(Fiber* f) {
#if OPKIT_FIBER_ASAN
    __sanitizer_finish_switch_fiber(nullptr, &f->callerBottom_, &f->callerSize_);
#endif
    try {
        f->body_();
    } catch (...) {
        // The bodies (the launch's core loops) catch everything themselves; nothing may unwind past
        // the fiber's first frame.
        std::fprintf(stderr, "opkit: internal error: an exception left a fiber\n");
        std::abort();
    }
    f->done_ = true;
#if OPKIT_FIBER_ASAN
    __sanitizer_start_switch_fiber(nullptr, f->callerBottom_, f->callerSize_);  // this stack is done
#endif
#if OPKIT_FIBER_USE_UCONTEXT
    setcontext(&static_cast<Contexts*>(f->ctx_)->caller);
#else
    void* unused;
    opkit_fiber_switch(&unused, f->callerSp_);
#endif
    std::abort();  // never resumed
}

}  // namespace fiber
}  // namespace rt
}  // namespace opkit

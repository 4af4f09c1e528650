// LineSet (runtime/src/line_set.h) against std::unordered_set under the L2 model's use: runs of
// consecutive lines inserted, the oldest erased past a capacity (FIFO), plus scattered lines and
// lines whose homes collide. Every step's answer and, at checkpoints, every live line's membership
// (and a sample of absent ones) must agree. Prints "ok" and exits 0, else says where and exits 1.
// Usage: line_set_check SEED
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>
#include <unordered_set>

#include "line_set.h"

int main(int argc, char** argv) {
    std::mt19937_64 rng(argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1);
    opkit::sim::LineSet set;
    std::unordered_set<uintptr_t> want;
    std::deque<uintptr_t> order;
    const size_t capacity = 50000;  // small, so most inserts also evict (the Erase path)
    auto fail = [](const char* what, long step, uintptr_t line) {
        std::printf("mismatch: %s at step %ld, line %llu\n", what, step, static_cast<unsigned long long>(line));
        return 1;
    };
    for (long step = 0; step < 400000; ++step) {
        uintptr_t start;
        uint64_t len;
        switch (rng() % 4) {
            case 0: start = rng() % 200000; len = 1 + rng() % 64; break;             // a row's lines, often re-read
            case 1: start = (rng() % 1024) << 20; len = 1 + rng() % 8; break;        // far apart
            case 2: start = (rng() % 64) * (uint64_t(1) << 40); len = 1; break;     // high bits only
            default: start = step * 3; len = 2; break;                               // a stream
        }
        for (uintptr_t line = start; line < start + len; ++line) {
            const bool added = set.Insert(line);
            const bool expected = want.insert(line).second;
            if (added != expected) return fail("Insert", step, line);
            if (added) order.push_back(line);
            while (order.size() > capacity) {
                set.Erase(order.front());
                want.erase(order.front());
                order.pop_front();
            }
        }
        if (set.Size() != want.size()) return fail("Size", step, 0);
        if (step % 50000 == 0) {
            for (uintptr_t line : want)
                if (!set.Contains(line)) return fail("Contains (live)", step, line);
            for (int i = 0; i < 100000; ++i) {
                const uintptr_t line = rng() % 300000;
                if (set.Contains(line) != (want.count(line) != 0)) return fail("Contains (sample)", step, line);
            }
        }
    }
    std::printf("ok\n");
    return 0;
}

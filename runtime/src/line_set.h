// opkit: the set of L2 lines the npu_simulator model holds resident (Note [L2 line set]).
// Header-only, so tests/runtime/test_line_set.py can check it against std::unordered_set directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace opkit {
namespace sim {

// Note [L2 line set]: the L2 model (Note [L2 model], sim.cpp) asks, for every 128-byte line a GM
// copy touches, whether it is resident: ~800k lines for an add of 1.6e7 halves. A node-based
// std::unordered_set spent a third of such a simulation in malloc and free (one node per line, every
// launch), so the lines live in one flat table: open addressing with linear probing, kept at most
// half full, deletion by shifting the following entries back (no tombstones). Only membership is
// asked, so nothing depends on the table's order.
class LineSet {
public:
    // Adds `line`; false if it was there already.
    bool Insert(uintptr_t line);
    // Removes `line`, which is there.
    void Erase(uintptr_t line);
    bool Contains(uintptr_t line) const;
    size_t Size() const { return count_; }

private:
    size_t Home(uintptr_t line) const { return size_t((line * 0x9E3779B97F4A7C15ull) >> shift_); }
    void Grow();
    std::vector<uintptr_t> slots_;  // line + 1; 0: empty
    size_t count_ = 0;
    int shift_ = 64;
};

inline bool LineSet::Insert(uintptr_t line) {
    if (2 * (count_ + 1) > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = Home(line);; i = (i + 1) & mask) {
        if (slots_[i] == line + 1) return false;
        if (slots_[i] == 0) {
            slots_[i] = line + 1;
            ++count_;
            return true;
        }
    }
}
inline void LineSet::Erase(uintptr_t line) {
    const size_t mask = slots_.size() - 1;
    size_t hole = Home(line);
    while (slots_[hole] != line + 1) hole = (hole + 1) & mask;
    // Shift back each following entry of the run whose home is not between the hole and itself.
    for (size_t j = (hole + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
        const size_t home = Home(slots_[j] - 1);
        const bool stays = hole < j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            slots_[hole] = slots_[j];
            hole = j;
        }
    }
    slots_[hole] = 0;
    --count_;
}
inline bool LineSet::Contains(uintptr_t line) const {
    if (slots_.empty()) return false;
    const size_t mask = slots_.size() - 1;
    for (size_t i = Home(line);; i = (i + 1) & mask) {
        if (slots_[i] == line + 1) return true;
        if (slots_[i] == 0) return false;
    }
}
inline void LineSet::Grow() {
    std::vector<uintptr_t> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? size_t(1) << 16 : old.size() * 2, 0);
    shift_ = 64 - __builtin_ctzll(slots_.size());
    count_ = 0;
    for (uintptr_t v : old)
        if (v != 0) Insert(v - 1);
}

}  // namespace sim
}  // namespace opkit

// opkit: the set of L2 lines the npu_simulator model holds resident (Note [L2 line set]).
// Header-only, so tests/runtime/test_line_set.py can check it against std::unordered_set directly.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace opkit {
namespace sim {

// Note [L2 line set]: the L2 model (Note [L2 model], sim.cpp) asks, for every 128-byte line a GM
// copy touches, whether it is resident: ~800k lines for an add of 1.6e7 halves, in long runs of
// consecutive lines (a copy's rows). A node-based std::unordered_set spent a third of such a
// simulation in malloc and free (one node per line, every launch), and a flat hash table still spent
// a quarter in its probes' cache misses. So the lines are bits: one 512-byte bitmap per page of 4096
// consecutive lines (512 KiB of address space), the pages found by number through a small map, the
// last page used kept at hand, so a run of lines costs a bit test each. Pages stay until the launch
// ends. Only membership is asked, so nothing depends on any order.
class LineSet {
public:
    // Adds `line`; false if it was there already.
    bool Insert(uintptr_t line) {
        uint64_t& word = Word(line);
        const uint64_t bit = uint64_t(1) << (line & 63);
        if (word & bit) return false;
        word |= bit;
        ++count_;
        return true;
    }
    // Removes `line`, which is there.
    void Erase(uintptr_t line) {
        Word(line) &= ~(uint64_t(1) << (line & 63));
        --count_;
    }
    bool Contains(uintptr_t line) const {
        const auto it = index_.find(line >> kPageShift);
        if (it == index_.end()) return false;
        return ((*pages_[it->second])[(line & (kPageLines - 1)) >> 6] >> (line & 63)) & 1;
    }
    size_t Size() const { return count_; }

private:
    static constexpr int kPageShift = 12;
    static constexpr uintptr_t kPageLines = uintptr_t(1) << kPageShift;
    using Page = std::array<uint64_t, kPageLines / 64>;

    uint64_t& Word(uintptr_t line) {
        const uintptr_t page = line >> kPageShift;
        if (last_ == nullptr || page != lastPage_) {
            auto it = index_.find(page);
            if (it == index_.end()) {
                it = index_.emplace(page, pages_.size()).first;
                pages_.push_back(std::make_unique<Page>());
                pages_.back()->fill(0);
            }
            last_ = pages_[it->second].get();
            lastPage_ = page;
        }
        return (*last_)[(line & (kPageLines - 1)) >> 6];
    }

    std::unordered_map<uintptr_t, size_t> index_;  // page number -> its bitmap in pages_
    std::vector<std::unique_ptr<Page>> pages_;
    Page* last_ = nullptr;
    uintptr_t lastPage_ = 0;
    size_t count_ = 0;
};

}  // namespace sim
}  // namespace opkit

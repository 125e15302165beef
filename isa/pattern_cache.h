// The access patterns a parser has read, by their text: a tiled kernel names the same tiles over
// and over (a PSUM bank, an SBUF buffer per loop iteration), and sharing a pattern read before
// costs a small part of reading it again.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "isa/instruction.h"

namespace nsim::isa {

// A fixed number of slots, each holding the last pattern whose text hashed to it: the memory is
// bounded whatever the kernel, and a kernel without repeats only pays for the lookups. The texts
// are views into the kernel text, which must outlive the cache. Only patterns read without error
// go in, and a pattern's value depends on its text and on the declared tensors alone, so the
// owner clears the cache when it declares one.
class PatternCache {
public:
    const PatternOperand* find(std::string_view text) const {
        if (m_slots.empty()) return nullptr;
        const Slot& s = m_slots[slot_of(text)];
        return s.text.data() && s.text == text ? &*s.pattern : nullptr;
    }
    void put(std::string_view text, const PatternOperand& pattern) {
        if (m_slots.empty()) m_slots.resize(kSlots);
        m_slots[slot_of(text)] = {text, pattern};
    }
    void clear() { m_slots.clear(); }

private:
    static constexpr size_t kSlots = 4096;
    struct Slot {
        std::string_view text;
        std::optional<PatternOperand> pattern;
    };
    static size_t slot_of(std::string_view text) {
        return std::hash<std::string_view>()(text) % kSlots;
    }
    std::vector<Slot> m_slots;
};

}  // namespace nsim::isa

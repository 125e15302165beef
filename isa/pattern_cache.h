// What a parser has read and a builder has made before, in bounded tables: a tiled kernel names
// the same tiles over and over (a PSUM bank, an SBUF buffer per loop iteration) and repeats whole
// lines (a loop body over the same buffers), and sharing what was read before costs a small part
// of reading it again.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "isa/instruction.h"

namespace nsim::isa {

// The slots of the tables below: a kernel's distinct patterns (482 texts in the x16 matmul) seldom
// collide in them (1,024 left a fifth of those texts colliding).
inline constexpr size_t kPatternTableSlots = 4096;

// A fixed number of slots, each holding the last value whose text hashed to it: the memory is
// bounded whatever the kernel, and a kernel without repeats only pays for the lookups. The texts
// are views into the kernel text, which must outlive the table.
template <class V>
class TextTable {
public:
    const V* find(std::string_view text) const {
        if (m_slots.empty()) return nullptr;
        const Slot& s = m_slots[slot_of(text)];
        return s.text.data() && s.text == text ? &*s.value : nullptr;
    }
    void put(std::string_view text, V value) {
        if (m_slots.empty()) m_slots.resize(kPatternTableSlots);
        m_slots[slot_of(text)] = {text, std::move(value)};
    }
    void clear() { m_slots.clear(); }

private:
    struct Slot {
        std::string_view text;
        std::optional<V> value;
    };
    static size_t slot_of(std::string_view text) {
        return std::hash<std::string_view>()(text) % kPatternTableSlots;
    }
    std::vector<Slot> m_slots;
};

// The access patterns a parser has read, by their text. Only patterns read without error go in,
// and a pattern's value depends on its text and on the declared tensors alone, so the owner
// clears the table when it declares one.
using PatternCache = TextTable<PatternOperand>;

// The access patterns a builder has made, by value: a kernel built in code names the same tiles
// over and over too, and an operand that shares a pattern made before costs no allocation (and the
// passes find its results by its address). Bounded like PatternCache: a slot holds the last
// pattern whose value hashed to it.
class PatternPool {
public:
    PatternOperand share(const AccessPattern& ap) {
        if (m_slots.empty()) m_slots.resize(kPatternTableSlots);
        std::optional<PatternOperand>& slot = m_slots[hash_value(ap) % kPatternTableSlots];
        if (!slot || **slot != ap) slot = PatternOperand(ap);
        return *slot;
    }

private:
    std::vector<std::optional<PatternOperand>> m_slots;
};

}  // namespace nsim::isa

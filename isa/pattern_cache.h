// The access patterns a parser has read, by their text: a tiled kernel names the same tiles over
// and over (a PSUM bank, an SBUF buffer per loop iteration), and sharing a pattern read before
// costs a small part of reading it again.
#pragma once

#include <cstdint>
#include <cstring>
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
    static constexpr unsigned kSlotBits = 12;
    static constexpr size_t kSlots = size_t(1) << kSlotBits;
    struct Slot {
        std::string_view text;
        std::optional<PatternOperand> pattern;
    };
    // Eight bytes of the text at a time: an operand's text is a few dozen bytes, and the table
    // needs its slots spread, not a strong hash.
    static size_t slot_of(std::string_view text) {
        constexpr uint64_t kMix = 0x9E3779B97F4A7C15ull;  // 2^64 / golden ratio
        uint64_t h = text.size();
        const auto mix = [&h](uint64_t word) {
            h = (h ^ word) * kMix;
            h ^= h >> 29;
        };
        size_t at = 0;
        for (; at + 8 <= text.size(); at += 8) {
            uint64_t word;
            std::memcpy(&word, text.data() + at, 8);
            mix(word);
        }
        uint64_t tail = 0;
        for (size_t k = 0; at + k < text.size(); ++k)
            tail |= uint64_t(static_cast<unsigned char>(text[at + k])) << (8 * k);
        mix(tail);
        h ^= h >> 33;  // every bit of the last word into the top bits
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
        return size_t(h >> (64 - kSlotBits));
    }
    std::vector<Slot> m_slots;
};

// The access patterns a builder has made, by value: a kernel built in code names the same tiles
// over and over too, and an operand that shares a pattern made before costs no allocation (and the
// passes find its results by its address). Bounded like PatternCache: a slot holds the last
// pattern whose value hashed to it.
class PatternPool {
public:
    PatternOperand share(const AccessPattern& ap) {
        if (m_slots.empty()) m_slots.resize(kSlots);
        std::optional<PatternOperand>& slot = m_slots[hash_value(ap) % kSlots];
        if (!slot || **slot != ap) slot = PatternOperand(ap);
        return *slot;
    }

private:
    static constexpr size_t kSlots = 4096;
    std::vector<std::optional<PatternOperand>> m_slots;
};

}  // namespace nsim::isa

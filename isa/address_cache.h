// A bounded table of what was found last for an address: passes over a kernel whose operands share
// their patterns (isa::PatternOperand) find a pattern's result by its address, not by its value.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace nsim::isa {

// 2^Bits slots, each holding the last key that hashed to it: the memory is bounded whatever the
// kernel, and a miss costs the caller only the work the table would have saved. A key is an
// address, its low bits free for the caller's flags (the objects are aligned), or a hash of the
// caller's (who then checks what it finds); 0 is no key.
template <class V, unsigned Bits = 12>
class AddressCache {
public:
    const V* find(uintptr_t key) const {
        if (m_slots.empty()) return nullptr;
        const auto& slot = m_slots[slot_of(key)];
        return slot.first == key ? &slot.second : nullptr;
    }
    void put(uintptr_t key, V value) {
        if (m_slots.empty()) m_slots.resize(size_t(1) << Bits);
        m_slots[slot_of(key)] = {key, std::move(value)};
    }

private:
    // Multiplied by 2^64 / golden ratio, the top bits spread aligned addresses over the slots.
    static size_t slot_of(uintptr_t key) {
        return size_t((uint64_t(key) * 0x9E3779B97F4A7C15ull) >> (64 - Bits));
    }
    std::vector<std::pair<uintptr_t, V>> m_slots;
};

}  // namespace nsim::isa

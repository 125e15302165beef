// A core's hardware semaphores: counters that instructions wait on (until >= a value) and that
// completing instructions and DMA transfers increment. Each increment remembers the incrementer's
// vector clock so that a waiter acquires exactly the increments that satisfied it.
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>
#include <vector>

#include "sim/checks/vector_clock.h"

namespace nsim::sim {

class SemaphoreBank {
public:
    // Only the semaphores `used` marks get an event to wait on (making a SystemC event costs as
    // much as simulating several instructions, and a program uses few of a core's semaphores).
    SemaphoreBank(uint32_t count, bool track_clocks, const std::vector<bool>& used);

    // Every semaphore back to 0 with no history (between programs; nothing may be waiting).
    void reset();
    uint32_t size() const { return uint32_t(m_values.size()); }
    uint32_t value(uint32_t sem) const { return m_values[sem]; }
    // Adds `amount` and wakes the waiters of `sem`.
    void increment(uint32_t sem, uint32_t amount, const VectorClock& clock);
    const sc_core::sc_event& changed(uint32_t sem) const { return *m_events[sem]; }  // a used one
    // The joined clocks of the increments that brought `sem` to at least `value` (call only once
    // the value is reached).
    const VectorClock& clock_at(uint32_t sem, uint32_t value) const;

private:
    struct Step {
        uint32_t value_after;
        VectorClock joined;  // join of every increment up to this one
    };
    std::vector<uint32_t> m_values;
    std::vector<std::unique_ptr<sc_core::sc_event>> m_events;
    std::vector<std::vector<Step>> m_history;
    bool m_track_clocks;
    VectorClock m_empty;
};

}  // namespace nsim::sim

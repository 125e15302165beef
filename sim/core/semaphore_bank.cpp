#include "sim/core/semaphore_bank.h"

#include <algorithm>

namespace nsim::sim {

SemaphoreBank::SemaphoreBank(uint32_t count, bool track_clocks, const std::vector<bool>& used)
    : m_values(count, 0), m_events(count), m_history(count), m_track_clocks(track_clocks) {
    for (uint32_t i = 0; i < count && i < used.size(); ++i)
        if (used[i])
            m_events[i] =
                std::make_unique<sc_core::sc_event>(sc_core::sc_gen_unique_name("semaphore"));
}

void SemaphoreBank::reset() {
    std::fill(m_values.begin(), m_values.end(), 0);
    for (auto& h : m_history) h.clear();
}

void SemaphoreBank::increment(uint32_t sem, uint32_t amount, const VectorClock& clock) {
    m_values[sem] += amount;
    if (m_track_clocks) {
        auto& h = m_history[sem];
        VectorClock joined = h.empty() ? clock : h.back().joined;
        if (!h.empty()) joined.join(clock);
        h.push_back({m_values[sem], std::move(joined)});
    }
    if (m_events[sem]) m_events[sem]->notify();  // else nothing can be waiting on it
}

const VectorClock& SemaphoreBank::clock_at(uint32_t sem, uint32_t value) const {
    const auto& h = m_history[sem];
    if (value == 0) return m_empty;  // nothing to acquire
    auto it = std::lower_bound(h.begin(), h.end(), value,
                               [](const Step& s, uint32_t v) { return s.value_after < v; });
    return it == h.end() ? m_empty : it->joined;
}

}  // namespace nsim::sim

// Vector clocks for the race detector: one component per agent (each engine, each DMA queue) of a
// core; a happens before b when b's clock has seen a tick of a's agent after a.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

namespace nsim::sim {

// At most kMaxAgents components, held inline: clocks are copied on every semaphore increment.
inline constexpr size_t kMaxAgents = 32;

class VectorClock {
public:
    VectorClock() = default;
    uint32_t operator[](size_t agent) const { return m_c[agent]; }
    void tick(size_t agent) {
        ++m_c[agent];
        m_used = std::max(m_used, agent + 1);
    }
    void join(const VectorClock& o) {
        for (size_t i = 0; i < o.m_used; ++i) m_c[i] = std::max(m_c[i], o.m_c[i]);
        m_used = std::max(m_used, o.m_used);
    }
    // True when an access made by `agent` at `epoch` happens before this clock.
    bool has_seen(size_t agent, uint32_t epoch) const { return m_c[agent] > epoch; }

private:
    std::array<uint32_t, kMaxAgents> m_c{};
    size_t m_used = 0;  // components past this are 0
};

}  // namespace nsim::sim

// Vector clocks for the race detector: one component per agent (each engine, each DMA queue) of a
// core; a happens before b when b's clock has seen a tick of a's agent after a.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace nsim::sim {

class VectorClock {
public:
    explicit VectorClock(size_t agents = 0) : m_c(agents, 0) {}
    uint32_t operator[](size_t agent) const { return m_c[agent]; }
    void tick(size_t agent) { ++m_c[agent]; }
    void join(const VectorClock& o) {
        const size_t n = std::min(m_c.size(), o.m_c.size());
        for (size_t i = 0; i < n; ++i) m_c[i] = std::max(m_c[i], o.m_c[i]);
    }
    // True when an access made by `agent` at `epoch` happens before this clock.
    bool has_seen(size_t agent, uint32_t epoch) const { return m_c[agent] > epoch; }

private:
    std::vector<uint32_t> m_c;
};

}  // namespace nsim::sim

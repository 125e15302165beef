// A shared resource that moves bytes at a fixed rate (a DMA engine, a DRAM/HBM channel, a link):
// it hands out the earliest time a transfer can run, so concurrent users queue behind each other.
#pragma once

#include <algorithm>

namespace nsim::sim {

class BandwidthServer {
public:
    explicit BandwidthServer(double bytes_per_ns = 1.0) : m_bytes_per_ns(bytes_per_ns) {}

    // Reserves the resource for `bytes`, starting no earlier than `earliest_ns`; returns the end.
    double reserve(double earliest_ns, double bytes) {
        const double start = std::max(earliest_ns, m_free_ns);
        m_free_ns = start + bytes / m_bytes_per_ns;
        m_busy_ns += bytes / m_bytes_per_ns;
        return m_free_ns;
    }
    double busy_ns() const { return m_busy_ns; }

private:
    double m_bytes_per_ns;
    double m_free_ns = 0;
    double m_busy_ns = 0;
};

}  // namespace nsim::sim

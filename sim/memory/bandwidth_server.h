// A shared resource that moves bytes at a fixed rate (a DMA engine, a DRAM/HBM channel, a link):
// it hands out the earliest time a transfer can run, so concurrent users queue behind each other.
#pragma once

#include <algorithm>
#include <utility>

namespace nsim::sim {

class BandwidthServer {
public:
    explicit BandwidthServer(double bytes_per_ns = 1.0) : m_ns_per_byte(1.0 / bytes_per_ns) {}

    // Reserves the resource for `bytes`, starting no earlier than `earliest_ns`; returns the end.
    double reserve(double earliest_ns, double bytes) { return serve(earliest_ns, bytes).second; }
    // The same, returning when the service starts and when it ends.
    std::pair<double, double> serve(double earliest_ns, double bytes) {
        const double start = std::max(earliest_ns, m_free_ns), duration = bytes * m_ns_per_byte;
        m_free_ns = start + duration;
        m_busy_ns += duration;
        return {start, m_free_ns};
    }
    double busy_ns() const { return m_busy_ns; }

private:
    double m_ns_per_byte;
    double m_free_ns = 0;
    double m_busy_ns = 0;
};

}  // namespace nsim::sim

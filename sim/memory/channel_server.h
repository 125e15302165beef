// One device-memory channel (a DDR channel or an HBM stack) as a server that moves bytes at a fixed
// rate and fills its idle gaps: DMA engines book work up to a quantum ahead and in no particular
// time order (core by core), so a request for an early time must be able to use the channel's idle
// time before work already booked for later, instead of queueing behind it as a plain
// earliest-free-time server would. The work is fluid: a request may be split over several gaps.
#pragma once

#include <utility>
#include <vector>

namespace nsim::sim {

class ChannelServer {
public:
    explicit ChannelServer(double bytes_per_ns) : m_ns_per_byte(1.0 / bytes_per_ns) {}

    // Serves `bytes` from `earliest_ns` on, in the idle time left; returns when the service starts
    // and ends. Busy time before `now_ns` is forgotten (nothing can be booked there any more).
    std::pair<double, double> serve(double earliest_ns, double bytes, double now_ns);
    double busy_ns() const { return m_busy_total_ns; }

private:
    double m_ns_per_byte;
    std::vector<std::pair<double, double>> m_busy;  // booked intervals: sorted, disjoint
    std::vector<std::pair<double, double>> m_scratch;
    double m_busy_total_ns = 0;
};

}  // namespace nsim::sim

// NeuronLink network: chunked, round-robin booking of transfers on the links of their routes.
#include "sim/neuronlink/neuronlink_network.h"

#include <algorithm>

#include <fmt/format.h>

#include "isa/error.h"

namespace nsim::sim {

LinkParams link_params(const InstanceConfig& instance) {
    LinkParams p;
    p.port_bytes_per_ns =
        instance.link_ports ? instance.link_bandwidth_gbps / instance.link_ports : 1;
    p.latency_ns = instance.link_latency_ns;
    p.chunk_bytes = instance.chip.dma.descriptor_bytes;
    const auto& chip = instance.chip;
    p.local_bytes_per_ns =
        std::min(chip.cores * chip.dma.engines_per_core * chip.dma.engine_bandwidth_gbps,
                 chip.device_memory.bandwidth_gbps / 2);
    return p;
}

LinkNetwork::LinkNetwork(LinkTopology topology, LinkParams params)
    : m_topology(std::move(topology)), m_params(params) {
    if (!(m_params.port_bytes_per_ns > 0) || m_params.chunk_bytes == 0 ||
        m_params.round_chunks == 0)
        throw SimError("NeuronLink: link bandwidth, chunk size and round length must be positive");
    double slowest = 0;
    for (const auto& l : m_topology.links()) {
        m_links.push_back({l.ports * m_params.port_bytes_per_ns, m_params.latency_ns});
        slowest = slowest == 0 ? m_links.back().bytes_per_ns
                               : std::min(slowest, m_links.back().bytes_per_ns);
    }
    if (m_params.local_bytes_per_ns > 0)
        for (uint32_t chip = 0; chip < m_topology.chips(); ++chip)
            m_links.push_back({m_params.local_bytes_per_ns, 0});
    m_round_ns = m_params.round_chunks * double(m_params.chunk_bytes) /
                 (slowest > 0 ? slowest : m_params.port_bytes_per_ns);
}

uint64_t LinkNetwork::start(double now_ns, uint32_t src, uint32_t dst, uint64_t bytes,
                            Callback on_done) {
    if (now_ns + 1e-9 < m_now_ns)
        throw SimError(
            fmt::format("NeuronLink: a transfer started at {} ns, before the network's time {} ns",
                        now_ns, m_now_ns));
    if (!m_dispatching)
        process(now_ns, /*inclusive=*/false);  // events before now happen first; a round due now
                                               // includes this transfer
    m_now_ns = std::max(m_now_ns, now_ns);
    auto route = this->route(src, dst);  // throws for a bad chip or a missing route
    const uint64_t id = m_transfers.size();
    m_transfers.push_back({std::move(route), m_now_ns, bytes, m_now_ns, std::move(on_done)});
    ++m_in_flight;
    if (m_transfers.back().route.empty() || bytes == 0) {
        schedule(m_now_ns, id);
        return id;
    }
    m_booking.push_back(id);
    if (m_now_ns < m_round_end_ns) book_until_round_end();  // join the round under way
    if (!m_booking.empty() && !m_round_pending) {
        schedule(std::max(m_now_ns, m_round_end_ns), kNoTransfer);
        m_round_pending = true;
    }
    return id;
}

void LinkNetwork::call_at(double at_ns, Callback callback) {
    m_transfers.push_back({{}, at_ns, 0, at_ns, std::move(callback)});
    ++m_in_flight;
    schedule(std::max(at_ns, m_now_ns), m_transfers.size() - 1);
}

std::vector<uint32_t> LinkNetwork::route(uint32_t src, uint32_t dst) const {
    auto out = m_topology.route(src, dst);
    if (src == dst && m_params.local_bytes_per_ns > 0) out.push_back(local_link(src));
    return out;
}

uint32_t LinkNetwork::local_link(uint32_t chip) const {
    if (!(m_params.local_bytes_per_ns > 0) || chip >= m_topology.chips())
        throw SimError(fmt::format("NeuronLink: chip {} has no local link", chip));
    return uint32_t(m_topology.links().size()) + chip;
}

void LinkNetwork::schedule(double at_ns, uint64_t transfer) {
    m_events.push({at_ns, m_seq++, transfer});
}

std::optional<double> LinkNetwork::next_event_ns() const {
    if (m_events.empty()) return std::nullopt;
    return m_events.top().at_ns;
}

void LinkNetwork::advance_to(double t_ns) { process(t_ns, /*inclusive=*/true); }

void LinkNetwork::process(double t_ns, bool inclusive) {
    const bool outer = !m_dispatching;
    m_dispatching = true;
    while (!m_events.empty() &&
           (m_events.top().at_ns < t_ns || (inclusive && m_events.top().at_ns == t_ns))) {
        const Event e = m_events.top();
        m_events.pop();
        m_now_ns = std::max(m_now_ns, e.at_ns);
        if (e.transfer == kNoTransfer) {
            run_round();
            continue;
        }
        Transfer& t = m_transfers[e.transfer];
        --m_in_flight;
        Callback done = std::move(t.on_done);
        t.route = {};
        if (done) done(m_now_ns);  // may start transfers (m_transfers may grow: `t` is dead here)
    }
    if (outer) m_dispatching = false;
    m_now_ns = std::max(m_now_ns, t_ns);
}

double LinkNetwork::run() {
    while (auto next = next_event_ns()) advance_to(*next);
    return m_now_ns;
}

void LinkNetwork::run_round() {
    m_round_pending = false;
    m_round_end_ns = m_now_ns + m_round_ns;
    book_until_round_end();
    if (!m_booking.empty()) {
        std::rotate(m_booking.begin(), m_booking.begin() + 1,
                    m_booking.end());  // a fair first pick
        schedule(m_round_end_ns, kNoTransfer);
        m_round_pending = true;
    }
}

void LinkNetwork::book_until_round_end() {
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t i = 0; i < m_booking.size();) {
            Transfer& t = m_transfers[m_booking[i]];
            if (!book_chunk(t)) {
                ++i;
                continue;
            }
            progress = true;
            if (t.unbooked > 0) {
                ++i;
                continue;
            }
            schedule(std::max(t.arrival_ns, m_now_ns),
                     m_booking[i]);  // fully booked: its end is known
            m_booking.erase(m_booking.begin() + long(i));
        }
    }
}

bool LinkNetwork::book_chunk(Transfer& t) {
    // The chunk's slot on each hop. Where it queues behind other chunks, the slot must start within
    // the round, so the transfers meeting on a link take turns there, whichever hop of their routes
    // it is; where the link is idle when the chunk arrives, nobody waits for it and the slot is
    // taken.
    const uint64_t bytes = std::min<uint64_t>(m_params.chunk_bytes, t.unbooked);
    double at = t.start_ns;
    m_slots.clear();
    for (uint32_t index : t.route) {
        const Link& link = m_links[index];
        const double begin = std::max(at, link.free_ns);
        if (link.free_ns > at && begin >= m_round_end_ns) return false;
        m_slots.push_back(begin);
        at = begin + double(bytes) / link.bytes_per_ns + link.latency_ns;  // reaches the next chip
    }
    for (size_t h = 0; h < t.route.size(); ++h) {
        Link& link = m_links[t.route[h]];
        const double busy = double(bytes) / link.bytes_per_ns;
        link.free_ns = m_slots[h] + busy;
        link.busy_ns += busy;
        link.bytes += bytes;
    }
    t.unbooked -= bytes;
    t.arrival_ns = std::max(t.arrival_ns, at);
    return true;
}

double LinkNetwork::uncontended_ns(uint32_t src, uint32_t dst, uint64_t bytes) const {
    const auto route = this->route(src, dst);
    if (route.empty() || bytes == 0) return 0;
    // A pipeline of equal chunks: every hop's latency and one chunk time on each link, then the
    // remaining chunks at the slowest link's pace.
    const double chunk = double(std::min<uint64_t>(bytes, m_params.chunk_bytes));
    double slowest = m_links[route.front()].bytes_per_ns, fill = 0;
    for (uint32_t index : route) {
        slowest = std::min(slowest, m_links[index].bytes_per_ns);
        fill += chunk / m_links[index].bytes_per_ns + m_links[index].latency_ns;
    }
    return fill + (double(bytes) - chunk) / slowest;
}

}  // namespace nsim::sim

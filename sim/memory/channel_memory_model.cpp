#include "sim/memory/channel_memory_model.h"

#include <algorithm>

#include "sim/core/sim_time.h"

namespace nsim::sim {

ChannelMemoryModel::ChannelMemoryModel(sc_core::sc_module_name name,
                                       const DeviceMemoryParams& params)
    : DeviceMemoryTarget(name),
      m_params(params),
      // GB/s = bytes per ns; the chip's bandwidth is split evenly over its channels.
      m_channels(params.channels, ChannelServer(params.bandwidth_gbps / params.channels)),
      m_pending_bytes(params.channels, 0) {
    m_report.channels.resize(params.channels);
}

uint32_t ChannelMemoryModel::channel_of(uint64_t address) const {
    return uint32_t((address / m_params.interleave_bytes) % m_params.channels);
}

void ChannelMemoryModel::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const double now = ns_of(sc_core::sc_time_stamp()), at_ns = now + ns_of(delay);
    const uint64_t begin = trans.get_address(), end = begin + trans.get_data_length();
    auto* dma = trans.get_extension<MemoryRequestExtension>();
    const uint64_t requests = dma ? dma->descriptors : 1;
    // The request's bytes per channel, one interleave granule at a time, whole rounds over all
    // channels at once.
    const uint64_t granule = m_params.interleave_bytes, round = granule * m_params.channels;
    uint64_t a = begin;
    if (end - a < granule - a % granule) {
        m_pending_bytes[channel_of(a)] += end - a;  // within one granule: the common small request
        a = end;
    }
    while (a < end) {
        if (a % granule == 0 && end - a >= round) {
            const uint64_t rounds = (end - a) / round;
            for (auto& b : m_pending_bytes) b += rounds * granule;
            a += rounds * round;
            continue;
        }
        const uint64_t granule_end = std::min(end, (a / granule + 1) * granule);
        m_pending_bytes[channel_of(a)] += granule_end - a;
        a = granule_end;
    }
    // Each channel serves its share as one stream (consecutive granules hit open rows), paying the
    // per-request overhead once per descriptor that reaches it: a descriptor of d bytes reaches
    // about d / granule channels.
    const uint64_t total = end - begin, per_descriptor = std::max<uint64_t>(1, total / requests);
    const uint64_t reached =
        std::min<uint64_t>(m_params.channels, (per_descriptor + granule - 1) / granule);
    double start = at_ns, done = at_ns;
    for (uint32_t c = 0; c < m_params.channels; ++c) {
        const uint64_t bytes = m_pending_bytes[c];
        if (bytes == 0) continue;
        m_pending_bytes[c] = 0;
        // The descriptors reaching this channel: its share of the bytes times the channels each
        // reaches.
        const uint64_t channel_requests =
            std::clamp<uint64_t>((requests * reached * bytes + total - 1) / total, 1, requests);
        const double cost = double(bytes + channel_requests * m_params.request_overhead_bytes);
        const auto [service_start, service_end] = m_channels[c].serve(at_ns, cost, now);
        start = std::max(start, service_start);
        done = std::max(done, service_end);
        ChannelReport& r = m_report.channels[c];
        r.bytes += bytes;
        r.requests += channel_requests;
        r.busy_ns = m_channels[c].busy_ns();
    }
    (trans.is_write() ? m_report.bytes_written : m_report.bytes_read) += end - begin;
    if (dma) {
        dma->service_start = time_from_ns(start - now);
        dma->served = true;
    }
    delay = time_from_ns(done + m_params.access_latency_ns - now);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace nsim::sim

#include "sim/device_memory_model.h"

#include <algorithm>

#include "sim/sim_time.h"

namespace nsim::sim {

DeviceMemoryModel::DeviceMemoryModel(sc_core::sc_module_name name, const DeviceMemoryParams& params)
    : sc_module(name),
      socket("socket"),
      m_params(params),
      // GB/s = bytes per ns; the chip's bandwidth is split evenly over its channels.
      m_channels(params.channels, BandwidthServer(params.bandwidth_gbps / params.channels)),
      m_pending_bytes(params.channels, 0) {
    m_report.channels.resize(params.channels);
    socket.register_b_transport(this, &DeviceMemoryModel::b_transport);
}

uint32_t DeviceMemoryModel::channel_of(uint64_t address) const {
    return uint32_t((address / m_params.interleave_bytes) % m_params.channels);
}

void DeviceMemoryModel::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const double at_ns = now_ns() + delay.to_seconds() * 1e9;
    const uint64_t begin = trans.get_address(), end = begin + trans.get_data_length();
    // The request's bytes per channel, one interleave granule at a time (a 64 KiB descriptor
    // touches at most 17 granules).
    for (uint64_t a = begin; a < end;) {
        const uint64_t granule_end = std::min(end, (a / m_params.interleave_bytes + 1) * m_params.interleave_bytes);
        m_pending_bytes[channel_of(a)] += granule_end - a;
        a = granule_end;
    }
    // Each channel serves its share as one request (consecutive granules of a request hit open rows).
    double start = at_ns, done = at_ns;
    for (uint32_t c = 0; c < m_params.channels; ++c) {
        const uint64_t bytes = m_pending_bytes[c];
        if (bytes == 0) continue;
        m_pending_bytes[c] = 0;
        const double cost = double(bytes + m_params.request_overhead_bytes);
        const double end_ns = m_channels[c].reserve(at_ns, cost);
        start = std::max(start, end_ns - cost / (m_params.bandwidth_gbps / m_params.channels));
        done = std::max(done, end_ns);
        ChannelReport& r = m_report.channels[c];
        r.bytes += bytes;
        r.requests += 1;
        r.busy_ns = m_channels[c].busy_ns();
    }
    (trans.is_write() ? m_report.bytes_written : m_report.bytes_read) += end - begin;
    if (auto* service = trans.get_extension<MemoryServiceExtension>()) {
        service->service_start = sc_core::sc_time(start - now_ns(), sc_core::SC_NS);
        service->valid = true;
    }
    delay = sc_core::sc_time(done + m_params.access_latency_ns - now_ns(), sc_core::SC_NS);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace nsim::sim

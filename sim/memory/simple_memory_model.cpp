#include "sim/memory/simple_memory_model.h"

#include "sim/core/sim_time.h"

namespace nsim::sim {

SimpleMemoryModel::SimpleMemoryModel(sc_core::sc_module_name name, const DeviceMemoryParams& params)
    : DeviceMemoryTarget(name),
      m_latency_ns(params.access_latency_ns),
      m_server(params.bandwidth_gbps) {  // GB/s = bytes per ns
    m_report.channels.resize(1);
}

void SimpleMemoryModel::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    const double now = ns_of(sc_core::sc_time_stamp());
    const uint64_t bytes = trans.get_data_length();
    const auto [start, end] = m_server.serve(now + ns_of(delay), double(bytes));
    auto* request = trans.get_extension<MemoryRequestExtension>();
    ChannelReport& r = m_report.channels[0];
    r.bytes += bytes;
    r.requests += request ? request->descriptors : 1;
    r.busy_ns = m_server.busy_ns();
    (trans.is_write() ? m_report.bytes_written : m_report.bytes_read) += bytes;
    if (request) {
        request->service_start = time_from_ns(start - now);
        request->served = true;
    }
    delay = time_from_ns(end + m_latency_ns - now);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace nsim::sim

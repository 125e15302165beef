// Device memory as one server, deliberately simple (device_memory.model = "simple"): a transaction
// occupies the server for its bytes at the chip's whole bandwidth, transactions are served one
// after another in the order they arrive, and each one's data arrives access_latency_ns after its
// service ends (the latency is pipelined, it does not occupy the server). No channels, no
// per-request overhead, no filling of idle gaps. It shows that the seam is real and bounds what the
// channel model's detail is worth.
#pragma once

#include <systemc>
#include <tlm>

#include "sim/config/chip_config.h"
#include "sim/memory/bandwidth_server.h"
#include "sim/memory/device_memory_target.h"

namespace nsim::sim {

class SimpleMemoryModel : public DeviceMemoryTarget {
public:
    SimpleMemoryModel(sc_core::sc_module_name name, const DeviceMemoryParams& params);

    const MemoryReport& report() const override { return m_report; }

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;

    double m_latency_ns;
    BandwidthServer m_server;
    MemoryReport m_report;  // the one server is its one channel
};

}  // namespace nsim::sim

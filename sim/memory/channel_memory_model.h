// A chip's DRAM/HBM as channels (DDR channels on inf1, HBM stacks on inf2/trn1/trn2) with address
// interleaving, each an earliest-free-time server at its share of the chip's bandwidth that fills
// its idle gaps, plus an access latency and a per-request overhead that makes small requests
// inefficient. The default implementation of the device-memory seam (device_memory.model =
// "channels"); it honours MemoryRequestExtension: each descriptor pays the per-request overhead on
// every channel it reaches, and the service start drives the DMA engines' back-pressure.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <vector>

#include "sim/config/chip_config.h"
#include "sim/memory/channel_server.h"
#include "sim/memory/device_memory_target.h"

namespace nsim::sim {

class ChannelMemoryModel : public DeviceMemoryTarget {
public:
    ChannelMemoryModel(sc_core::sc_module_name name, const DeviceMemoryParams& params);

    const MemoryReport& report() const override { return m_report; }

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;
    // The channel that holds `address`.
    uint32_t channel_of(uint64_t address) const;

    DeviceMemoryParams m_params;
    std::vector<ChannelServer> m_channels;
    std::vector<uint64_t> m_pending_bytes;  // per channel, of the request being served
    MemoryReport m_report;
};

}  // namespace nsim::sim

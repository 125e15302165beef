// A chip's DRAM/HBM as a TLM-2.0 target: channels (DDR channels on inf1, HBM stacks on inf2/trn1/
// trn2) with address interleaving, each an earliest-free-time server at its share of the chip's
// bandwidth that fills its idle gaps, plus an access latency and a per-request overhead that makes
// small requests inefficient.
//
// The contract (so that an outside model, e.g. DRAMSys behind an adapter, can replace it):
//   * loosely timed, blocking: b_transport(trans, delay) never calls wait(). On entry `delay` is
//     when the request is presented, relative to sc_time_stamp(); on return it is when the last
//     byte has been delivered (read) or accepted (write), relative to sc_time_stamp().
//   * commands are TLM_READ_COMMAND / TLM_WRITE_COMMAND on [address, address + data_length); the
//     data pointer is null: these are timing transactions, the bytes themselves move in the cores'
//     semantics. A target must not dereference it.
//   * optional extension DmaRequestExtension: the initiator says how many descriptors the
//     transaction stands for (a DMA engine books a run of consecutive descriptors as one
//     transaction; each costs the per-request overhead), and the target says when it began to
//     serve the request; initiators use that for back-pressure (without it they wait for the
//     completion). A target without it sees one request of data_length bytes.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <vector>

#include <tlm_utils/simple_target_socket.h>

#include "sim/config/chip_config.h"
#include "sim/memory/channel_server.h"
#include "sim/memory/memory_report.h"

namespace nsim::sim {

// Between a DMA engine and device memory: how many descriptors a transaction carries (in), and
// when the memory began to serve it, relative to sc_time_stamp() like the delay (out).
struct DmaRequestExtension : tlm::tlm_extension<DmaRequestExtension> {
    uint32_t descriptors = 1;
    sc_core::sc_time service_start = sc_core::SC_ZERO_TIME;
    bool served = false;
    tlm::tlm_extension_base* clone() const override { return new DmaRequestExtension(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const DmaRequestExtension&>(other);
    }
};

class DeviceMemoryModel : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<DeviceMemoryModel> socket;

    DeviceMemoryModel(sc_core::sc_module_name name, const DeviceMemoryParams& params);

    // The channel that holds `address`.
    uint32_t channel_of(uint64_t address) const;
    const MemoryReport& report() const { return m_report; }

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

    DeviceMemoryParams m_params;
    std::vector<ChannelServer> m_channels;
    std::vector<uint64_t> m_pending_bytes;  // per channel, of the request being served
    MemoryReport m_report;
};

}  // namespace nsim::sim

// The protocol between the initiators of device-memory traffic (a core's DMA engines, the
// collective engine's steps) and whatever models the memory behind a chip's memory fabric.
// Initiators include this header only, never a concrete model (docs/memory-seam.md).
//
// The contract, on a tlm::tlm_generic_payload through b_transport(trans, delay):
//   * loosely timed and blocking, called from SC_METHODs: the target must not call wait(). On
//     entry `delay` is when the request is presented, relative to sc_time_stamp(); the target sets
//     it to when the last byte has been delivered (read) or accepted (write), relative to
//     sc_time_stamp(), and sets the response status.
//   * commands are TLM_READ_COMMAND / TLM_WRITE_COMMAND on [address, address + data_length) of the
//     chip's address space. The data pointer is null: these are timing transactions (the bytes
//     themselves move in the cores' semantics), and a target must not dereference it.
//   * the optional MemoryRequestExtension: the initiator sets `descriptors` and clears `served`;
//     a target that honours it sets `service_start` and `served`. A target that ignores it sees one
//     request of data_length bytes, and its initiators then fall back to the completion time.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>

namespace nsim::sim {

// What a device-memory transaction stands for beyond the generic payload.
struct MemoryRequestExtension : tlm::tlm_extension<MemoryRequestExtension> {
    // In (set by the initiator): how many requests the transaction carries. A DMA engine books a
    // run of consecutive descriptors as one transaction; a model may charge a per-request cost.
    uint32_t descriptors = 1;
    // Out (set by the target): when it began to serve the transaction, relative to
    // sc_time_stamp() like the delay. Initiators use it for back-pressure: an engine issues its
    // next request once the memory has begun the previous one.
    sc_core::sc_time service_start = sc_core::SC_ZERO_TIME;
    bool served = false;  // whether the target set service_start

    tlm::tlm_extension_base* clone() const override { return new MemoryRequestExtension(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const MemoryRequestExtension&>(other);
    }
};

// One reusable timing transaction, its extension attached for its whole life. The payload frees
// the extensions still attached when it is destroyed, and this one is not on the heap: the
// destructor detaches it, also when the owning module's constructor throws (a member's destructor
// runs then, the owner's does not).
class TimingTransaction {
public:
    TimingTransaction() {
        m_payload.set_streaming_width(0);
        m_payload.set_data_ptr(nullptr);  // timing transactions: no bytes
        m_payload.set_extension(&m_request);
    }
    ~TimingTransaction() { m_payload.clear_extension(&m_request); }
    TimingTransaction(const TimingTransaction&) = delete;
    TimingTransaction& operator=(const TimingTransaction&) = delete;

    // The payload of a fresh request for `bytes` at `address` carrying `descriptors` requests.
    tlm::tlm_generic_payload& request(tlm::tlm_command command, uint64_t address, unsigned bytes,
                                      uint32_t descriptors) {
        m_payload.set_command(command);
        m_payload.set_address(address);
        m_payload.set_data_length(bytes);
        m_payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        m_request.descriptors = descriptors;
        m_request.served = false;
        return m_payload;
    }
    const MemoryRequestExtension& response() const { return m_request; }

private:
    tlm::tlm_generic_payload m_payload;
    MemoryRequestExtension m_request;
};

}  // namespace nsim::sim

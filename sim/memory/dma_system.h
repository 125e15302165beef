// The DMA of one core [src:nki-dma]: a transfer's descriptors are spread round-robin
// over the core's engines; each engine has 16 FIFO queues served round-robin, moves a descriptor
// in (descriptor overhead + bytes / engine bandwidth), and reaches device memory through a TLM
// initiator socket bound to the chip's memory target.
//
// Host speed: no SystemC event per descriptor. One scheduler method wakes when work arrives and
// then every kBookingQuantumNs of simulated time, and books, engine by engine in turns, descriptors
// that start before now + the quantum, as runs of consecutive descriptors of one queue lasting up
// to a quantum; the active queues of an engine take turns (round-robin at the granularity of a
// run, against descriptor by descriptor on hardware). Engines that run the same transfer in
// lockstep send their runs to memory as one transaction. An
// engine books its next descriptor only once the memory has begun to serve its previous one
// (back-pressure: a saturated memory is shared among the engines and cores in turn instead of
// accumulating a backlog). A transfer completes (its semaphore increments) at its last
// descriptor's end, and never before the transfer ahead of it in its queue.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <systemc>
#include <tlm>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include "isa/instruction.h"
#include "sim/config/chip_config.h"
#include "sim/memory/dma_transfer.h"
#include "sim/memory/memory_protocol.h"
#include "sim/memory/memory_report.h"

namespace nsim::sim {

class DmaSystem : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(DmaSystem);
    using CompletionFn = std::function<void(DmaTransfer&)>;
    // Simulated time booked ahead per scheduler wake: bounds the unfairness between queues and
    // between transfers that arrive within it (a quantum, against descriptor-by-descriptor
    // round-robin), and sets the scheduler's host cost (about one wake per quantum while busy).
    static constexpr double kBookingQuantumNs = 2000;

    tlm_utils::simple_initiator_socket<DmaSystem> memory;

    // Device-memory tensors of `hbm` sit at `hbm_base` in the chip's address space.
    DmaSystem(sc_core::sc_module_name name, const ChipConfig& chip, const DeviceMemory& hbm,
              uint64_t hbm_base, CompletionFn on_complete);

    // Queues a transfer of `inst` issued now; `on_complete` runs at its simulated completion.
    void issue(size_t index, const isa::Instruction& inst, isa::Engine issuer,
               const VectorClock& clock);

    bool idle() const { return m_live.empty(); }
    // The report since the last call (one per program), and a fresh start.
    DmaReport take_report();
    // Clocks of the transfers in flight (the race detector may not forget what they have not seen).
    std::vector<const VectorClock*> inflight_clocks() const;

private:
    struct Slice {  // the descriptors [next, end) of one transfer that fall to one engine
        DmaTransfer* transfer;
        uint64_t next, end;
    };
    struct Engine {
        std::vector<std::deque<Slice>> queues;
        uint32_t round_robin = 0;  // the queue to look at first
        uint32_t active = 0;       // bit q set: queue q is not empty
        double next_ns = 0;        // earliest start of its next descriptor
    };

    struct Run {  // consecutive descriptors of one queue's head transfer, booked as one
        uint32_t queue = 0;
        DmaTransfer* transfer = nullptr;
        uint64_t first = 0, end = 0, bytes = 0;
        double start = 0, engine_done = 0;
    };

    void schedule();
    bool plan(const Engine& engine, double horizon_ns, Run& run) const;
    void commit(Engine& engine, const Run& run, double done, double served);
    size_t book_group(size_t first_engine, double horizon_ns, double now_ns);
    double next_candidate_ns(const Engine& engine) const;
    // One device-memory access presented at `at_ns`; returns its completion and service start.
    std::pair<double, double> access(tlm::tlm_command cmd, uint64_t address, uint64_t bytes,
                                     uint32_t descriptors, double at_ns, double now_ns);
    void release(uint32_t queue);
    void complete_due();

    using Live = std::list<DmaTransfer>::iterator;
    static bool later(const Live& a, const Live& b) {
        return a->done_ns != b->done_ns ? a->done_ns > b->done_ns : a->sequence > b->sequence;
    }

    const ChipConfig& m_chip;
    const DeviceMemory& m_hbm;
    uint64_t m_hbm_base;
    CompletionFn m_on_complete;
    double m_engine_ns_per_byte;
    std::vector<Engine> m_engines;
    std::vector<Run> m_group;                     // scratch of book_group
    size_t m_next_engine = 0;                     // where the next transfer's first descriptor goes
    std::list<DmaTransfer> m_live;                // issued, not yet completed
    std::vector<std::deque<Live>> m_queue_order;  // per queue, transfers not yet released
    std::vector<double> m_queue_done_ns;          // per queue, the last released completion
    std::vector<Live> m_due;                      // released, a min-heap on completion time
    std::vector<std::pair<double, double>> m_data_intervals;
    sc_core::sc_event m_wake, m_next_completion;
    TimingTransaction m_transaction;
    uint64_t m_sequence = 0;
    DmaReport m_report;
};

}  // namespace nsim::sim

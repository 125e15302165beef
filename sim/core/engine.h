// One engine of a NeuronCore (tensor, vector, scalar, gpsimd or the sync sequencer): an SC_THREAD
// that takes its stream's next instruction, waits for its semaphores, occupies the engine for the
// cost model's duration, applies the result and increments its semaphores. Event-driven: one
// instruction costs a handful of SystemC events, never one per cycle.
#pragma once

#include <string>
#include <systemc>
#include <vector>

#include "isa/enums.h"
#include "sim/checks/vector_clock.h"
#include "sim/core/sim_time.h"

namespace nsim::sim {

class NeuronCore;

class EngineModule : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(EngineModule);
    EngineModule(sc_core::sc_module_name name, NeuronCore& core, isa::Engine id);

    // Done with the current program's stream.
    bool finished() const { return m_next == m_stream->size(); }
    const VectorClock& clock() const { return m_clock; }
    // For a deadlock report: what this engine is waiting for.
    std::string waiting_for() const;

private:
    void run();
    void run_stream();
    void wait_semaphores(size_t index, bool& stalled);
    double duration_ns(size_t index, bool stalled) const;

    // Local time (temporal decoupling, as in TLM-2.0): an engine whose instruction ends before
    // anything else in the simulation happens, and whose completion wakes nobody (no semaphore
    // increment), goes on without a SystemC wait; its own time runs ahead of SystemC's until it
    // must meet the others (a semaphore to wait for, a DMA or collective to issue, an increment,
    // its stream's end). No other process runs in between, so every time, trace, stall and race
    // report is the one of a wait per instruction.
    double local_ns() const { return m_ahead ? m_local.to_seconds() * 1e9 : now_ns(); }
    // Moves the engine's time to `at_ns` (never backwards): runs ahead when `may_run_ahead` and
    // nothing else is pending until then, else waits.
    void advance_to(double at_ns, bool may_run_ahead);
    // Waits until SystemC's time is the engine's.
    void catch_up();

    NeuronCore& m_core;
    isa::Engine m_id;
    const std::vector<size_t>* m_stream;  // the current program's instruction indices, in order
    size_t m_next = 0;
    VectorClock m_clock;
    double m_clock_ghz;
    double m_last_matmul_end_ns = -1;  // LoadStationary hides behind a back-to-back matmul
    sc_core::sc_time m_local;          // the engine's time while m_ahead
    bool m_ahead = false;
    sc_core::sc_time m_budget;  // the run's end (RunOptions::max_sim_time_ns)
    int m_waiting_sem = -1;
    uint32_t m_waiting_value = 0;
    double m_waiting_since_ns = 0;
};

}  // namespace nsim::sim

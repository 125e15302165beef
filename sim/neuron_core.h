// A NeuronCore in SystemC: five engine modules each running its own instruction stream, the
// hardware semaphores, SBUF and PSUM, and the DMA queues; plus the guards that watch them (race
// detector, never-written reads, deadlock report).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "isa/program.h"
#include "sim/chip_config.h"
#include "sim/core_state.h"
#include "sim/cost_model.h"
#include "sim/custom_ops.h"
#include "sim/dma_system.h"
#include "sim/race_detector.h"
#include "sim/run_kernel.h"
#include "sim/semaphore_bank.h"

namespace nsim::sim {

class EngineModule;

// What the core precomputes for each instruction when it loads the program (it never changes).
struct InstructionInfo {
    std::vector<isa::Footprint> reads, writes;
    InstructionCost cost;
    bool touches_sbuf = false, touches_psum = false;
    bool reads_previous_result = false;  // reads bytes the previous instruction of its engine wrote
};

class NeuronCore : public sc_core::sc_module {
public:
    NeuronCore(sc_core::sc_module_name name, const isa::Program& program, const ChipConfig& chip,
               DeviceMemory& hbm, const CustomOpRegistry& ops, const RunOptions& options,
               BandwidthServer& device_memory);
    ~NeuronCore() override;

    // After sc_start(): the report; throws SimError if engines were left waiting (a deadlock).
    RunResult finish();

    // --- services for the engines ---
    const isa::Program& program() const { return m_program; }
    const ChipConfig& chip() const { return m_chip; }
    const RunOptions& options() const { return m_options; }
    const InstructionInfo& info(size_t index) const { return m_info[index]; }
    SemaphoreBank& semaphores() { return m_semaphores; }
    EngineReport& report(isa::Engine e) { return m_result.engines[size_t(e)]; }
    size_t agent_count() const { return isa::kEngineCount + m_chip.limits.dma_queues; }
    bool tracks_races() const { return m_options.races != RaceMode::off; }

    // Starts `index` (a dma_copy) on its queue; the issuing engine goes on at once.
    void issue_dma(size_t index, isa::Engine issuer, const VectorClock& clock);
    // The functional side of a finished instruction or transfer: never-written reads, the
    // semantics, written bytes, and the race detector.
    void complete(size_t index, size_t agent, const VectorClock& clock, std::string_view agent_name);
    // When the shared SBUF/PSUM ports (v2) let an instruction of `e` that runs `duration_ns` start.
    double reserve_ports(isa::Engine e, const InstructionInfo& info, double earliest_ns, double duration_ns);
    void trace(const std::string& row, size_t index, double start_ns, double duration_ns);
    // "line 12 (nc_matmul)", or "instruction #3 (nc_matmul)" for a program built in code.
    std::string describe(size_t index) const;
    // Stops the simulation on an error inside an engine or a transfer; finish() reports it.
    void fail(const std::string& message);

private:
    void finish_transfer(DmaTransfer& t);
    InstructionInfo analyse(const isa::Instruction& inst) const;

    const isa::Program& m_program;
    const ChipConfig& m_chip;
    const CustomOpRegistry& m_ops;
    RunOptions m_options;
    std::vector<InstructionInfo> m_info;
    CoreState m_state;
    SemaphoreBank m_semaphores;
    RaceDetector m_races;
    size_t m_accesses_since_prune = 0;
    std::vector<VectorClock> m_queue_clocks;
    std::array<std::vector<std::string>, isa::kEngineCount> m_dma_agent_names;  // by issuer, then queue
    double m_sbuf_port_free_ns = 0, m_psum_port_free_ns = 0;
    DmaSystem m_dma;
    std::vector<std::unique_ptr<EngineModule>> m_engines;
    RunResult m_result;
    std::string m_failure;  // the first error raised while simulating
};

}  // namespace nsim::sim

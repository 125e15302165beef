// A NeuronCore in SystemC: five engine modules each running its own instruction stream, the
// hardware semaphores, SBUF and PSUM, and the DMA queues; plus the guards that watch them (race
// detector, never-written reads, deadlock report). It runs a sequence of programs one after
// another (e.g. a weight load, then inferences): SBUF, PSUM and device memory persist, and each
// program starts when the one before has fully finished (engines and DMA), with fresh semaphores.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <string>
#include <systemc>
#include <unordered_map>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>

#include "isa/address_cache.h"
#include "isa/program.h"
#include "sim/checks/race_detector.h"
#include "sim/config/chip_config.h"
#include "sim/core/semaphore_bank.h"
#include "sim/memory/dma_system.h"
#include "sim/semantics/core_state.h"
#include "sim/semantics/custom_ops.h"
#include "sim/system/run_kernel.h"
#include "sim/timing/cost_model.h"

namespace nsim::sim {

class EngineModule;
class SystemCollectives;

// An operand's bytes, interned by the core: instructions with equal access patterns share one.
struct OperandFootprint {
    isa::Footprint fp;
    // Elements times element size: the bytes an operand with this pattern reads or writes (a
    // broadcast pattern reads its bytes again), for the on-chip traffic.
    uint64_t access_bytes = 0;
    // Every byte was written (SBUF/PSUM): written bytes stay written, so the never-written check
    // and the marking can be skipped from then on.
    bool known_written = false;
};

// Some of the core's list of a program's operands (one list per program, no allocation per
// instruction).
struct OperandSpan {
    OperandFootprint* const* first = nullptr;
    OperandFootprint* const* last = nullptr;
    OperandFootprint* const* begin() const { return first; }
    OperandFootprint* const* end() const { return last; }
};

// What the core precomputes for each instruction when it loads the program (it never changes): 32
// bytes, one of the simulator's few arrays as long as the program.
struct InstructionInfo {
    // Its reads, then its writes, in the program's list of operands (which never moves: it is
    // reserved at its most before the first instruction is analysed).
    OperandFootprint* const* operands = nullptr;
    uint8_t read_count = 0, write_count = 0;  // at most an opcode's operands (and one more)
    bool touches_sbuf = false, touches_psum = false;
    bool reads_previous_result = false;  // reads bytes the previous instruction of its engine wrote
    bool counts_traffic = false;         // a compute instruction (a DMA's bytes are counted apart)
    bool rereads_accumulator = false;    // its last read is an accumulating matmul's PSUM
    InstructionCost cost;

    OperandSpan reads() const { return {operands, operands + read_count}; }
    OperandSpan writes() const {
        return {operands + read_count, operands + read_count + write_count};
    }
};

class NeuronCore : public sc_core::sc_module {
public:
    // `hbm` is this core's view of device memory, mapped at `hbm_base` in the chip's address space;
    // every tensor of every program gets an address there (and bytes unless timing only).
    NeuronCore(sc_core::sc_module_name name, std::vector<const isa::Program*> programs,
               const ChipConfig& chip, DeviceMemory& hbm, uint64_t hbm_base,
               const CustomOpRegistry& ops, const RunOptions& options);
    ~NeuronCore() override;

    // Collective instructions go to `collectives` as rank `rank` (run_system); without, they are an
    // error.
    void connect_collectives(SystemCollectives* collectives, uint32_t rank) {
        m_collectives = collectives;
        m_rank = rank;
    }

    // The DMA's path to device memory: bind it to the chip's memory.
    tlm_utils::simple_initiator_socket<DmaSystem>& memory_socket() { return m_dma.memory; }

    // After sc_start(): a report per program; throws SimError if engines were left waiting (a
    // deadlock).
    std::vector<RunResult> finish();
    // Why the core stopped early, empty if it did not (an error or a deadlock).
    std::string stopped_early() const;

    // --- services for the engines ---
    size_t program_count() const { return m_programs.size(); }
    size_t current_program() const { return m_current; }
    const sc_core::sc_event& program_started() const { return m_program_started; }
    const std::vector<size_t>& stream(size_t program, isa::Engine e) const {
        return m_streams[program][size_t(e)];
    }
    // An engine has run its whole stream of the current program.
    void engine_finished();
    const isa::Program& program() const { return *m_programs[m_current]; }
    const ChipConfig& chip() const { return m_chip; }
    const RunOptions& options() const { return m_options; }
    const InstructionInfo& info(size_t index) const { return m_infos[m_current][index]; }
    SemaphoreBank& semaphores() { return m_semaphores; }
    EngineReport& report(isa::Engine e) { return m_results[m_current].engines[size_t(e)]; }
    // Agents of the race detector: the engines, the DMA queues, then the collective engine.
    size_t agent_count() const { return isa::kEngineCount + m_chip.limits.dma_queues + 1; }
    bool tracks_races() const { return m_options.races != RaceMode::off; }

    // Starts `index` (a dma_copy or dma_transpose) on its queue; the issuing engine goes on at
    // once.
    void issue_dma(size_t index, isa::Engine issuer, const VectorClock& clock);
    // Starts `index` (a collective) on the system's collective engine; the issuing engine goes on
    // at once. Throws SimError when the collective is malformed for its group.
    void issue_collective(size_t index, isa::Engine issuer, const VectorClock& clock);
    // The functional side of a finished instruction or transfer: never-written reads, the
    // semantics, written bytes, and the race detector.
    void complete(size_t index, size_t agent, const VectorClock& clock,
                  std::string_view agent_name);
    // When the shared SBUF/PSUM ports (v2) let an instruction of `e` that runs `duration_ns` start.
    double reserve_ports(isa::Engine e, const InstructionInfo& info, double earliest_ns,
                         double duration_ns);
    void trace(const std::string& row, size_t index, double start_ns, double duration_ns);
    // "line 12 (nc_matmul)", or "instruction #3 (nc_matmul)" for a program built in code.
    std::string describe(size_t index) const;
    // Stops the simulation on an error inside an engine or a transfer; finish() reports it.
    void fail(const std::string& message);

private:
    // The steps of complete(), in order.
    static void count_traffic(const InstructionInfo& info, OnChipTraffic& traffic);
    void check_unwritten_reads(size_t index, std::string_view agent_name,
                               std::vector<std::string>& reports);
    void apply_semantics(size_t index, std::string_view agent_name);
    void mark_written(const InstructionInfo& info);
    void record_accesses(size_t index, size_t agent, const VectorClock& clock,
                         std::string_view agent_name);

    void finish_transfer(DmaTransfer& t);
    // A collective completed with `output` (its dst values; empty for timing only or a send).
    void finish_collective(size_t index, double issued_ns, const VectorClock& clock,
                           const std::vector<float>& output);
    void start_program();
    void end_program_when_done();
    std::string deadlock() const;
    // Appends the instruction's reads, then writes, to `operands`; the spans are set once the
    // program's list is complete.
    InstructionInfo analyse(const isa::Program& program, size_t index,
                            std::vector<OperandFootprint*>& operands);
    // The footprint of `ap`, computed once per distinct access pattern.
    OperandFootprint* intern_footprint(const isa::AccessPattern& ap);

    // Keys are the programs' own access patterns (the core keeps its programs).
    struct PatternHash {
        size_t operator()(const isa::AccessPattern* ap) const;
    };
    struct PatternEqual {
        bool operator()(const isa::AccessPattern* a, const isa::AccessPattern* b) const {
            return *a == *b;
        }
    };

    std::vector<const isa::Program*> m_programs;
    const ChipConfig& m_chip;
    const CustomOpRegistry& m_ops;
    RunOptions m_options;
    std::deque<OperandFootprint> m_footprints;  // interned (stable addresses)
    std::unordered_map<const isa::AccessPattern*, OperandFootprint*, PatternHash, PatternEqual>
        m_footprint_of;
    // The same by the pattern's address: operands sharing a pattern skip hashing its value.
    isa::AddressCache<OperandFootprint*> m_footprint_at;
    std::vector<std::vector<InstructionInfo>> m_infos;       // per program, per instruction
    std::vector<std::vector<OperandFootprint*>> m_operands;  // per program: the infos' spans
    std::vector<OperandFootprint*> m_scratch_writes;         // analyse()'s
    std::vector<std::array<std::vector<size_t>, isa::kEngineCount>>
        m_streams;  // per program, per engine
    size_t m_current = 0;
    int m_engines_finished = 0;
    sc_core::sc_event m_program_started;
    CoreState m_state;
    SemaphoreBank m_semaphores;
    RaceDetector m_races;
    size_t m_accesses_since_prune = 0;
    std::vector<VectorClock> m_queue_clocks;
    SystemCollectives* m_collectives = nullptr;
    uint32_t m_rank = 0;
    size_t m_collectives_in_flight = 0;
    double m_collectives_since_ns = 0;  // since when some are in flight
    VectorClock m_collective_clock;     // the collective engine's agent, joined like a DMA queue's
    double m_sbuf_port_free_ns = 0, m_psum_port_free_ns = 0;
    DmaSystem m_dma;
    std::vector<std::unique_ptr<EngineModule>> m_engines;
    std::vector<RunResult> m_results;  // per program
    std::string m_failure;             // the first error raised while simulating
};

}  // namespace nsim::sim

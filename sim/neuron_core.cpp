#include "sim/neuron_core.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/engine.h"
#include "sim/semantics.h"
#include "sim/sim_error.h"
#include "sim/sim_time.h"

namespace nsim::sim {

using isa::Access;
using isa::AccessPattern;
using isa::Engine;
using isa::MemSpace;

namespace {

constexpr size_t kPruneEvery = 64;
constexpr size_t kMaxUninitializedReports = 20;

}  // namespace

NeuronCore::NeuronCore(sc_core::sc_module_name name, const isa::Program& program, const ChipConfig& chip,
                       DeviceMemory& hbm, const CustomOpRegistry& ops, const RunOptions& options,
                       BandwidthServer& device_memory)
    : sc_module(name),
      m_program(program),
      m_chip(chip),
      m_ops(ops),
      m_options(options),
      m_state(chip.limits, hbm, options.seed, !options.timing_only),
      m_semaphores(chip.limits.semaphores, options.races != RaceMode::off),
      m_queue_clocks(chip.limits.dma_queues),
      m_dma("dma", chip, device_memory, [this](DmaTransfer& t) { finish_transfer(t); }) {
    if (agent_count() > kMaxAgents || chip.limits.partitions > kMaxPartitions)
        throw SimError(fmt::format("chip {}: the simulator handles at most {} DMA queues and {} partitions per core",
                                   chip.name, kMaxAgents - isa::kEngineCount, kMaxPartitions));
    for (int e = 0; e < isa::kEngineCount; ++e)
        for (uint32_t q = 0; q < chip.limits.dma_queues; ++q)
            m_dma_agent_names[size_t(e)].push_back(fmt::format("dma queue {} (issued by {})", q, isa::engine_name(Engine(e))));
    std::array<std::vector<size_t>, isa::kEngineCount> streams;
    m_info.reserve(program.instructions.size());
    for (size_t i = 0; i < program.instructions.size(); ++i) {
        m_info.push_back(analyse(program.instructions[i]));
        auto& stream = streams[size_t(program.instructions[i].engine)];
        if (!stream.empty() && program.instructions[i].op != isa::Opcode::dma_copy) {
            const InstructionInfo& previous = m_info[stream.back()];
            for (const auto& r : m_info.back().reads)
                for (const auto& w : previous.writes) m_info.back().reads_previous_result |= bool(isa::overlap(r, w));
        }
        stream.push_back(i);
    }
    for (int e = 0; e < isa::kEngineCount; ++e)
        m_engines.push_back(std::make_unique<EngineModule>(std::string(isa::engine_name(Engine(e))).c_str(), *this,
                                                          Engine(e), std::move(streams[size_t(e)])));
}

NeuronCore::~NeuronCore() = default;

InstructionInfo NeuronCore::analyse(const isa::Instruction& inst) const {
    InstructionInfo info;
    const auto& specs = isa::opcode_info(inst.op).args;
    for (size_t k = 0; k < specs.size(); ++k) {
        const auto* ap = std::get_if<AccessPattern>(&inst.args[k]);
        if (!ap) continue;
        isa::Footprint fp = isa::footprint(*ap);
        if (specs[k].access == Access::read_write) info.reads.push_back(fp);
        if (specs[k].access == Access::read) info.reads.push_back(std::move(fp));
        else info.writes.push_back(std::move(fp));
        info.touches_sbuf |= ap->space == MemSpace::sbuf;
        info.touches_psum |= ap->space == MemSpace::psum;
    }
    // An accumulating matmul reads the PSUM it adds to (§3: undefined where nothing was written).
    if (inst.op == isa::Opcode::nc_matmul && inst.has("accumulate") && std::get<bool>(inst.arg("accumulate")))
        info.reads.push_back(info.writes.front());
    info.cost = instruction_cost(inst, m_chip.timing);
    if (inst.op == isa::Opcode::custom_op) {
        const auto& name = std::get<std::string>(inst.arg("name"));
        const CustomOp* op = m_ops.find(name);
        if (!op) {
            std::string known;
            for (const auto& n : m_ops.names()) known += (known.empty() ? "" : ", ") + n;
            throw SimError(fmt::format("{}: custom operator '{}' is not registered, expected one of: {}",
                                       describe(size_t(&inst - m_program.instructions.data())), name, known));
        }
        info.cost.cycles = op->cycles(inst);
    }
    return info;
}

void NeuronCore::issue_dma(size_t index, Engine issuer, const VectorClock& clock) {
    m_dma.issue(index, m_program.instructions[index], issuer, clock);
}

std::string NeuronCore::describe(size_t index) const {
    const auto& inst = m_program.instructions[index];
    const std::string_view name = isa::opcode_info(inst.op).name;
    return inst.loc.line ? fmt::format("line {} ({})", inst.loc.line, name) : fmt::format("instruction #{} ({})", index, name);
}

void NeuronCore::fail(const std::string& message) {
    if (m_failure.empty()) m_failure = fmt::format("at {:.1f} ns: {}", now_ns(), message);
    sc_core::sc_stop();
}

void NeuronCore::finish_transfer(DmaTransfer& t) {
    const size_t agent = isa::kEngineCount + t.queue;
    VectorClock& queue = m_queue_clocks[t.queue];
    queue.join(t.clock);  // FIFO: a transfer has seen everything before it on its queue
    if (m_options.trace) trace(fmt::format("dma q{}", t.queue), t.instruction, t.start_ns, t.done_ns - t.start_ns);
    try {
        complete(t.instruction, agent, queue, m_dma_agent_names[size_t(t.issuer)][t.queue]);
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    queue.tick(agent);
    for (const auto& inc : m_program.instructions[t.instruction].incs) m_semaphores.increment(inc.sem, inc.amount, queue);
}

void NeuronCore::complete(size_t index, size_t agent, const VectorClock& clock, std::string_view agent_name) {
    const auto& inst = m_program.instructions[index];
    const InstructionInfo& info = m_info[index];
    for (const auto& fp : info.reads) {
        if (fp.space == MemSpace::hbm || m_result.uninitialized_reads.size() >= kMaxUninitializedReports) continue;
        const OnChipMemory& mem = fp.space == MemSpace::sbuf ? m_state.sbuf : m_state.psum;
        if (auto hole = mem.first_unwritten(fp))
            m_result.uninitialized_reads.push_back(
                fmt::format("{} on {} reads {} partition {} bytes [{}, {}) that were never written", describe(index),
                            agent_name, isa::mem_space_name(fp.space), hole->partition, hole->bytes.begin, hole->bytes.end));
    }
    if (!m_options.timing_only) {
        try {
            execute(inst, m_program.target, m_state, m_ops);
        } catch (const std::exception& e) {
            throw SimError(fmt::format("{} on {}: {}", describe(index), agent_name, e.what()));
        }
    }
    for (const auto& fp : info.writes) {
        if (fp.space == MemSpace::sbuf) m_state.sbuf.mark_written(fp);
        if (fp.space == MemSpace::psum) m_state.psum.mark_written(fp);
    }
    ++m_result.instructions;
    if (!tracks_races()) return;
    const AccessSite site{&inst, agent_name};
    for (const auto& fp : info.reads) m_races.access(agent, clock, fp, false, site);
    for (const auto& fp : info.writes) m_races.access(agent, clock, fp, true, site);
    if ((m_accesses_since_prune += 1) >= kPruneEvery) {
        m_accesses_since_prune = 0;
        std::vector<const VectorClock*> live = m_dma.inflight_clocks();
        for (const auto& e : m_engines)
            if (!e->finished()) live.push_back(&e->clock());
        m_races.prune(live);
    }
}

double NeuronCore::reserve_ports(Engine e, const InstructionInfo& info, double earliest_ns, double duration_ns) {
    if (!m_chip.timing.shared_sbuf_psum_ports) return earliest_ns;
    // v2: Vector and GpSimd take turns on SBUF, Vector and Scalar on PSUM (§2.3).
    const bool sbuf = info.touches_sbuf && (e == Engine::vector || e == Engine::gpsimd);
    const bool psum = info.touches_psum && (e == Engine::vector || e == Engine::scalar);
    double start = earliest_ns;
    if (sbuf) start = std::max(start, m_sbuf_port_free_ns);
    if (psum) start = std::max(start, m_psum_port_free_ns);
    if (sbuf) m_sbuf_port_free_ns = start + duration_ns;
    if (psum) m_psum_port_free_ns = start + duration_ns;
    return start;
}

void NeuronCore::trace(const std::string& row, size_t index, double start_ns, double duration_ns) {
    if (!m_options.trace) return;
    const auto& inst = m_program.instructions[index];
    m_result.trace.push_back({row, std::string(isa::opcode_info(inst.op).name), inst.loc.line, start_ns, duration_ns});
}

RunResult NeuronCore::finish() {
    if (!m_failure.empty()) throw SimError(m_failure);
    std::string waiting;
    for (const auto& e : m_engines)
        if (!e->finished()) waiting += "\n  " + e->waiting_for();
    if (!waiting.empty())
        throw SimError(fmt::format("deadlock at {:.1f} ns: every engine is waiting and nothing is in flight:{}", now_ns(), waiting));
    m_result.time_ns = now_ns();
    m_result.dma = {m_dma.transfers(), m_dma.bytes(), m_dma.busy_ns()};
    m_result.races = m_races.races();
    m_result.race_count = m_races.race_count();
    return m_result;
}

}  // namespace nsim::sim

#include "sim/core/neuron_core.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "isa/error.h"
#include "sim/core/engine.h"
#include "sim/core/sim_time.h"
#include "sim/semantics/semantics.h"
#include "sim/system/system_collectives.h"

namespace nsim::sim {

using isa::Access;
using isa::AccessPattern;
using isa::Engine;
using isa::MemSpace;

namespace {

constexpr size_t kPruneEvery = 64;
constexpr size_t kMaxUninitializedReports = 20;

// The most entries analyse() puts in the operand list for an instruction: each operand once, a
// read-write one twice, and a matmul's accumulator once more.
size_t most_operand_entries(const isa::Instruction& inst) {
    size_t entries = 1;
    for (const auto& spec : isa::opcode_info(inst.op).args)
        entries += spec.access == Access::read_write ? 2 : 1;
    return entries;
}

size_t most_operand_entries(const isa::Program& program) {
    size_t entries = 0;
    for (const auto& inst : program.instructions) entries += most_operand_entries(inst);
    return entries;
}

std::string describe_in(const isa::Program& program, size_t index) {
    const auto& inst = program.instructions[index];
    const std::string_view name = isa::opcode_info(inst.op).name;
    return inst.loc.line ? fmt::format("line {} ({})", inst.loc.line, name)
                         : fmt::format("instruction #{} ({})", index, name);
}

// Gives every tensor of the programs an address in `hbm` (and zero-filled bytes when the run
// computes values and nobody allocated them).
void place_tensors(DeviceMemory& hbm, const std::vector<const isa::Program*>& programs,
                   bool with_data) {
    for (const auto* p : programs)
        for (const auto& t : p->tensors) {
            try {
                if (with_data && (!hbm.has(t.name) || hbm.bytes(t.name).size() != t.size_bytes()))
                    hbm.allocate({t});
                else
                    hbm.declare({t});
            } catch (const InputError& e) {
                throw SimError(fmt::format("kernel {}: {}", p->name, e.what()));
            }
        }
}

// Which of a core's `count` semaphores the programs wait on or increment.
std::vector<bool> used_semaphores(const std::vector<const isa::Program*>& programs,
                                  uint32_t count) {
    std::vector<bool> used(count, false);
    for (const auto* p : programs)
        for (const auto& inst : p->instructions) {
            for (const auto& w : inst.waits)
                if (w.sem < count) used[w.sem] = true;
            for (const auto& i : inst.incs)
                if (i.sem < count) used[i.sem] = true;
        }
    return used;
}

// "dma queue 3 (issued by sync)": a race report keeps the name past the core's life (the run's
// result outlives the simulation), so the names live as long as the program.
std::string_view dma_agent_name(Engine issuer, uint32_t queue) {
    static const auto names = [] {
        std::array<std::array<std::string, kMaxAgents>, isa::kEngineCount> n;
        for (int e = 0; e < isa::kEngineCount; ++e)
            for (uint32_t q = 0; q < kMaxAgents; ++q)
                n[size_t(e)][q] =
                    fmt::format("dma queue {} (issued by {})", q, isa::engine_name(Engine(e)));
        return n;
    }();
    return names[size_t(issuer)][queue];
}

}  // namespace

NeuronCore::NeuronCore(sc_core::sc_module_name name, std::vector<const isa::Program*> programs,
                       const ChipConfig& chip, DeviceMemory& hbm, uint64_t hbm_base,
                       const CustomOpRegistry& ops, const RunOptions& options)
    : sc_module(name),
      m_programs(std::move(programs)),
      m_chip(chip),
      m_ops(ops),
      m_options(options),
      m_state(chip.limits, hbm, options.seed, !options.timing_only),
      m_semaphores(chip.limits.semaphores, options.races != RaceMode::off,
                   used_semaphores(m_programs, chip.limits.semaphores)),
      m_queue_clocks(chip.limits.dma_queues),
      m_dma("dma", chip, hbm, hbm_base, [this](DmaTransfer& t) { finish_transfer(t); }),
      m_results(m_programs.size()) {
    if (agent_count() > kMaxAgents || chip.limits.partitions > kMaxPartitions)
        throw SimError(fmt::format(
            "chip {}: the simulator handles at most {} DMA queues and {} partitions per core",
            chip.name, kMaxAgents - isa::kEngineCount, kMaxPartitions));
    if (m_programs.empty()) throw SimError(fmt::format("{}: no program to run", basename()));
    place_tensors(hbm, m_programs, !options.timing_only);
    for (const auto* program : m_programs) {
        auto& infos = m_infos.emplace_back();
        auto& streams = m_streams.emplace_back();
        auto& operands = m_operands.emplace_back();
        infos.reserve(program->instructions.size());
        // The infos point into the list: it must never move (nor grow by copies, touching twice
        // its memory). Most repeats add nothing to it.
        operands.reserve(most_operand_entries(*program));
        // A repeat of an operation analysed before shares its analysis, operand list included.
        isa::AddressCache<uint32_t> analysed;  // by isa::operation_hash: an instruction's index
        for (size_t i = 0; i < program->instructions.size(); ++i) {
            const isa::Instruction& inst = program->instructions[i];
            const size_t key = isa::operation_hash(inst);
            const uint32_t* seen = analysed.find(key);
            if (seen && isa::same_operation(program->instructions[*seen], inst)) {
                infos.push_back(infos[*seen]);
                continue;
            }
            infos.push_back(analyse(*program, i, operands));
            if (i <= UINT32_MAX) analysed.put(key, uint32_t(i));
        }
        for (size_t i = 0; i < program->instructions.size(); ++i) {
            InstructionInfo& info = infos[i];
            auto& stream = streams[size_t(program->instructions[i].engine)];
            if (!stream.empty() && !isa::is_dma(program->instructions[i].op)) {
                const InstructionInfo& previous = infos[stream.back()];
                for (const auto* r : info.reads())
                    for (const auto* w : previous.writes())
                        info.reads_previous_result |= bool(isa::overlap(r->fp, w->fp));
            }
            stream.push_back(i);
        }
    }
    for (int e = 0; e < isa::kEngineCount; ++e)
        m_engines.push_back(std::make_unique<EngineModule>(
            std::string(isa::engine_name(Engine(e))).c_str(), *this, Engine(e)));
}

NeuronCore::~NeuronCore() = default;

size_t NeuronCore::PatternHash::operator()(const AccessPattern* pattern) const {
    return isa::hash_value(*pattern);
}

OperandFootprint* NeuronCore::intern_footprint(const AccessPattern& ap) {
    const auto address = reinterpret_cast<uintptr_t>(&ap);
    if (OperandFootprint* const* known = m_footprint_at.find(address)) return *known;
    auto [it, added] = m_footprint_of.try_emplace(&ap, nullptr);
    if (added)
        it->second = &m_footprints.emplace_back(
            OperandFootprint{isa::footprint(ap), ap.num_elements() * isa::dtype_size(ap.dtype)});
    m_footprint_at.put(address, it->second);
    return it->second;
}

InstructionInfo NeuronCore::analyse(const isa::Program& program, size_t index,
                                    std::vector<OperandFootprint*>& operands) {
    const isa::Instruction& inst = program.instructions[index];
    InstructionInfo info;
    const auto& specs = isa::opcode_info(inst.op).args;
    // The reads go straight to the list; the writes follow them once all are known.
    if (operands.size() + most_operand_entries(inst) > operands.capacity())
        throw std::logic_error("NeuronCore::analyse: the operand list was reserved too short");
    info.operands = operands.data() + operands.size();
    auto& writes = m_scratch_writes;
    writes.clear();
    for (size_t k = 0; k < specs.size(); ++k) {
        const auto* ap = isa::pattern_of(inst.args[k]);
        if (!ap) continue;
        OperandFootprint* fp = intern_footprint(*ap);
        if (specs[k].access == Access::read || specs[k].access == Access::read_write)
            operands.push_back(fp);
        if (specs[k].access != Access::read) writes.push_back(fp);
        info.touches_sbuf |= ap->space == MemSpace::sbuf;
        info.touches_psum |= ap->space == MemSpace::psum;
    }
    // An accumulating matmul reads the PSUM it adds to (undefined where unwritten, [src:nki-isa]).
    static const int accumulate = isa::arg_index(isa::Opcode::nc_matmul, "accumulate");
    if (inst.op == isa::Opcode::nc_matmul && inst.has(accumulate) &&
        std::get<bool>(inst.args[size_t(accumulate)])) {
        operands.push_back(writes.front());
        info.rereads_accumulator = true;
    }
    info.counts_traffic = !isa::is_dma(inst.op);
    info.read_count = uint8_t(operands.data() + operands.size() - info.operands);
    info.write_count = uint8_t(writes.size());
    for (OperandFootprint* w : writes) operands.push_back(w);
    info.cost = instruction_cost(inst, m_chip.timing);
    if (inst.op == isa::Opcode::custom_op) {
        const auto& name = isa::value<std::string>(inst.arg("name"));
        const CustomOp* op = m_ops.find(name);
        if (!op) {
            std::string known;
            for (const auto& n : m_ops.names()) known += (known.empty() ? "" : ", ") + n;
            throw SimError(fmt::format(
                "kernel {}, {}: custom operator '{}' is not registered, expected one of: {}",
                program.name, describe_in(program, index), name, known));
        }
        info.cost.cycles = op->cycles(inst);
    }
    return info;
}

void NeuronCore::issue_dma(size_t index, Engine issuer, const VectorClock& clock) {
    m_dma.issue(index, program().instructions[index], issuer, clock);
}

void NeuronCore::issue_collective(size_t index, Engine issuer, const VectorClock& clock) {
    const auto& inst = program().instructions[index];
    const std::string where =
        fmt::format("{} on the {} engine", describe(index), isa::engine_name(issuer));
    if (!m_collectives)
        throw SimError(where + ": collectives need a multi-core system (run_system)");
    const double issued = now_ns();
    if (m_collectives_in_flight++ == 0) m_collectives_since_ns = issued;
    try {
        CollectiveReport& report = m_results[m_current].collectives;
        ++report.issued;
        report.bytes += collective_request(inst).bytes;
        double bound = 0;
        if (m_options.timing_only) {
            bound = m_collectives->issue(m_rank, inst, [this, index, issued, clock](double) {
                finish_collective(index, issued, clock, {});
            });
        } else {
            // The source is read when the instruction issues; the result is written when it
            // completes.
            const AccessPattern* src =
                isa::arg_index(inst.op, "src") >= 0 ? inst.ap("src") : nullptr;
            std::vector<float> input = src ? read_tile(m_state, *src).values : std::vector<float>{};
            bound = m_collectives->issue(
                m_rank, inst, std::move(input),
                [this, index, issued, clock](double, const std::vector<float>& out) {
                    finish_collective(index, issued, clock, out);
                });
        }
        report.analytic_ns = std::max(report.analytic_ns, bound);
    } catch (const std::exception& e) {
        throw SimError(fmt::format("{} (rank {}): {}", where, m_rank, e.what()));
    }
}

void NeuronCore::finish_collective(size_t index, double issued_ns, const VectorClock& clock,
                                   const std::vector<float>& output) {
    if (--m_collectives_in_flight == 0)
        m_results[m_current].collectives.busy_ns += now_ns() - m_collectives_since_ns;
    const auto& inst = program().instructions[index];
    const size_t agent = isa::kEngineCount + m_chip.limits.dma_queues;
    m_collective_clock.join(clock);
    if (m_options.trace) trace("collective", index, issued_ns, now_ns() - issued_ns);
    try {
        const AccessPattern* dst = isa::arg_index(inst.op, "dst") >= 0 ? inst.ap("dst") : nullptr;
        if (dst && !m_options.timing_only) {
            if (output.size() != dst->num_elements())
                throw SimError(
                    fmt::format("{}: the collective's result has {} elements, dst has {}",
                                describe(index), output.size(), dst->num_elements()));
            Tile t{dst->num_partitions, dst->free_size(), output};
            write_tile(m_state, *dst, t, inst.rounding);
        }
        complete(index, agent, m_collective_clock, "collective engine");
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    m_collective_clock.tick(agent);
    for (const auto& inc : inst.incs)
        m_semaphores.increment(inc.sem, inc.amount, m_collective_clock);
    end_program_when_done();
}

std::string NeuronCore::describe(size_t index) const {
    const std::string where = describe_in(program(), index);
    return m_programs.size() > 1 ? fmt::format("kernel {} ({} of {}), {}", program().name,
                                               m_current + 1, m_programs.size(), where)
                                 : where;
}

void NeuronCore::fail(const std::string& message) {
    if (m_failure.empty()) m_failure = fmt::format("at {:.1f} ns: {}", now_ns(), message);
    sc_core::sc_stop();
}

void NeuronCore::finish_transfer(DmaTransfer& t) {
    const size_t agent = isa::kEngineCount + t.queue;
    VectorClock& queue = m_queue_clocks[t.queue];
    queue.join(t.clock);  // FIFO: a transfer has seen everything before it on its queue
    if (m_options.trace)
        trace(fmt::format("dma q{}", t.queue), t.instruction, t.start_ns, t.done_ns - t.start_ns);
    try {
        complete(t.instruction, agent, queue, dma_agent_name(t.issuer, t.queue));
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    queue.tick(agent);
    for (const auto& inc : program().instructions[t.instruction].incs)
        m_semaphores.increment(inc.sem, inc.amount, queue);
    end_program_when_done();
}

void NeuronCore::engine_finished() {
    ++m_engines_finished;
    end_program_when_done();
}

// The current program ends when every engine has run its stream and every transfer completed;
// the next one starts at once.
void NeuronCore::end_program_when_done() {
    if (m_engines_finished < isa::kEngineCount || !m_dma.idle() || m_collectives_in_flight > 0 ||
        m_current >= m_programs.size())
        return;
    RunResult& r = m_results[m_current];
    r.end_ns = now_ns();
    r.time_ns = r.end_ns - r.start_ns;
    r.dma = m_dma.take_report();
    r.races = m_races.races();
    r.race_count = m_races.race_count();
    if (++m_current < m_programs.size()) start_program();
}

void NeuronCore::start_program() {
    m_engines_finished = 0;
    m_results[m_current].start_ns = now_ns();
    m_semaphores.reset();
    m_races = RaceDetector();
    for (auto& c : m_queue_clocks) c = VectorClock();
    m_collective_clock = VectorClock();
    m_program_started.notify(sc_core::SC_ZERO_TIME);
}

void NeuronCore::complete(size_t index, size_t agent, const VectorClock& clock,
                          std::string_view agent_name) {
    const InstructionInfo& info = this->info(index);
    RunResult& result = m_results[m_current];
    count_traffic(info, result.compute);
    check_unwritten_reads(index, agent_name, result.uninitialized_reads);
    apply_semantics(index, agent_name);
    mark_written(info);
    ++result.instructions;
    if (!tracks_races()) return;
    record_accesses(index, agent, clock, agent_name);
}

// From the operands' patterns (each footprint knows its bytes): the reads and writes of the
// instruction's operand list, an accumulating matmul's second read of its PSUM aside.
void NeuronCore::count_traffic(const InstructionInfo& info, OnChipTraffic& traffic) {
    if (!info.counts_traffic) return;
    const OperandSpan reads = info.reads();
    for (auto r = reads.begin(); r != reads.end() - (info.rereads_accumulator ? 1 : 0); ++r) {
        const isa::Footprint& fp = (*r)->fp;
        if (fp.space == MemSpace::sbuf) traffic.sbuf_read_bytes += (*r)->access_bytes;
        if (fp.space == MemSpace::psum) traffic.psum_read_bytes += (*r)->access_bytes;
    }
    for (const OperandFootprint* w : info.writes()) {
        if (w->fp.space == MemSpace::sbuf) traffic.sbuf_write_bytes += w->access_bytes;
        if (w->fp.space == MemSpace::psum) traffic.psum_write_bytes += w->access_bytes;
    }
}

// Runs before mark_written: an instruction's reads see only what earlier ones wrote.
void NeuronCore::check_unwritten_reads(size_t index, std::string_view agent_name,
                                       std::vector<std::string>& reports) {
    for (OperandFootprint* read : info(index).reads()) {
        const isa::Footprint& fp = read->fp;
        if (fp.space == MemSpace::hbm || read->known_written ||
            reports.size() >= kMaxUninitializedReports)
            continue;
        const OnChipMemory& mem = fp.space == MemSpace::sbuf ? m_state.sbuf : m_state.psum;
        auto hole = mem.first_unwritten(fp);
        read->known_written = !hole;
        if (hole)
            reports.push_back(
                fmt::format("{} on {} reads {} partition {} bytes [{}, {}) that were never written",
                            describe(index), agent_name, isa::mem_space_name(fp.space),
                            hole->partition, hole->bytes.begin, hole->bytes.end));
    }
}

void NeuronCore::apply_semantics(size_t index, std::string_view agent_name) {
    const auto& inst = program().instructions[index];
    // A collective's data was moved by the collective engine.
    if (m_options.timing_only || isa::is_collective(inst.op)) return;
    try {
        execute(inst, program().target, m_state, m_ops);
    } catch (const std::exception& e) {
        throw SimError(fmt::format("{} on {}: {}", describe(index), agent_name, e.what()));
    }
}

void NeuronCore::mark_written(const InstructionInfo& info) {
    // Marking written bytes again changes nothing: the map keeps maximal segments.
    for (OperandFootprint* w : info.writes()) {
        if (w->known_written) continue;
        if (w->fp.space == MemSpace::sbuf) m_state.sbuf.mark_written(w->fp);
        if (w->fp.space == MemSpace::psum) m_state.psum.mark_written(w->fp);
        w->known_written = true;
    }
}

void NeuronCore::record_accesses(size_t index, size_t agent, const VectorClock& clock,
                                 std::string_view agent_name) {
    const InstructionInfo& info = this->info(index);
    const AccessSite site{&program().instructions[index], agent_name};
    for (const auto* r : info.reads()) m_races.access(agent, clock, r->fp, false, site);
    for (const auto* w : info.writes()) m_races.access(agent, clock, w->fp, true, site);
    if ((m_accesses_since_prune += 1) < kPruneEvery) return;
    // Forget the history no live agent can still race with.
    m_accesses_since_prune = 0;
    std::vector<const VectorClock*> live = m_dma.inflight_clocks();
    for (const auto& e : m_engines)
        if (!e->finished()) live.push_back(&e->clock());
    m_races.prune(live);
}

double NeuronCore::reserve_ports(Engine e, const InstructionInfo& info, double earliest_ns,
                                 double duration_ns) {
    if (!m_chip.timing.shared_sbuf_psum_ports) return earliest_ns;
    // v2: Vector and GpSimd take turns on SBUF, Vector and Scalar on PSUM [src:nki-arch-v2].
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
    const auto& inst = program().instructions[index];
    m_results[m_current].trace.push_back(
        {row, std::string(isa::opcode_info(inst.op).name), inst.loc.line, start_ns, duration_ns});
}

std::string NeuronCore::deadlock() const {
    std::string waiting;
    for (const auto& e : m_engines)
        if (!e->finished()) waiting += "\n  " + e->waiting_for();
    if (m_collectives_in_flight > 0)
        waiting += fmt::format("\n  {} collective(s) never completed", m_collectives_in_flight);
    if (waiting.empty()) waiting = "\n  DMA transfers never completed";
    return fmt::format("deadlock at {:.1f} ns: every engine is waiting and nothing is in flight:{}",
                       now_ns(), waiting);
}

std::string NeuronCore::stopped_early() const {
    if (!m_failure.empty()) return m_failure;
    return m_current < m_programs.size() ? deadlock() : "";
}

std::vector<RunResult> NeuronCore::finish() {
    if (auto why = stopped_early(); !why.empty()) throw SimError(why);
    return m_results;
}

}  // namespace nsim::sim

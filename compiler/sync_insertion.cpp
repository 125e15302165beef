#include "compiler/sync_insertion.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <tuple>
#include <utility>
#include <variant>

#include "compiler/memory_effects.h"

namespace nsim::compiler {

namespace {

// Per completion stream, how many of its instructions are known complete. They complete in order,
// so a count names a prefix; joining two clocks (element-wise max) merges what two events knew.
// `Count` is the narrowest type that holds every stream's length: the planner keeps a clock per
// instruction.
template <class Count>
using Clock = std::vector<Count>;

template <class Count>
void join(Clock<Count>& into, const Count* other) {
    for (size_t k = 0; k < into.size(); ++k) into[k] = std::max(into[k], other[k]);
}

// Where an instruction sits among the completion streams.
struct Slot {
    isa::Engine engine = isa::Engine::vector;
    bool dma = false;
    uint32_t stream = 0;    // completion stream id
    uint32_t position = 0;  // 1-based rank within the stream, in program order
};

// The completion streams of a program: each engine's compute instructions (an engine starts an
// instruction only after the previous one completed) and each (issuing engine, DMA queue) pair
// (a queue completes transfers in the order they were issued, and one engine issues in program
// order). Transfers of one queue issued by different engines are not one stream: their issue
// order, hence their completion order, depends on timing.
class CompletionStreams {
public:
    explicit CompletionStreams(const isa::Program& program) {
        std::map<std::tuple<isa::Engine, bool, int64_t>, uint32_t> ids;
        // The stream of the previous instruction: a run of one stream's instructions (a matmul
        // chain) skips the map.
        std::tuple<isa::Engine, bool, int64_t> last_key;
        uint32_t last_stream = UINT32_MAX;
        m_slots.reserve(program.instructions.size());
        for (size_t i = 0; i < program.instructions.size(); ++i) {
            const auto& inst = program.instructions[i];
            Slot slot;
            slot.engine = inst.engine;
            // Collectives are asynchronous like DMAs. Each is a completion stream of its own: the
            // collective engine runs several at once (CC cores), so they may complete out of order.
            slot.dma = isa::opcode_info(inst.op).asynchronous;
            int64_t queue = isa::is_collective(inst.op) ? -1 - int64_t(i) : 0;
            if (isa::is_dma(inst.op))
                if (const auto* q = std::get_if<int64_t>(&inst.arg("queue"))) queue = *q;
            const std::tuple<isa::Engine, bool, int64_t> key{slot.engine, slot.dma, queue};
            if (last_stream == UINT32_MAX || key != last_key) {
                const auto [it, added] = ids.try_emplace(key, uint32_t(m_members.size()));
                if (added) m_members.emplace_back();
                last_key = key;
                last_stream = it->second;
            }
            slot.stream = last_stream;
            m_members[slot.stream].push_back(uint32_t(i));
            slot.position = uint32_t(m_members[slot.stream].size());
            m_slots.push_back(slot);
        }
    }
    size_t count() const { return m_members.size(); }
    // The most instructions of one stream.
    size_t longest() const {
        size_t most = 0;
        for (const auto& m : m_members) most = std::max(most, m.size());
        return most;
    }
    const Slot& slot(size_t instruction) const { return m_slots[instruction]; }
    // The program indices of a stream's instructions, in order.
    const std::vector<uint32_t>& members(size_t stream) const { return m_members[stream]; }

private:
    std::vector<Slot> m_slots;
    // (Program indices fit 32 bits: 2^32 instructions would take half a terabyte.)
    std::vector<std::vector<uint32_t>> m_members;
};

// The waits of every instruction in one array: instruction i waits for the program indices
// targets[first[i], first[i + 1]).
struct Waits {
    std::vector<size_t> targets;
    std::vector<size_t> first;
    const size_t* begin(size_t i) const { return targets.data() + first[i]; }
    const size_t* end(size_t i) const { return targets.data() + first[i + 1]; }
};

// Decides, instruction by instruction, which earlier instructions each one must wait for. Every
// engine carries a clock of what it knows complete; an instruction waits only for what its engine
// does not know yet, and a wait brings along everything the awaited instruction knew.
template <class Count>
class WaitPlanner {
public:
    WaitPlanner(const CompletionStreams& streams, const MemoryEffects& effects)
        : m_streams(streams),
          m_effects(effects),
          m_done_knows(effects.size() * streams.count()),
          m_before(streams.count(), 0),
          m_stream_writes(streams.count(), 0),
          m_stream_touches(streams.count(), 0) {
        m_engine_knows.fill(Clock<Count>(streams.count(), 0));
    }

    // For each instruction, the program indices of the instructions it waits for.
    Waits plan() {
        Waits waits;
        waits.first.reserve(m_effects.size() + 1);
        for (size_t j = 0; j < m_effects.size(); ++j) {
            waits.first.push_back(waits.targets.size());
            plan_one(j, waits.targets);
        }
        waits.first.push_back(waits.targets.size());
        return waits;
    }

private:
    // Appends j's waits to `kept`.
    void plan_one(size_t j, std::vector<size_t>& kept) {
        const Slot& s = m_streams.slot(j);
        Clock<Count>& knows = m_engine_knows[size_t(s.engine)];
        // A DMA moves its data only after the earlier transfers of its stream completed (FIFO).
        m_start = knows;
        if (s.dma) m_start[s.stream] = std::max(m_start[s.stream], Count(s.position - 1));

        m_targets.clear();
        latest_conflicts(j);
        for (size_t c = 0; c < m_needed.size(); ++c)
            if (m_needed[c] > 0) m_targets.push_back(m_streams.members(c)[m_needed[c] - 1]);
        // A wait that another wait of j implies (its target knew ours complete) adds nothing. Two
        // waits cannot imply each other (that would be a cycle), so dropping them all is safe.
        const size_t first_kept = kept.size();
        for (size_t t : m_targets) {
            const Slot& st = m_streams.slot(t);
            const bool implied = std::any_of(m_targets.begin(), m_targets.end(), [&](size_t u) {
                return u != t && done_knows(u)[st.stream] >= st.position;
            });
            if (!implied) kept.push_back(t);
        }
        for (size_t k = first_kept; k < kept.size(); ++k) join(knows, done_knows(kept[k]));

        Count* const done = done_knows(j);
        std::copy(knows.begin(), knows.end(), done);
        done[s.stream] = Count(s.position);
        // The engine takes its next instruction after a compute instruction completes, but right
        // after it issues a DMA.
        if (!s.dma) knows.assign(done, done + knows.size());
    }

    // Per stream, the position of the latest earlier instruction that conflicts with j and is not
    // known complete at j's start (0 = none), into m_needed. Each stream is scanned backwards on
    // its own members, from its last one before j down to its known-complete prefix: the
    // instructions of other streams are never visited. A stream none of whose members so far
    // writes a memory j touches, or touches one j writes, is not scanned at all (the stores of
    // results, seen from the matmuls that never wait for them).
    void latest_conflicts(size_t j) {
        m_needed.assign(m_streams.count(), 0);
        const unsigned writes = m_effects.writes(j), touches = m_effects.touches(j);
        for (size_t c = 0; c < m_needed.size(); ++c) {
            if (!((m_stream_writes[c] & touches) | (writes & m_stream_touches[c]))) continue;
            const auto& members = m_streams.members(c);
            for (uint32_t pos = m_before[c]; pos > m_start[c]; --pos)
                if (m_effects.conflicts(members[pos - 1], j)) {
                    m_needed[c] = pos;
                    break;
                }
        }
        const Slot& s = m_streams.slot(j);
        m_before[s.stream] = s.position;
        m_stream_writes[s.stream] |= writes;
        m_stream_touches[s.stream] |= touches;
    }

    const CompletionStreams& m_streams;
    const MemoryEffects& m_effects;
    std::array<Clock<Count>, isa::kEngineCount> m_engine_knows;
    // What is known once instruction i is known complete: a clock per instruction, one after the
    // other in one array.
    std::vector<Count> m_done_knows;
    Count* done_knows(size_t i) { return m_done_knows.data() + i * m_streams.count(); }
    std::vector<uint32_t> m_before;  // per stream, its members before the instruction planned
    // Per stream, the memories those members write and touch (bit 1 << MemSpace).
    std::vector<uint8_t> m_stream_writes, m_stream_touches;
    // Scratch of plan_one, kept to reuse their memory: what j's engine knows complete when j
    // starts, the latest conflict per stream, and the instructions those are.
    Clock<Count> m_start;
    std::vector<uint32_t> m_needed;
    std::vector<size_t> m_targets;
};

// Names an instruction in a diagnostic when it was built in code and has no line to point at.
std::string where(const isa::Instruction& inst, size_t index) {
    if (inst.loc.line != 0) return "";
    return "instruction " + std::to_string(index) + " (" +
           std::string(isa::opcode_info(inst.op).name) + "): ";
}

void reject_existing_semaphores(const isa::Program& program, const std::string& file) {
    std::vector<isa::Diagnostic> found;
    for (size_t i = 0; i < program.instructions.size(); ++i) {
        const auto& inst = program.instructions[i];
        if (inst.waits.empty() && inst.incs.empty()) continue;
        found.push_back(
            {inst.loc,
             where(inst, i) +
                 "found wait/inc in a sequential kernel, expected none: a sequential kernel "
                 "gets its semaphores from the sync pass; remove wait/inc or write "
                 "per-engine streams"});
    }
    if (!found.empty()) throw isa::KernelError(file, std::move(found));
}

// Semaphore ids per stream (-1 = none), given from 0 in program order of the first increment.
std::vector<int64_t> assign_semaphores(const isa::Program& program,
                                       const CompletionStreams& streams,
                                       const std::vector<bool>& increments,
                                       const isa::TargetLimits& limits, const std::string& file) {
    std::vector<int64_t> sem(streams.count(), -1);
    std::vector<size_t> first_use;
    for (size_t i = 0; i < increments.size(); ++i) {
        int64_t& id = sem[streams.slot(i).stream];
        if (!increments[i] || id >= 0) continue;
        id = int64_t(first_use.size());
        first_use.push_back(i);
    }
    if (first_use.size() > limits.semaphores) {
        const size_t i = first_use[limits.semaphores];
        const auto& inst = program.instructions[i];
        throw isa::KernelError(
            file,
            {{inst.loc, where(inst, i) + "the sync pass needs " + std::to_string(first_use.size()) +
                            " semaphores (one per engine and per issuing engine and DMA queue that "
                            "something waits for), expected at most the target's " +
                            std::to_string(limits.semaphores) + " (limits.semaphores)"}});
    }
    return sem;
}

}  // namespace

isa::Program insert_sync(isa::Program sequential, const isa::TargetLimits& limits,
                         const std::string& file) {
    if (sequential.form == isa::ProgramForm::streams) return sequential;
    reject_existing_semaphores(sequential, file);

    const size_t n = sequential.instructions.size();
    const CompletionStreams streams(sequential);
    Waits waits;
    {  // the effects are freed before the instructions are regrouped
        const MemoryEffects effects(sequential);
        waits = streams.longest() <= UINT16_MAX ? WaitPlanner<uint16_t>(streams, effects).plan()
                                                : WaitPlanner<uint32_t>(streams, effects).plan();
    }

    std::vector<bool> increments(n, false);
    for (size_t t : waits.targets) increments[t] = true;
    const auto sem = assign_semaphores(sequential, streams, increments, limits, file);
    // The count that means "instruction i is done": its stream's increments up to and including i.
    std::vector<uint32_t> done_count(n, 0);
    std::vector<uint32_t> running(streams.count(), 0);
    for (size_t i = 0; i < n; ++i)
        if (increments[i]) done_count[i] = ++running[streams.slot(i).stream];

    isa::Program out = std::move(sequential);  // a copy only when the caller keeps its own
    out.form = isa::ProgramForm::streams;
    for (size_t i = 0; i < n; ++i) {
        if (waits.begin(i) == waits.end(i) && !increments[i]) continue;  // most are neither
        auto& inst = out.instructions[i];
        for (const size_t* t = waits.begin(i); t != waits.end(i); ++t)
            inst.waits.push_back({uint32_t(sem[streams.slot(*t).stream]), done_count[*t]});
        std::sort(inst.waits.begin(), inst.waits.end(),
                  [](const isa::SemWait& a, const isa::SemWait& b) { return a.sem < b.sem; });
        if (increments[i]) inst.incs.push_back({uint32_t(sem[streams.slot(i).stream]), 1});
    }
    isa::group_by_engine(out.instructions);
    return out;
}

}  // namespace nsim::compiler

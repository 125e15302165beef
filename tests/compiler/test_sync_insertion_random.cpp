// The sync pass against an independent checker on random programs: every dependent pair must be
// ordered under any timing, and no wait may be dropped or weakened without breaking one.
#include <bitset>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include <catch2/catch.hpp>

#include "compiler/sync_insertion.h"
#include "sync_test_programs.h"

using namespace nsim;
using namespace nsim::test;
using isa::Engine;

namespace {

// A 4-byte word of memory: space ("sbuf", "psum" or an HBM tensor name), partition or row, word.
// Every generated operand is f32 at a 4-byte aligned offset, so words are exact.
using Word = std::tuple<std::string, uint32_t, int64_t>;
using Words = std::set<Word>;

// The words an operand touches, enumerated from its definition (not through isa's footprints).
Words words_of(const isa::AccessPattern& ap) {
    Words out;
    const std::string space = ap.space == isa::MemSpace::hbm    ? ap.tensor
                              : ap.space == isa::MemSpace::sbuf ? "sbuf"
                                                                : "psum";
    for (uint32_t p = ap.start_partition; p < ap.start_partition + ap.num_partitions; ++p)
        for (uint32_t k = 0; k < ap.dims.front().num; ++k)
            out.insert({space, p, int64_t(ap.byte_offset / 4) + int64_t(k) * ap.dims[0].step});
    return out;
}

bool intersect(const Words& a, const Words& b) {
    for (const auto& w : a)
        if (b.count(w)) return true;
    return false;
}

// A random instruction with the words it reads and writes.
struct Generated {
    isa::Instruction inst;
    Words reads, writes;
};

bool depends(const Generated& earlier, const Generated& later) {
    return intersect(earlier.writes, later.reads) || intersect(earlier.writes, later.writes) ||
           intersect(earlier.reads, later.writes);
}

// Random small programs whose operands crowd a small SBUF/PSUM region and two [4, 16] HBM tensors,
// so that most pairs of instructions touch common bytes.
class RandomPrograms {
public:
    explicit RandomPrograms(uint32_t seed) : m_rng(seed) {}

    std::vector<Generated> next() {
        std::vector<Generated> program;
        const int n = pick(2, 16);
        for (int i = 0; i < n; ++i) program.push_back(instruction());
        return program;
    }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }

    isa::AccessPattern any_sbuf() {
        return sbuf(uint32_t(32 * pick(0, 2)), uint32_t(32 * pick(1, 2)), uint64_t(4 * pick(0, 15)),
                    uint32_t(pick(1, 6)), pick(1, 2));
    }
    isa::AccessPattern any_psum() {
        return psum(0, 32, uint64_t(4 * pick(0, 8)), uint32_t(pick(1, 4)));
    }
    isa::AccessPattern any_hbm() {
        const int row = pick(0, 3);
        return hbm(pick(0, 1) ? "a" : "b", uint32_t(row), uint32_t(pick(1, 4 - row)),
                   uint64_t(4 * pick(0, 12)), uint32_t(pick(1, 4)));
    }

    Generated make_generated(isa::Instruction inst, std::vector<isa::AccessPattern> reads,
                             const isa::AccessPattern& write) {
        Generated g{std::move(inst), {}, words_of(write)};
        for (const auto& r : reads) {
            const auto w = words_of(r);
            g.reads.insert(w.begin(), w.end());
        }
        return g;
    }

    Generated instruction() {
        using isa::Opcode;
        const Engine compute[] = {Engine::vector, Engine::scalar, Engine::gpsimd};
        const int kind = pick(0, 9);
        if (kind <= 3) {
            const auto engine = Engine(pick(0, isa::kEngineCount - 1));
            const int64_t queue = pick(0, 1);
            const int direction = pick(0, 2);
            const auto src = direction == 0 ? any_hbm() : any_sbuf();
            const auto dst = direction == 1 ? any_hbm() : any_sbuf();
            return make_generated(dma(dst, src, engine, queue), {src}, dst);
        }
        if (kind == 4) {
            const auto dst = any_psum(), st = any_sbuf(), mv = any_sbuf();
            return make_generated(make(Opcode::nc_matmul, Engine::tensor,
                                       {{"dst", dst}, {"stationary", st}, {"moving", mv}}),
                                  {st, mv}, dst);
        }
        if (kind == 5) {
            const auto dst = any_sbuf(), src = any_psum();
            return make_generated(copy(Engine::vector, dst, src), {src}, dst);
        }
        if (kind <= 7) {
            const auto dst = any_sbuf(), src = any_sbuf();
            return make_generated(copy(compute[pick(0, 2)], dst, src), {src}, dst);
        }
        const auto dst = any_sbuf(), a = any_sbuf(), b = any_sbuf();
        if (kind == 8)
            return make_generated(
                make(Opcode::tensor_tensor, pick(0, 1) ? Engine::vector : Engine::gpsimd,
                     {{"dst", dst}, {"data1", a}, {"data2", b}}),
                {a, b}, dst);
        if (pick(0, 1))  // bias as an immediate: only `data` is read
            return make_generated(make(Opcode::activation, Engine::scalar,
                                       {{"dst", dst}, {"data", a}, {"bias", 1.0}}),
                                  {a}, dst);
        return make_generated(
            make(Opcode::activation, Engine::scalar, {{"dst", dst}, {"data", a}, {"bias", b}}),
            {a, b}, dst);
    }

    std::mt19937 m_rng;
};

// Happens-before between the events of a streams program, derived from the hardware rules alone.
// Each instruction has three events: start (a DMA: its issue), data start, finish (a DMA: its
// transfer's completion). `error` is set when a wait can never be satisfied or waits form a cycle.
class HappensBefore {
public:
    static constexpr size_t kMaxInstructions = 32;

    explicit HappensBefore(const std::vector<isa::Instruction>& streams)
        : m_n(streams.size()), m_edges(3 * m_n) {
        REQUIRE(m_n <= kMaxInstructions);
        std::map<Engine, size_t> last_on_engine;
        std::map<std::pair<Engine, int64_t>, size_t> last_on_queue;
        std::map<uint32_t, std::vector<size_t>> incrementers;  // per semaphore, in stream order
        for (size_t x = 0; x < m_n; ++x) {
            const auto& inst = streams[x];
            edge(start(x), data(x));
            edge(data(x), finish(x));
            // In order per engine: after a compute instruction completes, after a DMA is issued.
            if (const auto it = last_on_engine.find(inst.engine); it != last_on_engine.end())
                edge(is_dma(streams[it->second]) ? start(it->second) : finish(it->second),
                     start(x));
            last_on_engine[inst.engine] = x;
            if (is_dma(inst)) {  // one queue moves its transfers one after the other
                const auto key = std::make_pair(inst.engine, std::get<int64_t>(inst.arg("queue")));
                if (const auto it = last_on_queue.find(key); it != last_on_queue.end())
                    edge(finish(it->second), data(x));
                last_on_queue[key] = x;
            }
            for (const auto& inc : inst.incs) {
                REQUIRE(inc.amount == 1);
                incrementers[inc.sem].push_back(x);
            }
        }
        for (const auto& [sem, xs] : incrementers)
            for (size_t x : xs)  // counts mean "the k-th is done" only within one completion stream
                REQUIRE(stream_of(streams[x]) == stream_of(streams[xs.front()]));
        for (size_t y = 0; y < m_n; ++y)
            for (const auto& w : streams[y].waits) {
                if (w.value == 0) continue;
                const auto it = incrementers.find(w.sem);
                if (it == incrementers.end() || it->second.size() < w.value) {
                    error = "a wait nothing can satisfy";
                    continue;
                }
                edge(finish(it->second[w.value - 1]), start(y));
            }
        close();
    }

    // All of i's accesses precede all of j's, whatever the durations.
    bool ordered(size_t i, size_t j) const { return m_before[data(j)].test(finish(i)); }

    std::string error;

private:
    using Events = std::bitset<3 * kMaxInstructions>;
    static size_t start(size_t x) { return 3 * x; }
    static size_t data(size_t x) { return 3 * x + 1; }
    static size_t finish(size_t x) { return 3 * x + 2; }
    static bool is_dma(const isa::Instruction& inst) { return inst.op == isa::Opcode::dma_copy; }
    static std::pair<Engine, int64_t> stream_of(const isa::Instruction& inst) {
        return {inst.engine, is_dma(inst) ? std::get<int64_t>(inst.arg("queue")) : -1};
    }
    void edge(size_t from, size_t to) { m_edges[from].push_back(to); }

    // Transitive closure in topological order (Kahn); a cycle is a deadlock.
    void close() {
        std::vector<size_t> indegree(m_edges.size(), 0);
        for (const auto& out : m_edges)
            for (size_t to : out) ++indegree[to];
        std::vector<size_t> ready;
        for (size_t e = 0; e < m_edges.size(); ++e)
            if (indegree[e] == 0) ready.push_back(e);
        m_before.assign(m_edges.size(), Events{});
        size_t visited = 0;
        while (!ready.empty()) {
            const size_t e = ready.back();
            ready.pop_back();
            ++visited;
            for (size_t to : m_edges[e]) {
                m_before[to] |= m_before[e];
                m_before[to].set(e);
                if (--indegree[to] == 0) ready.push_back(to);
            }
        }
        if (visited != m_edges.size()) error = "waits form a cycle";
    }

    size_t m_n;
    std::vector<std::vector<size_t>> m_edges;
    std::vector<Events> m_before;  // per event, the events that happen before it
};

// Every dependent pair (in sequential indices) that `streams` leaves unordered.
std::vector<std::pair<size_t, size_t>> unordered(const std::vector<isa::Instruction>& streams,
                                                 const std::vector<std::pair<size_t, size_t>>& deps,
                                                 const std::vector<size_t>& position,
                                                 std::string* error = nullptr) {
    const HappensBefore hb(streams);
    if (error) *error = hb.error;
    std::vector<std::pair<size_t, size_t>> out;
    for (const auto& [i, j] : deps)
        if (!hb.error.empty() || !hb.ordered(position[i], position[j])) out.push_back({i, j});
    return out;
}

}  // namespace

TEST_CASE("sync: random programs are ordered under any timing, with no wait to spare",
          "[compiler]") {
    const auto limits = isa::default_limits(isa::Generation::v2);
    const std::vector<isa::TensorDecl> tensors = {tensor("a", 4, 16), tensor("b", 4, 16)};
    size_t total_waits = 0, total_cross_deps = 0;
    for (uint32_t seed = 1; seed <= 400; ++seed) {
        INFO("seed " << seed);
        const auto generated = RandomPrograms(seed).next();
        std::vector<isa::Instruction> instructions;
        for (const auto& g : generated) instructions.push_back(g.inst);
        const auto seq = sequential(instructions, tensors);
        const auto out = compiler::insert_sync(seq, limits, "random");
        REQUIRE(out.form == isa::ProgramForm::streams);
        REQUIRE(out.instructions.size() == seq.instructions.size());

        // Where each sequential instruction landed: the k-th of its engine, engines grouped in
        // order.
        std::vector<size_t> position(seq.instructions.size());
        std::vector<size_t> rank(isa::kEngineCount, 0);
        for (size_t i = 0; i < seq.instructions.size(); ++i) {
            const auto e = seq.instructions[i].engine;
            size_t at = 0, seen = 0;
            while (out.instructions.at(at).engine != e || seen++ != rank[size_t(e)]) ++at;
            ++rank[size_t(e)];
            position[i] = at;
            auto bare = out.instructions[at];
            bare.waits.clear();
            bare.incs.clear();
            REQUIRE(bare == seq.instructions[i]);
        }
        for (size_t x = 1; x < out.instructions.size(); ++x)
            REQUIRE(out.instructions[x - 1].engine <= out.instructions[x].engine);

        std::vector<std::pair<size_t, size_t>> deps;
        for (size_t j = 0; j < generated.size(); ++j)
            for (size_t i = 0; i < j; ++i)
                if (depends(generated[i], generated[j])) deps.push_back({i, j});
        std::string error;
        const auto missing = unordered(out.instructions, deps, position, &error);
        REQUIRE(error.empty());
        for (const auto& [i, j] : missing)
            FAIL_CHECK("dependency " << i << " -> " << j << " is not ordered");

        // No more than needed: dropping any wait, or waiting for one increment fewer, breaks one.
        std::map<uint32_t, std::set<uint32_t>> awaited;
        for (size_t y = 0; y < out.instructions.size(); ++y)
            for (size_t w = 0; w < out.instructions[y].waits.size(); ++w) {
                ++total_waits;
                const auto wait = out.instructions[y].waits[w];
                awaited[wait.sem].insert(wait.value);
                auto weaker = out.instructions;
                weaker[y].waits[w].value -= 1;
                CHECK_FALSE(unordered(weaker, deps, position).empty());
                weaker[y].waits.erase(weaker[y].waits.begin() + long(w));
                CHECK_FALSE(unordered(weaker, deps, position).empty());
            }
        // Increments only where a wait needs them: the k-th increment of a semaphore is awaited as
        // k.
        std::map<uint32_t, uint32_t> count;
        for (const auto& inst : out.instructions)
            for (const auto& inc : inst.incs) CHECK(awaited[inc.sem].count(++count[inc.sem]) == 1);
        for (const auto& [i, j] : deps)
            if (seq.instructions[i].engine != seq.instructions[j].engine) ++total_cross_deps;
    }
    // The generator must exercise the pass, not produce mostly independent programs.
    CHECK(total_waits > 500);
    CHECK(total_cross_deps > 1000);
}

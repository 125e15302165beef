// Where the collective instructions of many cores meet: each rank's k-th collective over a group
// joins every other member's k-th, and the collective engine runs them together. What a runtime
// calls when an engine issues all_reduce, all_gather, reduce_scatter, send or recv.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "isa/instruction.h"
#include "sim/collective/collective_engine.h"

namespace nsim::sim {

// The request a collective instruction makes: the group from its pattern, the dtype of its
// buffers, its reduce op, and the message size as CollectiveRequest counts it.
CollectiveRequest collective_request(const isa::Instruction& inst);

class CollectiveRendezvous {
public:
    using Done = std::function<void(double t_ns)>;
    // With real data: the rank's result (its dst operand's values, row-major, as fp32).
    using DataDone = std::function<void(double t_ns, const std::vector<float>& output)>;

    // `ranks`: how many ranks the run has (0..ranks-1), the modulus of a send's or recv's
    // peer_offset; 0 means every rank of the engine's placement.
    explicit CollectiveRendezvous(CollectiveEngine& engine, uint32_t ranks = 0)
        : m_engine(engine), m_ranks(ranks ? ranks : engine.placement().ranks()) {}

    // Rank `rank` issues the collective instruction `inst` at `now_ns`; `on_done` runs when this
    // rank's part has completed (where the instruction's `inc` semaphores are incremented). A rank
    // outside the group, or a size other than the group's, is a CollectiveError; ranks that never
    // issue their part leave it unfinished (CollectiveEngine::check_finished names them). Returns
    // the collective's analytic time (CollectiveEngine::bound_ns: exact for a ring, an estimate
    // for hier and torus2d).
    double issue(uint32_t rank, const isa::Instruction& inst, double now_ns, Done on_done);
    // The same, moving real data: `input` is the rank's src operand (row-major, as fp32; empty for
    // a recv), reduced as CollectiveData does (fp32; bf16 with fp32 accumulation); a recv's output
    // is its peer's send input. Every rank of a collective must issue it this way.
    double issue(uint32_t rank, const isa::Instruction& inst, double now_ns,
                 std::vector<float> input, DataDone on_done);

private:
    // A collective's identity: opcode, group (or the sending and receiving rank) and the sequence
    // number of that pair among each member's collectives.
    using Key = std::tuple<isa::Opcode, std::vector<uint32_t>, uint64_t>;
    struct Meeting {
        uint32_t id;
        std::map<uint32_t, DataDone> done;     // per rank
        std::unique_ptr<CollectivePlan> plan;  // with data (CollectiveData keeps a reference)
        std::unique_ptr<CollectiveData> data;  // a collective's buffers, with data
        std::vector<float> payload;            // a send's values, with data
        double bound_ns = 0;                   // CollectiveEngine::bound_ns of its plan
    };
    double join(uint32_t rank, const isa::Instruction& inst, double now_ns,
                const std::vector<float>* input, DataDone on_done);
    std::vector<uint32_t> ranks_of(const isa::Instruction& inst, uint32_t rank) const;

    CollectiveEngine& m_engine;
    uint32_t m_ranks;
    std::map<std::pair<uint32_t, std::tuple<isa::Opcode, std::vector<uint32_t>>>, uint64_t>
        m_issued;
    std::map<Key, Meeting> m_meetings;
};

}  // namespace nsim::sim

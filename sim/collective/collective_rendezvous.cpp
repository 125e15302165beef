// Matching collective instructions across ranks and launching them on the collective engine.
#include "sim/collective/collective_rendezvous.h"

#include <algorithm>
#include <variant>

#include <fmt/format.h>

#include "isa/rank_rules.h"
#include "isa/replica_group.h"

namespace nsim::sim {

namespace {

CollectiveOp op_of(isa::Opcode op) {
    switch (op) {
        case isa::Opcode::all_gather:
            return CollectiveOp::all_gather;
        case isa::Opcode::reduce_scatter:
            return CollectiveOp::reduce_scatter;
        default:
            return CollectiveOp::all_reduce;
    }
}

// The access pattern operand `name`, or nullptr when the opcode has none (send has no dst).
const isa::AccessPattern* operand(const isa::Instruction& inst, const char* name) {
    return isa::arg_index(inst.op, name) >= 0 ? inst.ap(name) : nullptr;
}

uint64_t bytes_of(const isa::AccessPattern* ap) {
    return ap ? ap->num_elements() * isa::dtype_size(ap->dtype) : 0;
}

}  // namespace

CollectiveRequest collective_request(const isa::Instruction& inst) {
    CollectiveRequest r;
    r.op = op_of(inst.op);
    for (int64_t rank : isa::replica_group(inst)) r.group.push_back(uint32_t(rank));
    const isa::AccessPattern* src = operand(inst, "src");
    const isa::AccessPattern* dst = operand(inst, "dst");
    const isa::AccessPattern* buffer = src ? src : dst;
    r.dtype = buffer && buffer->dtype == isa::DType::bfloat16 ? CollectiveDType::bfloat16
                                                              : CollectiveDType::float32;
    if (isa::arg_index(inst.op, "op") >= 0 && inst.has("op")) {
        const auto alu = isa::AluOp(std::get<int64_t>(inst.arg("op")));
        r.reduce = alu == isa::AluOp::maximum   ? ReduceOp::max
                   : alu == isa::AluOp::minimum ? ReduceOp::min
                                                : ReduceOp::add;
    }
    // As nccl-tests counts: the all-gather's output, else the input (send: src, recv: dst).
    r.bytes = inst.op == isa::Opcode::all_gather ? bytes_of(dst) : bytes_of(buffer);
    return r;
}

std::vector<uint32_t> CollectiveRendezvous::ranks_of(const isa::Instruction& inst,
                                                     uint32_t rank) const {
    if (inst.op == isa::Opcode::send || inst.op == isa::Opcode::recv) {
        const uint32_t peer = isa::peer_rank(inst, rank, m_ranks);
        return inst.op == isa::Opcode::send ? std::vector<uint32_t>{rank, peer}
                                            : std::vector<uint32_t>{peer, rank};
    }
    return collective_request(inst).group;
}

double CollectiveRendezvous::issue(uint32_t rank, const isa::Instruction& inst, double now_ns,
                                   Done on_done) {
    return join(rank, inst, now_ns, nullptr,
                [on_done = std::move(on_done)](double t, const std::vector<float>&) {
                    if (on_done) on_done(t);
                });
}

double CollectiveRendezvous::issue(uint32_t rank, const isa::Instruction& inst, double now_ns,
                                   std::vector<float> input, DataDone on_done) {
    return join(rank, inst, now_ns, &input, std::move(on_done));
}

double CollectiveRendezvous::join(uint32_t rank, const isa::Instruction& inst, double now_ns,
                                  const std::vector<float>* input, DataDone on_done) {
    if (!isa::is_collective(inst.op))
        throw CollectiveError(fmt::format("rank {}: {} is not a collective instruction", rank,
                                          isa::opcode_info(inst.op).name));
    const bool p2p = inst.op == isa::Opcode::send || inst.op == isa::Opcode::recv;
    const auto ranks = ranks_of(inst, rank);
    const auto kind = p2p ? isa::Opcode::send : inst.op;  // a send meets the matching recv
    const uint64_t seq = m_issued[{rank, {kind, ranks}}]++;
    const Key key{kind, ranks, seq};
    auto it = m_meetings.find(key);
    if (it == m_meetings.end()) {
        Meeting m;
        const auto dispatch = [this, key](uint32_t r, double t) {
            auto& meeting = m_meetings.at(key);
            auto d = meeting.done.find(r);
            if (d == meeting.done.end() || !d->second) return;
            if (!meeting.data) return d->second(t, meeting.payload);
            const auto& group = meeting.plan->request.group;
            d->second(t, meeting.data->result(
                             uint32_t(std::find(group.begin(), group.end(), r) - group.begin())));
        };
        if (p2p) {
            const uint64_t bytes = collective_request(inst).bytes;
            m.bound_ns =
                m_engine.bound_ns(plan_send(m_engine.instance(), ranks[0], ranks[1], bytes));
            m.id = m_engine.launch_send(ranks[0], ranks[1], bytes, dispatch);
        } else {
            m.plan = std::make_unique<CollectivePlan>(m_engine.plan(collective_request(inst)));
            m.bound_ns = m_engine.bound_ns(*m.plan);
            if (input) m.data = std::make_unique<CollectiveData>(*m.plan);
            m.id = m_engine.launch(*m.plan, dispatch, m.data.get());
        }
        it = m_meetings.emplace(key, std::move(m)).first;
    }
    Meeting& meeting = it->second;
    const uint64_t bytes = collective_request(inst).bytes;
    if (meeting.data && bytes == meeting.plan->request.bytes) {  // arrive() reports a size mismatch
        const auto& group = meeting.plan->request.group;
        const auto g = std::find(group.begin(), group.end(), rank);
        if (g != group.end() && input) meeting.data->load(uint32_t(g - group.begin()), *input);
    }
    if (p2p && input && inst.op == isa::Opcode::send) meeting.payload = *input;
    meeting.done[rank] = std::move(on_done);
    m_engine.arrive(meeting.id, rank, now_ns, bytes);
    return meeting.bound_ns;
}

}  // namespace nsim::sim

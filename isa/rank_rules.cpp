#include "isa/rank_rules.h"

#include <algorithm>
#include <variant>

#include <fmt/format.h>

#include "isa/replica_group.h"

namespace nsim::isa {

namespace {

std::string run_ranks(uint32_t ranks) {
    return ranks == 1 ? std::string(
                            "the run has 1 rank (0): a collective needs several "
                            "(--ranks N, --cores N or --instance NAME)")
                      : fmt::format("the run has {} ranks (0..{})", ranks, ranks - 1);
}

// "all_reduce operand 'group': ..." at the operand, as the verifier words its findings.
Diagnostic at_operand(const Instruction& inst, size_t index, const char* operand,
                      const std::string& what) {
    Diagnostic d;
    d.loc = inst.arg_loc(operand);
    const auto name = opcode_info(inst.op).name;
    if (d.loc.line == 0) d.message = fmt::format("instruction #{} ({}): ", index, name);
    d.message += fmt::format("{} operand '{}': {}", name, operand, what);
    return d;
}

int64_t integer(const Instruction& inst, const char* operand) {
    return std::get<int64_t>(inst.arg(operand));
}

}  // namespace

std::vector<Diagnostic> check_ranks(const Program& p, uint32_t ranks) {
    std::vector<Diagnostic> out;
    for (size_t i = 0; i < p.instructions.size(); ++i) {
        const Instruction& inst = p.instructions[i];
        if (!is_collective(inst.op)) continue;
        if (inst.op != Opcode::send && inst.op != Opcode::recv) {
            const auto group = replica_group(inst);
            if (group.empty()) continue;
            const int64_t top = *std::max_element(group.begin(), group.end());
            if (top >= int64_t(ranks))
                out.push_back(at_operand(
                    inst, i, "group", fmt::format("names rank {}, but {}", top, run_ranks(ranks))));
        } else if (inst.has("peer")) {
            const int64_t peer = integer(inst, "peer");
            out.push_back(at_operand(
                inst, i, "peer",
                peer >= int64_t(ranks)
                    ? fmt::format("names rank {}, but {}", peer, run_ranks(ranks))
                    : fmt::format("rank {} runs this program too and would talk to itself; a "
                                  "program run on every rank names its peer from its own rank: "
                                  "peer_offset=K",
                                  peer)));
        } else if (inst.has("peer_offset") && integer(inst, "peer_offset") % int64_t(ranks) == 0) {
            out.push_back(at_operand(
                inst, i, "peer_offset",
                fmt::format("{} is a multiple of the run's ranks: each rank would talk to itself; "
                            "{}",
                            integer(inst, "peer_offset"), run_ranks(ranks))));
        }
        // On one rank every collective fails for the same reason: said once, at the first.
        if (ranks == 1 && !out.empty()) break;
    }
    return out;
}

uint32_t peer_rank(const Instruction& inst, uint32_t rank, uint32_t ranks) {
    if (inst.has("peer")) return uint32_t(integer(inst, "peer"));
    const int64_t n = std::max<int64_t>(ranks, 1);
    const int64_t r = (int64_t(rank) + integer(inst, "peer_offset") % n) % n;
    return uint32_t(r < 0 ? r + n : r);
}

}  // namespace nsim::isa

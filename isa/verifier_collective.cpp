// The verifier's rules for collective instructions (docs/verifier.md): element types the
// collective engine reduces, buffer sizes that agree with the replica group, and a valid group.
#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "isa/replica_group.h"
#include "isa/verifier_checker.h"

namespace nsim::isa::detail {

namespace {

constexpr size_t kMaxGroup = 4096;  // ranks; far above any instance (trn2.48xlarge: 128 cores)

// The group's ranks, after reporting a negative or repeated rank or an oversized group.
std::optional<size_t> check_group(Checker& c) {
    if (!c.pattern("group")) return std::nullopt;
    const auto ranks = replica_group(c.inst(), kMaxGroup + 1);
    if (ranks.empty()) return std::nullopt;  // an empty pair: the generic pass reported it
    if (ranks.size() > kMaxGroup) {
        c.error("group", fmt::format("more than {} ranks, expected a replica group of at most {}",
                                     kMaxGroup, kMaxGroup));
        return std::nullopt;
    }
    std::unordered_set<int64_t> seen;
    for (int64_t r : ranks) {
        if (r < 0) {
            c.error(
                "group",
                fmt::format(
                    "gives rank {}, expected ranks >= 0 (group_start plus the pattern's offsets)",
                    r));
            return std::nullopt;
        }
        if (!seen.insert(r).second) {
            c.error("group", fmt::format("names rank {} twice, expected distinct ranks (a step of "
                                         "0, or pairs that overlap)",
                                         r));
            return std::nullopt;
        }
    }
    return ranks.size();
}

// dst and src: float32 or bfloat16 (the collective engine sums in fp32), the same type.
void check_buffers(Checker& c, std::initializer_list<std::string_view> operands) {
    for (auto name : operands)
        c.dtype_in(name, {DType::float32, DType::bfloat16},
                   "the collective engine reduces fp32, and bf16 in fp32");
    if (operands.size() == 2) c.same_dtype("src", "dst", "a collective does not convert");
}

// `big` holds `n` times the elements of `small`.
void elements_times(Checker& c, std::string_view big, std::string_view small, size_t n,
                    std::string_view why) {
    const AccessPattern* b = c.ap(big);
    const AccessPattern* s = c.ap(small);
    if (b && s && b->num_elements() != s->num_elements() * n)
        c.error(big, fmt::format("found {} elements, expected {} ({} x the {} of operand '{}': {})",
                                 b->num_elements(), s->num_elements() * n, n, s->num_elements(),
                                 small, why));
}

void reduce_operator(Checker& c) {
    if (const auto op = c.alu_op("op");
        op && *op != AluOp::add && *op != AluOp::maximum && *op != AluOp::minimum)
        c.error(
            "op",
            fmt::format(
                "found {}, expected add, maximum or minimum (the collective engine's reductions)",
                alu_op_name(*op)));
}

}  // namespace

void check_collective(Checker& c) {
    const Opcode op = c.inst().op;
    if (op == Opcode::send || op == Opcode::recv) {
        // One of the two: a rank, or an offset from the issuing rank (a program run on every rank).
        if (c.given("peer") == c.given("peer_offset"))
            c.error("", fmt::format("{}, expected one of peer=RANK (a rank) and peer_offset=K "
                                    "(this rank + K, modulo the run's ranks)",
                                    c.given("peer") ? "found both" : "found neither"));
        if (const auto peer = c.integer("peer"); peer && *peer < 0)
            c.error("peer", fmt::format("found {}, expected a rank >= 0 (an offset from this "
                                        "rank is peer_offset={})",
                                        *peer, *peer));
        return;
    }
    check_buffers(c, {"dst", "src"});
    const auto n = check_group(c);
    if (op != Opcode::all_gather) reduce_operator(c);
    if (op == Opcode::all_reduce)
        elements_times(c, "dst", "src", 1, "every rank receives the whole reduction");
    if (n && op == Opcode::all_gather)
        elements_times(c, "dst", "src", *n, "one block per group rank");
    if (n && op == Opcode::reduce_scatter)
        elements_times(c, "src", "dst", *n, "one block per group rank");
}

}  // namespace nsim::isa::detail

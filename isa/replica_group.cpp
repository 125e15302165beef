// Expanding a collective's replica group pattern into its ranks.
#include "isa/replica_group.h"

#include <algorithm>
#include <limits>
#include <variant>

#include "isa/verifier_checker.h"

namespace nsim::isa {

std::vector<int64_t> replica_group(const Instruction& inst, size_t limit) {
    std::vector<int64_t> ranks;
    const int gi = arg_index(inst.op, "group");
    if (!inst.has(gi)) return ranks;
    const auto* pattern = value_of<std::vector<FreeDim>>(inst.args[size_t(gi)]);
    if (!pattern || pattern->empty()) return ranks;
    int64_t start = 0;
    if (const int si = arg_index(inst.op, "group_start"); inst.has(si))
        if (const auto* v = std::get_if<int64_t>(&inst.args[size_t(si)])) start = *v;
    for (const auto& d : *pattern)
        if (d.num == 0) return ranks;
    std::vector<uint32_t> index(pattern->size(), 0);  // an odometer, last pair fastest
    for (;;) {
        if (ranks.size() >= limit) return ranks;
        detail::Int128 rank = start;
        for (size_t k = 0; k < index.size(); ++k)
            rank += detail::Int128(index[k]) * (*pattern)[k].step;
        // A rank past int64 is as wrong as any rank outside the instance, which the verifier names.
        ranks.push_back(int64_t(std::clamp<detail::Int128>(
            rank, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max())));
        size_t k = index.size();
        while (k > 0 && ++index[k - 1] == (*pattern)[k - 1].num) index[--k] = 0;
        if (k == 0) return ranks;
    }
}

}  // namespace nsim::isa

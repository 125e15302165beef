#include "compiler/pipeline_split.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string>

namespace nsim::compiler {

namespace {

// The model's steps as the pieces a split groups: embeddings joined to the first, head to the last.
std::vector<std::vector<Unit>> pieces(const ModelSpec& spec) {
    std::vector<std::vector<Unit>> out;
    std::vector<Unit> lead;  // the embeddings, until the first step of a block
    for (const Unit& u : model_steps(spec)) {
        if (u.kind == UnitKind::embeddings) {
            lead.push_back(u);
        } else if (u.kind == UnitKind::head) {
            out.back().push_back(u);
        } else {
            lead.push_back(u);
            out.push_back(std::move(lead));
            lead.clear();
        }
    }
    return out;
}

std::vector<std::vector<Unit>> stage_units(const std::vector<std::vector<Unit>>& pieces,
                                           const std::vector<size_t>& starts) {
    std::vector<std::vector<Unit>> out(starts.size());
    for (size_t s = 0; s < starts.size(); ++s) {
        const size_t end = s + 1 < starts.size() ? starts[s + 1] : pieces.size();
        std::vector<Unit> units;
        for (size_t i = starts[s]; i < end; ++i)
            units.insert(units.end(), pieces[i].begin(), pieces[i].end());
        out[s] = merge_units(units);
    }
    return out;
}

std::string carry_name(Carry c, uint32_t s) {
    if (c == Carry::none) return "";
    return (c == Carry::context ? "context" : "ffn_input") + std::to_string(s);
}

}  // namespace

std::optional<std::vector<size_t>> balanced_split(const std::vector<double>& costs, size_t parts,
                                                  const SplitCapacity& limit) {
    const size_t n = costs.size();
    const bool limited = !limit.bytes.empty();
    std::vector<double> prefix(n + 1, 0);
    std::vector<uint64_t> held(n + 1, 0);
    for (size_t i = 0; i < n; ++i) {
        prefix[i + 1] = prefix[i] + costs[i];
        held[i + 1] = held[i] + (limited ? limit.bytes[i] : 0);
    }
    const double inf = std::numeric_limits<double>::infinity();
    // best[p][i]: the smallest largest-sum splitting the first i costs into p groups.
    std::vector<std::vector<double>> best(parts + 1, std::vector<double>(n + 1, inf));
    std::vector<std::vector<size_t>> cut(parts + 1, std::vector<size_t>(n + 1, 0));
    best[0][0] = 0;
    for (size_t p = 1; p <= parts; ++p)
        for (size_t i = p; i <= n; ++i) {
            uint64_t working = 0;
            for (size_t j = i; j-- > p - 1;) {  // the last group [j, i), growing to the left
                if (limited) {
                    working = std::max(working, limit.working[j]);
                    if (held[i] - held[j] + working > limit.capacity) break;
                }
                const double v = std::max(best[p - 1][j], prefix[i] - prefix[j]);
                if (v < best[p][i]) best[p][i] = v, cut[p][i] = j;
            }
        }
    if (best[parts][n] == inf) return std::nullopt;
    std::vector<size_t> starts(parts);
    for (size_t p = parts, i = n; p > 0; --p) {
        starts[p - 1] = cut[p][i];
        i = cut[p][i];
    }
    return starts;
}

uint32_t max_pipeline_stages(const ModelSpec& spec) { return uint32_t(pieces(spec).size()); }

StageRequest pipeline_stage_request(const ModelSpec& spec, const std::vector<Unit>& units,
                                    uint32_t s, uint32_t count) {
    StageRequest req;
    std::string names;
    for (const auto& u : units) names += (names.empty() ? "" : ", ") + u.name();
    req.label =
        "pipeline stage " + std::to_string(s) + " of " + std::to_string(count) + " (" + names + ")";
    req.program_name = spec.name + "_stage" + std::to_string(s);
    req.units = units;
    req.resident = true;
    req.input = s == 0 ? "" : "activations" + std::to_string(s);
    req.output = s + 1 == count ? "" : "activations" + std::to_string(s + 1);
    req.carry_input = carry_name(carry_in(units.front()), s);
    req.carry_output = carry_name(carry_out(units.back()), s + 1);
    return req;
}

std::vector<std::vector<Unit>> split_pipeline(const ModelSpec& spec, uint32_t batch,
                                              uint32_t stages, isa::Generation target,
                                              const isa::TargetLimits& limits) {
    const auto all = pieces(spec);
    const auto weight_bytes = [&](const std::vector<Unit>& units) {
        uint64_t bytes = 0;
        for (const Unit& u : units) bytes += unit_weight_bytes(spec, u);
        return bytes;
    };
    // Stage `s` of `count` holding `units`, lowered to measure its SBUF need.
    const auto need = [&](const std::vector<Unit>& units, uint32_t s, uint32_t count) {
        return stage_sbuf_need(spec, target, limits, pipeline_stage_request(spec, units, s, count));
    };
    const uint64_t capacity = limits.sbuf_partition_bytes;
    std::vector<double> costs;
    SplitCapacity limit;
    uint64_t total = 0;
    for (const auto& piece : all) {
        costs.push_back(0);
        for (const Unit& u : piece) costs.back() += unit_cost(spec, u, batch);
        limit.bytes.push_back(weight_bytes(piece));
        total += limit.bytes.back();
    }
    const auto by_time = [&] { return stage_units(all, *balanced_split(costs, stages)); };
    if (total > capacity * stages) return by_time();  // the weights alone overflow the cores
    std::map<std::string, uint64_t> working;  // by the shape of a piece: every layer's are alike
    for (size_t i = 0; i < all.size(); ++i) {
        const uint32_t s = i == 0 ? 0 : 1, count = i + 1 == all.size() ? s + 1 : s + 2;
        std::string shape = std::to_string(s) + "/" + std::to_string(count);
        for (const Unit& u : all[i])
            shape += ";" + std::to_string(int(u.kind)) + "," + std::to_string(u.begin) + "," +
                     std::to_string(u.end);
        auto it = working.find(shape);
        if (it == working.end())
            it = working.emplace(shape, need(all[i], s, count) - limit.bytes[i]).first;
        limit.working.push_back(it->second);
    }
    uint64_t shortfall = 0;  // what the estimate missed in the last split's stages
    while (shortfall < capacity) {
        limit.capacity = capacity - shortfall;
        const auto starts = balanced_split(costs, stages, limit);
        if (!starts) break;
        const auto units = stage_units(all, *starts);
        uint64_t most = 0;
        for (uint32_t s = 0; s < stages; ++s) most = std::max(most, need(units[s], s, stages));
        if (most <= capacity) return units;
        shortfall += most - capacity;
    }
    return by_time();
}

}  // namespace nsim::compiler

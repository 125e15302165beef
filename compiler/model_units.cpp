#include "compiler/model_units.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "compiler/model_weights.h"
#include "compiler/partitions.h"

namespace nsim::compiler {

std::string Unit::name() const {
    switch (kind) {
        case UnitKind::embeddings:
            return "embeddings";
        case UnitKind::attention:
            return "layer" + std::to_string(layer) + ".attention";
        case UnitKind::ffn:
            return "layer" + std::to_string(layer) + ".ffn";
        case UnitKind::head:
            return "head";
    }
    return "";
}

std::vector<Unit> model_units(const ModelSpec& spec) {
    std::vector<Unit> u{{UnitKind::embeddings, 0}};
    for (uint32_t l = 0; l < spec.layers; ++l) {
        u.push_back({UnitKind::attention, l});
        u.push_back({UnitKind::ffn, l});
    }
    if (spec.pooler) u.push_back({UnitKind::head, 0});
    return u;
}

std::vector<std::string> unit_matrices(const ModelSpec& spec, const Unit& u) {
    const std::string p = u.name() + ".";
    switch (u.kind) {
        case UnitKind::embeddings:
            return {};
        case UnitKind::attention:
            return {p + "query.weight", p + "key.weight", p + "value.weight", p + "output.weight"};
        case UnitKind::ffn:
            return {p + "intermediate.weight", p + "output.weight"};
        case UnitKind::head:
            if (spec.num_labels) return {"pooler.weight", "classifier.weight"};
            return {"pooler.weight"};
    }
    return {};
}

std::vector<std::string> unit_vectors(const ModelSpec& spec, const Unit& u) {
    const std::string p = u.name() + ".";
    switch (u.kind) {
        case UnitKind::embeddings:
            return {"embeddings.ln.gamma", "embeddings.ln.beta"};
        case UnitKind::attention:
            return {p + "query.bias",  p + "key.bias", p + "value.bias",
                    p + "output.bias", p + "ln.gamma", p + "ln.beta"};
        case UnitKind::ffn:
            return {p + "intermediate.bias", p + "output.bias", p + "ln.gamma", p + "ln.beta"};
        case UnitKind::head:
            if (spec.num_labels) return {"pooler.bias", "classifier.bias"};
            return {"pooler.bias"};
    }
    return {};
}

uint64_t unit_weight_bytes(const ModelSpec& spec, const Unit& u) {
    const auto all = model_weight_tensors(spec);
    uint64_t bytes = 0;
    for (const auto& m : unit_matrices(spec, u)) {
        const auto& w = find_weight(all, m);
        bytes += partition_tiles(w.shape[0]) * w.shape[1] * isa::dtype_size(w.dtype);
    }
    for (const auto& v : unit_vectors(spec, u)) bytes += find_weight(all, v).shape[1] * 4;
    return bytes;
}

double unit_cost(const ModelSpec& spec, const Unit& u, uint32_t seqs) {
    const double S = spec.sequence_length, T = S * seqs;
    const double Ht = partition_tiles(spec.hidden), It = partition_tiles(spec.intermediate);
    const double chunks = std::ceil(T / 512), n = std::max(64.0, std::min(512.0, T));
    const double layernorm = 2 * Ht * 4 * n * chunks;
    switch (u.kind) {
        case UnitKind::embeddings:
            return Ht * std::max(64.0, S) * seqs + layernorm;
        case UnitKind::attention:
            return 4 * Ht * Ht * n * chunks + double(spec.heads) * seqs * 3 * std::max(64.0, S) +
                   layernorm;
        case UnitKind::ffn:
            return 2 * Ht * It * n * chunks + layernorm;
        case UnitKind::head:
            return Ht * Ht * std::max(64.0, double(seqs));
    }
    return 0;
}

std::vector<size_t> balanced_split(const std::vector<double>& costs, size_t parts) {
    const size_t n = costs.size();
    std::vector<double> prefix(n + 1, 0);
    for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + costs[i];
    const double inf = std::numeric_limits<double>::infinity();
    // best[p][i]: the smallest largest-sum splitting the first i costs into p groups.
    std::vector<std::vector<double>> best(parts + 1, std::vector<double>(n + 1, inf));
    std::vector<std::vector<size_t>> cut(parts + 1, std::vector<size_t>(n + 1, 0));
    best[0][0] = 0;
    for (size_t p = 1; p <= parts; ++p)
        for (size_t i = p; i <= n; ++i)
            for (size_t j = p - 1; j < i; ++j) {
                const double v = std::max(best[p - 1][j], prefix[i] - prefix[j]);
                if (v < best[p][i]) best[p][i] = v, cut[p][i] = j;
            }
    std::vector<size_t> starts(parts);
    for (size_t p = parts, i = n; p > 0; --p) {
        starts[p - 1] = cut[p][i];
        i = cut[p][i];
    }
    return starts;
}

}  // namespace nsim::compiler

#include "compiler/model_units.h"

#include <algorithm>
#include <cmath>

#include "compiler/model_weights.h"
#include "compiler/partitions.h"

namespace nsim::compiler {

namespace {

constexpr uint32_t kAttentionSteps = 2;  // self-attention, then the output projection

Unit whole(const ModelSpec& spec, UnitKind kind, uint32_t layer) {
    const uint32_t steps = kind == UnitKind::attention ? kAttentionSteps
                           : kind == UnitKind::ffn     ? partition_tiles(spec.intermediate)
                                                       : 1;
    return {kind, layer, 0, steps, steps};
}

bool same_block(const Unit& a, const Unit& b) { return a.kind == b.kind && a.layer == b.layer; }

}  // namespace

std::string Unit::block() const {
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

std::string Unit::name() const {
    if (whole()) return block();
    if (kind == UnitKind::attention) return block() + (begin == 0 ? ".self" : ".output");
    return block() + "[" + std::to_string(begin * kCompilerPartitions) + ":" +
           std::to_string(end * kCompilerPartitions) + "]";
}

Carry carry_in(const Unit& u) {
    if (u.begin == 0) return Carry::none;
    return u.kind == UnitKind::attention ? Carry::context : Carry::ffn_input;
}

Carry carry_out(const Unit& u) {
    if (u.end == u.steps) return Carry::none;
    return u.kind == UnitKind::attention ? Carry::context : Carry::ffn_input;
}

std::string UnitMatrix::key() const {
    return name + "@" + std::to_string(row0) + "," + std::to_string(col0);
}

std::vector<Unit> model_units(const ModelSpec& spec) {
    std::vector<Unit> u{whole(spec, UnitKind::embeddings, 0)};
    for (uint32_t l = 0; l < spec.layers; ++l) {
        u.push_back(whole(spec, UnitKind::attention, l));
        u.push_back(whole(spec, UnitKind::ffn, l));
    }
    if (spec.pooler) u.push_back(whole(spec, UnitKind::head, 0));
    return u;
}

std::vector<Unit> model_steps(const ModelSpec& spec) {
    std::vector<Unit> out;
    for (const Unit& u : model_units(spec))
        for (uint32_t s = 0; s < u.steps; ++s) out.push_back({u.kind, u.layer, s, s + 1, u.steps});
    return out;
}

std::vector<Unit> merge_units(const std::vector<Unit>& units) {
    std::vector<Unit> out;
    for (const Unit& u : units) {
        if (!out.empty() && same_block(out.back(), u) && out.back().end == u.begin)
            out.back().end = u.end;
        else
            out.push_back(u);
    }
    return out;
}

std::vector<UnitMatrix> unit_matrices(const ModelSpec& spec, const Unit& u, bool head_tiles) {
    const std::string p = u.block() + ".";
    const uint32_t H = spec.hidden;
    const auto full = [](const std::string& name, uint32_t rows, uint32_t cols) {
        return UnitMatrix{name, 0, rows, 0, cols};
    };
    std::vector<UnitMatrix> m;
    switch (u.kind) {
        case UnitKind::embeddings:
            break;
        case UnitKind::attention:
            for (uint32_t f0 = 0; u.begin == 0 && f0 < H;
                 f0 += head_tiles ? kCompilerPartitions : H)
                for (const char* w : {"query", "key", "value"})
                    m.push_back({p + w + ".weight", 0, H, f0,
                                 head_tiles ? std::min(kCompilerPartitions, H - f0) : H});
            if (u.end == u.steps) m.push_back(full(p + "output.weight", H, H));
            break;
        case UnitKind::ffn:
            for (uint32_t s = u.begin; s < u.end; s += kFfnChunkSteps) {
                const uint32_t f0 = s * kCompilerPartitions;
                const uint32_t f1 = std::min(
                    std::min(u.end, s + kFfnChunkSteps) * kCompilerPartitions, spec.intermediate);
                m.push_back({p + "intermediate.weight", 0, H, f0, f1 - f0});
                m.push_back({p + "output.weight", f0, f1 - f0, 0, H});
            }
            break;
        case UnitKind::head:
            m.push_back(full("pooler.weight", H, H));
            if (spec.num_labels) m.push_back(full("classifier.weight", H, spec.num_labels));
            break;
    }
    return m;
}

std::vector<std::string> unit_vectors(const ModelSpec& spec, const Unit& u) {
    const std::string p = u.block() + ".";
    const bool last = u.end == u.steps;
    std::vector<std::string> v;
    switch (u.kind) {
        case UnitKind::embeddings:
            return {"embeddings.ln.gamma", "embeddings.ln.beta"};
        case UnitKind::attention:
            if (u.begin == 0) v = {p + "query.bias", p + "key.bias", p + "value.bias"};
            if (last) v.insert(v.end(), {p + "output.bias", p + "ln.gamma", p + "ln.beta"});
            return v;
        case UnitKind::ffn:
            v = {p + "intermediate.bias"};
            if (last) v.insert(v.end(), {p + "output.bias", p + "ln.gamma", p + "ln.beta"});
            return v;
        case UnitKind::head:
            if (spec.num_labels) return {"pooler.bias", "classifier.bias"};
            return {"pooler.bias"};
    }
    return v;
}

uint64_t unit_weight_bytes(const ModelSpec& spec, const Unit& u) {
    const auto all = model_weight_tensors(spec);
    uint64_t bytes = 0;
    for (const auto& m : unit_matrices(spec, u, false))
        bytes += uint64_t(partition_tiles(m.rows)) * m.cols *
                 isa::dtype_size(find_weight(all, m.name).dtype);
    for (const auto& v : unit_vectors(spec, u)) bytes += find_weight(all, v).shape[1] * 4;
    return bytes;
}

double unit_cost(const ModelSpec& spec, const Unit& u, uint32_t seqs) {
    const double S = spec.sequence_length, T = S * seqs;
    const double Ht = partition_tiles(spec.hidden);
    const double chunks = std::ceil(T / 512), n = std::max(64.0, std::min(512.0, T));
    const double layernorm = u.end == u.steps ? 2 * Ht * 4 * n * chunks : 0;
    switch (u.kind) {
        case UnitKind::embeddings:
            return Ht * std::max(64.0, S) * seqs + layernorm;
        case UnitKind::attention: {
            const double self = u.begin == 0 ? 3 * Ht * Ht * n * chunks +
                                                   double(spec.heads) * seqs * 3 * std::max(64.0, S)
                                             : 0;
            return self + (u.end == u.steps ? Ht * Ht * n * chunks : 0) + layernorm;
        }
        case UnitKind::ffn:  // per intermediate tile: Ht K tiles in, then Ht output tiles out
            return 2 * Ht * double(u.end - u.begin) * n * chunks + layernorm;
        case UnitKind::head:
            return Ht * Ht * std::max(64.0, double(seqs));
    }
    return 0;
}

}  // namespace nsim::compiler

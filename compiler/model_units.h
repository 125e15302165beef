// The blocks a model is lowered in and sharded by: embeddings, per layer an attention block and a
// feed-forward block, the pooler/classifier head. Their weights and estimated cost.
#pragma once

#include <string>
#include <vector>

#include "compiler/model_spec.h"

namespace nsim::compiler {

enum class UnitKind : uint8_t { embeddings, attention, ffn, head };

struct Unit {
    UnitKind kind = UnitKind::embeddings;
    uint32_t layer = 0;
    std::string name() const;  // "embeddings", "layer3.attention", "layer3.ffn", "head"
};

// Every unit in execution order.
std::vector<Unit> model_units(const ModelSpec& spec);
// The matrices and vectors the unit reads (names as in model_weights.h), embedding tables excluded.
std::vector<std::string> unit_matrices(const ModelSpec& spec, const Unit& u);
std::vector<std::string> unit_vectors(const ModelSpec& spec, const Unit& u);
// SBUF bytes per partition the unit's weights take when resident.
uint64_t unit_weight_bytes(const ModelSpec& spec, const Unit& u);
// Tensor-engine cycles of the unit for `seqs` sequences: matmuls cost max(64, N) cycles
// [src:nki-isa-cost, nc_matmul] with N <= 512 columns, x4 for fp32 (the LayerNorm statistics).
double unit_cost(const ModelSpec& spec, const Unit& u, uint32_t seqs);

// Splits `costs` into `parts` contiguous non-empty groups minimising the largest group's sum;
// returns the index each group starts at.
std::vector<size_t> balanced_split(const std::vector<double>& costs, size_t parts);

}  // namespace nsim::compiler

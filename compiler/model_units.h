// The blocks a model is lowered in and sharded by: embeddings, per layer an attention block and a
// feed-forward block, the pooler/classifier head. A block is a run of steps a pipeline may cut
// between, and a unit is a block or a contiguous part of its steps; its weights and estimated cost.
//
// Steps: the attention block has two, 0 the Q/K/V projections and the attention itself (giving the
// context) and 1 the output projection, residual add and LayerNorm; the feed-forward block one per
// 128 intermediate features (those columns of the intermediate matmul, with GELU, and those rows of
// the output matmul: a partial sum of the output), its last step also adding the output bias and
// the residual and running the LayerNorm. Embeddings and head are one step each.
#pragma once

#include <string>
#include <vector>

#include "compiler/model_spec.h"

namespace nsim::compiler {

enum class UnitKind : uint8_t { embeddings, attention, ffn, head };

struct Unit {
    UnitKind kind = UnitKind::embeddings;
    uint32_t layer = 0;
    uint32_t begin = 0;  // steps [begin, end) of the block's `steps`
    uint32_t end = 1;
    uint32_t steps = 1;

    bool whole() const { return begin == 0 && end == steps; }
    // The block: "embeddings", "layer3.attention", "layer3.ffn", "head" (its weights' prefix).
    std::string block() const;
    // The block's name when whole, else "layer3.attention.self", "layer3.attention.output",
    // "layer3.ffn[256:1536]" (intermediate features).
    std::string name() const;
};

// What a unit hands over besides the residual stream when its block goes on in the next unit
// (in the next stage): the attention context, or the feed-forward block's input (the residual
// stream then holds the residual plus the output's partial sum so far), both [hidden, tokens] in
// the matmul dtype.
enum class Carry : uint8_t { none, context, ffn_input };
Carry carry_in(const Unit& u);   // what the unit needs from the block's previous steps
Carry carry_out(const Unit& u);  // what it leaves for the block's next steps

// Every unit in execution order, whole blocks.
std::vector<Unit> model_units(const ModelSpec& spec);
// Every step as a unit of its own: the finest cut of a pipeline.
std::vector<Unit> model_steps(const ModelSpec& spec);
// Adjacent units that continue one block merged into one (a stage's units).
std::vector<Unit> merge_units(const std::vector<Unit>& units);

// Intermediate steps (of 128 features) a feed-forward unit computes at a time: 1024 features, a
// third of BERT-base's intermediate activations, which leaves room for resident weights; each
// further chunk costs one more PSUM eviction (an add into the residual stream) per output tile.
inline constexpr uint32_t kFfnChunkSteps = 8;

// A part of a weight matrix a unit reads: rows [row0, row0+rows), columns [col0, col0+cols).
struct UnitMatrix {
    std::string name;  // as in model_weights.h
    uint32_t row0 = 0, rows = 0, col0 = 0, cols = 0;
    std::string key() const;  // unique in a stage: name@row0,col0
};
// The matrices and vectors the unit reads (names as in model_weights.h), embedding tables excluded;
// a feed-forward unit's per chunk of kFfnChunkSteps steps, the intermediate matrix's columns then
// the output matrix's rows. With `head_tiles` the self-attention's query, key and value matrices
// come per 128 columns (a tile of heads, computed one after the other: a smaller working set
// beside resident weights), else whole (streamed weights move in larger DMAs). Vectors are whole
// (a feed-forward part reads all of the intermediate bias).
std::vector<UnitMatrix> unit_matrices(const ModelSpec& spec, const Unit& u, bool head_tiles);
std::vector<std::string> unit_vectors(const ModelSpec& spec, const Unit& u);
// SBUF bytes per partition the unit's weights take when resident.
uint64_t unit_weight_bytes(const ModelSpec& spec, const Unit& u);
// Tensor-engine cycles of the unit for `seqs` sequences: matmuls cost max(64, N) cycles
// [src:nki-isa-cost, nc_matmul] with N <= 512 columns, x4 for fp32 (the LayerNorm statistics).
double unit_cost(const ModelSpec& spec, const Unit& u, uint32_t seqs);

}  // namespace nsim::compiler

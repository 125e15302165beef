// Lowering one stage (a contiguous run of units on one core) into its load and infer programs.
#pragma once

#include <string>
#include <vector>

#include "compiler/model_units.h"
#include "compiler/model_weights.h"
#include "isa/program.h"
#include "isa/target.h"

namespace nsim::compiler {

struct StageRequest {
    std::string label;  // for errors: "pipeline stage 3 of 16 (layer2.ffn, layer3.attention)"
    std::string program_name;  // "bert-base-uncased_stage3"
    std::vector<Unit> units;
    bool resident = false;  // weights held in SBUF (loaded by the load program)
    // With `resident`: which of the stage's matrices (in unit order) are resident, the others
    // stream from HBM; empty: all of them.
    std::vector<bool> resident_matrices;
    bool all_resident() const { return resident && resident_matrices.empty(); }
    std::string input;   // activation tensor read ([hidden, batch*seq] f32); empty: embeddings
    std::string output;  // activation tensor written; empty: the model outputs
    // The block the first unit continues hands over its carry_in() in this tensor, and the last
    // unit's carry_out() goes to the next stage in that one ([hidden, batch*seq]); empty: none.
    std::string carry_input;
    std::string carry_output;
};

struct StagePrograms {
    isa::Program load;   // sequential
    isa::Program infer;  // sequential
    uint64_t sbuf_peak = 0;
    uint32_t seqs_per_group = 0;
    uint64_t resident_bytes = 0;
    uint64_t streamed_bytes = 0;
    std::vector<std::string> weights;
};

// Whether the stage fits SBUF with `group` sequences per group.
bool stage_fits(const ModelSpec& spec, isa::Generation target, const isa::TargetLimits& limits,
                const StageRequest& request, uint32_t group);

// SBUF bytes per partition the stage needs with one sequence per group, its weights resident or
// as `request` says, however large the target's SBUF (the working set beside the weights).
uint64_t stage_sbuf_need(const ModelSpec& spec, isa::Generation target,
                         const isa::TargetLimits& limits, const StageRequest& request);

// Lowers the stage for `batch` sequences, with as many sequences per group (at most 512 tokens)
// as SBUF holds next to the resident weights. Throws LoweringError naming request.label when
// even one sequence does not fit.
StagePrograms lower_stage(const ModelSpec& spec, uint32_t batch, isa::Generation target,
                          const isa::TargetLimits& limits, const StageRequest& request,
                          const std::vector<int32_t>& token_ids);

}  // namespace nsim::compiler

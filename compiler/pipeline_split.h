// Cutting a model into the stages of a pipeline: contiguous runs of its steps (model_units.h),
// the embeddings with the first step and the head with the last. When the model can be held on
// the pipeline's cores, every stage's weights plus its working set fit its SBUF; among such splits
// the slowest stage's estimated time is the least. A model too large for that is split by time
// alone, and its stages stream what does not fit.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "compiler/model_units.h"
#include "compiler/stage_lowering.h"
#include "isa/target.h"

namespace nsim::compiler {

// What a group of pieces may hold: the sum of their `bytes` plus the largest of their `working`
// at most `capacity`. Empty vectors: no limit.
struct SplitCapacity {
    std::vector<uint64_t> bytes;
    std::vector<uint64_t> working;
    uint64_t capacity = 0;
};

// Splits `costs` into `parts` contiguous non-empty groups minimising the largest group's sum, each
// group within `limit`; returns the index each group starts at, or nothing when no split keeps
// every group within it.
std::optional<std::vector<size_t>> balanced_split(const std::vector<double>& costs, size_t parts,
                                                  const SplitCapacity& limit = {});

// The most stages a pipeline of `spec` can have: one per step.
uint32_t max_pipeline_stages(const ModelSpec& spec);

// Stage `s` of `count` holding `units`: its label, program name, hand-over tensors
// ("activations{s}", with a block cut between stages "context{s}" or "partial{s}"), weights
// resident.
StageRequest pipeline_stage_request(const ModelSpec& spec, const std::vector<Unit>& units,
                                    uint32_t s, uint32_t count);

// The units of each of `stages` stages for `batch` sequences on the target. A group of steps is
// taken to need its weights plus the largest working set (one sequence) of its steps lowered as
// stages of their own; each stage of the split is then lowered to measure its need, and while one
// does not fit, the split is redone with that much less SBUF per stage.
std::vector<std::vector<Unit>> split_pipeline(const ModelSpec& spec, uint32_t batch,
                                              uint32_t stages, isa::Generation target,
                                              const isa::TargetLimits& limits);

}  // namespace nsim::compiler

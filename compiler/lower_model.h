// Lowering an encoder for a batch size onto NeuronCores: data parallel (the whole model on one
// core, weights streamed from HBM by DMA) or a pipeline of N stages (the model's steps sharded
// over N cores, each stage's weights resident in its SBUF: pipeline_split.h).
//
// Placement: the embeddings run in the first stage and the pooler/classifier in the last; the
// embedding tables always stay in HBM (BERT-base's word table alone is 94 MB), gathered by DMA.
// A pipeline may cut between any two matmuls (model_units.h): inside the attention block between
// the self-attention and the output projection, inside the feed-forward block between any two
// groups of 128 intermediate features, so at most layers x (2 + intermediate / 128) stages.
//
// Activations between stages and at the model output are fp32 in feature-major layout
// [hidden, batch * seq] (row f = feature f of every token, tokens sequence by sequence): the
// layout the kernels compute in, so stage boundaries cost one DMA per 128 features. A stage
// boundary inside a block also hands on the block's carry in the matmul dtype, same layout: the
// attention context ("context{s}"), or the feed-forward block's input ("ffn_input{s}") while the
// residual stream holds the residual plus the output's partial sum so far.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/kernel_context.h"
#include "compiler/model_spec.h"
#include "compiler/model_weights.h"
#include "isa/program.h"
#include "isa/target.h"

namespace nsim::compiler {

struct PartitionPlan {
    enum class Kind : uint8_t { data_parallel, pipeline };
    Kind kind = Kind::data_parallel;
    uint32_t stages = 1;  // pipeline: the number of cores
    // A pipeline stage whose weights do not all fit SBUF keeps its matrices resident first-fit in
    // unit order (each one that still leaves room for one sequence's working set) and streams the
    // others from HBM like data parallel does, instead of failing the lowering.
    bool stream_weights_that_do_not_fit = false;

    static PartitionPlan data_parallel() { return {}; }
    static PartitionPlan pipeline(uint32_t stages) { return {Kind::pipeline, stages, false}; }
};

struct LowerOptions {
    // Token ids of the batch ([batch, seq] row-major) the embedding gather uses: the ISA has no
    // indirect DMA, so they are fixed at lowering time. Empty: all zeros (what neuronperf feeds).
    std::vector<int32_t> token_ids;
    // Also keep each stage's programs in sequential form (tests concatenate them).
    bool keep_sequential = false;
};

// An HBM tensor of the programs.
struct TensorInfo {
    std::string name;
    std::vector<uint64_t> shape;
    isa::DType dtype = isa::DType::float32;
    uint64_t bytes = 0;
};

struct LoweredStage {
    // "embeddings", "layer0.attention", "layer0.ffn", ..., "head"; parts of a block as
    // "layer3.attention.self", "layer3.attention.output", "layer3.ffn[0:1536]"
    std::vector<std::string> units;
    // Runs once when the model is loaded: DMAs the resident weights HBM -> SBUF (no instructions
    // when nothing is resident). Streams form.
    isa::Program load;
    // One batch: reads `inputs` from HBM, writes `outputs`. Streams form.
    isa::Program infer;
    isa::Program load_sequential, infer_sequential;  // LowerOptions::keep_sequential only
    std::vector<TensorInfo> inputs;   // stage 0: input_ids, attention_mask; later: the previous
                                      // stage's outputs (+ attention_mask)
    std::vector<TensorInfo> outputs;  // the next stage's input, or the model outputs
    uint64_t input_bytes = 0;
    uint64_t output_bytes = 0;
    uint64_t resident_weight_bytes = 0;     // loaded into SBUF by `load`
    uint64_t streamed_weight_bytes = 0;     // read from HBM by each `infer` run
    std::vector<std::string> weights;       // weight tensors the stage reads
    uint64_t sbuf_bytes_per_partition = 0;  // peak SBUF use per partition
    uint32_t seqs_per_group = 0;  // sequences processed together (the rest of SBUF bounds it)
    // Busiest engine's cycles of `infer` by a static estimate (matmul max(64, N) cycles, x4 for
    // fp32; other compute instructions one cycle per element per partition; DMA not counted).
    double estimated_cycles = 0;
};

struct LoweredModel {
    ModelSpec spec;
    uint32_t batch = 0;
    PartitionPlan plan;
    std::vector<LoweredStage> stages;
    std::vector<WeightTensor> weights;  // every HBM weight tensor: fill with weight_values()
    std::vector<TensorInfo>
        model_inputs;  // input_ids [batch, seq] i32, attention_mask [batch, seq] f32
    std::vector<TensorInfo> model_outputs;  // hidden_states [hidden, batch*seq] f32, pooled_output
                                            // [hidden, batch], logits [labels, batch]
    uint64_t hbm_bytes = 0;  // weights + model inputs/outputs + inter-stage activations
};

// Throws LoweringError for batch 0, a plan with 0 stages or more stages than steps, shapes
// the kernels do not support (hidden/intermediate not multiples of 128, seq > 128, head_dim > 128),
// token ids outside the vocabulary, and a pipeline stage whose resident weights plus working set
// do not fit SBUF (naming the stage, its units and the sizes).
LoweredModel lower_model(const ModelSpec& spec, uint32_t batch, isa::Generation target,
                         const isa::TargetLimits& limits, const PartitionPlan& plan,
                         const LowerOptions& options = {});

// The pipeline's split without lowering: per stage its units, resident weight bytes per SBUF
// partition and estimated cost (for reports and fit studies). Same errors as lower_model for
// the stage count.
struct StagePlan {
    std::vector<std::string> units;
    uint64_t weight_bytes_per_partition = 0;
    double cost = 0;  // Tensor-engine cycles, for balancing
};
std::vector<StagePlan> plan_pipeline(const ModelSpec& spec, uint32_t batch, uint32_t stages,
                                     isa::Generation target, const isa::TargetLimits& limits);

// Busiest engine's cycles of a program by the static estimate described at estimated_cycles.
double estimate_engine_cycles(const isa::Program& program);

// One sequential program doing `parts` one after the other (tensors merged by name; a name
// declared twice must agree). For running several stages in one simulation.
isa::Program concat_sequential(const std::vector<const isa::Program*>& parts,
                               const std::string& name);

}  // namespace nsim::compiler

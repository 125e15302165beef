#include "compiler/lower_model.h"

#include <algorithm>
#include <array>

#include "compiler/model_units.h"
#include "compiler/partitions.h"
#include "compiler/pipeline_split.h"
#include "compiler/stage_lowering.h"
#include "compiler/sync_insertion.h"
#include "isa/kernel_text.h"

namespace nsim::compiler {

namespace {

using isa::DType;

TensorInfo info(const isa::Program& p, const std::string& name) {
    const isa::TensorDecl* t = p.find_tensor(name);
    return {t->name, t->shape, t->dtype, t->size_bytes()};
}

void check_supported(const ModelSpec& spec, uint32_t batch, const PartitionPlan& plan,
                     const std::vector<int32_t>& ids) {
    const std::string m = "model " + spec.name + ": ";
    if (batch == 0) throw LoweringError(m + "batch 0, expected a batch of at least 1 sequence");
    if (spec.hidden % kCompilerPartitions || spec.intermediate % kCompilerPartitions)
        throw LoweringError(m + "hidden_size " + std::to_string(spec.hidden) +
                            " and intermediate_size " + std::to_string(spec.intermediate) +
                            ": the kernels expect multiples of " +
                            std::to_string(kCompilerPartitions) + " (partition tiles)");
    if (spec.sequence_length > kCompilerPartitions)
        throw LoweringError(m + "sequence_length " + std::to_string(spec.sequence_length) +
                            ": the attention kernel expects at most " +
                            std::to_string(kCompilerPartitions) + " (one partition tile of keys)");
    const uint32_t hd = spec.head_dim();
    if (hd > kCompilerPartitions || kCompilerPartitions % hd || (hd < 32 && hd != 0))
        throw LoweringError(m + "head dimension " + std::to_string(hd) +
                            ": the attention kernel expects 32, 64 or 128 (partition quadrants)");
    const uint32_t most = max_pipeline_stages(spec);
    if (plan.kind == PartitionPlan::Kind::pipeline && (plan.stages == 0 || plan.stages > most))
        throw LoweringError(m + "a pipeline of " + std::to_string(plan.stages) +
                            " stages, expected 1 to " + std::to_string(most) +
                            " (a stage per step: of each layer's attention the self-attention "
                            "and the output projection, of its feed-forward block each " +
                            std::to_string(kCompilerPartitions) + " intermediate features)");
    if (!ids.empty() && ids.size() != size_t(batch) * spec.sequence_length)
        throw LoweringError(m + std::to_string(ids.size()) +
                            " token ids, expected batch x sequence_length = " +
                            std::to_string(size_t(batch) * spec.sequence_length));
    for (size_t i = 0; i < ids.size(); ++i)
        if (ids[i] < 0 || uint32_t(ids[i]) >= spec.vocab)
            throw LoweringError(m + "token id " + std::to_string(ids[i]) + " at position " +
                                std::to_string(i) + ", expected 0 to " +
                                std::to_string(spec.vocab - 1));
}

// The stage with part of its matrices resident, the others streamed once per group of sequences.
// Holding more weights leaves room for fewer sequences per group, so for each group size g the
// matrices are made resident first-fit (in unit order, while g sequences still fit) and the set
// with the least streamed traffic per batch, streamed bytes x ceil(batch / g), is lowered.
StagePrograms lower_partly_resident(const ModelSpec& spec, uint32_t batch, isa::Generation target,
                                    const isa::TargetLimits& limits, StageRequest req,
                                    const std::vector<int32_t>& ids) {
    const auto weights = model_weight_tensors(spec);
    std::vector<uint64_t> sizes;
    for (const auto& u : req.units)
        for (const auto& m : unit_matrices(spec, u, false))  // whole Q/K/V when not all_resident
            sizes.push_back(uint64_t(m.rows) * m.cols *
                            isa::dtype_size(find_weight(weights, m.name).dtype));
    std::vector<bool> best;
    double best_traffic = 0;
    for (uint32_t g = 1; g <= batch; ++g) {
        req.resident_matrices.assign(sizes.size(), false);
        if (!stage_fits(spec, target, limits, req, g)) break;
        double streamed = 0;
        for (size_t i = 0; i < sizes.size(); ++i) {
            req.resident_matrices[i] = true;
            if (!stage_fits(spec, target, limits, req, g)) req.resident_matrices[i] = false;
            if (!req.resident_matrices[i]) streamed += double(sizes[i]);
        }
        const double traffic = streamed * double((batch + g - 1) / g);
        if (best.empty() || traffic < best_traffic)
            best = req.resident_matrices, best_traffic = traffic;
    }
    if (best.empty()) best.assign(sizes.size(), false);  // nothing fits: lower_stage reports it
    req.resident_matrices = best;
    return lower_stage(spec, batch, target, limits, req, ids);
}

}  // namespace

std::vector<StagePlan> plan_pipeline(const ModelSpec& spec, uint32_t batch, uint32_t stages,
                                     isa::Generation target, const isa::TargetLimits& limits) {
    check_supported(spec, batch, PartitionPlan::pipeline(stages), {});
    std::vector<StagePlan> plans;
    for (const auto& units : split_pipeline(spec, batch, stages, target, limits)) {
        StagePlan p;
        for (const auto& u : units) {
            p.units.push_back(u.name());
            p.weight_bytes_per_partition += unit_weight_bytes(spec, u);
            p.cost += unit_cost(spec, u, batch);
        }
        plans.push_back(std::move(p));
    }
    return plans;
}

double estimate_engine_cycles(const isa::Program& program) {
    std::array<double, isa::kEngineCount> cycles{};
    for (const auto& inst : program.instructions) {
        const isa::AccessPattern* dst = inst.ap("dst");
        if (isa::is_dma(inst.op) || !dst) continue;
        double c = double(dst->free_size());
        if (inst.op == isa::Opcode::nc_matmul) {
            const isa::AccessPattern* st = inst.ap("stationary");
            const bool fp32 = st->dtype == DType::float32 || st->dtype == DType::tfloat32;
            c = std::max(64.0, c) * (fp32 ? 4 : 1);
        } else if (inst.op == isa::Opcode::nc_transpose) {
            c = std::max(64.0, c);
        }
        cycles[size_t(inst.engine)] += c;
    }
    return *std::max_element(cycles.begin(), cycles.end());
}

isa::Program concat_sequential(const std::vector<const isa::Program*>& parts,
                               const std::string& name) {
    isa::Program out;
    out.name = name;
    out.target = parts.empty() ? isa::Generation::v2 : parts.front()->target;
    for (const isa::Program* p : parts) {
        for (const auto& t : p->tensors) {
            const isa::TensorDecl* have = out.find_tensor(t.name);
            if (!have) {
                out.tensors.push_back(t);
            } else if (have->shape != t.shape || have->dtype != t.dtype) {
                throw LoweringError(name + ": tensor " + t.name +
                                    " declared with different shapes or dtypes");
            } else if (have->role != t.role) {
                // A stage's output read by the next stage: an intermediate of the whole program.
                out.tensors[size_t(have - out.tensors.data())].role = isa::TensorRole::scratch;
            }
        }
        out.instructions.insert(out.instructions.end(), p->instructions.begin(),
                                p->instructions.end());
    }
    return out;
}

LoweredModel lower_model(const ModelSpec& spec, uint32_t batch, isa::Generation target,
                         const isa::TargetLimits& limits, const PartitionPlan& plan,
                         const LowerOptions& options) {
    check_supported(spec, batch, plan, options.token_ids);
    const std::vector<int32_t> ids =
        options.token_ids.empty() ? std::vector<int32_t>(size_t(batch) * spec.sequence_length, 0)
                                  : options.token_ids;
    const bool pipeline = plan.kind == PartitionPlan::Kind::pipeline;
    const uint32_t count = pipeline ? plan.stages : 1;
    const auto units = pipeline ? split_pipeline(spec, batch, count, target, limits)
                                : std::vector<std::vector<Unit>>{model_units(spec)};

    LoweredModel out;
    out.spec = spec;
    out.batch = batch;
    out.plan = plan;
    out.weights = model_weight_tensors(spec);
    for (uint32_t s = 0; s < count; ++s) {
        StageRequest req = pipeline_stage_request(spec, units[s], s, count);
        if (!pipeline) {
            req.label = "data-parallel model " + spec.name;
            req.resident = false;
        }
        StagePrograms p;
        try {
            p = lower_stage(spec, batch, target, limits, req, ids);
        } catch (const LoweringError&) {
            if (!pipeline || !plan.stream_weights_that_do_not_fit) throw;
            p = lower_partly_resident(spec, batch, target, limits, req, ids);
        }
        LoweredStage st;
        for (const auto& u : units[s]) st.units.push_back(u.name());
        for (const auto& t : p.infer.tensors) {
            if (t.role == isa::TensorRole::input) st.inputs.push_back(info(p.infer, t.name));
            if (t.role == isa::TensorRole::output) st.outputs.push_back(info(p.infer, t.name));
        }
        for (const auto& t : st.inputs) st.input_bytes += t.bytes;
        for (const auto& t : st.outputs) st.output_bytes += t.bytes;
        st.resident_weight_bytes = p.resident_bytes;
        st.streamed_weight_bytes = p.streamed_bytes;
        st.weights = p.weights;
        st.sbuf_bytes_per_partition = p.sbuf_peak;
        st.seqs_per_group = p.seqs_per_group;
        st.estimated_cycles = estimate_engine_cycles(p.infer);
        if (options.keep_sequential) {
            st.load_sequential = p.load;
            st.infer_sequential = p.infer;
        }
        st.load = insert_sync(std::move(p.load), limits, req.program_name + "_load");
        st.infer = insert_sync(std::move(p.infer), limits, req.program_name + "_infer");
        if (s == 0)
            for (const auto& t : st.inputs) out.model_inputs.push_back(t);
        if (s + 1 == count)
            out.model_outputs = st.outputs;
        else
            out.hbm_bytes += st.output_bytes;  // the inter-stage activations
        out.stages.push_back(std::move(st));
    }
    for (const auto& w : out.weights) out.hbm_bytes += w.size_bytes();
    for (const auto& t : out.model_inputs) out.hbm_bytes += t.bytes;
    for (const auto& t : out.model_outputs) out.hbm_bytes += t.bytes;
    return out;
}

}  // namespace nsim::compiler

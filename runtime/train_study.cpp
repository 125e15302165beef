#include "runtime/train_study.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>

#include "compiler/kernel_context.h"
#include "compiler/layer_training.h"
#include "compiler/model_weights.h"
#include "isa/error.h"
#include "isa/verifier.h"
#include "runtime/child_process.h"
#include "runtime/model_files.h"
#include "runtime/record_bytes.h"
#include "runtime/train_collective.h"
#include "sim/system/run_system.h"

namespace nsim::runtime {

namespace {

// Simulates `program` (timing only) on every core of one chip at once, as data parallelism runs
// it: the cores share the chip's HBM and DMA. The slowest core's time counts.
std::string simulate(const isa::Program& program, const sim::ChipConfig& chip,
                     double max_sim_time_ns) {
    std::vector<sim::CorePlacement> placements;
    for (uint32_t core = 0; core < chip.cores; ++core) placements.push_back({0, core, {&program}});
    std::vector<sim::DeviceMemory> hbm(placements.size());  // timing alone never reads it
    sim::RunOptions options;
    options.timing_only = true;
    options.races = sim::RaceMode::off;  // the sync pass orders the accesses
    options.max_sim_time_ns = max_sim_time_ns;
    const sim::SystemRunResult r =
        sim::run_system(chip, 1, placements, hbm, sim::builtin_custom_ops(), options);
    double time_ns = 0;
    for (const auto& core : r.cores) time_ns = std::max(time_ns, core.front().time_ns);
    return pack_records(PassTiming{time_ns, r.cores.front().front().instructions, r.host_seconds});
}

// Both passes at once, each in a child (SystemC elaborates once per process). Every child is
// waited for before a failure is reported.
std::pair<PassTiming, PassTiming> simulate_layer(const compiler::LayerTrainingPrograms& p,
                                                 const sim::ChipConfig& chip,
                                                 double max_sim_time_ns) {
    const std::vector<ChildOutcome> outcomes =
        run_children({[&] { return simulate(p.forward, chip, max_sim_time_ns); },
                      [&] { return simulate(p.backward, chip, max_sim_time_ns); }},
                     2);
    for (size_t pass = 0; pass < outcomes.size(); ++pass)
        if (!outcomes[pass].ok)
            throw_failure(outcomes[pass], fmt::format("simulating one layer's {} pass: ",
                                                      pass ? "backward" : "forward"));
    return {unpack_records<PassTiming>(outcomes[0].text).first,
            unpack_records<PassTiming>(outcomes[1].text).first};
}

// The tensor's parameters: a per-feature vector's logical length, without the padding of its
// column layout in HBM.
uint64_t parameter_count(const compiler::WeightTensor& w) {
    return w.features ? w.features : w.num_elements();
}

// The micro-batches before the last as one task (their forward and backward passes and their
// gradients' accumulation, nothing to communicate), then the last micro-batch: forward of every
// layer, backward from the last layer to the first; gradients in the order the backward pass
// produces them (a layer's tensors in reverse, as DDP registers its hooks), the head's with the
// last layer's and the embeddings' with the first layer's (their own compute is small and not
// simulated).
StepPlan step_plan(const TrainStudy& s, const std::vector<compiler::WeightTensor>& weights) {
    StepPlan plan;
    const uint32_t L = s.spec.layers;
    if (s.micro_steps > 1)
        plan.compute.push_back(
            {fmt::format("micro-batches 1-{} (forward, backward, gradient accumulation)",
                         s.micro_steps - 1),
             double(s.micro_steps - 1) * (s.micro_step_ns + s.accumulation_ns)});
    const size_t first = plan.compute.size();  // the last micro-batch's first task
    for (uint32_t l = 0; l < L; ++l)
        plan.compute.push_back({fmt::format("forward layer{}", l), s.forward.time_ns});
    for (uint32_t l = L; l-- > 0;)
        plan.compute.push_back({fmt::format("backward layer{}", l), s.backward.time_ns});
    const auto owner =
        [&](const std::string& name) -> size_t {  // index of the task after which it is ready
        uint32_t layer = 0;
        if (std::sscanf(name.c_str(), "layer%u.", &layer) == 1) return first + L + (L - 1 - layer);
        return first + (name.rfind("embeddings.", 0) == 0 ? 2 * L - 1 : L);
    };
    std::vector<std::pair<size_t, const compiler::WeightTensor*>> ready;
    for (auto it = weights.rbegin(); it != weights.rend(); ++it)
        ready.push_back({owner(it->name), &*it});
    std::stable_sort(ready.begin(), ready.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [task, w] : ready)
        plan.gradients.push_back(
            {w->name, parameter_count(*w) * gradient_element_bytes(s.dtype), task});
    plan.bucket_bytes = s.bucket_bytes;
    plan.ranks = s.ranks;
    plan.optimizer_ns = parameter_pass_ns(s.parameters, s.optimizer_work, s.instance.chip);
    return plan;
}

// Micro-batches per global step; throws InputError unless `global` is a whole number of them.
uint64_t micro_steps(uint64_t global, uint32_t batch, uint32_t ranks) {
    const uint64_t micro = uint64_t(batch) * ranks;
    if (global == 0) return 1;
    if (global < micro || global % micro != 0)
        throw InputError(fmt::format(
            "--global-batch {}: expected a multiple of --batch {} x {} data-parallel NeuronCores "
            "= {} sequences (one micro-batch on every core; the global batch is micro-batch x "
            "ranks x accumulation steps){}",
            global, batch, ranks, micro,
            global < micro ? std::string(", got less than one micro-batch")
                           : fmt::format(", e.g. {} or {}", global / micro * micro,
                                         (global / micro + 1) * micro)));
    return global / micro;
}

sim::CollectiveDType collective_dtype(TrainDtype dtype) {
    return dtype == TrainDtype::fp32 ? sim::CollectiveDType::float32
                                     : sim::CollectiveDType::bfloat16;
}

}  // namespace

TrainStudy run_train_study(const TrainRequest& request) {
    const auto host_start = std::chrono::steady_clock::now();
    if (request.batch == 0)
        throw InputError("--batch 0: expected at least 1 sequence per NeuronCore");
    if (request.bucket_bytes == 0) throw InputError("--bucket-bytes 0: expected at least 1 byte");
    TrainStudy s;
    s.spec = compiler::load_model(resolve_model(request.model));
    s.instance = sim::load_instance(request.instance);
    sim::apply_overrides(s.instance, request.sets);
    s.dtype = request.dtype;
    s.optimizer = request.optimizer;
    s.spec.matmul_dtype = matmul_dtype(s.dtype);
    const AllReduceTime all_reduce = gradient_all_reduce(s.instance, collective_dtype(s.dtype));
    s.batch = request.batch;
    s.ranks = s.instance.chips * s.instance.chip.cores;
    s.micro_steps = micro_steps(request.global_batch, s.batch, s.ranks);
    s.global_batch = s.micro_steps * s.batch * s.ranks;
    s.bucket_bytes = request.bucket_bytes;
    const auto weights = compiler::model_weight_tensors(s.spec);
    for (const auto& w : weights) s.parameters += parameter_count(w);
    s.gradient_bytes = s.parameters * gradient_element_bytes(s.dtype);

    const sim::ChipConfig& chip = s.instance.chip;
    s.optimizer_work = optimizer_work(s.optimizer, s.dtype);
    s.accumulation_work = accumulation_work(s.dtype);
    s.accumulation_ns = parameter_pass_ns(s.parameters, s.accumulation_work, chip);
    // The lowering's errors name the matrix or buffer; the data type often decides (fp32 weights
    // take twice the SBUF of bf16 ones), so it is said too.
    const auto lower = [&](uint32_t batch) {
        try {
            return compiler::lower_layer_training(s.spec, batch, activation_dtype(s.dtype),
                                                  chip.generation, chip.limits);
        } catch (const compiler::LoweringError& e) {
            throw compiler::LoweringError(
                fmt::format("lowering one layer of {} for --batch {} --dtype {}: {}", s.spec.name,
                            batch, name(s.dtype), e.what()));
        }
    };
    check_instruction_budget(
        fmt::format("a training step of {} on {}", s.spec.name, s.instance.name), request.batch,
        request.max_instructions, [&](uint32_t batch) {
            const auto small = lower(batch);
            return uint64_t(small.forward.instructions.size() + small.backward.instructions.size());
        });
    const auto programs = lower(request.batch);
    for (const isa::Program* p : {&programs.forward, &programs.backward})
        if (auto diags = isa::verify(*p, chip.limits); !diags.empty())
            throw isa::KernelError(p->name, diags);
    std::tie(s.forward, s.backward) = simulate_layer(programs, chip, request.max_sim_time_s * 1e9);
    s.micro_step_ns = s.spec.layers * (s.forward.time_ns + s.backward.time_ns);
    s.timeline = schedule_step(step_plan(s, weights), all_reduce);
    s.all_reduce_method =
        all_reduce_method(s.instance, s.timeline.buckets.front().bytes, collective_dtype(s.dtype));
    s.host_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
    return s;
}

}  // namespace nsim::runtime

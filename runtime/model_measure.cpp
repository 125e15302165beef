#include "runtime/model_measure.h"

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "compiler/lower_model.h"
#include "compiler/model_reference.h"
#include "compiler/model_weights.h"
#include "isa/error.h"
#include "runtime/child_process.h"
#include "runtime/model_files.h"
#include "runtime/record_bytes.h"
#include "runtime/roofline.h"
#include "runtime/work_budget.h"
#include "sim/checks/race_description.h"
#include "sim/system/run_system.h"

namespace nsim::runtime {

namespace {

compiler::PartitionPlan partition_plan(const ModelRequest& request, uint32_t stages) {
    if (request.parallel == Parallelism::data) return compiler::PartitionPlan::data_parallel();
    compiler::PartitionPlan plan = compiler::PartitionPlan::pipeline(stages);
    // A stage whose weights do not all fit its SBUF keeps what fits resident and streams the rest
    // from device memory each batch, instead of failing: the hardware can run that deployment.
    plan.stream_weights_that_do_not_fit = true;
    return plan;
}

// The device-memory bytes a stage's programs declare (weights, activations, model inputs/outputs).
uint64_t stage_device_bytes(const compiler::LoweredStage& stage) {
    std::map<std::string, uint64_t> tensors;
    for (const isa::Program* p : {&stage.load, &stage.infer})
        for (const auto& t : p->tensors) tensors[t.name] = t.size_bytes();
    uint64_t sum = 0;
    for (const auto& [name, bytes] : tensors) sum += bytes;
    return sum;
}

// A model that does not fit its chips' device memory is rejected before anything is simulated.
void check_device_memory(const compiler::LoweredModel& lowered, const sim::InstanceConfig& instance,
                         const std::vector<std::vector<CoreId>>& placement,
                         const std::string& model) {
    std::vector<uint64_t> need(instance.chips, 0);
    for (const auto& copy : placement)
        for (size_t s = 0; s < copy.size(); ++s)
            need[copy[s].chip] += stage_device_bytes(lowered.stages[s]);
    const uint64_t have = instance.chip.device_memory.size_bytes;
    for (uint32_t chip = 0; chip < instance.chips; ++chip)
        if (need[chip] > have)
            throw InputError(
                fmt::format("{} at batch {} does not fit {}: chip {} needs {:.2f} GiB of device "
                            "memory for its copies and stages, "
                            "the chip has {:.2f} GiB",
                            model, lowered.batch, instance.name, chip,
                            double(need[chip]) / (1ull << 30), double(have) / (1ull << 30)));
}

// A copy's weights alone must fit the device memory of the chips it spans: checked before
// lowering, on which a model of thousands of layers would spend minutes.
void check_weights_fit(const compiler::ModelSpec& spec, const sim::InstanceConfig& instance,
                       const std::vector<std::vector<CoreId>>& placement) {
    uint64_t weights = 0;
    for (const auto& w : compiler::model_weight_tensors(spec)) weights += w.size_bytes();
    std::set<uint32_t> chips;
    for (const CoreId& core : placement.front()) chips.insert(core.chip);
    const uint64_t have = chips.size() * instance.chip.device_memory.size_bytes;
    if (weights > have)
        throw InputError(
            fmt::format("{}: its weights take {:.2f} GiB, more than the {:.2f} GiB of "
                        "device memory of the {} chip(s) of {} a copy spans",
                        spec.name, double(weights) / (1ull << 30), double(have) / (1ull << 30),
                        chips.size(), instance.name));
}

// The copies whose stages are simulated. Chips share no memory, so a group of copies alone on its
// chips runs like the same group laid out on other chips: when the placement is its first group
// (copy 0 and the copies after it that share one of its chips) repeated chip by chip, only that
// group is simulated (a copy per core of chip 0 for data parallel, the first pipeline of a chip);
// otherwise every copy is.
size_t simulated_copies(const std::vector<std::vector<CoreId>>& placement) {
    std::set<uint32_t> chips;
    size_t group = 0;
    auto shares_a_chip = [&](const std::vector<CoreId>& copy) {
        return std::any_of(copy.begin(), copy.end(),
                           [&](const CoreId& core) { return chips.count(core.chip) > 0; });
    };
    do {
        for (const CoreId& core : placement[group]) chips.insert(core.chip);
        ++group;
    } while (group < placement.size() && shares_a_chip(placement[group]));
    if (placement.size() % group != 0) return placement.size();
    const uint32_t span = *chips.rbegin() + 1;
    for (size_t c = group; c < placement.size(); ++c) {
        const std::vector<CoreId>& first = placement[c % group];
        if (placement[c].size() != first.size()) return placement.size();
        for (size_t s = 0; s < first.size(); ++s)
            if (!(placement[c][s] ==
                  CoreId{first[s].chip + uint32_t(c / group) * span, first[s].core}))
                return placement.size();
    }
    return group;
}

std::vector<const isa::Program*> stage_programs(const compiler::LoweredStage& stage) {
    std::vector<const isa::Program*> programs;
    if (!stage.load.instructions.empty()) programs.push_back(&stage.load);
    programs.push_back(&stage.infer);
    return programs;
}

// What the timing run sends back: the run's totals, then a StageTiming per simulated stage.
struct TimingTotals {
    double simulated_ns = 0;
    double host_seconds = 0;
};
struct StageTiming {
    double service_ns = 0;
    std::array<double, isa::kEngineCount> engine_busy_ns{};
    uint64_t instructions = 0;
    uint64_t dram_bytes = 0;
    double roofline_ns = 0;
    uint32_t roofline_binding = 0;  // index into roofline_bound_names()
};

// Child process: every simulated stage on its core at once, timing only; per stage its figures.
std::string measure_timing(const compiler::LoweredModel& lowered,
                           const sim::InstanceConfig& instance,
                           const std::vector<std::vector<CoreId>>& placement, size_t copies,
                           double max_sim_time_ns, const StageTraceWriter& write_trace) {
    std::vector<sim::CorePlacement> placements;
    uint32_t chips = 0;  // only the chips that run a simulated stage
    for (size_t c = 0; c < copies; ++c)
        for (size_t s = 0; s < placement[c].size(); ++s) {
            placements.push_back(
                {placement[c][s].chip, placement[c][s].core, stage_programs(lowered.stages[s])});
            chips = std::max(chips, placement[c][s].chip + 1);
        }
    std::vector<sim::DeviceMemory> hbm(placements.size());
    sim::RunOptions options;
    options.timing_only = true;
    options.races =
        sim::RaceMode::off;  // the lowering's sync is checked by the functional run and the tests
    options.trace = bool(write_trace);
    options.max_sim_time_ns = max_sim_time_ns;
    const sim::SystemRunResult run =
        sim::run_system(instance.chip, chips, placements, hbm, sim::builtin_custom_ops(), options);
    if (write_trace) {
        std::vector<TracedStage> traced;
        for (size_t i = 0; i < placements.size(); ++i)
            for (size_t k = 0; k < run.cores[i].size(); ++k)
                traced.push_back({fmt::format("chip{}/core{} stage {} {}", placements[i].chip,
                                              placements[i].core, i % lowered.stages.size(),
                                              k + 1 == run.cores[i].size() ? "infer" : "load"),
                                  &run.cores[i][k]});
        write_trace(traced);
    }
    std::vector<StageTiming> stages;
    for (size_t i = 0; i < run.cores.size(); ++i) {
        const sim::RunResult& infer = run.cores[i].back();
        StageTiming t;
        t.service_ns = infer.end_ns - infer.start_ns;
        for (size_t e = 0; e < t.engine_busy_ns.size(); ++e)
            t.engine_busy_ns[e] = infer.engines[e].busy_ns;
        t.instructions = infer.instructions;
        t.dram_bytes = infer.dma.device_read_bytes + infer.dma.device_write_bytes;
        const Roofline roof = core_roofline(*placements[i].programs.back(), instance.chip, infer);
        t.roofline_ns = roof.binding().ns;
        t.roofline_binding = uint32_t(&roof.binding() - roof.bounds.data());
        stages.push_back(t);
    }
    return pack_records(TimingTotals{run.time_ns, run.host_seconds}, stages);
}

// Child process: the stages one after another on one core with real arithmetic, the model's
// hidden states against the fp32 reference from the same seeded weights.
std::string measure_function(const compiler::LoweredModel& lowered,
                             const sim::InstanceConfig& instance, uint64_t seed,
                             double max_sim_time_ns) {
    std::vector<const isa::Program*> programs;
    std::vector<isa::TensorDecl> tensors;
    for (const auto& stage : lowered.stages)
        for (const isa::Program* p : stage_programs(stage)) {
            programs.push_back(p);
            tensors.insert(tensors.end(), p->tensors.begin(), p->tensors.end());
        }
    const uint64_t tokens = uint64_t(lowered.batch) * lowered.spec.sequence_length;
    const std::vector<int32_t> ids(tokens,
                                   0);  // neuronperf feeds zero input_ids [src:neuronperf]
    const std::vector<float> mask(tokens, 1.0f);
    // The fp32 reference needs nothing of the simulation: a second thread computes it meanwhile.
    std::future<compiler::ReferenceOutputs> reference = std::async(std::launch::async, [&] {
        return compiler::reference_forward(lowered.spec, lowered.batch, seed, ids, mask);
    });
    std::vector<sim::DeviceMemory> hbm(1);
    std::map<std::string, isa::TensorDecl> unique;
    for (const auto& t : tensors) unique.emplace(t.name, t);
    for (const auto& [name, t] : unique) hbm[0].allocate({t});
    for (const auto& w : lowered.weights)
        if (hbm[0].has(w.name)) hbm[0].set_values(w.name, compiler::weight_values(w, seed));
    hbm[0].set_values("attention_mask", mask);
    sim::RunOptions options;
    options.seed = seed;
    options.max_sim_time_ns = max_sim_time_ns;
    const sim::SystemRunResult run = sim::run_system(instance.chip, 1, {{0, 0, programs}}, hbm,
                                                     sim::builtin_custom_ops(), options);
    for (const sim::RunResult& r : run.cores.front())  // the compiler's synchronisation, checked
        if (r.race_count > 0)
            throw SimError(fmt::format("the lowered kernels race ({} races), e.g. {}", r.race_count,
                                       sim::describe_race(r.races.front())));

    const compiler::ReferenceOutputs ref = reference.get();
    const double max_error = compiler::max_error_feature_major(
        hbm[0].values("hidden_states"), ref.hidden, lowered.spec.hidden, tokens);
    return pack_records(max_error);
}

}  // namespace

std::string measurement_key(const ModelRequest& request, const sim::InstanceConfig& instance,
                            const std::vector<std::vector<CoreId>>& placement) {
    std::string key =
        fmt::format("{} batch {} {} functional {} max {} instructions {} s",
                    resolve_model(request.model), request.batch, parallelism_name(request.parallel),
                    request.functional, request.max_instructions, request.max_sim_time_s);
    for (size_t c = 0; c < simulated_copies(placement); ++c) {
        key += "\ncopy";
        for (const CoreId& core : placement[c]) key += fmt::format(" {}/{}", core.chip, core.core);
    }
    for (const sim::DescribedParam& p : sim::describe(instance.chip))
        key += fmt::format("\n{}={}", p.path, p.value);
    return key;
}

MeasuredModel measure_model(const ModelRequest& request, const sim::InstanceConfig& instance,
                            const std::vector<std::vector<CoreId>>& placement,
                            const StageTraceWriter& write_trace) {
    const compiler::ModelSpec spec = compiler::load_model(resolve_model(request.model));
    const uint32_t stages = uint32_t(placement.front().size());
    check_weights_fit(spec, instance, placement);
    check_instruction_budget(
        fmt::format("{} on {}", spec.name, instance.name), request.batch, request.max_instructions,
        [&](uint32_t batch) {
            const auto small =
                compiler::lower_model(spec, batch, instance.chip.generation, instance.chip.limits,
                                      partition_plan(request, stages));
            uint64_t most = 0;
            for (const auto& stage : small.stages)
                most = std::max<uint64_t>(
                    most, stage.load.instructions.size() + stage.infer.instructions.size());
            return most;
        });
    const compiler::LoweredModel lowered =
        compiler::lower_model(spec, request.batch, instance.chip.generation, instance.chip.limits,
                              partition_plan(request, stages));
    check_device_memory(lowered, instance, placement, spec.name);
    const size_t copies = simulated_copies(placement);
    const uint64_t seed = 1;
    const double max_sim_time_ns = request.max_sim_time_s * 1e9;

    // Both simulations at once, each in its own process (one SystemC elaboration per process).
    std::vector<ChildWork> works = {[&] {
        return measure_timing(lowered, instance, placement, copies, max_sim_time_ns, write_trace);
    }};
    if (request.functional)
        works.push_back([&] { return measure_function(lowered, instance, seed, max_sim_time_ns); });
    const std::vector<ChildOutcome> outcomes = run_children(works, works.size());
    for (const auto& o : outcomes)
        if (!o.ok) throw_failure(o);
    const auto [totals, timings] = unpack_records<TimingTotals, StageTiming>(outcomes[0].text);

    MeasuredModel m;
    m.model = spec.name;
    m.simulated_ns = totals.simulated_ns;
    m.host_seconds = totals.host_seconds;
    for (size_t c = 0; c < copies; ++c) {
        m.copies.emplace_back();
        for (size_t s = 0; s < stages; ++s) {
            const StageTiming& timing = timings.at(c * stages + s);
            const compiler::LoweredStage& stage = lowered.stages[s];
            MeasuredStage ms;
            ms.service_ns = timing.service_ns;
            ms.engine_busy_ns = timing.engine_busy_ns;
            ms.instructions = timing.instructions;
            ms.dram_bytes = timing.dram_bytes;
            ms.roofline_ns = timing.roofline_ns;
            ms.roofline_bound = roofline_bound_names().at(timing.roofline_binding);
            ms.input_bytes = stage.input_bytes;
            ms.output_bytes = stage.output_bytes;
            ms.resident_weight_bytes = stage.resident_weight_bytes;
            ms.streamed_weight_bytes = stage.streamed_weight_bytes;
            m.copies.back().push_back(ms);
        }
    }
    if (request.functional) {
        FunctionalCheck check;
        check.max_abs_error = unpack_records<double>(outcomes[1].text).first;
        check.note = fmt::format(
            "final hidden states; {}; matmul inputs in {}",
            stages == 1 ? "the model on one core"
                        : fmt::format("its {} stages one after another on one core", stages),
            isa::dtype_name(spec.matmul_dtype));
        m.functional = check;
    }
    return m;
}

}  // namespace nsim::runtime

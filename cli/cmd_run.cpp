// `nsim run KERNEL`: simulate a kernel on one NeuronCore of a chip, on N of them at once, or as one
// copy per rank of an instance; print its timing, write its outputs, report and trace.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/kernel_chip.h"
#include "cli/number_arg.h"
#include "cli/sim_time_arg.h"
#include "isa/error.h"
#include "isa/kernel_text.h"
#include "runtime/rank_run.h"
#include "runtime/run_report.h"
#include "sim/config/chip_config.h"
#include "sim/config/instance_config.h"
#include "sim/io/npy.h"

namespace nsim::cli {

namespace {

struct RunOptions {
    std::string kernel;
    ChipChoice chip;
    std::string instance;             // run over this instance's chips
    std::vector<std::string> inputs;  // NAME=FILE.npy
    std::string output_dir, report, trace, races = "error";
    bool timing_only = false;
    uint64_t seed = 1;
    uint32_t cores = 0;  // ranks on one chip (0: not given)
    uint32_t ranks = 0;  // ranks (0: one, or every core of the instance)
    double max_sim_time_s = sim::kDefaultMaxSimTimeNs * 1e-9;
    double max_host_gib = double(sim::kDefaultMaxHostBytes) / (1ull << 30);
};

// The --input NAME=FILE pairs, checked against the kernel's tensors.
std::map<std::string, std::string> input_files(const isa::Program& p, const RunOptions& o) {
    std::map<std::string, std::string> files;
    for (const auto& spec : o.inputs) {
        const auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
            throw nsim::UsageError(fmt::format("--input {}: expected NAME=FILE.npy", spec));
        const std::string name = spec.substr(0, eq);
        const isa::TensorDecl* t = p.find_tensor(name);
        if (!t)
            throw nsim::UsageError(
                fmt::format("--input {}: the kernel declares no tensor '{}'", spec, name));
        if (t->role == isa::TensorRole::output)
            throw nsim::UsageError(fmt::format("--input {}: tensor '{}' is an output", spec, name));
        if (!files.emplace(name, spec.substr(eq + 1)).second)
            throw nsim::UsageError(fmt::format(
                "--input {}: tensor '{}' has an --input already, expected one", spec, name));
    }
    return files;
}

// Each rank's outputs: DIR/NAME.npy for one rank, DIR/rank<R>/NAME.npy for several.
void save_outputs(const runtime::RankRunResult& run, const std::string& dir) {
    const size_t ranks = run.hbm.size();
    size_t written = 0;
    for (size_t r = 0; r < ranks; ++r) {
        const auto rank_dir = ranks > 1 ? std::filesystem::path(dir) / fmt::format("rank{}", r)
                                        : std::filesystem::path(dir);
        std::error_code ec;
        std::filesystem::create_directories(rank_dir, ec);
        if (ec)
            throw nsim::UsageError(fmt::format("--output-dir {}: cannot create {}: {}", dir,
                                               rank_dir.string(), ec.message()));
        for (const auto& t : run.program.tensors)
            if (t.role == isa::TensorRole::output) {
                const std::string path = (rank_dir / (t.name + ".npy")).string();
                sim::save_tensor(run.hbm[r], t, path);
                if (ranks == 1) fmt::print("wrote {}\n", path);
                ++written;
            }
    }
    if (ranks > 1)
        fmt::print("wrote {} outputs of each of {} ranks, {}/rank<R>/NAME.npy\n", written / ranks,
                   ranks, dir);
}

// The request: the kernel on `--cores`/`--ranks` cores of one chip, or on the ranks of an
// instance (all its cores unless --ranks).
runtime::RankRunRequest run_request(const RunOptions& o, isa::Program program,
                                    const sim::InstanceConfig* instance) {
    runtime::RankRunRequest r;
    if (instance) {
        if (program.target != instance->chip.generation)
            throw nsim::UsageError(fmt::format(
                "{}: the kernel targets {} but instance {} has {} chips (NeuronCore-{})", o.kernel,
                isa::generation_name(program.target), instance->name, instance->chip.name,
                isa::generation_name(instance->chip.generation)));
        r.chip = instance->chip;
        const uint32_t cores = instance->chips * instance->chip.cores;
        r.ranks = o.ranks ? o.ranks : cores;
        if (r.ranks > cores)
            throw nsim::UsageError(fmt::format(
                "--ranks {}: instance {} has {} cores ({} chips x {}), expected 1 to {}", r.ranks,
                instance->name, cores, instance->chips, instance->chip.cores, cores));
    } else {
        r.chip = kernel_chip(program, o.kernel, o.chip);
        r.ranks = o.cores ? o.cores : o.ranks ? o.ranks : 1;
        if (r.ranks > r.chip.cores)
            throw nsim::UsageError(fmt::format("{} {}: chip {} has {} cores, expected 1 to {}",
                                               o.cores ? "--cores" : "--ranks", r.ranks,
                                               r.chip.name, r.chip.cores, r.chip.cores));
    }
    r.instance = instance;
    r.input_files = input_files(program, o);
    r.kernel_file = o.kernel;
    r.program = std::move(program);
    r.options.timing_only = o.timing_only;
    r.options.seed = o.seed;
    r.options.max_sim_time_ns = o.max_sim_time_s * 1e9;
    r.options.max_host_bytes = uint64_t(o.max_host_gib * (1ull << 30));
    r.options.trace = !o.trace.empty();
    r.options.races = o.races == "off"    ? sim::RaceMode::off
                      : o.races == "warn" ? sim::RaceMode::warn
                                          : sim::RaceMode::error;
    return r;
}

int run_command(const RunOptions& o) {
    const auto host_start = std::chrono::steady_clock::now();
    isa::Program program = isa::parse_kernel(map_kernel_file(o.kernel).text(), o.kernel);
    const double parse_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
    std::optional<sim::InstanceConfig> instance;
    if (!o.instance.empty()) {
        instance = sim::load_instance(o.instance);
        sim::apply_overrides(*instance, o.chip.sets);
    }
    runtime::RankRunRequest request =
        run_request(o, std::move(program), instance ? &*instance : nullptr);
    runtime::RankRunResult run = runtime::run_ranks(request);
    run.host.parse = parse_seconds;

    runtime::RunContext ctx{
        o.kernel,
        &run.program,
        &request.chip,
        o.timing_only,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count(),
        &run.places,
        instance ? instance->name : std::string(),
        &run.check,
        &run.host};
    fmt::print("{}", runtime::run_summary(ctx, run.system));
    if (!o.report.empty()) write_text_file(o.report, runtime::run_report_json(ctx, run.system));
    if (!o.trace.empty()) write_text_file(o.trace, runtime::chrome_trace_json(ctx, run.system));
    if (!o.output_dir.empty() && !o.timing_only) save_outputs(run, o.output_dir);
    const size_t races = run.system.cores[0][0].race_count;  // the same kernel on every core
    if (races > 0 && request.options.races == sim::RaceMode::error) {
        fmt::print(stderr,
                   "nsim: error: {} race(s) between unsynchronised instructions (see above; "
                   "--races=warn to go on)\n",
                   races);
        return kExitKernelError;
    }
    if (run.check.checked && !run.check.ok) {
        fmt::print(stderr, "nsim: error: {}: the outputs do not match the collectives: {}\n",
                   o.kernel, run.check.text);
        return kExitKernelError;
    }
    return kExitOk;
}

}  // namespace

Command add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* sub = app.add_subcommand("run",
                                       "Simulate a kernel on one NeuronCore (or --cores N, or one "
                                       "copy per rank of --instance): results, timing, races, "
                                       "memory traffic, collectives");
    sub->add_option("KERNEL", o->kernel,
                    "Kernel file (docs/kernel-format.md); a sequential body gets its semaphores "
                    "from the sync-insertion pass")
        ->required()
        ->check(CLI::ExistingFile);
    auto* chip = sub->add_option(
        "--chip", o->chip.chip,
        "Chip name (see configs/chips/) or a chip JSON file; default: inf1, trn1 or trn2 for a "
        "v1, v2 or v3 kernel");
    sub->add_option("--input", o->inputs,
                    "NAME=FILE.npy: the values of an input or weight tensor (repeatable), the "
                    "same on every rank unless FILE contains {rank} (grad_{rank}.npy); tensors "
                    "without one are filled from --seed and the rank")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->add_option("--output-dir", o->output_dir,
                    "Write each output tensor there as NAME.npy (several ranks: "
                    "rank<R>/NAME.npy)");
    sub->add_option("--report", o->report, "Write the JSON report there");
    sub->add_option("--trace", o->trace, "Write a Chrome trace (open it in Perfetto) there");
    sub->add_flag("--timing-only", o->timing_only,
                  "Skip the arithmetic: timing, races and checks only (much faster)");
    sub->add_option("--seed", o->seed, "Seed of the generated inputs and of stochastic rounding")
        ->check(whole_number(0))
        ->capture_default_str();
    sub->add_option("--races", o->races,
                    "What a race is: error (exit 1), warn, or off (not tracked)")
        ->check(CLI::IsMember({"error", "warn", "off"}))
        ->capture_default_str();
    auto* instance =
        sub->add_option("--instance", o->instance,
                        "Run one copy of the kernel per rank over this instance's chips (see "
                        "configs/instances/): every NeuronCore, chip-major, or the first --ranks; "
                        "collectives run over its NeuronLink");
    auto* cores = sub->add_option("--cores", o->cores,
                                  "Run the kernel on this many cores of the chip at once (ranks "
                                  "0..N-1), each with its own copy of the tensors, all sharing the "
                                  "chip's device memory")
                      ->check(whole_number(1, UINT32_MAX));
    auto* ranks = sub->add_option("--ranks", o->ranks,
                                  "Run this many ranks (default: every core of --instance, else "
                                  "1), chip-major: rank r on core r % cores of chip r / cores")
                      ->check(whole_number(1, UINT32_MAX));
    cores->excludes(ranks);
    cores->excludes(instance);
    chip->excludes(instance);
    add_max_sim_time_option(*sub, o->max_sim_time_s);
    sub->add_option("--max-host-memory", o->max_host_gib,
                    "Refuse a run with results that would need more GiB of host memory than this")
        ->check(CLI::Range(1.0 / 1024, 65536.0))
        ->capture_default_str();
    sub->add_option("--set", o->chip.sets,
                    "PATH=VALUE: override a chip parameter, e.g. timing.tensor_clock_ghz=3.0, or "
                    "with --instance an instance parameter or chip.PATH (repeatable; `nsim "
                    "describe CHIP|INSTANCE` lists them)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->footer(
        "Exit codes: 0 ran, 1 invalid kernel, deadlock or race, 2 bad command line or unreadable "
        "file.");
    return {sub, [o] { return run_command(*o); }};
}

}  // namespace nsim::cli

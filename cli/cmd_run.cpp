// `nsim run KERNEL`: simulate a kernel on one NeuronCore of a chip (or on N of them at once); print
// its timing, write its outputs, report and trace.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/kernel_chip.h"
#include "cli/number_arg.h"
#include "cli/sim_time_arg.h"
#include "compiler/sync_insertion.h"
#include "isa/error.h"
#include "isa/kernel_text.h"
#include "isa/verifier.h"
#include "runtime/run_report.h"
#include "sim/config/chip_config.h"
#include "sim/io/npy.h"
#include "sim/system/run_system.h"

namespace nsim::cli {

namespace {

struct RunOptions {
    std::string kernel;
    ChipChoice chip;
    std::vector<std::string> inputs;  // NAME=FILE.npy
    std::string output_dir, report, trace, races = "error";
    bool timing_only = false;
    uint64_t seed = 1;
    uint32_t cores = 1;  // run the kernel on this many cores of the chip at once
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
        // Read and checked now, also with --timing-only: a bad file is an error either way.
        if (o.timing_only) sim::read_tensor_file(*t, files[name]);
    }
    return files;
}

// Each input/weight tensor from its --input file, or filled from the seed.
void load_inputs(sim::DeviceMemory& hbm, const isa::Program& p,
                 const std::map<std::string, std::string>& files, uint64_t seed) {
    for (const auto& t : p.tensors) {
        if (auto it = files.find(t.name); it != files.end())
            sim::load_tensor(hbm, t, it->second);
        else if (t.role == isa::TensorRole::input || t.role == isa::TensorRole::weight)
            sim::fill_tensor(hbm, t, seed);
    }
}

void save_outputs(const sim::DeviceMemory& hbm, const isa::Program& p, const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw nsim::UsageError(
            fmt::format("--output-dir {}: cannot create it: {}", dir, ec.message()));
    for (const auto& t : p.tensors)
        if (t.role == isa::TensorRole::output) {
            const std::string path = (std::filesystem::path(dir) / (t.name + ".npy")).string();
            sim::save_tensor(hbm, t, path);
            fmt::print("wrote {}\n", path);
        }
}

int run_command(const RunOptions& o) {
    const auto host_start = std::chrono::steady_clock::now();
    isa::Program program = isa::parse_kernel(read_text_file(o.kernel), o.kernel);
    const sim::ChipConfig chip = kernel_chip(program, o.kernel, o.chip);
    if (auto diags = isa::verify(program, chip.limits); !diags.empty())
        throw isa::KernelError(o.kernel, diags);
    if (program.form == isa::ProgramForm::sequential)
        program = compiler::insert_sync(std::move(program), chip.limits, o.kernel);

    if (o.cores > chip.cores)
        throw nsim::UsageError(fmt::format("--cores {}: chip {} has {} cores, expected 1 to {}",
                                           o.cores, chip.name, chip.cores, chip.cores));
    // Each core runs its own copy of the kernel on its own copy of the tensors.
    sim::RunOptions sim_options;
    sim_options.timing_only = o.timing_only;
    sim_options.seed = o.seed;
    sim_options.max_sim_time_ns = o.max_sim_time_s * 1e9;
    sim_options.max_host_bytes = uint64_t(o.max_host_gib * (1ull << 30));
    sim_options.trace = !o.trace.empty();
    sim_options.races = o.races == "off"    ? sim::RaceMode::off
                        : o.races == "warn" ? sim::RaceMode::warn
                                            : sim::RaceMode::error;
    std::vector<sim::DeviceMemory> hbm(o.cores);
    std::vector<sim::CorePlacement> placements;
    const auto files = input_files(program, o);
    if (!o.timing_only)  // before the tensors are allocated below
        sim::check_host_memory(std::vector<std::vector<const isa::Program*>>(o.cores, {&program}),
                               chip.limits, sim_options.max_host_bytes);
    for (uint32_t c = 0; c < o.cores; ++c) {
        placements.push_back({0, c, {&program}});
        if (!o.timing_only) {  // timing alone never reads device memory
            hbm[c].allocate(program.tensors);
            load_inputs(hbm[c], program, files, o.seed);
        }
    }
    const auto ops = sim::builtin_custom_ops();
    const sim::SystemRunResult result = sim::run_system(chip, 1, placements, hbm, ops, sim_options);

    runtime::RunContext ctx{
        o.kernel, &program, &chip, o.timing_only,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count()};
    fmt::print("{}", runtime::run_summary(ctx, result));
    if (!o.report.empty()) write_text_file(o.report, runtime::run_report_json(ctx, result));
    if (!o.trace.empty()) write_text_file(o.trace, runtime::chrome_trace_json(ctx, result));
    if (!o.output_dir.empty() && !o.timing_only) save_outputs(hbm[0], program, o.output_dir);
    const size_t races = result.cores[0][0].race_count;  // the same kernel on every core
    if (races > 0 && sim_options.races == sim::RaceMode::error) {
        fmt::print(stderr,
                   "nsim: error: {} race(s) between unsynchronised instructions (see above; "
                   "--races=warn to go on)\n",
                   races);
        return kExitKernelError;
    }
    return kExitOk;
}

}  // namespace

Command add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* sub = app.add_subcommand("run",
                                       "Simulate a kernel on one NeuronCore (or --cores N): "
                                       "results, timing, races, memory traffic");
    sub->add_option("KERNEL", o->kernel,
                    "Kernel file (docs/kernel-format.md); a sequential body gets its semaphores "
                    "from the sync-insertion pass")
        ->required()
        ->check(CLI::ExistingFile);
    sub->add_option(
        "--chip", o->chip.chip,
        "Chip name (see configs/chips/) or a chip JSON file; default: inf1, trn1 or trn2 for a "
        "v1, v2 or v3 kernel");
    sub->add_option("--input", o->inputs,
                    "NAME=FILE.npy: the values of an input or weight tensor (repeatable); "
                    "tensors without one are filled from --seed")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->add_option("--output-dir", o->output_dir, "Write each output tensor there as NAME.npy");
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
    sub->add_option("--cores", o->cores,
                    "Run the kernel on this many cores of the chip at once, each with its own "
                    "copy of the tensors, all sharing the chip's device memory (outputs: core 0's)")
        ->check(whole_number(1, UINT32_MAX))
        ->capture_default_str();
    add_max_sim_time_option(*sub, o->max_sim_time_s);
    sub->add_option("--max-host-memory", o->max_host_gib,
                    "Refuse a run with results that would need more GiB of host memory than this")
        ->check(CLI::Range(1.0 / 1024, 65536.0))
        ->capture_default_str();
    sub->add_option("--set", o->chip.sets,
                    "PATH=VALUE: override a chip parameter, e.g. timing.tensor_clock_ghz=3.0 "
                    "(repeatable; `nsim describe CHIP` lists them)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->footer(
        "Exit codes: 0 ran, 1 invalid kernel, deadlock or race, 2 bad command line or unreadable "
        "file.");
    return {sub, [o] { return run_command(*o); }};
}

}  // namespace nsim::cli

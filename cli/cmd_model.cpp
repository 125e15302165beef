// `nsim model MODEL --instance NAME`: serve a model on a simulated instance, data or pipeline
// parallel, and report throughput, latency percentiles, cost and per-core utilisation.
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/model_summary.h"
#include "cli/number_arg.h"
#include "cli/sim_time_arg.h"
#include "runtime/chrome_trace.h"
#include "runtime/model_run.h"
#include "runtime/model_run_json.h"

namespace nsim::cli {

namespace {

struct ModelOptions {
    runtime::ModelRequest request;
    std::string parallel = "data";
    std::string report;
    std::string trace;
};

int model_command(ModelOptions o) {
    o.request.parallel = *runtime::parse_parallelism(o.parallel);  // CLI11 checked the name
    runtime::StageTraceWriter write_trace;
    if (!o.trace.empty())
        write_trace = [&o](const std::vector<runtime::TracedStage>& stages) {
            std::vector<runtime::TracedCore> cores;
            for (const auto& s : stages) cores.push_back({s.name, "", s.run});
            write_text_file(o.trace, runtime::chrome_trace_json(cores));
        };
    const runtime::ModelRunResult result = runtime::run_model(o.request, write_trace);
    print_model_summary(result);
    if (!o.report.empty()) write_text_file(o.report, nlohmann::json(result).dump(2) + "\n");
    return kExitOk;
}

}  // namespace

Command add_model_command(CLI::App& app) {
    auto o = std::make_shared<ModelOptions>();
    runtime::ModelRequest& q = o->request;
    CLI::App* sub = app.add_subcommand(
        "model", "Serve a model on a simulated instance: throughput, latency, cost");
    sub->add_option("MODEL", q.model,
                    "Model name (examples/models/: bert-base-uncased, ...) or a model JSON file")
        ->required();
    sub->add_option("--instance", q.instance,
                    "Instance name (configs/instances/) or an instance JSON file")
        ->required();
    sub->add_option("--batch", q.batch, "Inferences per request (the compiled batch size)")
        ->check(whole_number(1, UINT32_MAX))
        ->capture_default_str();
    sub->add_option("--max-instructions", q.max_instructions,
                    "Refuse a batch whose kernels would run more instructions per core than this")
        ->check(whole_number(1000))
        ->capture_default_str();
    add_max_sim_time_option(*sub, q.max_sim_time_s);
    sub->add_option("--parallel", o->parallel,
                    "data: a copy per core; pipeline: layers sharded over cores")
        ->check(CLI::IsMember({"data", "pipeline"}))
        ->capture_default_str();
    sub->add_option("--pipeline-cores", q.pipeline_cores,
                    "Cores one pipeline copy spans (default: all)")
        ->check(whole_number(1, UINT32_MAX));
    sub->add_option("--models", q.models, "Model copies (default: as many as the cores hold)")
        ->check(whole_number(1, UINT32_MAX));
    sub->add_option("--workers-per-model", q.workers_per_model,
                    "Closed-loop workers per copy (default: 2 for data parallel; for a pipeline "
                    "the fewest that reach its "
                    "highest throughput, as neuronperf runs the optimal count)")
        ->check(whole_number(1, UINT32_MAX));
    sub->add_option("--requests", q.requests,
                    "Measured requests (rounded up to whole rounds of every worker), after a "
                    "warm-up of 2 per worker")
        ->check(whole_number(1, runtime::kMaxRequests))
        ->capture_default_str();
    sub->add_option("--report", o->report, "Write the JSON report there");
    sub->add_option("--trace", o->trace,
                    "Write a Chrome trace of one batch through every measured stage there");
    sub->add_flag(
        "--functional", q.functional,
        "Also run the real arithmetic once (seeded weights) and compare with the fp32 reference");
    sub->add_option("--set", q.sets,
                    "PATH=VALUE: override an instance parameter, or chip.PATH=VALUE a chip one "
                    "(repeatable; `nsim describe INSTANCE` lists them)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->footer(
        "Exit codes: 0 ran, 1 a kernel failed in the simulator, 2 bad model, instance or flags.");
    return {sub, [o] { return model_command(*o); }};
}

}  // namespace nsim::cli

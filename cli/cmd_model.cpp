// `nsim model MODEL --instance NAME`: serve a model on a simulated instance, data or pipeline
// parallel, and report throughput, latency percentiles, cost and per-core utilisation.
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/model_run.h"

namespace nsim::cli {

namespace {

struct ModelOptions {
    ModelRequest request;
    std::string report;
};

}  // namespace

void print_model_summary(const nlohmann::json& r) {
    fmt::print("{} on {}: {} parallel, batch {}, {} cop{} x {} core{}, {} worker{} per copy\n",
               r["model"].get<std::string>(), r["instance"].get<std::string>(),
               r["parallel"].get<std::string>(), r["batch"].get<uint32_t>(),
               r["models"].get<uint32_t>(), r["models"] == 1 ? "y" : "ies",
               r["pipeline_cores"].get<uint32_t>(), r["pipeline_cores"] == 1 ? "" : "s",
               r["workers_per_model"].get<uint32_t>(), r["workers_per_model"] == 1 ? "" : "s");
    const auto& l = r["latency_ms"];
    fmt::print("  throughput   {:.1f} inferences/s ({} requests measured after {} warm-up)\n",
               r["throughput_per_s"].get<double>(), r["requests"].get<uint64_t>(),
               r["warmup_requests"].get<uint64_t>());
    fmt::print(
        "  latency ms   p0 {:.3f}  p50 {:.3f}  p90 {:.3f}  p95 {:.3f}  p99 {:.3f}  p100 {:.3f}  "
        "mean {:.3f}\n",
        l["p0"].get<double>(), l["p50"].get<double>(), l["p90"].get<double>(),
        l["p95"].get<double>(), l["p99"].get<double>(), l["p100"].get<double>(),
        l["mean"].get<double>());
    fmt::print("  cost         ${:.3f} per hour, ${:.4f} per 1M inferences\n",
               r["cost_per_hour_usd"].get<double>(), r["cost_per_1m_usd"].get<double>());
    if (r.contains("functional"))
        fmt::print("  functional   max |error| {:.3g} against the fp32 reference ({})\n",
                   r["functional"]["max_abs_error"].get<double>(),
                   r["functional"]["note"].get<std::string>());
    fmt::print("  simulated    {:.3f} ms of chip time in {:.1f} s of host time\n",
               r["simulated_ns"].get<double>() * 1e-6, r["host_seconds"].get<double>());
    fmt::print("\n{:<14} {:>4} {:>5} {:>9} {:>6} {:>7} {:>7} {:>7} {:>7} {:>9}\n", "core", "copy",
               "stage", "stage ms", "busy", "tensor", "vector", "scalar", "gpsimd", "dram GB/s");
    for (const auto& c : r["cores"]) {
        const auto& e = c["engine_utilisation"];
        auto pct = [&](const char* name) {
            return e.contains(name) ? fmt::format("{:.0f}%", 100 * e[name].get<double>()) : "-";
        };
        fmt::print("{:<14} {:>4} {:>5} {:>9.3f} {:>5.0f}% {:>7} {:>7} {:>7} {:>7} {:>9.1f}\n",
                   c["core"].get<std::string>(), c["copy"].get<size_t>(), c["stage"].get<size_t>(),
                   c["stage_ms"].get<double>(), 100 * c["busy"].get<double>(), pct("tensor"),
                   pct("vector"), pct("scalar"), pct("gpsimd"), c["dram_gbps"].get<double>());
    }
}

namespace {

int model_command(const ModelOptions& o) {
    const nlohmann::json report = run_model(o.request);
    print_model_summary(report);
    if (!o.report.empty()) write_text_file(o.report, report.dump(2) + "\n");
    return kExitOk;
}

}  // namespace

Command add_model_command(CLI::App& app) {
    auto o = std::make_shared<ModelOptions>();
    ModelRequest& q = o->request;
    CLI::App* sub = app.add_subcommand(
        "model", "Serve a model on a simulated instance: throughput, latency, cost");
    sub->add_option("MODEL", q.model,
                    "Model name (examples/models/: bert-base-uncased, ...) or a model JSON file")
        ->required();
    sub->add_option("--instance", q.instance,
                    "Instance name (configs/instances/) or an instance JSON file")
        ->required();
    sub->add_option("--batch", q.batch, "Inferences per request (the compiled batch size)")
        ->capture_default_str();
    sub->add_option("--parallel", q.parallel,
                    "data: a copy per core; pipeline: layers sharded over cores")
        ->check(CLI::IsMember({"data", "pipeline"}))
        ->capture_default_str();
    sub->add_option("--pipeline-cores", q.pipeline_cores,
                    "Cores one pipeline copy spans (default: all)");
    sub->add_option("--models", q.models, "Model copies (default: as many as the cores hold)");
    sub->add_option("--workers-per-model", q.workers_per_model,
                    "Closed-loop workers per copy (default: 2 for data parallel; for a pipeline "
                    "the fewest that reach its "
                    "highest throughput, as neuronperf runs the optimal count)");
    sub->add_option("--requests", q.requests,
                    "Measured requests (rounded up to whole rounds of every worker), after a "
                    "warm-up of 2 per worker")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    sub->add_option("--report", o->report, "Write the JSON report there");
    sub->add_option("--trace", q.trace,
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

// `nsim train MODEL --instance NAME --batch B`: one data-parallel training step of an encoder on
// every NeuronCore of an instance: compute, bucketed gradient all-reduce overlapped with it, AdamW.
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/number_arg.h"
#include "cli/sim_time_arg.h"
#include "cli/train_report.h"
#include "runtime/train_study.h"

namespace nsim::cli {

Command add_train_command(CLI::App& app) {
    auto o = std::make_shared<runtime::TrainRequest>();
    auto report = std::make_shared<std::string>(), trace = std::make_shared<std::string>();
    CLI::App* sub =
        app.add_subcommand("train",
                           "Simulate one data-parallel training step: compute, gradient "
                           "all-reduce overlapped with it, optimizer");
    sub->add_option("MODEL", o->model,
                    "Model name (examples/models/: bert-base-uncased, ...) or a model JSON file")
        ->required();
    sub->add_option("--instance", o->instance,
                    "Instance name (configs/instances/: trn1.32xlarge, ...) or JSON file")
        ->required();
    sub->add_option("--batch", o->batch,
                    "Sequences per NeuronCore (the global batch is this x the cores)")
        ->check(whole_number(1, UINT32_MAX))
        ->required();
    sub->add_option("--max-instructions", o->max_instructions,
                    "Refuse a batch whose kernels would run more instructions per core than this")
        ->check(whole_number(1000))
        ->capture_default_str();
    add_max_sim_time_option(*sub, o->max_sim_time_s);
    sub->add_option(
           "--bucket-bytes", o->bucket_bytes,
           "Gradient bucket size in bytes (default 26214400 = 25 MiB, PyTorch DDP's bucket_cap_mb)")
        ->check(whole_number(1))
        ->capture_default_str();
    sub->add_option("--report", *report, "Write the JSON report there");
    sub->add_option(
        "--trace", *trace,
        "Write a Chrome trace (compute and collective rows; open it in Perfetto) there");
    sub->add_option(
           "--set", o->sets,
           "PATH=VALUE: override an instance parameter, e.g. link_bandwidth_gbps=768, or a "
           "chip one as chip.PATH (repeatable; `nsim describe INSTANCE` lists them)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->footer("Exit codes: 0 ran, 2 bad command line, model, instance or override.");
    return {sub, [o, report, trace] {
                const runtime::TrainStudy s = runtime::run_train_study(*o);
                fmt::print("{}", train_summary(s));
                if (!report->empty()) write_text_file(*report, train_report_json(s));
                if (!trace->empty()) write_text_file(*trace, train_trace_json(s));
                return kExitOk;
            }};
}

}  // namespace nsim::cli

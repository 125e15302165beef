// `nsim train MODEL --instance NAME --batch B [--global-batch G] [--dtype D] [--optimizer O]`: one
// data-parallel global training step of an encoder on every NeuronCore of an instance: the
// micro-batches' compute with gradient accumulation, the bucketed gradient all-reduce overlapped
// with the last backward pass, the optimizer.
#include <memory>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/number_arg.h"
#include "cli/sim_time_arg.h"
#include "cli/train_report.h"
#include "runtime/train_study.h"

namespace nsim::cli {

namespace {

// A CLI11 check that `parse` knows the word, naming the choices when it does not.
template <class Parse>
CLI::Validator word_of(Parse parse, std::string_view choices) {
    return CLI::Validator(
        [parse, choices](std::string& text) {
            return parse(text)
                       ? std::string()
                       : fmt::format("unknown value '{}', expected one of: {}", text, choices);
        },
        std::string(choices));
}

}  // namespace

Command add_train_command(CLI::App& app) {
    auto o = std::make_shared<runtime::TrainRequest>();
    auto report = std::make_shared<std::string>(), trace = std::make_shared<std::string>();
    auto dtype = std::make_shared<std::string>("bf16-sr"),
         optimizer = std::make_shared<std::string>("adamw");
    CLI::App* sub =
        app.add_subcommand("train",
                           "Simulate one data-parallel global training step: micro-batches with "
                           "gradient accumulation, gradient all-reduce overlapped with the last "
                           "backward pass, optimizer");
    sub->add_option("MODEL", o->model,
                    "Model name (examples/models/: bert-base-uncased, ...) or a model JSON file")
        ->required();
    sub->add_option("--instance", o->instance,
                    "Instance name (configs/instances/: trn1.32xlarge, ...) or JSON file")
        ->required();
    sub->add_option("--batch", o->batch, "Sequences per NeuronCore in one micro-batch")
        ->check(whole_number(1, UINT32_MAX))
        ->required();
    sub->add_option("--global-batch", o->global_batch,
                    "Sequences per optimizer step, a multiple of --batch x the NeuronCores; the "
                    "gradients of global / (batch x cores) micro-batches are accumulated (default: "
                    "batch x cores, no accumulation)")
        ->check(whole_number(1));
    sub->add_option("--dtype", *dtype,
                    "Training data type: bf16-sr (bf16 autocast with stochastic rounding; fp32 "
                    "master weights and optimizer states) or fp32 (matmuls too)")
        ->check(word_of(runtime::parse_train_dtype, runtime::kTrainDtypeChoices))
        ->capture_default_str();
    sub->add_option("--optimizer", *optimizer, "Optimizer: adamw or lamb")
        ->check(word_of(runtime::parse_train_optimizer, runtime::kTrainOptimizerChoices))
        ->capture_default_str();
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
    return {sub, [o, report, trace, dtype, optimizer] {
                o->dtype = *runtime::parse_train_dtype(*dtype);
                o->optimizer = *runtime::parse_train_optimizer(*optimizer);
                const runtime::TrainStudy s = runtime::run_train_study(*o);
                fmt::print("{}", train_summary(s));
                if (!report->empty()) write_text_file(*report, train_report_json(s));
                if (!trace->empty()) write_text_file(*trace, train_trace_json(s));
                return kExitOk;
            }};
}

}  // namespace nsim::cli

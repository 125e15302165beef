// `nsim collective`: one all-reduce, all-gather or reduce-scatter on an instance's NeuronLink
// network; prints time and bandwidths next to the analytic bound, and checks the reduced data.
#include <cmath>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/number_arg.h"
#include "cli/size_arg.h"
#include "sim/collective/collective_run.h"
#include "sim/config/instance_config.h"
#include "sim/neuronlink/neuronlink_network.h"

namespace nsim::cli {

namespace {

struct CollectiveOptions {
    std::string instance, op, bytes, algo = "auto", dtype = "float32", reduce = "add", report;
    std::vector<uint32_t> group;
    std::vector<std::string> sets, rank_bytes;
};

template <class T, class Parse>
T parse_word(const std::string& text, const std::string& flag, const std::string& choices,
             Parse parse) {
    if (auto v = parse(text)) return *v;
    throw CLI::ValidationError(
        flag, fmt::format("unknown value '{}', expected one of: {}", text, choices));
}

sim::CollectiveRequest make_request(const CollectiveOptions& o) {
    sim::CollectiveRequest r;
    r.op = parse_word<sim::CollectiveOp>(o.op, "--op", "all_reduce, all_gather, reduce_scatter",
                                         sim::parse_collective_op);
    r.algo = parse_word<sim::CollectiveAlgo>(o.algo, "--algo", "ring, torus2d, hier, auto",
                                             sim::parse_collective_algo);
    r.dtype = parse_word<sim::CollectiveDType>(o.dtype, "--dtype", "float32, bfloat16",
                                               sim::parse_collective_dtype);
    r.reduce =
        parse_word<sim::ReduceOp>(o.reduce, "--reduce", "add, max, min", sim::parse_reduce_op);
    r.bytes = parse_size(o.bytes, "--bytes");
    r.group = o.group;
    return r;
}

std::string report_json(const sim::InstanceConfig& inst, const sim::CollectiveRunResult& r,
                        const std::string& algo_asked) {
    const auto& req = r.plan.request;
    const auto params = sim::link_params(inst);
    nlohmann::json j = {
        {"instance", inst.name},
        {"op", std::string(sim::name(req.op))},
        {"algo", std::string(sim::name(req.algo))},
        {"algo_requested", algo_asked},
        {"dtype", std::string(sim::name(req.dtype))},
        {"reduce", std::string(sim::name(req.reduce))},
        {"ranks", r.plan.members()},
        {"bytes", req.bytes},
        {"time_ns", r.time_ns},
        {"algo_bandwidth_gbps", r.algo_bandwidth_gbps},
        {"bus_bandwidth_gbps", r.bus_bandwidth_gbps},
        {"bound_ns", r.bound_ns},
        {"link_port_bandwidth_gbps", params.port_bytes_per_ns},
        {"link_latency_ns", params.latency_ns},
        {"step_overhead_ns", sim::collective_step_overhead_ns(inst)},
        {"verified", r.verified},
        {"verification", r.verification},
    };
    return j.dump(2) + "\n";
}

int collective_command(const CollectiveOptions& o) {
    sim::InstanceConfig inst = sim::load_instance(o.instance);
    sim::apply_overrides(inst, o.sets);
    sim::CollectiveRunOptions run_options;
    run_options.rank_bytes = parse_rank_bytes(o.rank_bytes);
    const auto result = sim::run_collective(inst, make_request(o), run_options);
    const auto& req = result.plan.request;
    fmt::print("{} on {}: {} {} bytes over {} ranks, algorithm {}\n", sim::name(req.op), inst.name,
               sim::name(req.dtype), req.bytes, result.plan.members(), sim::name(req.algo));
    // Rounding can put the time a hair under its bound: that is +0.0%, not -0.0%.
    const double over = result.bound_ns > 0 ? 100 * (result.time_ns / result.bound_ns - 1) : 0.0;
    fmt::print("  time        {:.1f} us (analytic bound {:.1f} us, {:+.1f}%)\n",
               result.time_ns / 1e3, result.bound_ns / 1e3, std::abs(over) < 0.05 ? 0.0 : over);
    fmt::print("  bandwidth   algo {:.2f} GB/s, bus {:.2f} GB/s\n", result.algo_bandwidth_gbps,
               result.bus_bandwidth_gbps);
    fmt::print("  verified    {}: {}\n", result.verified ? "yes" : "no", result.verification);
    if (!o.report.empty()) write_text_file(o.report, report_json(inst, result, o.algo));
    return result.verification.rfind("MISMATCH", 0) == 0 ? kExitKernelError : kExitOk;
}

}  // namespace

Command add_collective_command(CLI::App& app) {
    auto o = std::make_shared<CollectiveOptions>();
    CLI::App* sub = app.add_subcommand(
        "collective", "Simulate one collective over an instance's NeuronLink network");
    sub->add_option("--instance", o->instance,
                    "Instance name (see configs/instances/) or an instance JSON file")
        ->required();
    sub->add_option("--op", o->op, "all_reduce, all_gather or reduce_scatter")->required();
    sub->add_option("--bytes", o->bytes,
                    "Message size as nccl-tests counts it (the all_reduce buffer, the gathered "
                    "output, the reduce_scatter input), e.g. 4096, 64KiB, 1MiB, 1GiB")
        ->required();
    sub->add_option("--algo", o->algo, "ring, torus2d, hier or auto (the smallest analytic bound)")
        ->capture_default_str();
    sub->add_option("--dtype", o->dtype, "float32 or bfloat16 (bf16 sums in fp32)")
        ->capture_default_str();
    sub->add_option("--reduce", o->reduce, "add, max or min")->capture_default_str();
    sub->add_option("--replica-group", o->group,
                    "Ranks (NeuronCores, chip-major) taking part, e.g. 0,1,2,3; default all")
        ->delimiter(',');
    sub->add_option("--rank-bytes", o->rank_bytes,
                    "RANK=SIZE: that rank gives another buffer size (repeatable; a "
                    "mismatch is an error, as on hardware)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->add_option("--report", o->report, "Write the JSON report there");
    sub->add_option("--set", o->sets,
                    "PATH=VALUE: override an instance parameter, e.g. link_bandwidth_gbps=768 or "
                    "chip.collective.cc_cores=1 (repeatable)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->footer(
        "Exit codes: 0 ran, 1 bad collective (rank, group, sizes), deadlock or wrong data, 2 bad "
        "command line.");
    return {sub, [o] { return collective_command(*o); }};
}

}  // namespace nsim::cli

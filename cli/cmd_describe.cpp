// `nsim describe NAME` and `nsim list`: the resolved configuration of a chip or an instance, each
// value with its source or assumption, and the built-in chips and instances.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <tuple>

#include <fmt/format.h>

#include "cli/command.h"
#include "isa/error.h"
#include "sim/config/chip_config.h"
#include "sim/config/config_files.h"
#include "sim/config/instance_config.h"

namespace nsim::cli {

namespace {

struct DescribeOptions {
    std::string name;
    std::vector<std::string> sets;
};

void print_params(const std::vector<sim::DescribedParam>& params) {
    size_t width = 0;
    for (const auto& p : params) width = std::max(width, p.path.size() + p.value.size() + 3);
    for (const auto& p : params)
        fmt::print("{:<{}} {}{}\n", p.path + " = " + p.value, width,
                   p.source.calibrated   ? "CALIBRATED: "
                   : p.source.assumption ? "ASSUMPTION: "
                                         : "",
                   p.source.text);
}

// Chip and instance names do not collide, so a name is looked up as a chip, then as an instance.
// A file is an instance when it names its "chip".
bool names_an_instance(const std::string& name) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(name, ec))
        return sim::ConfigDocument(name, {}).has("chip");
    try {
        sim::resolve_config(name, "chips");
        return false;
    } catch (const nsim::ConfigError& as_chip) {
        try {
            sim::resolve_config(name, "instances");
            return true;
        } catch (const nsim::ConfigError& as_instance) {
            throw nsim::ConfigError(fmt::format("'{}' is neither a chip nor an instance\n{}\n{}",
                                                name, as_chip.what(), as_instance.what()));
        }
    }
}

int describe_config(const DescribeOptions& o) {
    if (names_an_instance(o.name)) {
        sim::InstanceConfig inst = sim::load_instance(o.name);
        sim::apply_overrides(inst, o.sets);
        fmt::print("instance {} ({} x {}) from {}\n\n", inst.name, inst.chips, inst.chip.name,
                   inst.file);
        print_params(sim::describe(inst));
        return kExitOk;
    }
    sim::ChipConfig chip = sim::load_chip(o.name);
    for (const auto& s : o.sets) sim::apply_override(chip, s);
    fmt::print("chip {} (NeuronCore-{}) from {}\n\n", chip.name,
               isa::generation_name(chip.generation), chip.file);
    print_params(sim::describe(chip));
    return kExitOk;
}

int list_configs() {
    fmt::print("chips:\n");
    for (const auto& name : sim::list_configs("chips")) {
        const auto chip = sim::load_chip(name);
        fmt::print("  {:<6} NeuronCore-{}, {} cores\n", name, isa::generation_name(chip.generation),
                   chip.cores);
    }
    fmt::print("instances:\n");
    std::vector<sim::InstanceConfig> instances;
    for (const auto& name : sim::list_configs("instances"))
        instances.push_back(sim::load_instance(name));
    // By family, then size: the names sort inf1.24xlarge before inf1.2xlarge.
    auto order = [](const sim::InstanceConfig& i) {
        return std::tuple(i.name.substr(0, i.name.find('.')), i.chips, i.vcpus);
    };
    std::stable_sort(instances.begin(), instances.end(),
                     [&](const auto& a, const auto& b) { return order(a) < order(b); });
    for (const auto& inst : instances) {
        const auto& name = inst.name;
        std::string topology = inst.topology;
        if (inst.topology == "torus2d")
            topology += fmt::format(" {}x{}", inst.torus_dims[0], inst.torus_dims[1]);
        fmt::print("  {:<15} {:>2} x {:<5} {:<12} ${:.2f}/h\n", name, inst.chips, inst.chip.name,
                   topology, inst.price_per_hour_usd);
    }
    return kExitOk;
}

}  // namespace

Command add_describe_command(CLI::App& app) {
    auto o = std::make_shared<DescribeOptions>();
    CLI::App* sub = app.add_subcommand(
        "describe",
        "Print a chip's or an instance's resolved configuration, each value with its source");
    sub->add_option("NAME", o->name,
                    "Chip or instance name (`nsim list`), or a chip or instance JSON file")
        ->required();
    sub->add_option("--set", o->sets,
                    "PATH=VALUE: override a parameter first (repeatable); on an instance, "
                    "chip.PATH=VALUE sets its chip's")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    return {sub, [o] { return describe_config(*o); }};
}

Command add_list_command(CLI::App& app) {
    CLI::App* sub = app.add_subcommand("list", "List the built-in chips and instances");
    return {sub, [] { return list_configs(); }};
}

}  // namespace nsim::cli

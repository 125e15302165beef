// `nsim describe CHIP` and `nsim list`: the resolved configuration of a chip, each value with its
// source or assumption, and the built-in chips.
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"
#include "sim/chip_config.h"
#include "sim/config_files.h"

namespace nsim::cli {

namespace {

struct DescribeOptions {
    std::string chip;
    std::vector<std::string> sets;
};

int describe_chip(const DescribeOptions& o) {
    sim::ChipConfig chip = sim::load_chip(o.chip);
    for (const auto& s : o.sets) sim::apply_override(chip, s);
    fmt::print("chip {} (NeuronCore-{}) from {}\n\n", chip.name, isa::generation_name(chip.generation), chip.file);
    size_t width = 0;
    const auto params = sim::describe(chip);
    for (const auto& p : params) width = std::max(width, p.path.size() + p.value.size() + 3);
    for (const auto& p : params)
        fmt::print("{:<{}} {}{}\n", p.path + " = " + p.value, width, p.source.assumption ? "ASSUMPTION: " : "",
                   p.source.text);
    return kExitOk;
}

}  // namespace

Command add_describe_command(CLI::App& app) {
    auto o = std::make_shared<DescribeOptions>();
    CLI::App* sub = app.add_subcommand("describe", "Print a chip's resolved configuration, each value with its source");
    sub->add_option("CHIP", o->chip, "Chip name (`nsim list`) or a chip JSON file")->required();
    sub->add_option("--set", o->sets, "PATH=VALUE: override a parameter first (repeatable)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    return {sub, [o] { return describe_chip(*o); }};
}

Command add_list_command(CLI::App& app) {
    CLI::App* sub = app.add_subcommand("list", "List the built-in chips");
    return {sub, [] {
                for (const auto& name : sim::list_configs("chips")) {
                    const auto chip = sim::load_chip(name);
                    fmt::print("{:<6} NeuronCore-{}, {} cores\n", name, isa::generation_name(chip.generation), chip.cores);
                }
                return kExitOk;
            }};
}

}  // namespace nsim::cli

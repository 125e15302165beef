// The chip a kernel is run or checked on: `--chip` and `--set`, shared by `run` and `check`.
#pragma once

#include <string>
#include <vector>

#include "isa/program.h"
#include "sim/config/chip_config.h"

namespace nsim::cli {

// The chip's name or JSON file (empty: the usual chip of the kernel's generation) and the
// `--set PATH=VALUE` overrides applied to it.
struct ChipChoice {
    std::string chip;
    std::vector<std::string> sets;
    bool given() const { return !chip.empty() || !sets.empty(); }
};

// Loads the chosen chip with its overrides; throws UsageError when its generation is not the
// kernel's (`kernel_file` names the kernel in the message), ConfigError on a bad chip or value.
sim::ChipConfig kernel_chip(const isa::Program& p, const std::string& kernel_file,
                            const ChipChoice& choice);

}  // namespace nsim::cli

#include "cli/kernel_chip.h"

#include <fmt/format.h>

#include "isa/error.h"

namespace nsim::cli {

sim::ChipConfig kernel_chip(const isa::Program& p, const std::string& kernel_file,
                            const ChipChoice& choice) {
    static const char* const kDefaultChip[] = {"inf1", "trn1", "trn2"};  // by generation v1, v2, v3
    sim::ChipConfig chip =
        sim::load_chip(choice.chip.empty() ? kDefaultChip[size_t(p.target)] : choice.chip);
    for (const auto& s : choice.sets) sim::apply_override(chip, s);
    if (p.target != chip.generation)
        throw nsim::UsageError(fmt::format("{}: the kernel targets {} but chip {} is NeuronCore-{}",
                                           kernel_file, isa::generation_name(p.target), chip.name,
                                           isa::generation_name(chip.generation)));
    return chip;
}

}  // namespace nsim::cli

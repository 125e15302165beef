// `nsim check KERNEL`: parse and verify a kernel file (for its generation or a given chip), print
// its summary.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/command.h"
#include "cli/file_io.h"
#include "cli/kernel_chip.h"
#include "cli/kernel_summary.h"
#include "isa/kernel_text.h"
#include "isa/verifier.h"

namespace nsim::cli {

namespace {

struct CheckOptions {
    std::string kernel;
    std::string target;  // empty: the file's own target line
    ChipChoice chip;     // none given: the target generation's default limits
};

// The instruction set as `check --help` lists it, from the opcode table: each opcode with its
// operands in canonical order ([optional] ones bracketed), its engines, and what it computes.
std::string instruction_reference() {
    std::string out =
        "Instructions: OPCODE KEY=VALUE ... (docs/kernel-format.md), operands in canonical "
        "order:\n";
    for (int op = 0; op < isa::kOpcodeCount; ++op) {
        const isa::OpcodeInfo& info = isa::opcode_info(isa::Opcode(op));
        std::vector<std::string> operands, engines;
        for (const auto& arg : info.args)
            operands.push_back(arg.required ? std::string(arg.name)
                                            : fmt::format("[{}]", arg.name));
        for (int e = 0; e < isa::kEngineCount; ++e)
            if (isa::has_engine(info.engines, isa::Engine(e)))
                engines.emplace_back(isa::engine_name(isa::Engine(e)));
        const std::string default_engine =
            engines.size() > 1 ? fmt::format(", default {}", isa::engine_name(info.default_engine))
                               : "";
        out +=
            fmt::format("  {} {}  (engine {}{})\n      {}\n", info.name, fmt::join(operands, " "),
                        fmt::join(engines, "|"), default_engine, info.summary);
    }
    return out;
}

}  // namespace

isa::Program check_kernel(std::string_view text, const std::string& file,
                          std::optional<isa::Generation> target, const ChipChoice& chip) {
    isa::Program p = isa::parse_kernel(text, file);
    if (target) p.target = *target;
    const isa::TargetLimits limits =
        chip.given() ? kernel_chip(p, file, chip).limits : isa::default_limits(p.target);
    if (auto diags = isa::verify(p, limits); !diags.empty())
        throw isa::KernelError(file, std::move(diags));
    fmt::print("{}", kernel_summary(p, file, limits));
    return p;
}

Command add_check_command(CLI::App& app) {
    auto opts = std::make_shared<CheckOptions>();
    CLI::App* sub = app.add_subcommand(
        "check", "Parse and verify a kernel file; print a summary of it (exit 1 on any error)");
    sub->add_option("KERNEL", opts->kernel, "Kernel file to check (docs/kernel-format.md)")
        ->required()
        ->check(CLI::ExistingFile);
    sub->add_option("--target", opts->target,
                    "Verify for this NeuronCore generation instead of the file's `target` line: "
                    "v1 = inf1, v2 = trn1/inf2, v3 = trn2")
        ->check(CLI::IsMember({"v1", "v2", "v3"}));
    sub->add_option("--chip", opts->chip.chip,
                    "Verify against this chip's limits (a name, see configs/chips/, or a chip JSON "
                    "file such as a what-if variant) instead of the generation's defaults");
    sub->add_option("--set", opts->chip.sets,
                    "PATH=VALUE: override a limit of the chip, e.g. limits.partitions=256 "
                    "(repeatable; `nsim describe CHIP` lists them)")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    sub->footer(
        "Errors are printed as FILE:LINE:COLUMN: error: MESSAGE, one per line, on stderr.\n"
        "Exit codes: 0 valid, 1 invalid kernel, 2 bad command line or unreadable file.\n\n" +
        instruction_reference());
    return {sub, [opts] {
                std::optional<isa::Generation> target;
                if (!opts->target.empty()) target = isa::parse_generation(opts->target);
                check_kernel(map_kernel_file(opts->kernel).text(), opts->kernel, target,
                             opts->chip);
                return kExitOk;
            }};
}

}  // namespace nsim::cli

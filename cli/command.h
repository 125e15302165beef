// The subcommands of `nsim`: each file cmd_*.cpp adds one to the CLI11 app and says how to run it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/kernel_chip.h"
#include "isa/program.h"

namespace nsim::cli {

// Exit codes shared by every command (README "CLI reference").
inline constexpr int kExitOk = 0;
inline constexpr int kExitKernelError =
    1;  // the kernel is invalid, or not canonical for fmt --check
inline constexpr int kExitUsageError = 2;  // bad flags, unreadable files, internal errors

// A registered subcommand. CLI11 parses into the command's own options object (captured by
// `run`); after parsing, main runs the one the user named.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

Command add_check_command(CLI::App& app);
Command add_fmt_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_demo_command(CLI::App& app);
Command add_describe_command(CLI::App& app);
Command add_list_command(CLI::App& app);
Command add_model_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_sweep_point_command(CLI::App& app);
Command add_collective_command(CLI::App& app);
Command add_train_command(CLI::App& app);

// Parses and verifies kernel text and prints its summary to stdout; `target`, when set, replaces
// the file's target (limits and generation rules); a `chip`, when given, supplies the limits. A
// bad kernel throws isa::KernelError, which main reports. Shared by `check` and the default job.
isa::Program check_kernel(std::string_view text, const std::string& file,
                          std::optional<isa::Generation> target, const ChipChoice& chip = {});

}  // namespace nsim::cli

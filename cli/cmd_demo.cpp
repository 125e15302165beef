// `nsim demo`, also what `nsim` runs without a command: check the example kernel built into the
// binary and print its canonical text, so a first run shows what nsim does.
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/default_kernel.h"
#include "isa/kernel_text.h"

namespace nsim::cli {

namespace {

int run_demo() {
    const std::string file(kDefaultKernelFile);
    fmt::print("nsim {}: checking the example kernel built into this binary, {}\n"
               "(`nsim --help` lists the commands; `nsim check {}` does the same from the file)\n\n",
               NSIM_VERSION, file, file);
    const isa::Program p = check_kernel(kDefaultKernelText, file, std::nullopt);
    fmt::print("\ncanonical text (`nsim fmt {}`):\n\n{}", file, isa::print_kernel(p));
    return kExitOk;
}

}  // namespace

Command add_demo_command(CLI::App& app) {
    CLI::App* sub = app.add_subcommand(
        "demo", fmt::format("Check the example kernel built into nsim ({}) and print it; what "
                            "`nsim` alone runs",
                            kDefaultKernelFile));
    return {sub, run_demo};
}

}  // namespace nsim::cli

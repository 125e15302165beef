// `nsim demo`, also what `nsim` runs without a command: check the example kernel built into the
// binary, then serve BERT-base on a simulated inf1.xlarge, so a first run shows what nsim does.
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/default_kernel.h"
#include "cli/model_summary.h"
#include "runtime/model_run.h"

namespace nsim::cli {

namespace {

int run_demo() {
    const std::string file(kDefaultKernelFile);
    fmt::print(
        "nsim {}: checking the example kernel built into this binary, {}\n"
        "(`nsim --help` lists the commands; `nsim check {}` does the same from the file)\n\n",
        NSIM_VERSION, file, file);
    check_kernel(kDefaultKernelText, file, std::nullopt);
    // The founding question: BERT-base (seq 128) served on inf1.xlarge, a copy per NeuronCore.
    runtime::ModelRequest request;
    request.model = "bert-base-uncased";
    request.instance = "inf1.xlarge";
    fmt::print(
        "\nserving {} on {} (`nsim model {} --instance {}` does the same; see `nsim model "
        "--help`)\n\n",
        request.model, request.instance, request.model, request.instance);
    print_model_summary(runtime::run_model(request));
    return kExitOk;
}

}  // namespace

Command add_demo_command(CLI::App& app) {
    CLI::App* sub = app.add_subcommand(
        "demo",
        fmt::format("Check the example kernel built into nsim ({}), then serve BERT-base on a "
                    "simulated inf1.xlarge; what `nsim` alone runs",
                    kDefaultKernelFile));
    return {sub, run_demo};
}

}  // namespace nsim::cli

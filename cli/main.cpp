// nsim: the command line. Parses flags with CLI11, runs one command, and turns every failure into
// a message on stderr and a non-zero exit code (see cli/command.h for the codes).
#include <csignal>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include "cli/command.h"
#include "isa/diagnostic.h"
#include "isa/error.h"

namespace {

using namespace nsim::cli;

// CLI11's message, prefixed like every other nsim error, with a pointer to the right help. A
// stray word where a command belongs is named as the unknown command it is.
std::string usage_failure(const CLI::App* app, const CLI::Error& e) {
    std::string message = e.what();
    const std::vector<std::string> extra = app->remaining();
    if (dynamic_cast<const CLI::ExtrasError*>(&e) && app->get_subcommands().empty() &&
        !extra.empty() && extra.front().rfind('-', 0) != 0) {
        std::vector<std::string> names;
        for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; }))
            names.push_back(sub->get_name());
        message = fmt::format("unknown command '{}' (the commands are {})", extra.front(),
                              fmt::join(names, ", "));
    }
    std::string command = app->get_name();
    for (const CLI::App* sub : app->get_subcommands()) command += " " + sub->get_name();
    return fmt::format("nsim: error: {}\nRun `{} --help` for the usage.\n", message, command);
}

int run(int argc, char** argv) {
    CLI::App app{
        "nsim: cycle-approximate simulator of AWS Inferentia and Trainium NeuronCores.\n"
        "Checks and formats kernel files (docs/kernel-format.md), simulates kernels on "
        "NeuronCores, and\n"
        "serves models on simulated instances (latency, throughput, cost).",
        "nsim"};
    app.set_version_flag("--version", std::string("nsim ") + NSIM_VERSION);
    app.failure_message(usage_failure);
    app.require_subcommand(0, 1);
    app.footer(
        "Without a command, nsim runs `demo`. `nsim COMMAND --help` describes a command's flags.");
    const Command check = add_check_command(app), format = add_fmt_command(app),
                  run_kernel = add_run_command(app), demo = add_demo_command(app),
                  describe = add_describe_command(app), list = add_list_command(app),
                  model = add_model_command(app), sweep = add_sweep_command(app),
                  sweep_point = add_sweep_point_command(app),
                  collective = add_collective_command(app), train = add_train_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);  // prints the help, the version or the error
        return code == 0 ? kExitOk : kExitUsageError;
    }
    for (const Command* command : {&check, &format, &run_kernel, &demo, &describe, &list, &model,
                                   &sweep, &sweep_point, &collective, &train})
        if (command->app->parsed()) return command->run();
    return demo.run();  // no command: the default job
}

// Kernel files are read through a mapping (cli/file_io.h): one truncated while nsim reads it
// faults the read. Said plainly instead of a crash.
extern "C" void on_bus_error(int) {
    static const char message[] =
        "nsim: error: a file nsim was reading was truncated meanwhile (bus error); run again\n";
    (void)!::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(kExitUsageError);
}

}  // namespace

// libsystemc references sc_main; nsim drives SystemC from its own main (through sim::run_kernel),
// so this one is never called.
extern "C" int sc_main(int, char**) { return kExitUsageError; }

int main(int argc, char** argv) {
    std::signal(SIGBUS, on_bus_error);
    try {
        return run(argc, argv);
    } catch (const nsim::isa::KernelError& e) {
        fmt::print(stderr, "{}\n", e.what());  // one FILE:LINE:COLUMN: error: ... per line
        return nsim::exit_code(e.kind());
    } catch (const nsim::Error& e) {
        fmt::print(stderr, "nsim: error: {}\n", e.what());
        return nsim::exit_code(e.kind());
    } catch (const std::bad_alloc&) {
        // The limits on inputs should have refused the work first: report, never abort.
        fmt::print(stderr,
                   "nsim: error: out of host memory: the sizes given need more memory than this "
                   "machine has\n");
    } catch (const std::exception& e) {
        fmt::print(stderr, "nsim: error: {}\n", e.what());
    } catch (...) {
        fmt::print(stderr, "nsim: error: unexpected failure\n");
    }
    return kExitUsageError;
}

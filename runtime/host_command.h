// Running a program of the host (sbatch, squeue, scontrol, sacct) and capturing what it printed.
#pragma once

#include <string>
#include <vector>

namespace nsim::runtime {

// How a program ended: its exit status (128 + N after signal N) and its stdout and stderr together.
struct CommandOutput {
    int status = 0;
    std::string output;
};

// `s` in single quotes for a POSIX shell, each quote in it written '\''.
std::string shell_quote(const std::string& s);

// Runs `argv` (argv[0] looked up on the PATH) with stdin from /dev/null and waits for it. Throws
// UsageError "cannot run PROGRAM: REASON" when it cannot be started (not installed, say).
CommandOutput run_host_command(const std::vector<std::string>& argv);

}  // namespace nsim::runtime

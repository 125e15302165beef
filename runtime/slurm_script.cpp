#include "runtime/slurm_script.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "isa/error.h"
#include "runtime/host_command.h"

namespace nsim::runtime {

namespace {

// A value on an #SBATCH line, which sbatch splits at white space and which ends at a line break.
void check_sbatch_value(const std::string& what, const std::string& value) {
    if (value.find_first_of(" \t\n\r") != std::string::npos)
        throw UsageError(fmt::format(
            "{} '{}': a Slurm job script cannot carry white space or a line break there", what,
            value));
}

}  // namespace

size_t task_count(const SlurmJob& job) {
    const size_t chunk = std::max(1u, job.options.chunk);
    return (job.points.size() + chunk - 1) / chunk;
}

std::string default_time_limit(unsigned chunk, std::optional<double> longest_seconds) {
    const unsigned points = std::max(1u, chunk);
    if (!longest_seconds) return std::to_string(60 * points);
    const double minutes = std::ceil(4 * *longest_seconds * points / 60);
    return std::to_string(std::max(10, int(std::min(minutes, 1e6))));
}

void check_sbatch_values(const SlurmJob& job) {
    const SlurmOptions& o = job.options;
    check_sbatch_value("--out", job.sweep_dir);
    check_sbatch_value("job name", job.name);
    check_sbatch_value("working directory", job.work_dir);
    for (const auto& [flag, value] : {std::pair{"--time", o.time},
                                      {"--mem", o.mem},
                                      {"--partition", o.partition},
                                      {"--account", o.account}})
        check_sbatch_value(flag, value);
    for (const std::string& arg : o.sbatch_args) check_sbatch_value("--sbatch-arg", arg);
}

std::string slurm_script(const SlurmJob& job) {
    check_sbatch_values(job);
    const SlurmOptions& o = job.options;
    const std::string& dir = job.sweep_dir;
    std::string s = "#!/bin/bash\n";
    s += fmt::format("# Written by `nsim sweep --executor slurm`: {} points of {}, {} per task.\n",
                     job.points.size(), dir, std::max(1u, o.chunk));
    s += fmt::format("#SBATCH --job-name={}\n", job.name);
    s += fmt::format("#SBATCH --array=0-{}\n", task_count(job) - 1);
    s += fmt::format("#SBATCH --chdir={}\n", job.work_dir);
    s += fmt::format("#SBATCH --output={}/slurm/logs/%A_%a.out\n", dir);
    s += fmt::format("#SBATCH --error={}/slurm/logs/%A_%a.err\n", dir);
    s += fmt::format("#SBATCH --time={}\n",
                     o.time.empty() ? default_time_limit(o.chunk, {}) : o.time);
    s += fmt::format("#SBATCH --mem={}\n", o.mem);
    s += fmt::format("#SBATCH --cpus-per-task={}\n", o.cpus_per_task);
    if (!o.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", o.partition);
    if (!o.account.empty()) s += fmt::format("#SBATCH --account={}\n", o.account);
    for (const std::string& arg : o.sbatch_args) s += fmt::format("#SBATCH {}\n", arg);
    s += "set -u\n";
    s += "# The points of this submission; task K runs points[K*chunk] to "
         "points[K*chunk+chunk-1].\n";
    s += fmt::format("points=({})\n", fmt::join(job.points, " "));
    s += fmt::format("chunk={}\n", std::max(1u, o.chunk));
    s += "status=0\n";
    s += "first=$((SLURM_ARRAY_TASK_ID * chunk))\n";
    s += "for ((i = first; i < first + chunk && i < ${#points[@]}; i++)); do\n";
    s += "  p=$(printf 'point-%05d' \"${points[i]}\")\n";
    s += fmt::format(
        "  {} sweep-point {}/points/\"$p\".json --out {}/results/\"$p\".json || "
        "status=$?\n",
        shell_quote(job.nsim), shell_quote(dir), shell_quote(dir));
    s += "done\n";
    s += "exit \"$status\"\n";
    return s;
}

}  // namespace nsim::runtime

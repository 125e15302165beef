// The job script of a sweep on a Slurm cluster: one array job, each task running `nsim
// sweep-point` on its points (one, or --chunk N) of a sweep directory (runtime/sweep_dir.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace nsim::runtime {

// What the job asks of the cluster, written as #SBATCH lines.
struct SlurmOptions {
    std::string partition;   // empty: the cluster's default partition
    std::string account;     // empty: the user's default account
    std::string time;        // per task, in sbatch's forms; empty: default_time_limit
    std::string mem = "2G";  // per task; the largest point of the reference study peaks at 1.0 GB
    unsigned cpus_per_task = 1;            // a point simulates on one thread
    unsigned chunk = 1;                    // points per task
    std::vector<std::string> sbatch_args;  // more options for sbatch, each as given ("--qos=low")
};

// One submission: which points, run by which nsim, from where.
struct SlurmJob {
    std::string name;            // the job's name in squeue
    std::string nsim;            // absolute path of the nsim the tasks run
    std::string work_dir;        // the tasks' working directory, where relative model paths resolve
    std::string sweep_dir;       // absolute
    std::vector<size_t> points;  // indices of the points to run, in task order
    SlurmOptions options;
};

// Tasks the job has: the points in groups of `chunk`.
size_t task_count(const SlurmJob& job);

// A task's time limit when --time is not given, as sbatch's minutes: four times the longest host
// time a point of the sweep took so far (`longest_seconds`, if any ran) per point of a chunk, at
// least 10 minutes; an hour per point before any point ran.
std::string default_time_limit(unsigned chunk, std::optional<double> longest_seconds);

// Throws UsageError for what an #SBATCH line cannot carry: a path or option with white space
// (sbatch splits #SBATCH lines at it) or a line break.
void check_sbatch_values(const SlurmJob& job);

// The script's text, for a job of at least one point; checks as check_sbatch_values does.
std::string slurm_script(const SlurmJob& job);

}  // namespace nsim::runtime

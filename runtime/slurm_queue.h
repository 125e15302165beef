// Asking a Slurm cluster through its client commands: submitting a job (sbatch), whether its tasks
// still run (squeue), and how each ended (sacct, or `scontrol show job` where the cluster keeps no
// accounting, as Debian's one-node slurm-wlm without slurmdbd). The parsers are apart, to be tested
// on the commands' text.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace nsim::runtime {

// How many of a job's tasks are waiting and running.
struct JobActivity {
    size_t pending = 0;
    size_t running = 0;  // running, configuring or completing
};

// How an array task ended, as Slurm says.
struct TaskEnd {
    std::string state;      // COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ...
    std::string exit_code;  // "CODE:SIGNAL"
};

// Submits the job script; returns the job's id. Throws UsageError with sbatch's message when sbatch
// is missing or refuses the script.
std::string submit_job(const std::string& script);
// True when sbatch --test-only accepts the script; otherwise sbatch's message in `why`.
bool test_job(const std::string& script, std::string& why);

// The job's tasks still waiting or running; nothing when squeue cannot say (the controller does not
// answer). A job Slurm no longer knows has no task left.
std::optional<JobActivity> job_activity(const std::string& job);

// How the job's ended tasks ended, by task id: from sacct, else from `scontrol show job`; empty
// when neither knows the job any more.
std::map<size_t, TaskEnd> ended_tasks(const std::string& job);

// The parsers: `squeue -h -r -o %T` (one state per line), `sacct -n -P -X -o JobID,State,ExitCode`
// and `scontrol -o show job` of the array job `job`.
JobActivity parse_squeue_states(const std::string& text);
std::map<size_t, TaskEnd> parse_sacct(const std::string& text, const std::string& job);
std::map<size_t, TaskEnd> parse_scontrol_jobs(const std::string& text);

}  // namespace nsim::runtime

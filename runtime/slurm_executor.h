// A study on a Slurm cluster: the points written to a sweep directory, one array job submitted for
// those without a result, followed until every task ended, then gathered.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "runtime/slurm_script.h"
#include "runtime/study_executor.h"
#include "runtime/sweep_dir.h"

namespace nsim::runtime {

// Where a followed job stands.
struct SlurmProgress {
    std::string job;
    size_t submitted = 0;  // points the job runs
    size_t pending = 0;    // tasks
    size_t running = 0;    // tasks
    size_t results = 0;    // points of the study with a result
    size_t points = 0;     // of the study
};
using SlurmProgressDone = std::function<void(const SlurmProgress&)>;

// A job script ready to submit.
struct PreparedJob {
    std::string script;  // its path
    size_t points = 0;   // it runs
    size_t tasks = 0;
};

class SlurmExecutor final : public StudyExecutor {
public:
    // `job` gives the nsim, the working directory and the options (its points are chosen here);
    // `dir` is absolute. `progress` is told when the job is submitted and when its counts change.
    SlurmExecutor(SweepDir dir, SlurmJob job, SlurmProgressDone progress = {})
        : m_dir(std::move(dir)), m_job(std::move(job)), m_progress(std::move(progress)) {}

    // Writes the points and a job script for those without a result (a script of no task when
    // every point has one). Refuses (UsageError) while an earlier job of the directory still runs.
    PreparedJob prepare(const Study& study);

    // prepare, sbatch, follow with squeue until no task is left (and `done` for each new result),
    // keep why points were left without a result, gather. Throws when sbatch refuses the job or
    // squeue stops answering for longer than `kLostContact`.
    std::vector<PointResult> run(const Study& study, const PointDone& done) override;

    static constexpr std::chrono::seconds kPollInterval{2};
    static constexpr std::chrono::seconds kLostContact{120};

private:
    void follow(const Study& study, const std::string& job, const PointDone& done);
    void keep_failures(const std::string& job);

    SweepDir m_dir;
    SlurmJob m_job;
    SlurmProgressDone m_progress;
};

}  // namespace nsim::runtime

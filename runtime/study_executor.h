// Where the points of a study run: the interface `nsim sweep` drives, with the local executor
// (child processes on this machine) here and the Slurm one in runtime/slurm_executor.h; another
// engine is one more implementation.
#pragma once

#include <vector>

#include "runtime/study.h"
#include "runtime/study_run.h"

namespace nsim::runtime {

class StudyExecutor {
public:
    virtual ~StudyExecutor() = default;
    // Runs the points of `study`, calling `done` as each ends, and returns every point's outcome
    // in the study's order, each pointing into `study`. A failing point does not stop the others.
    virtual std::vector<PointResult> run(const Study& study, const PointDone& done) = 0;
};

// Each point in a child process of its own on this machine, `jobs` at a time (run_study).
class LocalExecutor final : public StudyExecutor {
public:
    explicit LocalExecutor(unsigned jobs) : m_jobs(jobs) {}
    std::vector<PointResult> run(const Study& study, const PointDone& done) override {
        return run_study(study, m_jobs, done);
    }

private:
    unsigned m_jobs;
};

}  // namespace nsim::runtime

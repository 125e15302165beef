// The Slurm executor against stand-in client commands on the PATH: it stops with one clear error
// when sbatch is missing or an earlier job of the directory still runs, and follows a job to its
// end, gathering the results its tasks wrote and the reasons of the points left without one.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "isa/error.h"
#include "runtime/slurm_executor.h"
#include "tests/runtime/temp_dir.h"

using Catch::Contains;
using namespace nsim::runtime;
namespace fs = std::filesystem;

namespace {

Study one_point_study() {
    StudyPoint point;
    point.request.model = "bert-base-uncased";
    point.request.instance = "inf1.xlarge";
    return {"one", "one.json", "00000000000000aa", {point}, {}, {}};
}

// An executable shell script `name` in `dir`, which becomes the only directory on the PATH.
void stand_in(const fs::path& dir, const std::string& name, const std::string& body) {
    const fs::path path = dir / name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
}

SlurmExecutor executor_in(const fs::path& dir) {
    const std::string sweep = (dir / "sweep").string();
    return SlurmExecutor(SweepDir(sweep), SlurmJob{"nsim-sweep", "/bin/nsim", "/", sweep, {}, {}});
}

}  // namespace

TEST_CASE("slurm executor: without sbatch the sweep stops naming it, its points written",
          "[runtime]") {
    const nsim::test::TempDir temp("nsim-slurm-executor");
    ::setenv("PATH", temp.path.c_str(), 1);  // nothing of Slurm there
    SlurmExecutor executor = executor_in(temp.path);
    CHECK_THROWS_WITH(executor.run(one_point_study(), {}), Contains("cannot run sbatch"));
    CHECK(fs::exists(temp.path / "sweep/points/point-00000.json"));
    CHECK(fs::exists(temp.path / "sweep/slurm/sweep.sbatch"));
}

TEST_CASE("slurm executor: an earlier job of the directory still running is not submitted over",
          "[runtime]") {
    const nsim::test::TempDir temp("nsim-slurm-executor");
    stand_in(temp.path, "squeue", "echo RUNNING");
    ::setenv("PATH", temp.path.c_str(), 1);
    fs::create_directories(temp.path / "sweep/slurm");
    std::ofstream(temp.path / "sweep/slurm/job") << "41";
    SlurmExecutor executor = executor_in(temp.path);
    CHECK_THROWS_AS(executor.prepare(one_point_study()), nsim::UsageError);
    CHECK_THROWS_WITH(executor.prepare(one_point_study()), Contains("Slurm job 41"));
}

TEST_CASE("slurm executor: a job that ended without a point's result leaves it failed with why",
          "[runtime]") {
    const nsim::test::TempDir temp("nsim-slurm-executor");
    stand_in(temp.path, "sbatch", "echo 7");
    stand_in(temp.path, "squeue", "true");  // no task left
    stand_in(temp.path, "sacct", "echo 'Slurm accounting storage is disabled'; exit 1");
    stand_in(temp.path, "scontrol",
             "echo 'JobId=8 ArrayJobId=7 ArrayTaskId=0 JobState=TIMEOUT Reason=TimeLimit "
             "ExitCode=0:15'");
    ::setenv("PATH", temp.path.c_str(), 1);
    fs::create_directories(temp.path / "sweep/slurm/logs");
    std::ofstream(temp.path / "sweep/slurm/logs/7_0.err")
        << "starting\nslurmstepd: error: *** JOB 8 CANCELLED DUE TO TIME LIMIT ***\n";
    SlurmExecutor executor = executor_in(temp.path);
    const Study study = one_point_study();
    size_t told = 0;
    const auto results = executor.run(study, [&](const PointResult& r, size_t finished) {
        ++told;
        CHECK(finished == 1);
        CHECK_FALSE(r.result);
    });
    CHECK(told == 1);
    REQUIRE(results.size() == 1);
    CHECK_THAT(results[0].error, Contains("Slurm task 7_0 ended TIMEOUT (exit code 0:15)"));
    CHECK_THAT(results[0].error, Contains("CANCELLED DUE TO TIME LIMIT"));
    // Kept for a later gather.
    CHECK(SweepDir((temp.path / "sweep").string()).gather(study)[0].error == results[0].error);
}

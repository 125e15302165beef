// The job script of a Slurm sweep: one array task per chunk of points, the options as #SBATCH
// lines, and values an #SBATCH line cannot carry refused.
#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/slurm_script.h"

using Catch::Contains;
using namespace nsim::runtime;

namespace {

SlurmJob job_of(std::vector<size_t> points, unsigned chunk) {
    SlurmJob job{"nsim-sweep", "/opt/nsim/bin/nsim", "/home/a", "/scratch/sweep", points, {}};
    job.options.chunk = chunk;
    return job;
}

}  // namespace

TEST_CASE("slurm script: one task per chunk of points, the last chunk shorter", "[runtime]") {
    CHECK(task_count(job_of({0, 1, 2, 3, 4}, 1)) == 5);
    CHECK(task_count(job_of({0, 1, 2, 3, 4}, 2)) == 3);
    CHECK(task_count(job_of({3, 9}, 10)) == 1);
    const std::string script = slurm_script(job_of({2, 5, 6, 9, 11}, 2));
    CHECK_THAT(script, Contains("#SBATCH --array=0-2\n"));
    CHECK_THAT(script, Contains("points=(2 5 6 9 11)\nchunk=2\n"));
    CHECK_THAT(script, Contains("#SBATCH --chdir=/home/a\n"));
    CHECK_THAT(script, Contains("#SBATCH --output=/scratch/sweep/slurm/logs/%A_%a.out\n"));
    CHECK_THAT(script, Contains("'/opt/nsim/bin/nsim' sweep-point '/scratch/sweep'/points/"));
}

TEST_CASE("slurm script: options pass through as #SBATCH lines, the unset ones left out",
          "[runtime]") {
    SlurmJob job = job_of({0}, 1);
    CHECK_THAT(slurm_script(job), !Contains("--partition") && !Contains("--account"));
    job.options = {"gpu", "proj7", "00:30:00", "8G", 4, 1, {"--qos=low", "--exclusive"}};
    const std::string script = slurm_script(job);
    for (const char* line :
         {"#SBATCH --partition=gpu\n", "#SBATCH --account=proj7\n", "#SBATCH --time=00:30:00\n",
          "#SBATCH --mem=8G\n", "#SBATCH --cpus-per-task=4\n", "#SBATCH --qos=low\n",
          "#SBATCH --exclusive\n"})
        CHECK_THAT(script, Contains(line));
}

TEST_CASE("slurm script: white space in a path or an option is refused, naming it", "[runtime]") {
    SlurmJob job = job_of({0}, 1);
    job.sweep_dir = "/scratch/my sweep";
    CHECK_THROWS_WITH(slurm_script(job), Contains("--out '/scratch/my sweep'"));
    job = job_of({0}, 1);
    job.options.sbatch_args = {"--qos=low\n#SBATCH --mem=1T"};
    CHECK_THROWS_AS(slurm_script(job), nsim::UsageError);
}

TEST_CASE("slurm script: the default time limit grows with the slowest point and the chunk",
          "[runtime]") {
    CHECK(default_time_limit(1, std::nullopt) == "60");
    CHECK(default_time_limit(3, std::nullopt) == "180");
    CHECK(default_time_limit(1, 12.0) == "10");   // 48 s, at least 10 minutes
    CHECK(default_time_limit(10, 60.0) == "40");  // 4 x 60 s x 10 points
}

// Reading the Slurm client commands' text: squeue's task states, sacct's and scontrol's ends of an
// array job's tasks (the lines as Slurm 22.05 prints them).
#include <catch2/catch.hpp>

#include "runtime/slurm_queue.h"

using namespace nsim::runtime;

TEST_CASE("slurm queue: squeue's states count pending tasks apart from running ones", "[runtime]") {
    const JobActivity a = parse_squeue_states("PENDING\nRUNNING\nCOMPLETING\nPENDING\nPENDING\n");
    CHECK(a.pending == 3);
    CHECK(a.running == 2);
    const JobActivity none = parse_squeue_states("");
    CHECK(none.pending + none.running == 0);
}

TEST_CASE("slurm queue: sacct gives each task of the job its state's first word and exit code",
          "[runtime]") {
    const auto ends = parse_sacct(
        "12_0|COMPLETED|0:0\n12_3|CANCELLED by 0|0:15\n12_4|OUT_OF_MEMORY|0:125\n"
        "12_[5-7]|PENDING|0:0\n120_1|TIMEOUT|0:0\n",
        "12");
    REQUIRE(ends.size() == 3);  // not the pending range, not job 120
    CHECK(ends.at(0).state == "COMPLETED");
    CHECK(ends.at(3).state == "CANCELLED");
    CHECK(ends.at(3).exit_code == "0:15");
    CHECK(ends.at(4).state == "OUT_OF_MEMORY");
}

TEST_CASE("slurm queue: scontrol's one-line jobs give each started task its state and exit code",
          "[runtime]") {
    const auto ends = parse_scontrol_jobs(
        "JobId=2 ArrayJobId=2 ArrayTaskId=3 JobName=j.sh JobState=CANCELLED Reason=Resources "
        "ExitCode=0:0 RunTime=00:00:00\n"
        "JobId=4 ArrayJobId=2 ArrayTaskId=1 JobName=j.sh JobState=FAILED Reason=NonZeroExitCode "
        "ExitCode=3:0 RunTime=00:00:03\n"
        "JobId=2 ArrayJobId=2 ArrayTaskId=5-9 JobName=j.sh JobState=PENDING ExitCode=0:0\n");
    REQUIRE(ends.size() == 2);
    CHECK(ends.at(3).state == "CANCELLED");
    CHECK(ends.at(1).state == "FAILED");
    CHECK(ends.at(1).exit_code == "3:0");
}

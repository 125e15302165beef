// Running a study: its points served by run_model in child processes (SystemC elaborates once per
// process), a given number at a time; points that measure the same stages share a child and one
// measurement.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/model_run_result.h"
#include "runtime/study.h"

namespace nsim::runtime {

// How one point of a study ended: its result, or why it failed.
struct PointResult {
    const StudyPoint* point = nullptr;
    std::optional<ModelRunResult> result;
    std::string error;  // without a result
    // Where it ran, when elsewhere than in this process's children (a cluster's node), else empty.
    std::string node;
    std::string nsim_version;
};

// Called as each point ends (in the order they end) with its outcome and how many have ended.
using PointDone = std::function<void(const PointResult& result, size_t finished)>;

// Runs the points of `study`, `jobs` at a time (at least 1); a failing point does not stop the
// others. Returns the outcomes in the study's order, each pointing into `study`.
std::vector<PointResult> run_study(const Study& study, unsigned jobs, const PointDone& done = {});

}  // namespace nsim::runtime

// What `nsim sweep` writes: the points' reports as JSON and CSV, and the figures (drawn by
// scripts/plot_study.py with Debian's python3-matplotlib).
#pragma once

#include <string>
#include <vector>

#include "cli/study.h"

namespace nsim::cli {

struct PointResult {
    const StudyPoint* point = nullptr;
    bool ok = false;
    std::string text;  // the report JSON, or the error message
};

// One line for the progress on stderr: throughput and p50 latency, or the error.
std::string point_progress(const PointResult& r);

std::string results_json(const Study& study, const std::vector<PointResult>& results);
std::string results_csv(const std::vector<PointResult>& results);

// Runs the plotting script on DIR/results.csv; throws if it is missing or fails.
void draw_figures(const std::string& dir, const std::string& title);

}  // namespace nsim::cli

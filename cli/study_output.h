// What `nsim sweep` writes: the points' reports as JSON and CSV, and the figures (drawn by
// scripts/plot_study.py with Debian's python3-matplotlib).
#pragma once

#include <string>
#include <vector>

#include "runtime/study.h"
#include "runtime/study_run.h"

namespace nsim::cli {

// One line for the progress on stderr: throughput and p50 latency, or the error.
std::string point_progress(const runtime::PointResult& r);

// Each point with its report (runtime/model_run_json.h) or its error.
std::string results_json(const runtime::Study& study,
                         const std::vector<runtime::PointResult>& results);
std::string results_csv(const std::vector<runtime::PointResult>& results);

// The published reference points for the figures (drawn with a label saying so), empty fields
// where a value is unknown.
std::string reference_csv(const std::vector<runtime::ReferencePoint>& points);

// Runs the plotting script on DIR/results.csv (and DIR/reference.csv when there is one); throws if
// it is missing or fails.
void draw_figures(const std::string& dir, const std::string& title);

}  // namespace nsim::cli

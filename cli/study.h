// A study file (examples/studies/*.json): the cartesian product of models, instances, parallel
// modes, batch sizes and override sets that `nsim sweep` runs.
#pragma once

#include <string>
#include <vector>

#include "cli/model_run.h"

namespace nsim::cli {

struct StudyPoint {
    ModelRequest request;
    std::string mode;      // "data" or "pipeline-N" (N cores per copy)
    std::string override;  // the override set's label ("default" without overrides)
};

struct Study {
    std::string name;
    std::string file;
    std::vector<StudyPoint> points;
    std::vector<std::string> skipped;  // points the instance cannot run, with the reason
};

// Reads and checks a study file; pipeline modes longer than an instance's cores are skipped (and
// listed), duplicates dropped. Throws nsim::ConfigError naming the file, the JSON path and the
// expectation for an unknown key, a wrong type or an empty list.
Study load_study(const std::string& path);

}  // namespace nsim::cli

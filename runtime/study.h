// A study file (examples/studies/*.json): the cartesian product of models, instances, parallel
// modes, batch sizes and override sets that `nsim sweep` runs.
#pragma once

#include <string>
#include <vector>

#include "runtime/model_request.h"
#include "runtime/reference_points.h"

namespace nsim::runtime {

// One configuration of a study.
struct StudyPoint {
    ModelRequest request;
    std::string override;  // the override set's label ("default" without overrides)
};

// The points of a study file, in the order they are run and reported.
struct Study {
    std::string name;
    std::string file;
    std::string hash;  // of the file's bytes (study_hash): results name the study they belong to
    std::vector<StudyPoint> points;
    std::vector<std::string> skipped;  // points the instance cannot run, with the reason
    // Published measurements to draw beside the results ("reference_points": a file of
    // reference_points.h, relative to the study file), the rows for the study's models only.
    std::vector<ReferencePoint> references;
};

// A fingerprint of a study file's text: 16 hex digits of its 64-bit FNV-1a hash. It tells one
// study file from another (a sweep directory refuses results of another), not a security seal.
std::string study_hash(const std::string& text);

// A point's mode as the results name it: "data" or "pipeline-N" (N cores per copy).
std::string mode_label(const ModelRequest& request);

// Reads and checks a study file; pipeline modes longer than an instance's cores are skipped (and
// listed), duplicates dropped. Throws nsim::ConfigError naming the file, the JSON path and the
// expectation for an unknown key, a wrong type or an empty list.
Study load_study(const std::string& path);

}  // namespace nsim::runtime

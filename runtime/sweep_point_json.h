// The JSON files of a sweep run by tasks elsewhere (runtime/sweep_dir.h): the study's header and
// each point's specification, which a task reads, and the record of a point's outcome, which the
// task writes. Every file carries the study's hash, so results of another study file are refused.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/model_run_result.h"
#include "runtime/study.h"

namespace nsim::runtime {

// One point to run, as a task finds it.
struct PointSpec {
    std::string study_hash;
    size_t index = 0;  // in the study's order
    StudyPoint point;
};

// How a point ended, as the task that ran it wrote it.
struct PointRecord {
    std::string study_hash;
    size_t index = 0;
    std::string node;          // the host name of the machine that ran it
    std::string nsim_version;  // of the nsim that ran it
    std::optional<ModelRunResult> result;
    std::string error;  // without a result
};

// The study without its points, which the header lists by count: name, file, hash, skipped.
struct StudyHeader {
    std::string name;
    std::string file;
    std::string hash;
    size_t points = 0;
    std::vector<std::string> skipped;
};

// Inverse pairs in nlohmann's conventions. from_json throws nlohmann::json::exception (a missing
// key, a wrong type) or nsim::InputError (an unknown parallelism) for a document to_json did not
// write.
void to_json(nlohmann::json& j, const ModelRequest& r);
void from_json(const nlohmann::json& j, ModelRequest& r);
void to_json(nlohmann::json& j, const PointSpec& s);
void from_json(const nlohmann::json& j, PointSpec& s);
void to_json(nlohmann::json& j, const PointRecord& r);
void from_json(const nlohmann::json& j, PointRecord& r);
void to_json(nlohmann::json& j, const StudyHeader& h);
void from_json(const nlohmann::json& j, StudyHeader& h);

}  // namespace nsim::runtime

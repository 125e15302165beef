// The one JSON form of a ModelRunResult: the `nsim model --report` file, each point's report in
// `nsim sweep`'s results, and how a sweep's child process hands its result to the parent.
// to_json and from_json are inverses (nlohmann's conventions: `json j = result;`,
// `j.get<ModelRunResult>()`).
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/model_run_result.h"

namespace nsim::runtime {

void to_json(nlohmann::json& j, const ModelRunResult& r);
// Throws nlohmann::json::exception (a missing key, a wrong type) or nsim::InputError (an unknown
// engine or parallelism) for a document that is not a report of to_json.
void from_json(const nlohmann::json& j, ModelRunResult& r);

}  // namespace nsim::runtime

#include "runtime/sweep_point_json.h"

#include "isa/error.h"
#include "runtime/model_run_json.h"

namespace nsim::runtime {

using nlohmann::json;

void to_json(json& j, const ModelRequest& r) {
    j = {{"model", r.model},
         {"instance", r.instance},
         {"batch", r.batch},
         {"parallel", std::string(parallelism_name(r.parallel))},
         {"pipeline_cores", r.pipeline_cores},
         {"models", r.models},
         {"workers_per_model", r.workers_per_model},
         {"requests", r.requests},
         {"functional", r.functional},
         {"sets", r.sets}};
}

void from_json(const json& j, ModelRequest& r) {
    j.at("model").get_to(r.model);
    j.at("instance").get_to(r.instance);
    j.at("batch").get_to(r.batch);
    const auto parallel = parse_parallelism(j.at("parallel").get<std::string>());
    if (!parallel) throw InputError("point request: parallel: expected \"data\" or \"pipeline\"");
    r.parallel = *parallel;
    j.at("pipeline_cores").get_to(r.pipeline_cores);
    j.at("models").get_to(r.models);
    j.at("workers_per_model").get_to(r.workers_per_model);
    j.at("requests").get_to(r.requests);
    j.at("functional").get_to(r.functional);
    j.at("sets").get_to(r.sets);
}

void to_json(json& j, const PointSpec& s) {
    j = {{"study_hash", s.study_hash},
         {"index", s.index},
         {"override", s.point.override},
         {"request", s.point.request}};
}

void from_json(const json& j, PointSpec& s) {
    j.at("study_hash").get_to(s.study_hash);
    j.at("index").get_to(s.index);
    j.at("override").get_to(s.point.override);
    j.at("request").get_to(s.point.request);
}

void to_json(json& j, const PointRecord& r) {
    j = {{"study_hash", r.study_hash},
         {"index", r.index},
         {"node", r.node},
         {"nsim_version", r.nsim_version},
         {"ok", r.result.has_value()}};
    if (r.result)
        j["report"] = *r.result;
    else
        j["error"] = r.error;
}

void from_json(const json& j, PointRecord& r) {
    j.at("study_hash").get_to(r.study_hash);
    j.at("index").get_to(r.index);
    j.at("node").get_to(r.node);
    j.at("nsim_version").get_to(r.nsim_version);
    if (j.at("ok").get<bool>())
        r.result = j.at("report").get<ModelRunResult>();
    else
        j.at("error").get_to(r.error);
}

void to_json(json& j, const StudyHeader& h) {
    j = {{"name", h.name},
         {"file", h.file},
         {"hash", h.hash},
         {"points", h.points},
         {"skipped", h.skipped}};
}

void from_json(const json& j, StudyHeader& h) {
    j.at("name").get_to(h.name);
    j.at("file").get_to(h.file);
    j.at("hash").get_to(h.hash);
    j.at("points").get_to(h.points);
    j.at("skipped").get_to(h.skipped);
}

}  // namespace nsim::runtime

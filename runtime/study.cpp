#include "runtime/study.h"

#include <filesystem>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "compiler/model_spec.h"
#include "isa/error.h"
#include "isa/input_limits.h"
#include "runtime/model_files.h"
#include "sim/config/instance_config.h"

namespace nsim::runtime {

namespace {

using nlohmann::json;

const std::set<std::string> kStudyKeys = {
    "name",    "description", "models",   "instances",         "modes",
    "batches", "overrides",   "requests", "workers_per_model", "reference_points"};

// Errors name the file, the JSON path and what was expected there.
struct StudyReader {
    std::string file;
    [[noreturn]] void fail(const std::string& where, const std::string& what) const {
        throw nsim::ConfigError(fmt::format("{}: {}: {}", file, where, what));
    }
    const json& list(const json& doc, const std::string& key) const {
        if (!doc.contains(key)) fail("/" + key, "missing: expected a non-empty list");
        const json& v = doc[key];
        if (!v.is_array() || v.empty()) fail("/" + key, "expected a non-empty list");
        return v;
    }
    std::vector<std::string> strings(const json& doc, const std::string& key) const {
        std::vector<std::string> out;
        const json& v = list(doc, key);
        for (size_t i = 0; i < v.size(); ++i) {
            if (!v[i].is_string() || v[i].get<std::string>().empty())
                fail(fmt::format("/{}/{}", key, i), "expected a non-empty string");
            out.push_back(v[i]);
        }
        return out;
    }
    uint32_t positive(const json& v, const std::string& where) const {
        if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 1'000'000)
            fail(where, "expected a whole number from 1 to 1000000");
        return uint32_t(v.get<int64_t>());
    }
};

struct Mode {
    Parallelism parallel = Parallelism::data;
    bool all_cores = false;
    uint32_t pipeline_cores = 0;
};

std::vector<Mode> read_modes(const StudyReader& r, const json& doc) {
    std::vector<Mode> modes;
    const json& v = r.list(doc, "modes");
    for (size_t i = 0; i < v.size(); ++i) {
        const std::string where = fmt::format("/modes/{}", i);
        if (!v[i].is_object())
            r.fail(where,
                   "expected {\"parallel\": \"data\"} or {\"parallel\": \"pipeline\", "
                   "\"pipeline_cores\": N or \"all\"}");
        for (const auto& [key, value] : v[i].items())
            if (key != "parallel" && key != "pipeline_cores")
                r.fail(where + "/" + key, "unknown key: expected parallel or pipeline_cores");
        const std::optional<Parallelism> parallel =
            v[i].contains("parallel") && v[i]["parallel"].is_string()
                ? parse_parallelism(v[i]["parallel"].get<std::string>())
                : std::nullopt;
        if (!parallel) r.fail(where + "/parallel", "expected \"data\" or \"pipeline\"");
        Mode m;
        m.parallel = *parallel;
        if (m.parallel == Parallelism::pipeline) {
            if (!v[i].contains("pipeline_cores"))
                r.fail(where + "/pipeline_cores", "missing: expected a number of cores or \"all\"");
            const json& cores = v[i]["pipeline_cores"];
            if (cores.is_string() && cores == "all")
                m.all_cores = true;
            else
                m.pipeline_cores = r.positive(cores, where + "/pipeline_cores");
        } else if (v[i].contains("pipeline_cores")) {
            r.fail(where + "/pipeline_cores", "only a pipeline mode takes pipeline_cores");
        }
        modes.push_back(m);
    }
    return modes;
}

// Override sets by label; one unlabelled "default" set without overrides when the file has none.
std::vector<std::pair<std::string, std::vector<std::string>>> read_overrides(const StudyReader& r,
                                                                             const json& doc) {
    if (!doc.contains("overrides")) return {{"default", {}}};
    const json& v = doc["overrides"];
    if (!v.is_object() || v.empty())
        r.fail("/overrides", "expected an object of LABEL: [\"PATH=VALUE\", ...]");
    std::vector<std::pair<std::string, std::vector<std::string>>> sets;
    for (const auto& [label, list] : v.items()) {
        if (!list.is_array())
            r.fail("/overrides/" + label, "expected a list of \"PATH=VALUE\" strings");
        std::vector<std::string> assignments;
        for (size_t i = 0; i < list.size(); ++i) {
            if (!list[i].is_string() || list[i].get<std::string>().find('=') == std::string::npos)
                r.fail(fmt::format("/overrides/{}/{}", label, i), "expected \"PATH=VALUE\"");
            assignments.push_back(list[i]);
        }
        sets.emplace_back(label, assignments);
    }
    return sets;
}

// The published rows for the study's models at their sequence lengths.
std::vector<ReferencePoint> read_references(const StudyReader& r, const json& doc,
                                            const std::vector<std::string>& models) {
    if (!doc.contains("reference_points")) return {};
    const json& v = doc["reference_points"];
    if (!v.is_string() || v.get<std::string>().empty())
        r.fail("/reference_points",
               "expected the path of a reference file (relative to the study)");
    const std::filesystem::path file =
        std::filesystem::path(r.file).parent_path() / v.get<std::string>();
    const std::vector<ReferencePoint> all = load_reference_points(file.string());
    std::vector<ReferencePoint> out;
    for (const auto& model : models) {
        const compiler::ModelSpec spec = compiler::load_model(resolve_model(model));
        for (auto& p : reference_points_for(all, model, spec.sequence_length)) out.push_back(p);
    }
    return out;
}

}  // namespace

std::string study_hash(const std::string& text) {
    uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a's offset basis and prime
    for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3ull;
    return fmt::format("{:016x}", hash);
}

std::string mode_label(const ModelRequest& request) {
    return request.parallel == Parallelism::pipeline
               ? fmt::format("pipeline-{}", request.pipeline_cores)
               : "data";
}

Study load_study(const std::string& path) {
    StudyReader r{path};
    const std::string text = read_json_file(path, ErrorKind::config);
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::exception& e) {  // a syntax error, or a number past a double (1e999)
        throw nsim::ConfigError(fmt::format("{}: not valid JSON: {}", path, e.what()));
    }
    if (!doc.is_object()) r.fail("/", "expected an object");
    for (const auto& [key, value] : doc.items())
        if (!kStudyKeys.count(key))
            r.fail("/" + key,
                   fmt::format("unknown key: expected one of {}", fmt::join(kStudyKeys, ", ")));
    Study study;
    study.file = path;
    study.hash = study_hash(text);
    study.name = doc.value("name", std::string("study"));
    const auto models = r.strings(doc, "models");
    const auto instances = r.strings(doc, "instances");
    const auto modes = read_modes(r, doc);
    std::vector<uint32_t> batches;
    const json& b = r.list(doc, "batches");
    for (size_t i = 0; i < b.size(); ++i)
        batches.push_back(r.positive(b[i], fmt::format("/batches/{}", i)));
    const auto overrides = read_overrides(r, doc);
    study.references = read_references(r, doc, models);
    ModelRequest base;
    if (doc.contains("requests")) base.requests = r.positive(doc["requests"], "/requests");
    if (doc.contains("workers_per_model"))
        base.workers_per_model = r.positive(doc["workers_per_model"], "/workers_per_model");

    std::set<std::tuple<std::string, std::string, Parallelism, uint32_t, uint32_t, std::string>>
        seen;
    for (const auto& instance : instances) {
        const uint32_t cores = [&] {
            const sim::InstanceConfig config = sim::load_instance(instance);
            return config.chips * config.chip.cores;
        }();
        for (const auto& model : models)
            for (const auto& mode : modes) {
                const uint32_t pipeline = mode.all_cores ? cores : mode.pipeline_cores;
                const bool is_pipeline = mode.parallel == Parallelism::pipeline;
                if (is_pipeline && pipeline > cores) {
                    study.skipped.push_back(fmt::format(
                        "{} on {}: a {}-core pipeline needs more than the instance's {} cores",
                        model, instance, pipeline, cores));
                    continue;
                }
                for (const auto& [label, sets] : overrides)
                    for (uint32_t batch : batches) {
                        if (!seen.insert({model, instance, mode.parallel, pipeline, batch, label})
                                 .second)
                            continue;
                        StudyPoint p{base, label};
                        p.request.model = model;
                        p.request.instance = instance;
                        p.request.parallel = mode.parallel;
                        p.request.pipeline_cores = is_pipeline ? pipeline : 0;
                        p.request.batch = batch;
                        p.request.sets = sets;
                        study.points.push_back(std::move(p));
                    }
            }
    }
    return study;
}

}  // namespace nsim::runtime

#include "runtime/study_run.h"

#include <algorithm>
#include <map>

#include "runtime/child_process.h"
#include "runtime/model_run.h"
#include "runtime/model_run_json.h"

namespace nsim::runtime {

namespace {

// The points that measure the same stages the same way (equal measurement keys) run in one child,
// which simulates them once; a point whose request is bad gets a group of its own and fails there.
std::vector<std::vector<size_t>> group_by_measurement(const Study& study) {
    std::map<std::string, size_t> group_of_key;
    std::vector<std::vector<size_t>> groups;
    for (size_t p = 0; p < study.points.size(); ++p) {
        std::string key;
        try {
            key = measurement_key(study.points[p].request);
        } catch (const std::exception&) {
            groups.push_back({p});
            continue;
        }
        const auto [it, added] = group_of_key.emplace(key, groups.size());
        if (added) groups.emplace_back();
        groups[it->second].push_back(p);
    }
    // The largest batches first, so that the longest simulations do not start last.
    auto batch = [&](const std::vector<size_t>& g) {
        return study.points[g.front()].request.batch;
    };
    std::stable_sort(groups.begin(), groups.end(),
                     [&](const auto& a, const auto& b) { return batch(a) > batch(b); });
    return groups;
}

}  // namespace

std::vector<PointResult> run_study(const Study& study, unsigned jobs, const PointDone& done) {
    const std::vector<std::vector<size_t>> groups = group_by_measurement(study);
    std::vector<ChildWork> works;
    for (const std::vector<size_t>& group : groups)
        works.push_back([&study, &group] {
            // One entry per point: its result, or the error it ended with.
            nlohmann::json outcomes = nlohmann::json::array();
            MeasurementMemo memo;
            for (size_t p : group) {
                try {
                    outcomes.push_back({{"result", run_model(study.points[p].request, {}, &memo)}});
                } catch (const std::exception& e) {
                    outcomes.push_back({{"error", e.what()}});
                }
            }
            return outcomes.dump();
        });
    std::vector<PointResult> results(study.points.size());
    size_t finished = 0;
    run_children(works, jobs, [&](size_t work, const ChildOutcome& outcome) {
        const std::vector<size_t>& group = groups[work];
        const nlohmann::json outcomes =
            outcome.ok ? nlohmann::json::parse(outcome.text) : nlohmann::json();
        for (size_t i = 0; i < group.size(); ++i) {
            PointResult& r = results[group[i]];
            r.point = &study.points[group[i]];
            if (!outcome.ok)
                r.error = outcome.text;
            else if (outcomes[i].contains("result"))
                r.result = outcomes[i]["result"].get<ModelRunResult>();
            else
                r.error = outcomes[i]["error"].get<std::string>();
            if (done) done(r, ++finished);
        }
    });
    return results;
}

}  // namespace nsim::runtime

#include "runtime/study_run.h"

#include <algorithm>

#include "runtime/child_process.h"
#include "runtime/model_run.h"
#include "runtime/model_run_json.h"

namespace nsim::runtime {

std::vector<PointResult> run_study(const Study& study, unsigned jobs, const PointDone& done) {
    jobs = std::max(1u, jobs);
    std::vector<PointResult> results(study.points.size());
    std::vector<Child> running;
    std::vector<size_t> running_points;
    size_t next = 0, finished = 0;
    while (finished < study.points.size()) {
        while (running.size() < jobs && next < study.points.size()) {
            const ModelRequest request = study.points[next].request;
            running.push_back(
                start_child([request] { return nlohmann::json(run_model(request)).dump(); }));
            running_points.push_back(next++);
        }
        auto [slot, outcome] = wait_any(running);
        const size_t point = running_points[slot];
        running_points.erase(running_points.begin() + long(slot));
        PointResult& r = results[point];
        r.point = &study.points[point];
        if (outcome.ok)
            r.result = nlohmann::json::parse(outcome.text).get<ModelRunResult>();
        else
            r.error = outcome.text;
        ++finished;
        if (done) done(r, finished);
    }
    return results;
}

}  // namespace nsim::runtime

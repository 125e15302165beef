#include "runtime/study_run.h"

#include "runtime/child_process.h"
#include "runtime/model_run.h"
#include "runtime/model_run_json.h"

namespace nsim::runtime {

std::vector<PointResult> run_study(const Study& study, unsigned jobs, const PointDone& done) {
    std::vector<ChildWork> works;
    for (const StudyPoint& point : study.points)
        works.push_back([&point] { return nlohmann::json(run_model(point.request)).dump(); });
    std::vector<PointResult> results(study.points.size());
    size_t finished = 0;
    run_children(works, jobs, [&](size_t point, const ChildOutcome& outcome) {
        PointResult& r = results[point];
        r.point = &study.points[point];
        if (outcome.ok)
            r.result = nlohmann::json::parse(outcome.text).get<ModelRunResult>();
        else
            r.error = outcome.text;
        if (done) done(r, ++finished);
    });
    return results;
}

}  // namespace nsim::runtime

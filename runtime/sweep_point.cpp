#include "runtime/sweep_point.h"

#include <fmt/format.h>
#include <unistd.h>

#include "isa/error.h"
#include "isa/input_limits.h"
#include "runtime/study_run.h"
#include "runtime/sweep_dir.h"

namespace nsim::runtime {

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown host";
    return name;
}

PointRecord run_point_file(const std::string& spec_file, const std::string& out,
                           const std::string& nsim_version) {
    const std::string text = read_json_file(spec_file, ErrorKind::input);
    PointSpec spec;
    try {
        spec = nlohmann::json::parse(text).get<PointSpec>();
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{}: not a point nsim sweep wrote: {}", spec_file,
                                     abbreviate(e.what(), 200)));
    }
    // A study of this one point, run by the local executor's own code.
    Study study;
    study.hash = spec.study_hash;
    study.points.push_back(spec.point);
    PointResult outcome = run_study(study, 1).front();
    PointRecord record{
        spec.study_hash,         spec.index, host_name(), nsim_version, std::move(outcome.result),
        std::move(outcome.error)};
    write_file_atomically(out, nlohmann::json(record).dump(2) + "\n");
    return record;
}

}  // namespace nsim::runtime

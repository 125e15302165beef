// `nsim sweep-point POINT.json --out FILE.json`: one point of a sweep directory, run exactly as
// `nsim sweep` runs it locally; what each task of a Slurm sweep calls.
#include <memory>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/study_output.h"
#include "runtime/sweep_point.h"

namespace nsim::cli {

namespace {

struct SweepPointOptions {
    std::string point;
    std::string out;
};

int sweep_point_command(const SweepPointOptions& o) {
    const runtime::PointRecord record = runtime::run_point_file(o.point, o.out, NSIM_VERSION);
    const runtime::PointResult outcome{nullptr, record.result, record.error, record.node,
                                       record.nsim_version};
    fmt::print(stderr, "nsim sweep-point: {} on {}: {}\n", o.point, record.node,
               point_progress(outcome));
    return record.result ? kExitOk : kExitKernelError;
}

}  // namespace

Command add_sweep_point_command(CLI::App& app) {
    auto o = std::make_shared<SweepPointOptions>();
    CLI::App* sub = app.add_subcommand(
        "sweep-point", "Run one point a Slurm sweep wrote (what its array tasks call)");
    sub->add_option("POINT", o->point, "A point of a sweep directory: DIR/points/point-NNNNN.json")
        ->required();
    sub->add_option("--out", o->out, "Its result, written atomically (DIR/results/...)")
        ->required();
    sub->footer(
        "Exit codes: 0 the point ran, 1 its simulation failed (the result says why), 2 bad "
        "point file or --out.");
    return {sub, [o] { return sweep_point_command(*o); }};
}

}  // namespace nsim::cli

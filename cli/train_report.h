// What `nsim train` tells: the summary table, the JSON report and a Chrome/Perfetto trace with the
// core's compute row and the collective engine's row side by side.
#pragma once

#include <string>

#include "runtime/train_study.h"

namespace nsim::cli {

std::string train_summary(const runtime::TrainStudy& s);
std::string train_report_json(const runtime::TrainStudy& s);
std::string train_trace_json(const runtime::TrainStudy& s);

}  // namespace nsim::cli

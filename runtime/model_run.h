// Serving a model on an instance, start to end: compile the model for the instance's chips, place
// its copies and stages on the cores, measure the stages on the simulated chips, drive the request
// stream, and return what it measured (behind `nsim model`, `nsim sweep` and the examples).
#pragma once

#include <map>
#include <string>

#include "runtime/model_measure.h"
#include "runtime/model_request.h"
#include "runtime/model_run_result.h"

namespace nsim::runtime {

// Measurements made so far, by measurement key: requests that measure the same stages on the same
// chip (a study's inf1.xlarge and inf1.6xlarge points at one batch) share one.
using MeasurementMemo = std::map<std::string, MeasuredModel>;

// The measurement key of a request (model_measure.h). Throws like run_model on a bad request.
std::string measurement_key(const ModelRequest& request);

// Runs one configuration; the SystemC simulations happen in child processes, so it may be called
// any number of times. `write_trace`, when set, gets the timeline of one batch through every
// measured stage. With `memo`, a measurement it holds is used instead of simulating again, and a
// new one is added to it. Throws nsim::InputError for a request the instance cannot serve (and the
// library's config, kernel and simulation errors), naming what is wrong.
ModelRunResult run_model(const ModelRequest& request, const StageTraceWriter& write_trace = {},
                         MeasurementMemo* memo = nullptr);

}  // namespace nsim::runtime

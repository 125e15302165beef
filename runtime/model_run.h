// Serving a model on an instance, start to end: compile the model for the instance's chips, place
// its copies and stages on the cores, measure the stages on the simulated chips, drive the request
// stream, and return what it measured (behind `nsim model`, `nsim sweep` and the examples).
#pragma once

#include "runtime/model_measure.h"
#include "runtime/model_request.h"
#include "runtime/model_run_result.h"

namespace nsim::runtime {

// Runs one configuration; the SystemC simulations happen in child processes, so it may be called
// any number of times. `write_trace`, when set, gets the timeline of one batch through every
// measured stage. Throws nsim::InputError for a request the instance cannot serve (and the
// library's config, kernel and simulation errors), naming what is wrong.
ModelRunResult run_model(const ModelRequest& request, const StageTraceWriter& write_trace = {});

}  // namespace nsim::runtime

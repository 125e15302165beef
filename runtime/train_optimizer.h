// The parameter passes of a training step that are not layer kernels: the optimizer update
// (`nsim train --optimizer`) and the gradient accumulation between micro-batches. Each is a
// streaming pass over every parameter, modelled from its work per parameter: bytes moved to and
// from HBM, and elementwise operations on the Vector and Scalar engines. Pure C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/train_precision.h"
#include "sim/config/chip_config.h"

namespace nsim::runtime {

enum class TrainOptimizer { adamw, lamb };

// "adamw" or "lamb"; nullopt for anything else.
std::optional<TrainOptimizer> parse_train_optimizer(std::string_view text);
std::string_view name(TrainOptimizer optimizer);  // "AdamW", "LAMB"
inline constexpr std::string_view kTrainOptimizerChoices = "adamw, lamb";

// The work of one pass per parameter.
struct ParameterWork {
    double hbm_bytes = 0;        // read and written
    double elementwise_ops = 0;  // one Vector or Scalar instruction's element each
    std::string what;            // the traffic and operations, spelled out for reports
};

// The optimizer's update of one parameter (fp32 master weights and moments in both data types).
ParameterWork optimizer_work(TrainOptimizer optimizer, TrainDtype dtype);
// Adding one micro-batch's gradient into the accumulated one.
ParameterWork accumulation_work(TrainDtype dtype);

// The pass over `parameters` on one core of `chip`: the larger of its HBM traffic at the core's
// share of the chip's HBM bandwidth and its operations spread over the core's Vector and Scalar
// engines, each `partitions` elements per cycle (an instruction over [P, N] costs N cycles
// [src:nki-isa-cost, tensor_tensor] [src:nki-isa-cost, activation]).
double parameter_pass_ns(uint64_t parameters, const ParameterWork& work,
                         const sim::ChipConfig& chip);

}  // namespace nsim::runtime

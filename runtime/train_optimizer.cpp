#include "runtime/train_optimizer.h"

#include <algorithm>

#include <fmt/format.h>

namespace nsim::runtime {

std::optional<TrainOptimizer> parse_train_optimizer(std::string_view text) {
    if (text == "adamw") return TrainOptimizer::adamw;
    if (text == "lamb") return TrainOptimizer::lamb;
    return std::nullopt;
}

std::string_view name(TrainOptimizer optimizer) {
    return optimizer == TrainOptimizer::adamw ? "AdamW" : "LAMB";
}

ParameterWork optimizer_work(TrainOptimizer optimizer, TrainDtype dtype) {
    // Master weight w, moments m and v in fp32 (4 bytes each); the gradient g in the training
    // type. bf16-sr also writes the bf16 copy of w the next step's matmuls read (one more cast).
    const double g = double(gradient_element_bytes(dtype));
    const bool copy = dtype == TrainDtype::bf16_sr;
    const double copy_bytes = copy ? 2 : 0;
    // The Adam part, per element: m = b1 m + (1-b1) g (2 ops), v = b2 v + (1-b2) g^2 (2),
    // d = sqrt(v / (1-b2^t)) + eps (2), u = m / d (1, the 1/(1-b1^t) folded into the step size).
    const double adam_ops = 7;
    if (optimizer == TrainOptimizer::adamw) {
        // One pass: read w, g, m, v; write w, m, v. w = w (1 - lr wd) - lr u (2 ops).
        const double bytes = 4 + g + 8 + 4 + 8 + copy_bytes;
        const double ops = adam_ops + 2 + (copy ? 1 : 0);
        return {bytes, ops,
                fmt::format("AdamW, one pass: read w (fp32), g ({}), m, v (fp32); write w, m, "
                            "v{}: {:.0f} bytes of HBM traffic and {:.0f} Vector/Scalar operations "
                            "per parameter",
                            name(dtype), copy ? " and w's bf16 copy" : "", bytes, ops)};
    }
    // LAMB: the trust ratio ||w|| / ||u + wd w|| of each tensor is known only once the whole
    // tensor is seen (the largest, the word embeddings, does not fit SBUF), so two passes:
    // 1. read w, g, m, v; write m, v and u' = u + wd w (fp32); accumulate ||w||^2 and ||u'||^2;
    // 2. read w and u'; write w = w - lr ratio u'.
    // The few instructions per tensor that finish the norms and the ratio are not counted.
    const double bytes = (4 + g + 8) + (8 + 4) + (4 + 4) + (4 + copy_bytes);
    const double ops = adam_ops + 1 + 2 + 1 + (copy ? 1 : 0);
    return {bytes, ops,
            fmt::format("LAMB, two passes: read w (fp32), g ({}), m, v (fp32), write m, v and the "
                        "update (fp32), summing ||w||^2 and ||update||^2; then read w and the "
                        "update, write w{}: {:.0f} bytes of HBM traffic and {:.0f} Vector/Scalar "
                        "operations per parameter",
                        name(dtype), copy ? " and its bf16 copy" : "", bytes, ops)};
}

ParameterWork accumulation_work(TrainDtype dtype) {
    // The backward pass wrote the micro-batch's gradient; it is read again with the accumulated
    // one, added (1 Vector op) and written back.
    const double g = double(gradient_element_bytes(dtype));
    return {3 * g, 1,
            fmt::format("gradient accumulation: read the new and the accumulated gradient ({}), "
                        "add, write: {:.0f} bytes of HBM traffic and 1 Vector operation per "
                        "parameter",
                        name(dtype), 3 * g)};
}

double parameter_pass_ns(uint64_t parameters, const ParameterWork& work,
                         const sim::ChipConfig& chip) {
    const double hbm_bytes_per_ns = chip.device_memory.bandwidth_gbps / chip.cores;
    const double elements_per_ns =
        chip.limits.partitions * (chip.timing.vector_clock_ghz + chip.timing.scalar_clock_ghz);
    const double n = double(parameters);
    return std::max(n * work.hbm_bytes / hbm_bytes_per_ns,
                    n * work.elementwise_ops / elements_per_ns);
}

}  // namespace nsim::runtime

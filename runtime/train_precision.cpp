#include "runtime/train_precision.h"

namespace nsim::runtime {

std::optional<TrainDtype> parse_train_dtype(std::string_view text) {
    if (text == "fp32") return TrainDtype::fp32;
    if (text == "bf16-sr") return TrainDtype::bf16_sr;
    return std::nullopt;
}

std::string_view name(TrainDtype dtype) { return dtype == TrainDtype::fp32 ? "fp32" : "bf16-sr"; }

isa::DType matmul_dtype(TrainDtype dtype) {
    return dtype == TrainDtype::fp32 ? isa::DType::float32 : isa::DType::bfloat16;
}

isa::DType activation_dtype(TrainDtype dtype) { return matmul_dtype(dtype); }

}  // namespace nsim::runtime

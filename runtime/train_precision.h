// The training data type `nsim train --dtype` chooses: what is stored and computed in which type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "isa/dtype.h"

namespace nsim::runtime {

// fp32: everything in fp32, matmuls included (neuronx-cc without auto-cast; fp32 matmuls cost 4x
// bf16 ones [src:nki-isa-cost, nc_matmul]). bf16_sr: bf16 autocast with stochastic rounding
// (NEURON_RT_STOCHASTIC_ROUNDING_EN=1 [src:neuron-rounding]): matmul operands, the backward's
// activations and gradients in bf16; master weights and optimizer states in fp32.
enum class TrainDtype { fp32, bf16_sr };

// "fp32" or "bf16-sr"; nullopt for anything else.
std::optional<TrainDtype> parse_train_dtype(std::string_view text);
std::string_view name(TrainDtype dtype);
inline constexpr std::string_view kTrainDtypeChoices = "fp32, bf16-sr";

// The type of the matmul operands, and of the backward pass's saved activations and gradients.
isa::DType matmul_dtype(TrainDtype dtype);
isa::DType activation_dtype(TrainDtype dtype);
// Bytes of one gradient element: what is accumulated and all-reduced.
inline uint64_t gradient_element_bytes(TrainDtype dtype) {
    return isa::dtype_size(activation_dtype(dtype));
}

}  // namespace nsim::runtime

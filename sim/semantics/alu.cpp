#include "sim/semantics/alu.h"

#include <cmath>
#include <limits>

namespace nsim::sim {

using isa::ActFunc;
using isa::AluOp;

float alu(AluOp op, float x, float y) {
    return with_alu(op, [&](auto fn) { return fn(x, y); });
}

uint32_t alu_bits(AluOp op, uint32_t x, uint32_t y, isa::DType t) {
    const unsigned width = 8 * isa::dtype_size(t);
    const uint32_t mask = width >= 32 ? 0xffffffffu : ((1u << width) - 1);
    x &= mask;
    y &= mask;
    switch (op) {
        case AluOp::bitwise_and:
            return x & y;
        case AluOp::bitwise_or:
            return x | y;
        case AluOp::bitwise_xor:
            return x ^ y;
        case AluOp::bitwise_not:
            return ~x & mask;
        case AluOp::left_shift:
            return y >= width ? 0 : (x << y) & mask;
        case AluOp::right_shift:
            return y >= width ? 0 : x >> y;
        default:
            return 0;  // the verifier admits only bit-vector operators here
    }
}

float alu_identity(AluOp op) {
    switch (op) {
        case AluOp::multiply:
        case AluOp::logical_and:
            return 1.0f;
        case AluOp::maximum:
            return -std::numeric_limits<float>::infinity();
        case AluOp::minimum:
            return std::numeric_limits<float>::infinity();
        default:
            return 0.0f;
    }
}

uint32_t alu_identity_bits(AluOp op, isa::DType t) {
    if (op != AluOp::bitwise_and) return 0;
    const unsigned width = 8 * isa::dtype_size(t);
    return width >= 32 ? 0xffffffffu : ((1u << width) - 1);
}

float activation_function(ActFunc f, float xf) {
    const double x = xf;
    const double kSqrt2 = std::sqrt(2.0), kPi = 3.14159265358979323846;
    const auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
    double y = 0;
    switch (f) {
        case ActFunc::copy:
            return xf;
        case ActFunc::relu:
            y = x > 0 ? x : 0.0;
            break;
        case ActFunc::gelu:
            y = 0.5 * x * (1.0 + std::erf(x / kSqrt2));
            break;
        case ActFunc::gelu_tanh:
            y = 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / kPi) * (x + 0.044715 * x * x * x)));
            break;
        case ActFunc::exp:
            y = std::exp(x);
            break;
        case ActFunc::tanh:
            y = std::tanh(x);
            break;
        case ActFunc::sigmoid:
            y = sigmoid(x);
            break;
        case ActFunc::silu:
            y = x * sigmoid(x);
            break;
        case ActFunc::rsqrt:
            y = 1.0 / std::sqrt(x);
            break;
        case ActFunc::sqrt:
            y = std::sqrt(x);
            break;
        case ActFunc::reciprocal:
            y = 1.0 / x;
            break;
        case ActFunc::square:
            y = x * x;
            break;
        case ActFunc::log:
            y = std::log(x);
            break;
        case ActFunc::abs:
            y = std::fabs(x);
            break;
        case ActFunc::sign:
            y = x > 0 ? 1.0 : (x < 0 ? -1.0 : x);
            break;
        case ActFunc::erf:
            y = std::erf(x);
            break;
        case ActFunc::softplus:
            y = x > 30 ? x : std::log1p(std::exp(x));
            break;
    }
    return float(y);
}

}  // namespace nsim::sim

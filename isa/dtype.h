// Storage data types of the NeuronCore and exact conversions between them and fp32.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nsim::isa {

// The element types an access pattern may carry (NKI names, [src:nki-shared, data types]).
enum class DType : uint8_t {
    float32,
    tfloat32,  // 1/8/10 bits in a 32-bit container; the low 13 mantissa bits are zero
    bfloat16,
    float16,
    float8_e4m3,  // OCP E4M3 ("fn"): no infinities, NaN = S.1111.111, max finite 448
    float8_e5m2,  // IEEE-like: infinities and NaNs, max finite 57344
    int8,
    uint8,
    int16,
    uint16,
    int32,
    uint32,
    bool_,  // stored as one byte, 0 or 1
};
inline constexpr int kDTypeCount = 13;

// Rounding of an fp32 value into a narrower type.
enum class Rounding : uint8_t { nearest_even, stochastic };

std::string_view dtype_name(DType t);  // canonical short name: "bf16", "f32", ...
std::optional<DType> parse_dtype(
    std::string_view name);    // accepts short and NKI names ("bfloat16")
unsigned dtype_size(DType t);  // bytes per element
bool is_float(DType t);
bool is_integer(DType t);  // includes bool_
bool is_signed_integer(DType t);

// Encodes an fp32 value as the bit pattern of `t` (in the low bits of the result).
// Floats: round to nearest, ties to even; or stochastic rounding, where `random_bits` (uniform
// 32-bit) decides up or down with probability proportional to the distance. Overflow: to +-inf
// where the format has infinities (f16, bf16, f8e5m2), saturation to +-max where it has none
// (f8e4m3); NaN stays NaN. Integers: round to nearest even (stochastic: by the fraction), saturate
// at the type's range, NaN -> 0. bool: 1 if the value is non-zero (NaN counts as non-zero).
uint32_t encode(DType t, float value, Rounding rounding = Rounding::nearest_even,
                uint32_t random_bits = 0);
// Decodes a bit pattern of `t` (low bits of `bits`) to fp32; exact for every type but int32/uint32
// values beyond 2^24, which round to nearest even as any int->float conversion does.
float decode(DType t, uint32_t bits);
// Rounds `value` through `t` and back: decode(t, encode(t, value, ...)).
float quantize(DType t, float value, Rounding rounding = Rounding::nearest_even,
               uint32_t random_bits = 0);

// Reproducible source of random bits for stochastic rounding (splitmix64; one stream per seed).
class RandomBits {
public:
    explicit RandomBits(uint64_t seed) : m_state(seed) {}
    uint32_t next();

private:
    uint64_t m_state;
};

}  // namespace nsim::isa

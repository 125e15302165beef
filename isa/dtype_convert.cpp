// Exact conversions between fp32 and the storage types of isa/dtype.h (encode, decode, quantize).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "isa/dtype.h"

// Policy choices (the contract is in isa/dtype.h):
// - Floats are rounded on the integer significand of the fp32 input, so every decision is exact:
//   |x| = m * 2^e, the low `shift` bits of m that the target cannot hold are dropped and the kept
//   part is incremented when rounding up. A carry out of the mantissa walks into the next binade
//   (or from the largest subnormal into the smallest normal) for free because the encoding is
//   built as (exponent field << mantissa bits) + kept significand.
// - Stochastic rounding adds the 32 random bits, aligned with the top of the dropped field, to the
//   dropped bits and rounds up on carry-out (what hardware does). For fields of at most 32 bits the
//   probability of rounding up is exactly dropped / 2^width; wider fields (subnormal or
//   underflowing targets) are resolved to 2^-32 of an ulp, and a remainder below 2^-32 ulp never
//   rounds up.
// - Overflow is decided after rounding, so RNE and SR share it: to +-inf where the format has
//   infinities, saturation to +-max for f8e4m3 (which also receives +-inf as +-max).
// - NaN: IEEE-like targets keep the sign and the top payload bits and set the quiet bit, so a NaN
//   whose payload lives only in the discarded bits cannot become inf; f8e4m3 has one NaN,
//   S.1111.111. decode widens NaN payloads unchanged (exact widening, a signalling NaN stays
//   signalling).
// - tf32 decode ignores the low 13 bits of the container (they are zero by definition), but keeps a
//   NaN whose payload is only there a NaN.
// - Integers are rounded on the magnitude, then the sign is put back; the value is clamped to the
//   type's range first (clamping in double before any cast keeps float->int conversion defined).
namespace nsim::isa {

namespace {

uint32_t bits_of(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

float float_of(uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// Layout of a binary floating-point format narrower than (or as wide as) fp32.
struct FloatFormat {
    int exp_bits;
    int man_bits;
    int bias;
    bool ieee_specials;  // all-ones exponent is inf/NaN; otherwise only S.1..1.1..1 is NaN (OCP
                         // "fn")
};

constexpr FloatFormat kTf32{8, 10, 127, true};
constexpr FloatFormat kBf16{8, 7, 127, true};
constexpr FloatFormat kF16{5, 10, 15, true};
constexpr FloatFormat kF8e4m3{4, 3, 7, false};
constexpr FloatFormat kF8e5m2{5, 2, 15, true};

int bit_width(uint64_t v) {
    int n = 0;
    for (; v != 0; v >>= 1) ++n;
    return n;
}

// Decides whether the kept significand `kept` is incremented, given the `shift` dropped low bits.
bool round_up(uint64_t kept, uint64_t dropped, int shift, Rounding rounding, uint32_t random_bits) {
    if (shift == 0) return false;
    if (rounding == Rounding::nearest_even) {
        if (shift >= 64) return false;  // dropped < 2^24, far below half an ulp
        uint64_t half = uint64_t(1) << (shift - 1);
        return dropped > half || (dropped == half && (kept & 1));
    }
    // Stochastic: carry out of dropped + random bits aligned with the top of the dropped field.
    if (shift <= 32)
        return dropped + (uint64_t(random_bits) >> (32 - shift)) >= (uint64_t(1) << shift);
    if (shift < 64)
        return dropped + (uint64_t(random_bits) << (shift - 32)) >= (uint64_t(1) << shift);
    return false;  // the dropped part is below 2^-32 of an ulp: no 32-bit draw reaches it
}

// Encodes `value` into `f`; the result is the format's bit pattern in the low bits.
uint32_t encode_float(const FloatFormat& f, float value, Rounding rounding, uint32_t random_bits) {
    const uint32_t x = bits_of(value);
    const uint32_t abs = x & 0x7fffffffu;
    const uint32_t sign = (x >> 31) << (f.exp_bits + f.man_bits);
    const uint32_t inf_bits = ((uint32_t(1) << f.exp_bits) - 1) << f.man_bits;
    // Largest finite pattern: below the all-ones exponent, or S.1111.110 without infinities.
    const uint32_t max_bits =
        f.ieee_specials ? inf_bits - 1 : (uint32_t(1) << (f.exp_bits + f.man_bits)) - 2;
    const uint32_t overflow_bits = f.ieee_specials ? inf_bits : max_bits;

    if (abs > 0x7f800000u) {
        if (!f.ieee_specials) return sign | (max_bits + 1);
        const uint32_t payload = (abs & 0x7fffffu) >> (23 - f.man_bits);
        return sign | inf_bits | payload | (uint32_t(1) << (f.man_bits - 1));
    }
    if (abs == 0x7f800000u) return sign | overflow_bits;
    if (abs == 0) return sign;

    // |value| = m * 2^e exactly.
    const bool fp32_normal = abs >= 0x800000u;
    const uint64_t m = fp32_normal ? ((abs & 0x7fffffu) | 0x800000u) : abs;
    const int e = fp32_normal ? int(abs >> 23) - 150 : -149;
    const int top = e + bit_width(m) - 1;  // floor(log2 |value|)
    const int emin = 1 - f.bias;
    const int exponent = std::max(top, emin);  // subnormal targets share emin's ulp
    // Number of significand bits below the target's ulp; never negative since every target here
    // has at most fp32's precision and at least its exponent floor.
    const int shift = exponent - f.man_bits - e;

    uint64_t kept = shift >= 64 ? 0 : m >> shift;
    const uint64_t dropped = shift >= 64 ? m : m & ((uint64_t(1) << shift) - 1);
    if (round_up(kept, dropped, shift, rounding, random_bits)) ++kept;

    // Exponent field is 0 for subnormals; `kept` carries the implicit bit of normals into it.
    const uint64_t biased = uint64_t(exponent + f.bias - 1);
    const uint64_t out = (biased << f.man_bits) + kept;
    if (out > max_bits) return sign | overflow_bits;
    return sign | uint32_t(out);
}

float decode_float(const FloatFormat& f, uint32_t bits) {
    const uint32_t man_mask = (uint32_t(1) << f.man_bits) - 1;
    const uint32_t exp_all = (uint32_t(1) << f.exp_bits) - 1;
    const uint32_t sign = ((bits >> (f.exp_bits + f.man_bits)) & 1u) << 31;
    const uint32_t exp_field = (bits >> f.man_bits) & exp_all;
    const uint32_t man = bits & man_mask;

    if (exp_field == exp_all && (f.ieee_specials || man == man_mask)) {
        if (!f.ieee_specials) return float_of(sign | 0x7fc00000u);
        return float_of(sign | 0x7f800000u | (man << (23 - f.man_bits)));  // inf or NaN
    }
    if (exp_field == 0)  // zero or subnormal: man * 2^(emin - man_bits), exact in fp32
        return float_of(sign | bits_of(std::ldexp(float(man), 1 - f.bias - f.man_bits)));
    const uint32_t exp32 = exp_field - uint32_t(f.bias) + 127u;
    return float_of(sign | (exp32 << 23) | (man << (23 - f.man_bits)));
}

uint32_t encode_int(float value, double lo, double hi, int width, Rounding rounding,
                    uint32_t random_bits) {
    if (std::isnan(value)) return 0;
    const double x = std::clamp(double(value), lo, hi);  // integer bounds: rounding stays in range
    const double mag = std::fabs(x);
    const double whole = std::floor(mag);
    const double frac = mag - whole;  // exact: the bits of a float below its integer part
    bool up;
    if (rounding == Rounding::nearest_even) {
        up = frac > 0.5 || (frac == 0.5 && std::fmod(whole, 2.0) == 1.0);
    } else {
        // Same carry rule as for floats: the fraction truncated to 32 bits plus the random bits.
        up = double(random_bits) + std::floor(std::ldexp(frac, 32)) >= 4294967296.0;
    }
    const double rounded = (whole + (up ? 1.0 : 0.0)) * (x < 0 ? -1.0 : 1.0);
    const uint64_t pattern = uint64_t(int64_t(rounded));  // two's complement
    const uint64_t mask = (uint64_t(1) << width) - 1;
    return uint32_t(pattern & mask);
}

float decode_int(uint32_t bits, int width, bool is_signed) {
    const uint64_t u = uint64_t(bits) & ((uint64_t(1) << width) - 1);
    int64_t v = int64_t(u);
    if (is_signed && (u >> (width - 1)) != 0) v -= int64_t(1) << width;
    return float(v);
}

}  // namespace

uint32_t encode(DType t, float value, Rounding rounding, uint32_t random_bits) {
    switch (t) {
        case DType::float32:
            return bits_of(value);  // nothing to round
        case DType::tfloat32:
            return encode_float(kTf32, value, rounding, random_bits) << 13;
        case DType::bfloat16:
            if (rounding == Rounding::nearest_even &&
                (bits_of(value) & 0x7fffffffu) <= 0x7f800000u) {
                // Not NaN: round to nearest even on the low 16 bits directly (a carry into the
                // exponent gives the next binade or infinity, as encode_float does).
                const uint32_t x = bits_of(value);
                return (x + 0x7fffu + ((x >> 16) & 1u)) >> 16;
            }
            return encode_float(kBf16, value, rounding, random_bits);
        case DType::float16:
            return encode_float(kF16, value, rounding, random_bits);
        case DType::float8_e4m3:
            return encode_float(kF8e4m3, value, rounding, random_bits);
        case DType::float8_e5m2:
            return encode_float(kF8e5m2, value, rounding, random_bits);
        case DType::int8:
            return encode_int(value, -128.0, 127.0, 8, rounding, random_bits);
        case DType::uint8:
            return encode_int(value, 0.0, 255.0, 8, rounding, random_bits);
        case DType::int16:
            return encode_int(value, -32768.0, 32767.0, 16, rounding, random_bits);
        case DType::uint16:
            return encode_int(value, 0.0, 65535.0, 16, rounding, random_bits);
        case DType::int32:
            return encode_int(value, -2147483648.0, 2147483647.0, 32, rounding, random_bits);
        case DType::uint32:
            return encode_int(value, 0.0, 4294967295.0, 32, rounding, random_bits);
        case DType::bool_:
            return (value != 0.0f || std::isnan(value)) ? 1u : 0u;
    }
    return 0;
}

float decode(DType t, uint32_t bits) {
    switch (t) {
        case DType::float32:
            return float_of(bits);
        case DType::tfloat32: {
            const uint32_t kept = bits & 0xffffe000u;
            const bool nan = (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x7fffffu) != 0;
            return float_of(nan && (kept & 0x7fffffu) == 0 ? kept | 0x400000u : kept);
        }
        case DType::bfloat16:  // the upper half of an fp32, specials and subnormals alike
            return float_of((bits & 0xffffu) << 16);
        case DType::float16:
            return decode_float(kF16, bits);
        case DType::float8_e4m3:
            return decode_float(kF8e4m3, bits);
        case DType::float8_e5m2:
            return decode_float(kF8e5m2, bits);
        case DType::int8:
            return decode_int(bits, 8, true);
        case DType::uint8:
            return decode_int(bits, 8, false);
        case DType::int16:
            return decode_int(bits, 16, true);
        case DType::uint16:
            return decode_int(bits, 16, false);
        case DType::int32:
            return decode_int(bits, 32, true);
        case DType::uint32:
            return decode_int(bits, 32, false);
        case DType::bool_:
            return (bits & 0xffu) != 0 ? 1.0f : 0.0f;
    }
    return 0.0f;
}

float quantize(DType t, float value, Rounding rounding, uint32_t random_bits) {
    return decode(t, encode(t, value, rounding, random_bits));
}

uint32_t RandomBits::next() {
    // splitmix64 (Steele, Lea, Flood 2014); the high half of the output is the better-mixed one.
    uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return uint32_t(z >> 32);
}

}  // namespace nsim::isa

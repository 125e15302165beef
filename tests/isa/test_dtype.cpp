// Tests of the fp32 <-> storage type conversions (isa/dtype.h) against independent references.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "isa/dtype.h"

using namespace nsim::isa;

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

std::string hex(uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

// Exhaustive loops record mismatches here and make one Catch assertion instead of millions.
struct Mismatches {
    int count = 0;
    std::string first;
    void add(const std::string& what) {
        if (count++ < 8) first += what + "\n";
    }
};

#define CHECK_NO_MISMATCHES(m) \
    do {                       \
        INFO((m).first);       \
        CHECK((m).count == 0); \
    } while (0)

// Bit layout of a narrow float format, written down independently of the implementation.
struct Fmt {
    DType type;
    int exp_bits;
    int man_bits;
    int bias;
    bool ieee;  // all-ones exponent = inf/NaN; otherwise (OCP e4m3fn) only S.1111.111 is NaN

    int width() const { return 1 + exp_bits + man_bits; }
    uint32_t sign_bit() const { return uint32_t(1) << (exp_bits + man_bits); }
    uint32_t max_finite() const {
        if (!ieee) return (uint32_t(1) << (exp_bits + man_bits)) - 2;  // S.1111.110
        return (((uint32_t(1) << exp_bits) - 1) << man_bits) - 1;      // below the infinity
    }
    uint32_t overflow() const { return ieee ? max_finite() + 1 : max_finite(); }
};

const Fmt kBf16{DType::bfloat16, 8, 7, 127, true};
const Fmt kF16{DType::float16, 5, 10, 15, true};
const Fmt kE4m3{DType::float8_e4m3, 4, 3, 7, false};
const Fmt kE5m2{DType::float8_e5m2, 5, 2, 15, true};
const Fmt kNarrowFloats[] = {kBf16, kF16, kE4m3, kE5m2};

// Straightforward reference: sign, exponent, mantissa, subnormal rule, in double via std::ldexp.
double ref_decode(const Fmt& f, uint32_t bits) {
    const int s = int(bits >> (f.exp_bits + f.man_bits)) & 1;
    const int e = int(bits >> f.man_bits) & ((1 << f.exp_bits) - 1);
    const int m = int(bits) & ((1 << f.man_bits) - 1);
    const int e_all = (1 << f.exp_bits) - 1;
    const double sign = s ? -1.0 : 1.0;
    if (f.ieee && e == e_all)
        return m == 0 ? sign * std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::quiet_NaN();
    if (!f.ieee && e == e_all && m == (1 << f.man_bits) - 1)
        return std::numeric_limits<double>::quiet_NaN();
    if (e == 0) return sign * std::ldexp(double(m), 1 - f.bias - f.man_bits);
    return sign * std::ldexp(double(m + (1 << f.man_bits)), e - f.bias - f.man_bits);
}

bool is_nan_of(const Fmt& f, uint32_t bits) {
    return bits < (uint32_t(1) << f.width()) && std::isnan(ref_decode(f, bits));
}

// Same bits, or both NaN of the format.
bool same_encoding(const Fmt& f, uint32_t got, uint32_t want) {
    if (is_nan_of(f, want)) return is_nan_of(f, got);
    return got == want;
}

// The positive finite values of a format in bit order (which must be value order).
std::vector<double> positive_values(const Fmt& f) {
    std::vector<double> v;
    for (uint32_t b = 0; b <= f.max_finite(); ++b) v.push_back(ref_decode(f, b));
    return v;
}

bool representable_in_float(double x) {
    // Guard first: converting an out-of-range double to float is undefined behaviour.
    if (std::fabs(x) > double(std::numeric_limits<float>::max())) return false;
    return double(float(x)) == x;
}

// Nearest-even choice between two adjacent encodings lo_bits and lo_bits + 1.
uint32_t rne_choice(double x, double lo, double hi, uint32_t lo_bits) {
    if (x - lo < hi - x) return lo_bits;
    if (x - lo > hi - x) return lo_bits + 1;
    return (lo_bits & 1) ? lo_bits + 1 : lo_bits;
}

// Reference RNE of a positive finite x by search in the table of the format's values.
uint32_t ref_rne(const Fmt& f, const std::vector<double>& values, double x) {
    const double max = values.back();
    const double ulp_max = max - values[values.size() - 2];
    if (x > max) {
        if (!f.ieee) return f.max_finite();  // saturates
        // Past max the next step (max + ulp) would be encoded as the infinity pattern.
        return rne_choice(x, max, max + ulp_max, f.max_finite());
    }
    const auto it = std::upper_bound(values.begin(), values.end(), x);  // first value > x
    const uint32_t lo_bits = uint32_t(it - values.begin()) - 1;
    if (values[lo_bits] == x) return lo_bits;
    return rne_choice(x, values[lo_bits], values[lo_bits + 1], lo_bits);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. Exhaustive decode/encode round trips and decode against the bit-field reference.

TEST_CASE("dtype: every narrow float pattern decodes to the bit-field reference", "[isa]") {
    for (const Fmt& f : kNarrowFloats) {
        Mismatches bad;
        for (uint32_t b = 0; b < (uint32_t(1) << f.width()); ++b) {
            const double want = ref_decode(f, b);
            const float got = decode(f.type, b);
            const bool ok = std::isnan(want)
                                ? std::isnan(got)
                                : double(got) == want && std::signbit(got) == std::signbit(want);
            if (!ok) bad.add(std::string(dtype_name(f.type)) + " " + hex(b));
        }
        CHECK_NO_MISMATCHES(bad);
    }
}

TEST_CASE("dtype: narrow floats round-trip decode then encode, -0 and NaN included", "[isa]") {
    for (const Fmt& f : kNarrowFloats) {
        Mismatches bad;
        for (uint32_t b = 0; b < (uint32_t(1) << f.width()); ++b) {
            const uint32_t back = encode(f.type, decode(f.type, b));
            if (!same_encoding(f, back, b))
                bad.add(std::string(dtype_name(f.type)) + " " + hex(b) + " -> " + hex(back));
        }
        CHECK_NO_MISMATCHES(bad);
    }
    CHECK(encode(DType::float16, -0.0f) == 0x8000);
    CHECK(encode(DType::float8_e4m3, -0.0f) == 0x80);
    CHECK(std::signbit(decode(DType::bfloat16, 0x8000)));
}

TEST_CASE("dtype: integers decode by value and round-trip exhaustively", "[isa]") {
    Mismatches bad;
    for (uint32_t b = 0; b < 256; ++b) {
        const double i8 = b < 128 ? double(b) : double(b) - 256.0;
        if (decode(DType::int8, b) != i8) bad.add("i8 decode " + hex(b));
        if (decode(DType::uint8, b) != double(b)) bad.add("u8 decode " + hex(b));
        if (encode(DType::int8, decode(DType::int8, b)) != b) bad.add("i8 trip " + hex(b));
        if (encode(DType::uint8, decode(DType::uint8, b)) != b) bad.add("u8 trip " + hex(b));
    }
    for (uint32_t b = 0; b < 65536; ++b) {
        const double i16 = b < 32768 ? double(b) : double(b) - 65536.0;
        if (decode(DType::int16, b) != i16) bad.add("i16 decode " + hex(b));
        if (decode(DType::uint16, b) != double(b)) bad.add("u16 decode " + hex(b));
        if (encode(DType::int16, decode(DType::int16, b)) != b) bad.add("i16 trip " + hex(b));
        if (encode(DType::uint16, decode(DType::uint16, b)) != b) bad.add("u16 trip " + hex(b));
    }
    CHECK_NO_MISMATCHES(bad);
    // Only the low bits of the container count.
    CHECK(decode(DType::int8, 0x1ff) == -1.0f);
    CHECK(decode(DType::int16, 0xabcd8000u) == -32768.0f);
    CHECK(decode(DType::int32, 0xffffffffu) == -1.0f);
    CHECK(decode(DType::int32, 0x80000000u) == -2147483648.0f);
    CHECK(decode(DType::uint32, 0xffffffffu) == 4294967296.0f);  // nearest float to 2^32 - 1
    CHECK(encode(DType::int32, -123456.0f) == uint32_t(-123456));
    CHECK(encode(DType::uint32, 16777216.0f) == 16777216u);
}

TEST_CASE("dtype: bool decodes any non-zero byte as 1 and encodes 0/1", "[isa]") {
    for (uint32_t b = 0; b < 256; ++b) {
        const float v = decode(DType::bool_, b);
        CHECK(v == (b != 0 ? 1.0f : 0.0f));
        CHECK(encode(DType::bool_, v) == (b != 0 ? 1u : 0u));
    }
    CHECK(encode(DType::bool_, 0.0f) == 0);
    CHECK(encode(DType::bool_, -0.0f) == 0);
    CHECK(encode(DType::bool_, 1e-45f) == 1);
    CHECK(encode(DType::bool_, -3.0f) == 1);
    CHECK(encode(DType::bool_, -std::numeric_limits<float>::infinity()) == 1);
    CHECK(encode(DType::bool_, std::numeric_limits<float>::quiet_NaN()) == 1);
}

TEST_CASE("dtype: f32 is the identity and tf32 decode is exact widening", "[isa]") {
    for (uint32_t b : {0u, 0x80000000u, 0x3f800001u, 0x7f7fffffu, 0x00000001u, 0x7f800000u,
                       0x7fa00001u, 0xffc00000u}) {
        CHECK(encode(DType::float32, float_of(b)) == b);
        CHECK(encode(DType::float32, float_of(b), Rounding::stochastic, 0xffffffffu) == b);
        CHECK(bits_of(decode(DType::float32, b)) == b);
    }
    std::mt19937 rng(7);
    Mismatches bad;
    for (int i = 0; i < 100000; ++i) {
        const uint32_t b = rng() & 0xffffe000u;  // a tf32 pattern
        const float v = decode(DType::tfloat32, b);
        if (std::isnan(float_of(b))) {
            if (!std::isnan(v)) bad.add("tf32 NaN " + hex(b));
        } else if (bits_of(v) != b || encode(DType::tfloat32, v) != b) {
            bad.add("tf32 " + hex(b));
        }
    }
    CHECK_NO_MISMATCHES(bad);
}

// ---------------------------------------------------------------------------------------------
// 2. Round to nearest even against independent references.

TEST_CASE("dtype: narrow floats round to nearest, ties to even, at every pair of neighbours",
          "[isa]") {
    for (const Fmt& f : kNarrowFloats) {
        const std::vector<double> values = positive_values(f);
        Mismatches bad;
        auto expect = [&](double x, uint32_t want) {
            if (!representable_in_float(x)) return;
            for (int s = 0; s < 2; ++s) {
                const float v = float(s ? -x : x);
                const uint32_t w = want | (s ? f.sign_bit() : 0);
                const uint32_t got = encode(f.type, v);
                if (got != w)
                    bad.add(std::string(dtype_name(f.type)) + " " + std::to_string(v) + " (" +
                            hex(bits_of(v)) + ") -> " + hex(got) + " want " + hex(w));
            }
        };
        // Every adjacent pair, plus the pair (max, max + ulp) where overflow happens.
        const double ulp_max = values.back() - values[values.size() - 2];
        for (uint32_t b = 0; b <= f.max_finite(); ++b) {
            const bool last = b == f.max_finite();
            const double lo = values[b];
            const double hi = last ? lo + ulp_max : values[b + 1];
            const uint32_t up = last ? f.overflow() : b + 1;
            const uint32_t even = (b & 1) ? up : b;
            const double mid = (lo + hi) / 2;
            REQUIRE(representable_in_float(mid));
            expect(lo, b);
            expect(mid, f.ieee || !last ? even : f.max_finite());
            expect(std::nextafter(float(mid), 0.0f), b);
            expect(std::nextafter(float(mid), INFINITY), up);
            expect(lo + (hi - lo) / 4, b);
            expect(lo + (hi - lo) * 3 / 4, up);
            expect(lo + (hi - lo) / 8, b);
            expect(lo + (hi - lo) * 7 / 8, up);
        }
        CHECK_NO_MISMATCHES(bad);
    }
}

TEST_CASE("dtype: narrow floats match a table-search RNE reference on random fp32 values",
          "[isa]") {
    std::mt19937 rng(12345);
    for (const Fmt& f : kNarrowFloats) {
        const std::vector<double> values = positive_values(f);
        const int emax = (1 << f.exp_bits) - 1 - f.bias;
        const int emin = 1 - f.bias;
        std::uniform_int_distribution<int> exp_dist(std::max(emin - f.man_bits - 24, -149),
                                                    std::min(emax + 2, 127));
        Mismatches bad;
        for (int i = 0; i < 200000; ++i) {
            const float x = std::ldexp(1.0f + float(rng() & 0x7fffff) * 0x1p-23f, exp_dist(rng));
            if (x == 0.0f || std::isinf(x)) continue;
            const uint32_t want = ref_rne(f, values, double(x));
            const uint32_t got = encode(f.type, x);
            if (got != want) bad.add(std::string(dtype_name(f.type)) + " " + hex(bits_of(x)));
            if (encode(f.type, -x) != (want | f.sign_bit()))
                bad.add(std::string(dtype_name(f.type)) + " -" + hex(bits_of(x)));
        }
        CHECK_NO_MISMATCHES(bad);
    }
}

TEST_CASE("dtype: tf32 rounds to 10 mantissa bits, nearest even, on sampled fp32 values", "[isa]") {
    std::mt19937 rng(99);
    Mismatches bad;
    for (int i = 0; i < 300000; ++i) {
        uint32_t x = rng();
        if (i % 4 == 0) x = (x & 0xffffe000u) | 0x1000u;  // force exact ties
        if ((x & 0x7f800000u) == 0x7f800000u) continue;   // inf/NaN are tested elsewhere
        const uint32_t sign = x & 0x80000000u;
        const uint32_t lo_bits = x & 0x7fffe000u;
        const uint32_t hi_bits = lo_bits + 0x2000u;
        const double a = std::fabs(double(float_of(x)));
        const double lo = double(float_of(lo_bits));
        const double hi = hi_bits == 0x7f800000u ? std::ldexp(1.0, 128) : double(float_of(hi_bits));
        uint32_t want = a - lo < hi - a       ? lo_bits
                        : a - lo > hi - a     ? hi_bits
                        : (lo_bits & 0x2000u) ? hi_bits
                                              : lo_bits;
        want |= sign;
        const uint32_t got = encode(DType::tfloat32, float_of(x));
        if (got != want) bad.add(hex(x) + " -> " + hex(got) + " want " + hex(want));
    }
    CHECK_NO_MISMATCHES(bad);
    CHECK(encode(DType::tfloat32, 1.0f + 0x1p-11f) == 0x3f800000u);      // tie, even is down
    CHECK(encode(DType::tfloat32, 1.0f + 3 * 0x1p-11f) == 0x3f804000u);  // tie, up
    CHECK(encode(DType::tfloat32, std::numeric_limits<float>::max()) == 0x7f800000u);
}

TEST_CASE("dtype: bf16 rounds ties to even", "[isa]") {
    CHECK(encode(DType::bfloat16, float_of(0x3f808000u)) == 0x3f80);  // tie, even is down
    CHECK(encode(DType::bfloat16, float_of(0x3f818000u)) == 0x3f82);  // tie, even is up
    CHECK(encode(DType::bfloat16, float_of(0x3f808001u)) == 0x3f81);
    CHECK(encode(DType::bfloat16, float_of(0x007f8000u)) == 0x0080);  // subnormal up into normal
}

TEST_CASE("dtype: f16 rounds subnormals and the subnormal boundary to nearest even", "[isa]") {
    CHECK(encode(DType::float16, 0x1p-24f) == 0x0001);             // min subnormal
    CHECK(encode(DType::float16, 0x1p-25f) == 0x0000);             // half of it: tie to zero
    CHECK(encode(DType::float16, 0x1.000002p-25f) == 0x0001);      // just above the tie
    CHECK(encode(DType::float16, 1.5f * 0x1p-24f) == 0x0002);      // tie 1|2 -> 2
    CHECK(encode(DType::float16, 2.5f * 0x1p-24f) == 0x0002);      // tie 2|3 -> 2
    CHECK(encode(DType::float16, 0x1p-14f - 0x1p-25f) == 0x0400);  // tie 0x3ff|0x400 -> normal
    CHECK(encode(DType::float16, -0x1p-30f) == 0x8000);
}

// ---------------------------------------------------------------------------------------------
// 3. Overflow, saturation and NaN.

TEST_CASE("dtype: f8e4m3 saturates to 448 and has one NaN", "[isa]") {
    const float inf = std::numeric_limits<float>::infinity();
    CHECK(decode(DType::float8_e4m3, 0x7e) == 448.0f);
    for (float v : {448.0f, 463.9f, 464.0f, 480.0f, 1e6f, 3e38f, inf}) {
        CHECK(encode(DType::float8_e4m3, v) == 0x7e);
        CHECK(encode(DType::float8_e4m3, -v) == 0xfe);
        CHECK(encode(DType::float8_e4m3, v, Rounding::stochastic, 0xffffffffu) == 0x7e);
    }
    CHECK((encode(DType::float8_e4m3, std::numeric_limits<float>::quiet_NaN()) & 0x7f) == 0x7f);
    CHECK((encode(DType::float8_e4m3, -std::numeric_limits<float>::quiet_NaN()) & 0x7f) == 0x7f);
    CHECK(std::isnan(decode(DType::float8_e4m3, 0xff)));
    CHECK(decode(DType::float8_e4m3, 0x01) == 0x1p-9f);
}

TEST_CASE("dtype: f8e5m2 overflows to inf from 61440", "[isa]") {
    CHECK(decode(DType::float8_e5m2, 0x7b) == 57344.0f);
    CHECK(encode(DType::float8_e5m2, 57344.0f) == 0x7b);
    CHECK(encode(DType::float8_e5m2, 61439.0f) == 0x7b);
    CHECK(encode(DType::float8_e5m2, 61440.0f) == 0x7c);
    CHECK(encode(DType::float8_e5m2, -1e9f) == 0xfc);
    CHECK(encode(DType::float8_e5m2, -std::numeric_limits<float>::infinity()) == 0xfc);
    CHECK(is_nan_of(kE5m2, encode(DType::float8_e5m2, std::numeric_limits<float>::quiet_NaN())));
    CHECK(decode(DType::float8_e5m2, 0x01) == 0x1p-16f);
}

TEST_CASE("dtype: f16 overflows to inf from 65520", "[isa]") {
    CHECK(decode(DType::float16, 0x7bff) == 65504.0f);
    CHECK(encode(DType::float16, 65504.0f) == 0x7bff);
    CHECK(encode(DType::float16, 65519.996f) == 0x7bff);
    CHECK(encode(DType::float16, 65520.0f) == 0x7c00);
    CHECK(encode(DType::float16, -65520.0f) == 0xfc00);
    CHECK(encode(DType::float16, std::numeric_limits<float>::infinity()) == 0x7c00);
}

TEST_CASE("dtype: bf16 overflows to inf", "[isa]") {
    const float max = std::numeric_limits<float>::max();
    CHECK(encode(DType::bfloat16, max) == 0x7f80);
    CHECK(encode(DType::bfloat16, -max) == 0xff80);
    CHECK(encode(DType::bfloat16, float_of(0x7f7f7fffu)) == 0x7f7f);  // largest below the tie
    CHECK(encode(DType::bfloat16, max, Rounding::stochastic, 0) == 0x7f7f);
    CHECK(encode(DType::bfloat16, max, Rounding::stochastic, 0xffffffffu) == 0x7f80);
}

TEST_CASE("dtype: NaN stays NaN in every float type, even with payload only in dropped bits",
          "[isa]") {
    const uint32_t nans[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xff800001u,
                             0x7fbfffffu, 0x7f801000u, 0x7fffffffu};
    for (uint32_t n : nans) {
        const float v = float_of(n);
        for (Rounding r : {Rounding::nearest_even, Rounding::stochastic}) {
            for (uint32_t rb : {0u, 0xffffffffu}) {
                for (const Fmt& f : kNarrowFloats) {
                    const uint32_t got = encode(f.type, v, r, rb);
                    INFO(dtype_name(f.type) << " " << hex(n) << " -> " << hex(got));
                    CHECK(is_nan_of(f, got));
                    CHECK(std::isnan(decode(f.type, got)));
                    if (f.ieee) CHECK((got & f.sign_bit()) == (n >> 31) * f.sign_bit());
                }
                const uint32_t tf = encode(DType::tfloat32, v, r, rb);
                INFO("tf32 " << hex(n) << " -> " << hex(tf));
                CHECK((tf & 0x1fffu) == 0);
                CHECK(std::isnan(float_of(tf)));
                CHECK(std::isnan(decode(DType::tfloat32, tf)));
            }
        }
    }
    CHECK(std::isnan(decode(DType::tfloat32, 0x7f800001u)));  // low bits ignored, NaN kept
    CHECK(encode(DType::float16, std::numeric_limits<float>::quiet_NaN()) == 0x7e00);
}

TEST_CASE("dtype: integers saturate at the type's range and NaN becomes 0", "[isa]") {
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    CHECK(encode(DType::int8, 300.0f) == 0x7f);
    CHECK(encode(DType::int8, -300.0f) == 0x80);
    CHECK(encode(DType::int8, -1.0f) == 0xff);
    CHECK(encode(DType::int8, 127.5f) == 0x7f);
    CHECK(encode(DType::int8, -128.5f) == 0x80);
    CHECK(encode(DType::uint8, -5.0f) == 0);
    CHECK(encode(DType::uint8, 255.4f) == 255);
    CHECK(encode(DType::uint8, 1e20f) == 255);
    CHECK(encode(DType::int16, 40000.0f) == 0x7fff);
    CHECK(encode(DType::int16, -40000.0f) == 0x8000);
    CHECK(encode(DType::int16, -1.0f) == 0xffff);
    CHECK(encode(DType::uint16, 70000.0f) == 0xffff);
    CHECK(encode(DType::uint16, -inf) == 0);
    CHECK(encode(DType::int32, 3e9f) == 2147483647u);
    CHECK(encode(DType::int32, 2147483648.0f) == 2147483647u);
    CHECK(encode(DType::int32, 2147483520.0f) == 2147483520u);  // largest float below 2^31
    CHECK(encode(DType::int32, -3e9f) == 0x80000000u);
    CHECK(encode(DType::int32, -2147483648.0f) == 0x80000000u);
    CHECK(encode(DType::int32, inf) == 2147483647u);
    CHECK(encode(DType::int32, -inf) == 0x80000000u);
    CHECK(encode(DType::int32, -1.0f) == 0xffffffffu);
    CHECK(encode(DType::uint32, 5e9f) == 0xffffffffu);
    CHECK(encode(DType::uint32, 4294967040.0f) == 4294967040u);  // largest float below 2^32
    CHECK(encode(DType::uint32, -1.0f) == 0);
    CHECK(encode(DType::uint32, inf, Rounding::stochastic, 0xffffffffu) == 0xffffffffu);
    for (DType t :
         {DType::int8, DType::uint8, DType::int16, DType::uint16, DType::int32, DType::uint32}) {
        CHECK(encode(t, nan) == 0);
        CHECK(encode(t, -nan, Rounding::stochastic, 0xffffffffu) == 0);
        CHECK(encode(t, -0.0f) == 0);
    }
}

TEST_CASE("dtype: integers round ties to even", "[isa]") {
    CHECK(encode(DType::int8, 2.5f) == 2);
    CHECK(encode(DType::int8, 3.5f) == 4);
    CHECK(encode(DType::int8, -2.5f) == uint32_t(uint8_t(-2)));
    CHECK(encode(DType::int8, -3.5f) == uint32_t(uint8_t(-4)));
    CHECK(encode(DType::int8, 0.5f) == 0);
    CHECK(encode(DType::int8, -0.5f) == 0);
    CHECK(encode(DType::int8, 1.5f) == 2);
    CHECK(encode(DType::int8, 2.5000002f) == 3);
    CHECK(encode(DType::int8, 2.4999998f) == 2);
    CHECK(encode(DType::int8, 1e-30f) == 0);
    CHECK(encode(DType::uint16, 65534.5f) == 65534);
    CHECK(encode(DType::int32, 8388607.5f) == 8388608u);
    CHECK(encode(DType::int32, -8388606.5f) == uint32_t(-8388606));
}

// ---------------------------------------------------------------------------------------------
// 4. Stochastic rounding.

TEST_CASE("dtype: random bits are reproducible per seed (splitmix64 high half)", "[isa]") {
    RandomBits zero(0);
    CHECK(zero.next() == 0xe220a839u);  // published splitmix64(0) outputs: 0xe220a8397b1dcdaf,
    CHECK(zero.next() == 0x6e789e6au);  // 0x6e789e6aa1b965f4, 0x06c45d188009454f
    CHECK(zero.next() == 0x06c45d18u);
    RandomBits a(42), b(42), c(43);
    int differ = 0;
    for (int i = 0; i < 1000; ++i) {
        const uint32_t va = a.next();
        CHECK(va == b.next());
        differ += va != c.next();
    }
    CHECK(differ > 990);
}

TEST_CASE("dtype: stochastic rounding rounds up for exactly the cut-off fraction of random inputs",
          "[isa]") {
    // bf16 drops 16 bits of a normal fp32: every 16-bit prefix of the random bits is one outcome.
    for (uint32_t x :
         {0x3f800001u, 0x3f804000u, 0x3f808000u, 0x3f80ffffu, 0xc0123456u, 0x00012345u}) {
        const uint32_t dropped = x & 0xffffu;
        uint32_t ups = 0, others = 0;
        for (uint32_t t = 0; t < 65536; ++t) {
            const uint32_t got =
                encode(DType::bfloat16, float_of(x), Rounding::stochastic, t << 16);
            ups += got == (x >> 16) + 1;
            others += got != x >> 16 && got != (x >> 16) + 1;
        }
        INFO(hex(x));
        CHECK(ups == dropped);
        CHECK(others == 0);
    }
    // With r = 0 SR truncates, with all ones it rounds any inexact value up (in magnitude).
    CHECK(encode(DType::float16, 1.0f + 0x1p-23f, Rounding::stochastic, 0) == 0x3c00);
    CHECK(encode(DType::float16, 1.0f + 0x1p-23f, Rounding::stochastic, 0xffffffffu) == 0x3c01);
    CHECK(encode(DType::float16, -(1.0f + 0x1p-23f), Rounding::stochastic, 0xffffffffu) == 0xbc01);
    // A dropped field wider than 32 bits: 2^-20 in e4m3 (ulp 2^-9) keeps its top 32 bits,
    // 2^23 >> 2, so exactly the top 2^21 random values round up.
    CHECK(encode(DType::float8_e4m3, 0x1p-20f, Rounding::stochastic, 0xffe00000u) == 0x01);
    CHECK(encode(DType::float8_e4m3, 0x1p-20f, Rounding::stochastic, 0xffdfffffu) == 0x00);
    CHECK(encode(DType::float8_e4m3, -0x1p-20f, Rounding::stochastic, 0xffffffffu) == 0x81);
}

namespace {

struct SrStats {
    double fraction_up;
    double mean;
    int strays;  // results that are neither neighbour
};

// Draws n stochastic roundings of x; `up` is the larger-magnitude neighbour.
SrStats sr_stats(DType t, float x, float down, float up, uint64_t seed, int n = 100000) {
    RandomBits rng(seed);
    int ups = 0, strays = 0;
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        const float q = quantize(t, x, Rounding::stochastic, rng.next());
        ups += q == up;
        strays += q != up && q != down;
        sum += q;
    }
    return {double(ups) / n, sum / n, strays};
}

}  // namespace

TEST_CASE("dtype: stochastic rounding is unbiased on bf16, f8e4m3, subnormal f16 and int8",
          "[isa]") {
    struct Case {
        DType t;
        float x, down, up, p;
    };
    const Case cases[] = {
        {DType::bfloat16, 1.0f + 0x1p-9f, 1.0f, 1.0f + 0x1p-7f, 0.25f},
        {DType::bfloat16, -(1.0f + 0x1p-9f), -1.0f, -(1.0f + 0x1p-7f), 0.25f},
        {DType::float8_e4m3, 1.03125f, 1.0f, 1.125f, 0.25f},
        {DType::float8_e4m3, 0.25f * 0x1p-9f, 0.0f, 0x1p-9f, 0.25f},  // below min subnormal
        {DType::float16, 3.25f * 0x1p-24f, 3 * 0x1p-24f, 4 * 0x1p-24f, 0.25f},
        {DType::float8_e5m2, 0x1.4p-16f, 0x1p-16f, 0x1p-15f, 0.25f},
        {DType::int8, 2.3f, 2.0f, 3.0f, 0.3f},
        {DType::int8, -2.3f, -2.0f, -3.0f, 0.3f},
    };
    uint64_t seed = 1;
    for (const Case& c : cases) {
        INFO(dtype_name(c.t) << " " << c.x);
        const SrStats s = sr_stats(c.t, c.x, c.down, c.up, seed++);
        CHECK(s.strays == 0);
        CHECK(std::fabs(s.fraction_up - c.p) < 0.01);
        // The standard error of the mean is ulp * sqrt(p(1-p)/n) ~ 0.0015 ulp; allow ~7 of them.
        const double ulp = std::fabs(double(c.up) - double(c.down));
        CHECK(std::fabs(s.mean - double(c.x)) < 0.01 * ulp);
    }
}

TEST_CASE("dtype: stochastic rounding never changes exactly representable values", "[isa]") {
    const uint32_t draws[] = {0u, 1u, 0x7fffffffu, 0x80000000u, 0xfffeffffu, 0xffffffffu};
    Mismatches bad;
    for (const Fmt& f : kNarrowFloats) {
        for (uint32_t b = 0; b < (uint32_t(1) << f.width()); ++b) {
            const float v = decode(f.type, b);
            if (std::isnan(v)) continue;
            for (uint32_t r : draws)
                if (encode(f.type, v, Rounding::stochastic, r) != b)
                    bad.add(std::string(dtype_name(f.type)) + " " + hex(b) + " r=" + hex(r));
        }
    }
    for (DType t : {DType::int8, DType::uint8, DType::int16, DType::uint16}) {
        const uint32_t n = dtype_size(t) == 1 ? 256 : 65536;
        for (uint32_t b = 0; b < n; ++b)
            for (uint32_t r : draws)
                if (encode(t, decode(t, b), Rounding::stochastic, r) != b)
                    bad.add(std::string(dtype_name(t)) + " " + hex(b) + " r=" + hex(r));
    }
    for (uint32_t b : {0x3f802000u, 0x00002000u, 0xc7ffe000u, 0x7f7fe000u})
        for (uint32_t r : draws)
            if (encode(DType::tfloat32, float_of(b), Rounding::stochastic, r) != b)
                bad.add("tf32 " + hex(b) + " r=" + hex(r));
    for (float v : {-2147483648.0f, 2147483520.0f, -7.0f})
        for (uint32_t r : draws)
            if (encode(DType::int32, v, Rounding::stochastic, r) != uint32_t(int64_t(v)))
                bad.add("i32 " + std::to_string(v) + " r=" + hex(r));
    CHECK_NO_MISMATCHES(bad);
}

TEST_CASE("dtype: stochastic rounding overflows like nearest even", "[isa]") {
    const uint32_t all = 0xffffffffu;
    CHECK(encode(DType::float16, 65505.0f, Rounding::stochastic, 0) == 0x7bff);
    CHECK(encode(DType::float16, 65505.0f, Rounding::stochastic, all) == 0x7c00);
    CHECK(encode(DType::float16, 1e6f, Rounding::stochastic, 0) == 0x7c00);
    CHECK(encode(DType::float8_e5m2, 57345.0f, Rounding::stochastic, all) == 0x7c);
    CHECK(encode(DType::float8_e5m2, -57345.0f, Rounding::stochastic, 0) == 0xfb);
    CHECK(encode(DType::float8_e4m3, 449.0f, Rounding::stochastic, all) == 0x7e);
    CHECK(encode(DType::float8_e4m3, -1e9f, Rounding::stochastic, 0) == 0xfe);
    CHECK(encode(DType::tfloat32, std::numeric_limits<float>::max(), Rounding::stochastic, all) ==
          0x7f800000u);
    CHECK(encode(DType::int8, 127.9f, Rounding::stochastic, all) == 0x7f);
    CHECK(encode(DType::uint8, -0.9f, Rounding::stochastic, all) == 0);
}

// ---------------------------------------------------------------------------------------------
// 5. quantize is decode(encode()).

TEST_CASE("dtype: quantize equals decode of encode for every type and rounding", "[isa]") {
    std::mt19937 rng(2024);
    Mismatches bad;
    for (int t = 0; t < kDTypeCount; ++t) {
        const DType type = DType(t);
        for (int i = 0; i < 20000; ++i) {
            const uint32_t x = i % 2 ? rng() : bits_of(float(int(rng() % 200001) - 100000) / 64.0f);
            const uint32_t r = rng();
            for (Rounding rounding : {Rounding::nearest_even, Rounding::stochastic}) {
                const float want = decode(type, encode(type, float_of(x), rounding, r));
                const float got = quantize(type, float_of(x), rounding, r);
                if (bits_of(got) != bits_of(want))
                    bad.add(std::string(dtype_name(type)) + " " + hex(x));
            }
        }
    }
    CHECK_NO_MISMATCHES(bad);
}

// Tests of the run conversions against isa::encode/decode element by element: every dtype, strided
// and contiguous runs, and for bf16 every upper half (all NaN payloads, infinities, subnormals)
// with low halves at and around the rounding ties.
#include <cstring>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/semantics/element_runs.h"
#include "sim_test_util.h"

using namespace nsim::isa;
using namespace nsim::sim;
using namespace nsim::test;

namespace {

const DType kAll[] = {DType::float32,     DType::tfloat32,    DType::bfloat16, DType::float16,
                      DType::float8_e4m3, DType::float8_e5m2, DType::int8,     DType::uint8,
                      DType::int16,       DType::uint16,      DType::int32,    DType::uint32,
                      DType::bool_};

}  // namespace

TEST_CASE("element runs: bf16 encoding equals isa::encode for every upper half", "[sim]") {
    std::vector<float> values;
    for (uint32_t hi = 0; hi < 0x10000u; ++hi)
        for (uint32_t lo : {0x0000u, 0x0001u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu})
            values.push_back(float_of(hi << 16 | lo));
    std::vector<uint8_t> bytes(values.size() * 2);
    encode_run(DType::bfloat16, values.data(), values.size(), bytes.data(), 2);
    size_t wrong = 0;
    for (size_t i = 0; i < values.size(); ++i) {
        uint16_t got;
        std::memcpy(&got, &bytes[i * 2], 2);
        wrong += got != encode(DType::bfloat16, values[i]);
    }
    CHECK(wrong == 0);
}

TEST_CASE("element runs: every dtype, contiguous and strided, as isa::encode and decode", "[sim]") {
    std::mt19937 rng(11);
    std::vector<float> values(1000);
    for (float& v : values) v = float_of(rng());  // NaNs, infinities, subnormals included
    for (size_t i = 0; i < 64; ++i) values[i] = float(int(i) - 32) * 0.75f;  // small integers
    for (DType t : kAll) {
        const unsigned size = dtype_size(t);
        for (int64_t stride : {int64_t(size), int64_t(size) * 3}) {
            CAPTURE(dtype_name(t), stride);
            std::vector<uint8_t> bytes(values.size() * size_t(stride), 0xab);
            encode_run(t, values.data(), values.size(), bytes.data(), stride);
            std::vector<float> decoded(values.size());
            decode_run(t, bytes.data(), stride, values.size(), decoded.data());
            size_t wrong = 0;
            for (size_t i = 0; i < values.size(); ++i) {
                const uint8_t* e = &bytes[i * size_t(stride)];
                const uint32_t bits = load_bits(e, size);
                const float want = decode(t, bits);
                wrong += bits != encode(t, values[i]) ||
                         std::memcmp(&decoded[i], &want, sizeof want) != 0;
                if (stride > int64_t(size)) wrong += e[size] != 0xab;  // the gap is untouched
            }
            CHECK(wrong == 0);
        }
    }
}

TEST_CASE("element runs: raw bits load and store 1, 2 and 4 byte elements, strided or not",
          "[sim]") {
    std::mt19937 rng(5);
    for (unsigned size : {1u, 2u, 4u})
        for (int64_t stride : {int64_t(size), int64_t(size) * 2 + 1}) {
            CAPTURE(size, stride);
            std::vector<uint8_t> bytes(300 * size_t(stride));
            for (uint8_t& b : bytes) b = uint8_t(rng());
            std::vector<uint32_t> bits(300);
            load_run(size, bytes.data(), stride, bits.size(), bits.data());
            size_t wrong = 0;
            for (size_t i = 0; i < bits.size(); ++i)
                wrong += bits[i] != load_bits(&bytes[i * size_t(stride)], size);
            std::vector<uint8_t> copy(bytes.size(), 0);
            store_run(size, bits.data(), bits.size(), copy.data(), stride);
            for (size_t i = 0; i < bytes.size(); ++i)  // elements copied, the gaps left at 0
                wrong += copy[i] != (i % size_t(stride) < size ? bytes[i] : 0);
            CHECK(wrong == 0);
        }
}

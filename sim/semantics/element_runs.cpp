#include "sim/semantics/element_runs.h"

#include <cstring>

namespace nsim::sim {

namespace {

// Element sizes are 1, 2 or 4 bytes; little-endian host, as the device.
template <class U>
U load(const uint8_t* p) {
    U v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <class U>
void store(uint8_t* p, U v) {
    std::memcpy(p, &v, sizeof v);
}

// isa::encode(bfloat16, x) for round to nearest even, inline: the NaN case goes to isa::encode.
uint16_t bf16_nearest_even(float x) {
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t(isa::encode(isa::DType::bfloat16, x));
    return uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

}  // namespace

void decode_run(isa::DType t, const uint8_t* p, int64_t stride, uint64_t n, float* out) {
    switch (t) {
        case isa::DType::float32:
            if (stride == 4) {
                std::memcpy(out, p, n * 4);
                return;
            }
            for (uint64_t i = 0; i < n; ++i) out[i] = load<float>(p + int64_t(i) * stride);
            return;
        case isa::DType::bfloat16:  // the upper half of an fp32, as isa::decode
            for (uint64_t i = 0; i < n; ++i) {
                const uint32_t bits = uint32_t(load<uint16_t>(p + int64_t(i) * stride)) << 16;
                std::memcpy(&out[i], &bits, 4);
            }
            return;
        default: {
            const unsigned size = isa::dtype_size(t);
            for (uint64_t i = 0; i < n; ++i)
                out[i] = isa::decode(t, load_bits(p + int64_t(i) * stride, size));
        }
    }
}

void encode_run(isa::DType t, const float* in, uint64_t n, uint8_t* p, int64_t stride) {
    switch (t) {
        case isa::DType::float32:
            if (stride == 4) {
                std::memcpy(p, in, n * 4);
                return;
            }
            for (uint64_t i = 0; i < n; ++i) store(p + int64_t(i) * stride, in[i]);
            return;
        case isa::DType::bfloat16:
            for (uint64_t i = 0; i < n; ++i)
                store(p + int64_t(i) * stride, bf16_nearest_even(in[i]));
            return;
        default: {
            const unsigned size = isa::dtype_size(t);
            for (uint64_t i = 0; i < n; ++i)
                store_bits(p + int64_t(i) * stride, isa::encode(t, in[i]), size);
        }
    }
}

}  // namespace nsim::sim

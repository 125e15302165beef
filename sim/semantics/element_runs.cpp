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

// isa::encode(bfloat16, x) for round to nearest even, branch-free so that loops vectorise: NaN
// keeps its sign and top payload bits and gets the quiet bit; otherwise the low 16 bits round to
// nearest even (a carry into the exponent gives the next binade or infinity).
uint16_t bf16_nearest_even(float x) {
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    const uint32_t quiet_nan = (u >> 16) | 0x40u;
    return uint16_t((u & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
}

// Calls f(i, p + i * stride) for i < n; a contiguous run gets the constant stride `Size`, so that
// the compiler vectorises the loop.
template <int64_t Size, class P, class F>
void each(P* p, int64_t stride, uint64_t n, F&& f) {
    if (stride == Size) {
        for (uint64_t i = 0; i < n; ++i) f(i, p + int64_t(i) * Size);
    } else {
        for (uint64_t i = 0; i < n; ++i) f(i, p + int64_t(i) * stride);
    }
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
            each<2>(p, stride, n, [&](uint64_t i, const uint8_t* e) {
                const uint32_t bits = uint32_t(load<uint16_t>(e)) << 16;
                std::memcpy(&out[i], &bits, 4);
            });
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
            each<2>(p, stride, n,
                    [&](uint64_t i, uint8_t* e) { store(e, bf16_nearest_even(in[i])); });
            return;
        default: {
            const unsigned size = isa::dtype_size(t);
            for (uint64_t i = 0; i < n; ++i)
                store_bits(p + int64_t(i) * stride, isa::encode(t, in[i]), size);
        }
    }
}

namespace {

template <class U>
void load_typed(const uint8_t* p, int64_t stride, uint64_t n, uint32_t* out) {
    each<sizeof(U)>(p, stride, n, [&](uint64_t i, const uint8_t* e) { out[i] = load<U>(e); });
}

template <class U>
void store_typed(const uint32_t* in, uint64_t n, uint8_t* p, int64_t stride) {
    each<sizeof(U)>(p, stride, n, [&](uint64_t i, uint8_t* e) { store(e, U(in[i])); });
}

}  // namespace

void load_run(unsigned size, const uint8_t* p, int64_t stride, uint64_t n, uint32_t* out) {
    if (size == 1)
        load_typed<uint8_t>(p, stride, n, out);
    else if (size == 2)
        load_typed<uint16_t>(p, stride, n, out);
    else
        load_typed<uint32_t>(p, stride, n, out);
}

void store_run(unsigned size, const uint32_t* in, uint64_t n, uint8_t* p, int64_t stride) {
    if (size == 1)
        store_typed<uint8_t>(in, n, p, stride);
    else if (size == 2)
        store_typed<uint16_t>(in, n, p, stride);
    else
        store_typed<uint32_t>(in, n, p, stride);
}

}  // namespace nsim::sim

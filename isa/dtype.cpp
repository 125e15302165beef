#include "isa/dtype.h"

#include <array>

namespace nsim::isa {

namespace {

struct DTypeInfo {
    std::string_view name;      // canonical short name
    std::string_view nki_name;  // NKI spelling
    unsigned size;
    bool is_float;
    bool is_signed_int;
};

constexpr std::array<DTypeInfo, kDTypeCount> kInfo = {{
    {"f32", "float32", 4, true, false},
    {"tf32", "tfloat32", 4, true, false},
    {"bf16", "bfloat16", 2, true, false},
    {"f16", "float16", 2, true, false},
    {"f8e4m3", "float8_e4m3", 1, true, false},
    {"f8e5m2", "float8_e5m2", 1, true, false},
    {"i8", "int8", 1, false, true},
    {"u8", "uint8", 1, false, false},
    {"i16", "int16", 2, false, true},
    {"u16", "uint16", 2, false, false},
    {"i32", "int32", 4, false, true},
    {"u32", "uint32", 4, false, false},
    {"bool", "bool_", 1, false, false},
}};

}  // namespace

std::string_view dtype_name(DType t) { return kInfo[size_t(t)].name; }

std::optional<DType> parse_dtype(std::string_view name) {
    for (size_t i = 0; i < kInfo.size(); ++i)
        if (kInfo[i].name == name || kInfo[i].nki_name == name) return DType(i);
    if (name == "fp32") return DType::float32;
    if (name == "fp16") return DType::float16;
    return std::nullopt;
}

unsigned dtype_size(DType t) { return kInfo[size_t(t)].size; }
bool is_float(DType t) { return kInfo[size_t(t)].is_float; }
bool is_integer(DType t) { return !kInfo[size_t(t)].is_float; }
bool is_signed_integer(DType t) { return kInfo[size_t(t)].is_signed_int; }

}  // namespace nsim::isa

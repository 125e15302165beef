// The .npy header: parsing the Python dict literal numpy writes, and writing it byte-for-byte as
// numpy does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nsim::sim {

// What the header dict says about the array.
struct NpyHeader {
    std::string descr;  // "<f4", "|u1", ...
    bool fortran_order = false;
    std::vector<uint64_t> shape;
};

// One element type from a descr: byte order ('<', '>' or '|'), numpy kind ('b', 'i', 'u', 'f', 'c')
// and size in bytes.
struct NpyScalar {
    char order = '<';
    char kind = 'f';
    unsigned size = 4;
};

// numpy refuses more dimensions than this (NPY_MAXDIMS in numpy 2), so a file with more is corrupt.
inline constexpr size_t kNpyMaxDims = 64;

// Parses the dict text between the length field and the data. Throws NpyError with `where`
// (e.g. "x.npy: ") in front of the problem.
NpyHeader parse_npy_header(std::string_view text, const std::string& where);
// Parses a descr of a plain numeric dtype; throws NpyError for structured, object, string and
// big-endian multi-byte types.
NpyScalar parse_npy_descr(const std::string& descr, const std::string& where);
// Bytes of data the shape needs for elements of `element_size` bytes; throws NpyError if the count
// overflows 64 bits or the shape has too many dimensions.
uint64_t npy_data_bytes(const std::vector<uint64_t>& shape, unsigned element_size,
                        const std::string& where);

// numpy's name for a scalar type ("float32", "int8", "bool", ...).
std::string npy_type_name(const NpyScalar& s);
// A shape as Python prints a tuple: "()", "(5,)", "(2, 3)".
std::string npy_shape_text(const std::vector<uint64_t>& shape);

// The whole preamble (magic, version, length, dict, padding, '\n') numpy writes for this header:
// version 1.0 unless the dict needs more than 64 KiB, data aligned to 64 bytes.
std::string format_npy_preamble(const NpyHeader& h);

}  // namespace nsim::sim

// NumPy .npy files for `nsim run`: reading and writing arrays, and moving them in and out of HBM
// tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "isa/error.h"
#include "isa/program.h"
#include "sim/semantics/core_state.h"

namespace nsim::sim {

// Any problem with a .npy file; the message names the file (and the tensor, when loading one).
class NpyError : public InputError {
public:
    using InputError::InputError;
};

// A C-order, little-endian array as stored in a .npy file.
struct NpyArray {
    std::vector<uint64_t> shape;
    std::string descr;  // numpy dtype string: "<f4", "|u1", "|b1", ...
    std::vector<uint8_t> data;
};

// Reads format 1.0 or 2.0; plain numeric dtypes only. Sizes are checked against the file size
// before anything is allocated, so a corrupt header cannot cause a huge allocation.
NpyArray read_npy(const std::string& path);
// Writes the bytes np.save would: format 1.0 (2.0 only if the header needs it), data 64-aligned.
void write_npy(const std::string& path, const NpyArray& a);

// The file's array, checked against the declaration (dtype and shape, as load_tensor says): what
// `run --timing-only` does with an --input, so a bad file is an error whether or not it is used.
NpyArray read_tensor_file(const isa::TensorDecl& decl, const std::string& path);
// Fills a declared tensor from a file. float32/float16/int8/uint8/int16/uint16/int32/uint32/bool
// arrays map to the same nsim dtype; bf16, tf32 and fp8 tensors are read from float32 arrays and
// rounded to nearest even. The shape must equal the declaration exactly.
void load_tensor(DeviceMemory& hbm, const isa::TensorDecl& decl, const std::string& path);
// Fills a tensor with reproducible pseudo-random values from `seed` and the tensor name: floats
// uniform in [-1, 1) rounded into the dtype; integers uniform in [-8, 8) signed, [0, 16) unsigned;
// bool 0/1.
void fill_tensor(DeviceMemory& hbm, const isa::TensorDecl& decl, uint64_t seed);
// Writes a tensor in its own numpy dtype, or as float32 (decoded exactly) for bf16, tf32 and fp8.
void save_tensor(const DeviceMemory& hbm, const isa::TensorDecl& decl, const std::string& path);

}  // namespace nsim::sim

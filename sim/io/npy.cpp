// .npy file input and output, and the conversions between numpy arrays and HBM tensors.
#include "sim/io/npy.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "isa/dtype.h"
#include "sim/io/npy_header.h"
#include "sim/semantics/element_runs.h"

namespace nsim::sim {

namespace {

namespace fs = std::filesystem;

void read_exact(std::ifstream& in, void* dst, uint64_t n, const std::string& where) {
    if (n != 0 && !in.read(static_cast<char*>(dst), std::streamsize(n)))
        throw NpyError(where + "read error (did the file change while being read?)");
}

// Every problem is reported as `where` + problem: read_npy names the file, load_tensor the file
// and the tensor.
NpyArray read_npy_file(const std::string& path, const std::string& where) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) throw NpyError(where + "cannot open the file: it does not exist");
    if (fs::is_directory(status)) throw NpyError(where + "cannot open the file: it is a directory");
    // Sizes are validated against the file size before reading, which needs a regular file.
    if (!fs::is_regular_file(status))
        throw NpyError(where + "cannot open the file: not a regular file");
    const uint64_t file_size = fs::file_size(path, ec);
    std::ifstream in(path, std::ios::binary);
    if (ec || !in) throw NpyError(where + "cannot open the file: " + std::strerror(errno));

    uint8_t prefix[12] = {};
    read_exact(in, prefix, std::min<uint64_t>(file_size, sizeof prefix), where);
    if (file_size < 6 || std::memcmp(prefix, "\x93NUMPY", 6) != 0)
        throw NpyError(where + "not a .npy file (bad magic: it does not start with \\x93NUMPY)");
    if (file_size < 8) throw NpyError(where + "truncated: the file ends inside the header");
    const unsigned major = prefix[6], minor = prefix[7];
    if ((major != 1 && major != 2) || minor != 0)
        throw NpyError(
            fmt::format("{}unsupported .npy format version {}.{} (nsim reads 1.0 and 2.0)", where,
                        major, minor));
    const uint64_t prefix_len = major == 1 ? 10 : 12;
    if (file_size < prefix_len)
        throw NpyError(where + "truncated: the file ends inside the header");
    uint64_t header_len = 0;
    for (uint64_t i = 8; i < prefix_len; ++i) header_len |= uint64_t(prefix[i]) << (8 * (i - 8));
    if (header_len > file_size - prefix_len)
        throw NpyError(
            fmt::format("{}truncated: the header length is {} bytes but only {} bytes follow it",
                        where, header_len, file_size - prefix_len));

    std::string text(header_len, '\0');
    in.seekg(std::streamoff(prefix_len));  // the first read took 12 bytes, the 2.0 prefix length
    read_exact(in, text.data(), header_len, where);
    const NpyHeader header = parse_npy_header(text, where);
    const NpyScalar scalar = parse_npy_descr(header.descr, where);
    // Fortran order only changes the layout when two or more dimensions exceed 1.
    if (header.fortran_order && std::count_if(header.shape.begin(), header.shape.end(),
                                              [](uint64_t d) { return d > 1; }) > 1)
        throw NpyError(
            where + "Fortran-order arrays are not supported; save np.ascontiguousarray(a) instead");

    const uint64_t need = npy_data_bytes(header.shape, scalar.size, where);
    const uint64_t have = file_size - prefix_len - header_len;
    const std::string layout = fmt::format("shape {} of '{}' needs {} bytes",
                                           npy_shape_text(header.shape), header.descr, need);
    if (have < need)
        throw NpyError(fmt::format("{}truncated: {}, the file has {} bytes after the header", where,
                                   layout, have));
    if (have > need)
        throw NpyError(fmt::format("{}{} bytes of trailing garbage after the data ({})", where,
                                   have - need, layout));

    NpyArray a{header.shape, header.descr, std::vector<uint8_t>(need)};
    read_exact(in, a.data.data(), need, where);
    return a;
}

// numpy has no bf16, tf32 or fp8: those tensors travel as float32 and are rounded on the way in.
bool via_float32(isa::DType t) {
    return isa::is_float(t) && t != isa::DType::float32 && t != isa::DType::float16;
}

// The numpy element type a tensor of `t` is read from and written as.
NpyScalar file_scalar(isa::DType t) {
    const unsigned size = via_float32(t) ? 4 : isa::dtype_size(t);
    const char order = size == 1 ? '|' : '<';
    if (t == isa::DType::bool_) return {order, 'b', size};
    if (isa::is_float(t)) return {order, 'f', size};
    return {order, isa::is_signed_integer(t) ? 'i' : 'u', size};
}

std::string descr_text(const NpyScalar& s) {
    return fmt::format("{}{}{}", s.order, s.kind, s.size);
}

// The tensor's bytes in `hbm`; a missing or differently sized tensor is a caller bug, not a file
// problem.
template <class Memory>
auto& tensor_bytes(Memory& hbm, const isa::TensorDecl& decl) {
    if (!hbm.has(decl.name))
        throw InputError("tensor '" + decl.name + "' is not allocated in device memory");
    auto& bytes = hbm.bytes(decl.name);
    if (bytes.size() != decl.size_bytes())
        throw InputError("tensor '" + decl.name +
                         "' is allocated with a different size than declared");
    return bytes;
}

uint64_t name_hash(const std::string& name) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a: stable across platforms, unlike std::hash
    for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

}  // namespace

NpyArray read_npy(const std::string& path) { return read_npy_file(path, path + ": "); }

void write_npy(const std::string& path, const NpyArray& a) {
    const std::string where = path + ": cannot write: ";
    NpyScalar scalar = parse_npy_descr(a.descr, where);
    scalar.order =
        scalar.size == 1 ? '|' : '<';  // the spelling numpy uses, whatever the caller wrote
    const uint64_t need = npy_data_bytes(a.shape, scalar.size, where);
    if (a.data.size() != need)
        throw NpyError(fmt::format("{}{} bytes of data for shape {} of '{}', which needs {}", where,
                                   a.data.size(), npy_shape_text(a.shape), a.descr, need));
    const std::string preamble = format_npy_preamble({descr_text(scalar), false, a.shape});
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw NpyError(where + std::strerror(errno));
    out.write(preamble.data(), std::streamsize(preamble.size()));
    out.write(reinterpret_cast<const char*>(a.data.data()), std::streamsize(a.data.size()));
    out.close();
    if (!out) throw NpyError(where + "write error (disk full?)");
}

NpyArray read_tensor_file(const isa::TensorDecl& decl, const std::string& path) {
    NpyArray a = read_npy_file(path, fmt::format("{}: tensor '{}': ", path, decl.name));
    const NpyScalar want = file_scalar(decl.dtype);
    const NpyScalar found = parse_npy_descr(a.descr, path + ": ");
    if (found.kind != want.kind || found.size != want.size || a.shape != decl.shape)
        throw NpyError(
            fmt::format("{}: tensor '{}' is {} [{}]: expected {} {} array of shape {}, found {} {}",
                        path, decl.name, isa::dtype_name(decl.dtype), fmt::join(decl.shape, ", "),
                        npy_type_name(want)[0] == 'i' ? "an" : "a", npy_type_name(want),
                        npy_shape_text(decl.shape), npy_type_name(found), npy_shape_text(a.shape)));
    return a;
}

void load_tensor(DeviceMemory& hbm, const isa::TensorDecl& decl, const std::string& path) {
    auto& bytes = tensor_bytes(hbm, decl);
    const NpyArray a = read_tensor_file(decl, path);
    if (decl.dtype == isa::DType::bool_) {
        // numpy writes 0/1, but any other byte means true; nsim stores bools as exactly 0 or 1.
        for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = a.data[i] != 0;
    } else if (!via_float32(decl.dtype)) {
        std::copy(a.data.begin(), a.data.end(),
                  bytes.begin());  // both are little-endian, same encoding
    } else {
        // The file's fp32 values (little-endian, as the host) rounded into the dtype.
        std::vector<float> values(decl.num_elements());
        std::memcpy(values.data(), a.data.data(), values.size() * 4);
        encode_run(decl.dtype, values.data(), values.size(), bytes.data(),
                   isa::dtype_size(decl.dtype));
    }
}

void fill_tensor(DeviceMemory& hbm, const isa::TensorDecl& decl, uint64_t seed) {
    auto& bytes = tensor_bytes(hbm, decl);
    const isa::DType t = decl.dtype;
    const bool is_float = isa::is_float(t), is_signed = isa::is_signed_integer(t);
    isa::RandomBits rng(seed ^ name_hash(decl.name));
    std::vector<float> values(decl.num_elements());
    for (float& v : values) {
        const uint32_t r = rng.next();
        if (is_float)
            v = float(int32_t(r >> 8) - (1 << 23)) *
                0x1p-23f;  // 24 random bits: exact in fp32, in [-1, 1)
        else if (t == isa::DType::bool_)
            v = float(r & 1);
        else if (is_signed)
            v = float(int32_t(r % 16) - 8);
        else
            v = float(r % 16);
    }
    encode_run(t, values.data(), values.size(), bytes.data(), isa::dtype_size(t));
}

void save_tensor(const DeviceMemory& hbm, const isa::TensorDecl& decl, const std::string& path) {
    const auto& bytes = tensor_bytes(hbm, decl);
    const NpyScalar scalar = file_scalar(decl.dtype);
    NpyArray a{decl.shape, descr_text(scalar), {}};
    if (!via_float32(decl.dtype)) {
        a.data = bytes;
    } else {
        std::vector<float> values(decl.num_elements());
        decode_run(decl.dtype, bytes.data(), isa::dtype_size(decl.dtype), values.size(),
                   values.data());
        a.data.resize(values.size() * 4);
        std::memcpy(a.data.data(), values.data(), a.data.size());  // little-endian, as the file
    }
    write_npy(path, a);
}

}  // namespace nsim::sim

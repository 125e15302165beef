// Tests of .npy reading and writing and of moving tensors between files and device memory.
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <catch2/catch.hpp>

#include "sim/io/npy.h"

using namespace nsim::isa;
using namespace nsim::sim;
using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;

// A fresh directory per test case, removed afterwards.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        m_path = fs::temp_directory_path() / ("nsim_npy_" + std::to_string(std::random_device{}()) +
                                              "_" + std::to_string(counter++));
        fs::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    std::string file(const std::string& name) const { return (m_path / name).string(); }
    std::string write(const std::string& name, const std::string& bytes) const {
        std::ofstream(file(name), std::ios::binary) << bytes;
        return file(name);
    }

private:
    fs::path m_path;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A .npy file around `dict` with no padding (readers must not depend on it); major 1 or 2.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
    std::string out("\x93NUMPY", 6);
    out += char(major);
    out += '\0';
    for (int i = 0; i < (major == 1 ? 2 : 4); ++i) out += char((dict.size() >> (8 * i)) & 0xff);
    return out + dict + data;
}

std::string dict(const std::string& descr, const std::string& shape,
                 const std::string& fortran = "False") {
    return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

std::string f32_bytes(const std::vector<float>& v) {
    std::string out(v.size() * 4, '\0');
    std::memcpy(out.data(), v.data(),
                out.size());  // the test machine is little-endian, as the format
    return out;
}

TensorDecl decl(const std::string& name, DType t, std::vector<uint64_t> shape) {
    TensorDecl d;
    d.name = name;
    d.dtype = t;
    d.shape = std::move(shape);
    return d;
}

// Every nsim dtype and the numpy dtype its tensors are saved as.
const std::vector<std::pair<DType, std::string>> kAllDTypes = {
    {DType::float32, "<f4"}, {DType::tfloat32, "<f4"},    {DType::bfloat16, "<f4"},
    {DType::float16, "<f2"}, {DType::float8_e4m3, "<f4"}, {DType::float8_e5m2, "<f4"},
    {DType::int8, "|i1"},    {DType::uint8, "|u1"},       {DType::int16, "<i2"},
    {DType::uint16, "<u2"},  {DType::int32, "<i4"},       {DType::uint32, "<u4"},
    {DType::bool_, "|b1"}};

}  // namespace

TEST_CASE(
    "npy: every numeric dtype and shape round-trips through write_npy and read_npy byte for byte",
    "[sim]") {
    TempDir dir;
    std::mt19937 rng(7);
    const std::vector<std::string> descrs = {"|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4",
                                             "<i8", "<u8", "<f2", "<f4", "<f8", "<c8", "<c16"};
    const std::vector<std::vector<uint64_t>> shapes = {{}, {0}, {5}, {2, 3}, {2, 1, 3}, {3, 0, 2}};
    for (const auto& descr : descrs)
        for (const auto& shape : shapes) {
            NpyArray a{shape, descr, {}};
            uint64_t bytes = std::stoul(descr.substr(2));
            for (uint64_t d : shape) bytes *= d;
            for (uint64_t i = 0; i < bytes; ++i)
                a.data.push_back(uint8_t(descr == "|b1" ? rng() % 2 : rng()));
            const auto path = dir.file("a.npy");
            write_npy(path, a);
            CHECK(read_file(path).size() % 64 == bytes % 64);  // the data starts 64-aligned
            const NpyArray b = read_npy(path);
            CHECK(b.descr == descr);
            CHECK(b.shape == shape);
            CHECK(b.data == a.data);
        }
}

TEST_CASE("npy: every nsim dtype round-trips through save_tensor and load_tensor", "[sim]") {
    TempDir dir;
    for (const auto& [t, descr] : kAllDTypes) {
        const auto d = decl("x", t, {4, 3, 5});
        DeviceMemory a, b;
        a.allocate({d});
        b.allocate({d});
        fill_tensor(a, d, 11);
        save_tensor(a, d, dir.file("x.npy"));
        load_tensor(b, d, dir.file("x.npy"));
        INFO(dtype_name(t));
        CHECK(b.bytes("x") == a.bytes("x"));
        CHECK(read_npy(dir.file("x.npy")).descr == descr);
    }
}

TEST_CASE("npy: files np.save wrote are read, and write_npy writes the same bytes", "[sim]") {
    TempDir dir;
    // np.save(np.arange(6, dtype=np.float32).reshape(2, 3)), np.save(np.arange(5, dtype=np.uint8)),
    // np.save(np.int32(-7)): numpy pads the dict with 21 - len(str(shape[0])) spaces of room to
    // grow, then to a 64-byte boundary, and ends it with '\n'; the length field is 118 ('v').
    struct Case {
        std::string dict;
        size_t pad;
        std::string data;
        std::vector<uint64_t> shape;
    };
    const std::vector<Case> cases = {
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
         58,
         f32_bytes({0, 1, 2, 3, 4, 5}),
         {2, 3}},
        {"{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }",
         60,
         std::string("\0\1\2\3\4", 5),
         {5}},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (), }",
         62,
         std::string("\xf9\xff\xff\xff", 4),
         {}},
    };
    for (const auto& c : cases) {
        const std::string bytes = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + c.dict +
                                  std::string(c.pad, ' ') + "\n" + c.data;
        REQUIRE(bytes.size() == 128 + c.data.size());
        const NpyArray a = read_npy(dir.write("numpy.npy", bytes));
        CHECK(a.shape == c.shape);
        CHECK(a.descr == c.dict.substr(11, 3));
        CHECK(std::string(a.data.begin(), a.data.end()) == c.data);
        write_npy(dir.file("ours.npy"), a);
        CHECK(read_file(dir.file("ours.npy")) == bytes);
    }
}

TEST_CASE("npy: format 2.0 files are read", "[sim]") {
    TempDir dir;
    const auto path =
        dir.write("v2.npy", npy_bytes(dict("<f4", "(3,)"), f32_bytes({1.5f, -2, 3}), 2));
    const NpyArray a = read_npy(path);
    CHECK(a.shape == std::vector<uint64_t>{3});
    CHECK(std::string(a.data.begin(), a.data.end()) == f32_bytes({1.5f, -2, 3}));
}

TEST_CASE(
    "npy: a bf16 tensor is loaded from float32 rounded to nearest even and saved as the decoded "
    "values",
    "[sim]") {
    TempDir dir;
    // Ties (1 + 2^-8 rounds down to even, 1 + 3 * 2^-8 up), values needing rounding, overflow, tiny
    // ones.
    const std::vector<float> values = {
        1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, 3.14159265f, -2.71828f, 1e-3f, -0.0f, 3.4e38f,
        1e-40f,         65504.0f,           -1.0f};
    const auto d = decl("w", DType::bfloat16, {2, 5});
    DeviceMemory hbm;
    hbm.allocate({d});
    load_tensor(hbm, d, dir.write("w.npy", npy_bytes(dict("<f4", "(2, 5)"), f32_bytes(values))));
    const auto& bytes = hbm.bytes("w");
    save_tensor(hbm, d, dir.file("out.npy"));
    const NpyArray out = read_npy(dir.file("out.npy"));
    REQUIRE(out.descr == "<f4");
    REQUIRE(out.shape == d.shape);
    for (size_t i = 0; i < values.size(); ++i) {
        const uint32_t bits = encode(DType::bfloat16, values[i], Rounding::nearest_even);
        CHECK(uint32_t(bytes[2 * i] | bytes[2 * i + 1] << 8) == bits);
        float saved;
        std::memcpy(&saved, &out.data[4 * i], 4);
        CHECK(saved == decode(DType::bfloat16, bits));
    }
    CHECK((bytes[0] | bytes[1] << 8) == 0x3f80);  // the tie went to even
    CHECK((bytes[2] | bytes[3] << 8) == 0x3f82);
}

TEST_CASE("npy: a bool tensor stores any non-zero byte of the file as 1", "[sim]") {
    TempDir dir;
    const auto d = decl("m", DType::bool_, {4});
    DeviceMemory hbm;
    hbm.allocate({d});
    load_tensor(hbm, d,
                dir.write("m.npy", npy_bytes(dict("|b1", "(4,)"), std::string("\0\1\2\xff", 4))));
    CHECK(hbm.bytes("m") == std::vector<uint8_t>{0, 1, 1, 1});
}

TEST_CASE(
    "npy: fill_tensor is reproducible for a seed, differs between seeds and names, and stays in "
    "range",
    "[sim]") {
    for (const auto& [t, descr] : kAllDTypes) {
        INFO(dtype_name(t));
        const auto x = decl("x", t, {8, 64}), y = decl("y", t, {8, 64});
        DeviceMemory a, b;
        a.allocate({x, y});
        b.allocate({x, y});
        fill_tensor(a, x, 1);
        fill_tensor(a, y, 1);
        fill_tensor(b, x, 1);
        CHECK(a.bytes("x") == b.bytes("x"));
        CHECK(a.bytes("x") != a.bytes("y"));
        fill_tensor(b, x, 2);
        CHECK(a.bytes("x") != b.bytes("x"));
        const unsigned size = dtype_size(t);
        float lo = 1e9f, hi = -1e9f;
        for (uint64_t i = 0; i < x.num_elements(); ++i) {
            uint32_t bits = 0;
            for (unsigned k = 0; k < size; ++k)
                bits |= uint32_t(a.bytes("x")[i * size + k]) << (8 * k);
            const float v = decode(t, bits);
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        if (is_float(t)) {
            CHECK(lo >= -1.0f);
            CHECK(lo < -0.9f);
            CHECK(hi <= 1.0f);  // [-1, 1) rounded into a narrow type may reach 1
            CHECK(hi > 0.9f);
        } else {  // 512 draws reach both ends of every integer range
            CHECK(lo == (is_signed_integer(t) ? -8.0f : 0.0f));
            CHECK(hi == (t == DType::bool_ ? 1.0f : is_signed_integer(t) ? 7.0f : 15.0f));
        }
    }
}

TEST_CASE("npy: a shape mismatch names the file, the tensor, what was expected and what was found",
          "[sim]") {
    TempDir dir;
    const auto d = decl("x", DType::float32, {2, 3});
    DeviceMemory hbm;
    hbm.allocate({d});
    // A 0-d or 1-element array is not broadcast, and 6 elements in another shape are not reshaped.
    const std::pair<std::string, size_t> found[] = {
        {"(3, 2)", 6}, {"(6,)", 6}, {"(2, 3, 1)", 6}, {"()", 1}, {"(1,)", 1}};
    for (const auto& [shape, n] : found) {
        const auto path = dir.write(
            "x.npy", npy_bytes(dict("<f4", shape), f32_bytes(std::vector<float>(n, 1.0f))));
        CHECK_THROWS_AS(load_tensor(hbm, d, path), NpyError);
        CHECK_THROWS_WITH(load_tensor(hbm, d, path),
                          path +
                              ": tensor 'x' is f32 [2, 3]: expected a float32 array of shape (2, "
                              "3), found float32 " +
                              shape);
    }
}

TEST_CASE("npy: a dtype mismatch names the file, the tensor, what was expected and what was found",
          "[sim]") {
    TempDir dir;
    DeviceMemory hbm;
    const auto x = decl("x", DType::bfloat16, {128, 512});
    const auto y = decl("y", DType::int8, {4});
    hbm.allocate({x, y});
    const auto path = dir.write("x.npy", npy_bytes(dict("<i8", "(4, 4)"), std::string(128, '\0')));
    CHECK_THROWS_AS(load_tensor(hbm, x, path), NpyError);
    CHECK_THROWS_WITH(load_tensor(hbm, x, path),
                      path +
                          ": tensor 'x' is bf16 [128, 512]: expected a float32 array of shape "
                          "(128, 512), found int64 (4, 4)");
    const auto path_u8 = dir.write("y.npy", npy_bytes(dict("|u1", "(4,)"), std::string(4, '\0')));
    CHECK_THROWS_WITH(load_tensor(hbm, y, path_u8),
                      Contains("y.npy: tensor 'y' is i8 [4]: expected an int8 array") &&
                          Contains("found uint8 (4,)"));
}

TEST_CASE("npy: Fortran-order arrays are rejected unless the layout is the same as C order",
          "[sim]") {
    TempDir dir;
    const auto path = dir.write(
        "f.npy", npy_bytes(dict("<f4", "(2, 3)", "True"), f32_bytes(std::vector<float>(6))));
    CHECK_THROWS_AS(read_npy(path), NpyError);
    CHECK_THROWS_WITH(read_npy(path), Contains("f.npy: ") && Contains("Fortran-order"));
    const auto d = decl("t", DType::float32, {2, 3});
    DeviceMemory hbm;
    hbm.allocate({d});
    CHECK_THROWS_WITH(load_tensor(hbm, d, path), Contains("f.npy: tensor 't': Fortran-order"));
    CHECK(read_npy(dir.write("g.npy", npy_bytes(dict("<f4", "(1, 6)", "True"),
                                                f32_bytes(std::vector<float>(6)))))
              .shape == std::vector<uint64_t>{1, 6});
}

TEST_CASE("npy: big-endian arrays are rejected", "[sim]") {
    TempDir dir;
    const auto path = dir.write("be.npy", npy_bytes(dict(">f4", "(2,)"), std::string(8, '\0')));
    CHECK_THROWS_AS(read_npy(path), NpyError);
    CHECK_THROWS_WITH(read_npy(path), Contains("be.npy: ") && Contains("big-endian"));
    const auto d = decl("t", DType::float32, {2});
    DeviceMemory hbm;
    hbm.allocate({d});
    CHECK_THROWS_WITH(load_tensor(hbm, d, path), Contains("be.npy: tensor 't': big-endian"));
    // One byte has no order: numpy reads '>u1' like '|u1'.
    CHECK(read_npy(dir.write("u1.npy", npy_bytes(dict(">u1", "(2,)"), "ab"))).data.size() == 2);
}

TEST_CASE("npy: malformed files are NpyErrors naming the file and the problem, never crashes",
          "[sim]") {
    TempDir dir;
    const std::string good = dict("<f4", "(2, 3)");
    const std::string data = f32_bytes(std::vector<float>(6));
    std::string huge_v2 = npy_bytes(good, data, 2);
    huge_v2.replace(8, 4, "\xff\xff\xff\xff");
    std::string many_dims = "(";
    for (int i = 0; i < 65; ++i) many_dims += "1, ";
    many_dims += ")";
    struct Case {
        const char* name;
        std::string bytes;
        const char* phrase;
    };
    const std::vector<Case> cases = {
        {"empty", "", "bad magic"},
        {"magic", "\x93NUMPZ\x01\x00\x00\x00", "bad magic"},
        {"pickle", "\x80\x04\x95 pickled", "bad magic"},
        {"short_prefix", std::string("\x93NUMPY\x01\x00\x10", 9), "ends inside the header"},
        {"version3", npy_bytes(good, data).replace(6, 1, "\x03"), "format version 3.0"},
        {"header_past_end", npy_bytes(good, data).replace(8, 2, "\xff\x7f"),
         "header length is 32767 bytes"},
        {"header_4gib", huge_v2, "header length is 4294967295 bytes"},
        {"not_dict", npy_bytes("['descr', '<f4']", ""), "not a dict literal"},
        {"binary_header", npy_bytes(std::string("\x01\x02\x03", 3), ""), "byte 0x01"},
        {"missing_shape", npy_bytes("{'descr': '<f4', 'fortran_order': False}", data),
         "lacks the key 'shape'"},
        {"extra_key",
         npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}", data),
         "unexpected key 'x'"},
        {"twice",
         npy_bytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", data),
         "key 'descr' twice"},
        {"key_no_colon", npy_bytes("{'descr: '<f4'}", data), "expected ':'"},
        {"open_string", npy_bytes("{'descr", data), "unterminated string"},
        {"not_bool", npy_bytes(dict("<f4", "(6,)", "0"), data), "True or False"},
        {"negative", npy_bytes(dict("<f4", "(2, -3)"), data), "negative dimension"},
        {"dim_64bit", npy_bytes(dict("<f4", "(99999999999999999999,)"), data),
         "does not fit in 64 bits"},
        {"product_overflow", npy_bytes(dict("<f4", "(4294967296, 4294967296)"), data),
         "more bytes than fit in 64 bits"},
        {"huge_no_alloc", npy_bytes(dict("<f8", "(1000000000000,)"), data),
         "needs 8000000000000 bytes, the file has 24"},
        {"not_tuple", npy_bytes(dict("<f4", "(6)"), data), "not a tuple"},
        {"list_shape", npy_bytes(dict("<f4", "[2, 3]"), data), "must be a tuple"},
        {"too_many_dims", npy_bytes(dict("<f4", many_dims), data), "more than 64 dimensions"},
        {"truncated_data", npy_bytes(good, data.substr(0, 20)), "needs 24 bytes, the file has 20"},
        {"trailing", npy_bytes(good, data + "junk"), "4 bytes of trailing garbage"},
        {"after_dict", npy_bytes(good + " x", data), "after the header dict"},
        {"structured",
         npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,)}", data),
         "structured dtype"},
        {"object", npy_bytes(dict("|O", "(3,)"), data), "object arrays"},
        {"string", npy_bytes(dict("<U2", "(3,)"), data), "unsupported dtype '<U2'"},
        {"bad_size", npy_bytes(dict("<f3", "(8,)"), data), "unsupported dtype '<f3'"},
    };
    const auto d = decl("t", DType::float32, {2, 3});
    DeviceMemory hbm;
    hbm.allocate({d});
    for (const auto& c : cases) {
        INFO(c.name);
        const auto path = dir.write(std::string(c.name) + ".npy", c.bytes);
        CHECK_THROWS_AS(read_npy(path), NpyError);
        CHECK_THROWS_WITH(read_npy(path), Contains(path + ": ") && Contains(c.phrase));
        CHECK_THROWS_WITH(load_tensor(hbm, d, path),
                          Contains(path + ": tensor 't': ") && Contains(c.phrase));
    }
}

TEST_CASE("npy: a missing file or a directory is an NpyError naming it", "[sim]") {
    TempDir dir;
    CHECK_THROWS_WITH(read_npy(dir.file("none.npy")),
                      Contains("none.npy: cannot open the file: it does not exist"));
    fs::create_directory(dir.file("d.npy"));
    CHECK_THROWS_WITH(read_npy(dir.file("d.npy")),
                      Contains("d.npy: cannot open the file: it is a directory"));
}

TEST_CASE("npy: write_npy refuses data that does not match the shape or a dtype it cannot describe",
          "[sim]") {
    TempDir dir;
    const auto path = dir.file("w.npy");
    CHECK_THROWS_WITH(
        write_npy(path, NpyArray{{2, 3}, "<f4", std::vector<uint8_t>(20)}),
        Contains(
            "w.npy: cannot write: 20 bytes of data for shape (2, 3) of '<f4', which needs 24"));
    CHECK_THROWS_WITH(write_npy(path, NpyArray{{2}, ">f4", std::vector<uint8_t>(8)}),
                      Contains("big-endian"));
    CHECK_THROWS_WITH(write_npy(path, NpyArray{{2}, "f4", std::vector<uint8_t>(8)}),
                      Contains("no byte order"));
    write_npy(path, NpyArray{{2}, "<u1", {1, 2}});  // numpy spells one-byte types with '|'
    CHECK(read_npy(path).descr == "|u1");
}

TEST_CASE(
    "npy: random corruptions and truncations of a valid file are read or rejected as NpyError",
    "[sim]") {
    TempDir dir;
    std::string good = npy_bytes(dict("<f4", "(2, 3)"), f32_bytes(std::vector<float>(6, 1.0f)));
    std::mt19937 rng(3);
    int rejected = 0;
    for (int trial = 0; trial < 2000; ++trial) {
        std::string bytes = good;
        if (trial % 4 == 0) bytes.resize(rng() % good.size());
        for (unsigned k = 0, n = 1 + rng() % 3; k < n && !bytes.empty(); ++k)
            bytes[rng() % bytes.size()] = char(trial % 2 ? rng() : "(),:' -9{}TF"[rng() % 12]);
        const auto path = dir.write("r.npy", bytes);
        try {
            const NpyArray a = read_npy(path);
            uint64_t n = std::stoul(a.descr.substr(a.descr.find_first_of("0123456789")));
            for (uint64_t d : a.shape) n *= d;
            CHECK(a.data.size() == n);
        } catch (const NpyError& e) {
            ++rejected;
            CHECK_THAT(e.what(), Contains(path + ": "));
        }
    }
    CHECK(rejected > 1000);
}

TEST_CASE("device memory: values are stored rounded into the tensor's dtype and read back as fp32",
          "[sim]") {
    DeviceMemory hbm;
    TensorDecl t;
    t.name = "w";
    t.shape = {3};
    t.dtype = DType::bfloat16;
    hbm.allocate({t});
    hbm.set_values("w",
                   {1.0f, 1.00390625f, -3.0f});  // 1 + 2^-8 is a tie: bf16 rounds it to even, 1.0
    CHECK(hbm.values("w") == std::vector<float>{1.0f, 1.0f, -3.0f});
    CHECK_THROWS_WITH(hbm.set_values("w", {1.0f}),
                      Contains("has 3 elements, not the 1 values given"));
}

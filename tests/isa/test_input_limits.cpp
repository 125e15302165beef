// The bounds on what nsim reads: JSON shape before parsing, files before reading.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "../runtime/temp_dir.h"
#include "isa/input_limits.h"
#include "isa/kernel_text.h"

using namespace nsim;

TEST_CASE("input limits: JSON nesting is bounded at kMaxJsonDepth", "[isa]") {
    const auto nested = [](unsigned depth) {
        return std::string(depth, '[') + std::string(depth, ']');
    };
    CHECK_FALSE(json_shape_problem(nested(kMaxJsonDepth)));
    const auto problem = json_shape_problem(nested(kMaxJsonDepth + 1));
    REQUIRE(problem);
    CHECK(*problem == "1: nested deeper than 64 levels");
    // Brackets inside strings are text, not nesting.
    CHECK_FALSE(json_shape_problem("{\"a\": \"" + nested(100) + "\"}"));
}

TEST_CASE("input limits: a key twice in one object is named with its line", "[isa]") {
    const auto problem = json_shape_problem("{\"a\": 1,\n \"b\": {\"a\": 2},\n \"a\": 3}");
    REQUIRE(problem);
    CHECK(*problem == "3: the key \"a\" appears twice in one object, expected each key once");
    // The same key in sibling or nested objects, and as a value, is fine.
    CHECK_FALSE(json_shape_problem(R"({"x": {"a": 1}, "y": {"a": 2}, "a": "a", "b": ["a", "a"]})"));
    // An escaped quote does not end a key.
    CHECK_FALSE(json_shape_problem(R"({"a\"b": 1, "a": 2})"));
    CHECK(json_shape_problem(R"({"a\"b": 1, "a\"b": 2})"));
}

TEST_CASE("input limits: only regular files within the size bound are read", "[isa]") {
    CHECK_THROWS_WITH(read_bounded_file("/dev/zero", 1 << 20, ErrorKind::input),
                      Catch::Contains("/dev/zero: cannot read the file: expected a regular file"));
    CHECK_THROWS_WITH(read_bounded_file("/", 1 << 20, ErrorKind::input),
                      Catch::Contains("it is a directory"));
    CHECK_THROWS_AS(read_bounded_file("/nonexistent-nsim", 1 << 20, ErrorKind::input),
                    FileReadError);
    const std::string readme = NSIM_SOURCE_DIR "/README.md";
    CHECK_THROWS_WITH(read_bounded_file(readme, 1000, ErrorKind::input),
                      Catch::Contains("bytes, expected at most 1000"));
    CHECK(read_bounded_file(readme, 1 << 20, ErrorKind::input).rfind("# nsim", 0) == 0);
}

TEST_CASE("input limits: a kernel file may have 256 MiB, one byte more is refused unread",
          "[isa]") {
    STATIC_REQUIRE(kMaxKernelFileBytes == 256ull << 20);  // a 10^6-instruction kernel fits
    const test::TempDir dir("nsim-kernel-limit");
    const std::string path = (dir.path / "big.nki").string();
    { std::ofstream(path) << "kernel k\n"; }
    std::filesystem::resize_file(path, kMaxKernelFileBytes + 1);  // sparse: no disk is used
    CHECK_THROWS_WITH(isa::parse_kernel_file(path),
                      Catch::Contains("it has 268435457 bytes, expected at most 268435456"));
}

TEST_CASE("input limits: a mapped file refuses what a read refuses and holds the same bytes",
          "[isa]") {
    CHECK_THROWS_WITH(MappedFile("/dev/zero", 1 << 20, ErrorKind::input),
                      Catch::Contains("/dev/zero: cannot read the file: expected a regular file"));
    CHECK_THROWS_WITH(MappedFile("/", 1 << 20, ErrorKind::input),
                      Catch::Contains("it is a directory"));
    CHECK_THROWS_AS(MappedFile("/nonexistent-nsim", 1 << 20, ErrorKind::input), FileReadError);
    const std::string readme = NSIM_SOURCE_DIR "/README.md";
    CHECK_THROWS_WITH(MappedFile(readme, 1000, ErrorKind::input),
                      Catch::Contains("bytes, expected at most 1000"));
    CHECK(MappedFile(readme, 1 << 20, ErrorKind::input).text() ==
          read_bounded_file(readme, 1 << 20, ErrorKind::input));
    const test::TempDir dir("nsim-mapped-file");
    const std::string empty = (dir.path / "empty.nki").string();
    { std::ofstream{empty}; }
    CHECK(MappedFile(empty, 1 << 20, ErrorKind::input).text().empty());
}

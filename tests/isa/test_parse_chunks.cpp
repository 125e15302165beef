// A long sequential body is parsed in chunks on several threads: the program, its comments and
// the diagnostics must be those of one thread, wherever the chunks begin.
#include <string>

#include <catch2/catch.hpp>

#include "isa/kernel_text.h"
#include "tests/example_kernels.h"

using namespace nsim;

namespace {

// The canonical text of the parsed program (comments included), or the error message.
std::string outcome(const std::string& text, unsigned threads) {
    try {
        // Chunks of any size, so that even a short kernel is cut at many places.
        return isa::print_kernel(isa::parse_kernel(text, "k.nki", {threads, 1}));
    } catch (const isa::KernelError& e) {
        return std::string("error: ") + e.what();
    }
}

const char* const kHeader =
    "kernel chunks\n"
    "target v2\n"
    "tensor x [128,64] f32 input\n"
    "tensor y [128,64] f32 output\n";

// `lines` body lines: instructions, comment lines, blank lines and end-of-line comments mixed,
// and every `bad`-th instruction broken (0: none).
std::string body(int lines, int bad) {
    std::string out;
    for (int i = 0; i < lines; ++i) {
        if (i % 7 == 3) {
            out += "# about the next one " + std::to_string(i) + "\n";
        } else if (i % 11 == 5) {
            out += "\n";
        } else if (bad > 0 && i % bad == 0) {
            out += "memset dst=sbuf[0:128]@0.f32[" + std::to_string(i) + " value=0\n";
        } else {
            out += "tensor_copy dst=sbuf[0:128]@" + std::to_string(4 * (i % 64)) +
                   ".f32[1] src=x[0:128]@0.f32[1]" + (i % 5 == 0 ? "  # tail\n" : "\n");
        }
    }
    return out;
}

}  // namespace

TEST_CASE("parse in chunks: every example kernel reads the same on 1 and on 2 to 5 threads",
          "[isa]") {
    for (const auto& file : test::example_kernels()) {
        INFO(file.filename().string());
        const std::string text = test::read_file(file);
        const std::string alone = outcome(text, 1);
        for (unsigned threads = 2; threads <= 5; ++threads) CHECK(outcome(text, threads) == alone);
    }
}

TEST_CASE("parse in chunks: comments stay with their instruction wherever the chunks begin",
          "[isa]") {
    const std::string text = kHeader + body(400, 0) + "# trailing\n";
    const std::string alone = outcome(text, 1);
    REQUIRE(alone.rfind("error", 0) != 0);
    for (unsigned threads : {2u, 3u, 8u, 64u}) CHECK(outcome(text, threads) == alone);
}

TEST_CASE("parse in chunks: the same diagnostics, in line order, at most 100", "[isa]") {
    SECTION("a few errors spread over the chunks") {
        const std::string text = kHeader + body(400, 37);
        const std::string alone = outcome(text, 1);
        REQUIRE(alone.rfind("error", 0) == 0);
        for (unsigned threads : {2u, 3u, 8u}) CHECK(outcome(text, threads) == alone);
    }
    SECTION("more errors than the cap") {
        const std::string text = kHeader + body(1000, 2);
        const std::string alone = outcome(text, 1);
        REQUIRE(alone.find("too many errors, stopping after 100") != std::string::npos);
        for (unsigned threads : {2u, 3u, 8u}) CHECK(outcome(text, threads) == alone);
    }
    SECTION("a stream line after sequential instructions, in a later chunk") {
        const std::string text = kHeader + body(300, 0) + "stream vector\n" + body(100, 0);
        const std::string alone = outcome(text, 1);
        REQUIRE(alone.find("found 'stream' after sequential instructions") != std::string::npos);
        for (unsigned threads : {2u, 4u}) CHECK(outcome(text, threads) == alone);
    }
}

// Tensor names in access patterns are interned: equal names are one pointer, on every thread.
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "isa/tensor_name.h"

using nsim::isa::TensorName;

TEST_CASE("tensor name: equal texts are one name, others differ, the empty name is none", "[isa]") {
    const std::string built = std::string("we") + "ights";
    CHECK(TensorName("weights") == TensorName(built));
    CHECK(&TensorName("weights").str() == &TensorName(built).str());
    CHECK(TensorName("weights") != TensorName("weight"));
    CHECK(TensorName("weights").str() == "weights");
    CHECK(TensorName().empty());
    CHECK(TensorName("").empty());
    CHECK(TensorName("") == TensorName());
    CHECK(TensorName().str().empty());
    CHECK_FALSE(TensorName("x").empty());
}

TEST_CASE("tensor name: threads interning the same new names get the same ones", "[isa]") {
    constexpr int kNames = 2000;
    std::vector<std::vector<TensorName>> seen(4);
    std::vector<std::thread> threads;
    for (auto& names : seen)
        threads.emplace_back([&names] {
            for (int i = 0; i < kNames; ++i) names.emplace_back("threaded_" + std::to_string(i));
        });
    for (auto& t : threads) t.join();
    for (int i = 0; i < kNames; ++i) {
        INFO(i);
        for (const auto& names : seen) CHECK(names[size_t(i)] == seen[0][size_t(i)]);
        CHECK(seen[0][size_t(i)].str() == "threaded_" + std::to_string(i));
    }
}

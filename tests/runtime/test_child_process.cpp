// Work in child processes: results come back in the order of the work, and a failure keeps what
// it was (an nsim::Error's kind, another exception's message, a death by signal).
#include <csignal>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/child_process.h"

using namespace nsim::runtime;

TEST_CASE("child processes: outcomes come back in the order of the work, a few at a time",
          "[runtime]") {
    std::vector<ChildWork> works;
    for (int i = 0; i < 5; ++i) works.push_back([i] { return std::to_string(i * i); });
    size_t told = 0;
    const auto outcomes = run_children(works, 2, [&](size_t work, const ChildOutcome& outcome) {
        ++told;
        CHECK(outcome.text == std::to_string(work * work));
    });
    CHECK(told == 5);
    REQUIRE(outcomes.size() == 5);
    for (int i = 0; i < 5; ++i) {
        CHECK(outcomes[size_t(i)].ok);
        CHECK(outcomes[size_t(i)].text == std::to_string(i * i));
    }
}

TEST_CASE("child processes: a failure keeps an nsim::Error's kind and names a death by signal",
          "[runtime]") {
    const auto outcomes = run_children(
        {[]() -> std::string { throw nsim::ConfigError("chip.json: /clock_ghz: expected > 0"); },
         []() -> std::string { throw std::logic_error("not an nsim error"); },
         []() -> std::string {
             std::raise(SIGKILL);
             return "";
         }},
        3);
    REQUIRE(outcomes.size() == 3);
    CHECK_FALSE(outcomes[0].ok);
    CHECK(outcomes[0].kind == nsim::ErrorKind::config);
    CHECK(outcomes[0].text == "chip.json: /clock_ghz: expected > 0");
    CHECK_FALSE(outcomes[1].ok);
    CHECK_FALSE(outcomes[1].kind);
    CHECK(outcomes[1].text == "not an nsim error");
    CHECK_FALSE(outcomes[2].ok);
    CHECK_THAT(outcomes[2].text, Catch::Contains("signal 9"));

    CHECK_THROWS_AS(throw_failure(outcomes[0]), nsim::ConfigError);
    CHECK_THROWS_WITH(throw_failure(outcomes[0], "measuring: "),
                      "measuring: chip.json: /clock_ghz: expected > 0");
    CHECK_THROWS_AS(throw_failure(outcomes[1]), std::runtime_error);
}

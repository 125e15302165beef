// Programs of the host: their output and exit status captured, a missing one named in a UsageError.
#include <catch2/catch.hpp>

#include "isa/error.h"
#include "runtime/host_command.h"

using Catch::Contains;
using namespace nsim::runtime;

TEST_CASE("host command: stdout and stderr are captured together with the exit status",
          "[runtime]") {
    const CommandOutput out = run_host_command({"sh", "-c", "echo one; echo two >&2; exit 3"});
    CHECK(out.status == 3);
    CHECK(out.output == "one\ntwo\n");
    CHECK(run_host_command({"sh", "-c", "kill -9 $$"}).status == 128 + 9);
}

TEST_CASE("host command: a program that is not installed is a UsageError naming it", "[runtime]") {
    CHECK_THROWS_AS(run_host_command({"nsim-no-such-program"}), nsim::UsageError);
    CHECK_THROWS_WITH(run_host_command({"nsim-no-such-program", "-x"}),
                      Contains("cannot run nsim-no-such-program"));
}

TEST_CASE("host command: shell quoting keeps spaces and quotes", "[runtime]") {
    CHECK(shell_quote("a b") == "'a b'");
    const std::string tricky = "it's $HOME";
    CHECK(run_host_command({"sh", "-c", "printf %s " + shell_quote(tricky)}).output == tricky);
}

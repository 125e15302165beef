// Runs a simulation in a forked child (SystemC elaborates once per process) and returns the bytes
// it produced, sent back through a pipe; the test fails if the child fails.
#pragma once

#include <functional>
#include <string>

#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

namespace nsim::test {

inline std::string output_in_child(const std::function<std::string()>& run) {
    int fd[2];
    REQUIRE(::pipe(fd) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fd[0]);
        int status = 1;
        try {
            const std::string bytes = run();
            status = ::write(fd[1], bytes.data(), bytes.size()) == ssize_t(bytes.size()) ? 0 : 1;
        } catch (...) {}
        ::_exit(status);  // no atexit handlers, no flushing of the parent's buffers
    }
    ::close(fd[1]);
    std::string bytes;
    char buffer[65536];
    for (ssize_t n; (n = ::read(fd[0], buffer, sizeof buffer)) > 0;)
        bytes.append(buffer, size_t(n));
    ::close(fd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    return bytes;
}

}  // namespace nsim::test

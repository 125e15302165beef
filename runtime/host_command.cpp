#include "runtime/host_command.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isa/error.h"

namespace nsim::runtime {

namespace {

// Reads `fd` to its end.
std::string read_to_end(int fd) {
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0)
            text.append(buffer, size_t(n));
        else if (n == 0 || errno != EINTR)
            return text;
    }
}

}  // namespace

std::string shell_quote(const std::string& s) {
    std::string quoted = "'";
    for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

CommandOutput run_host_command(const std::vector<std::string>& argv) {
    // `output` carries the program's stdout and stderr; `exec_error` (closed by a successful exec)
    // carries the errno of an exec that failed.
    int output[2], exec_error[2];
    if (::pipe(output) != 0 || ::pipe2(exec_error, O_CLOEXEC) != 0)
        throw UsageError(fmt::format("cannot run {}: {}", argv[0], std::strerror(errno)));
    const pid_t pid = ::fork();
    if (pid < 0) throw UsageError(fmt::format("cannot run {}: {}", argv[0], std::strerror(errno)));
    if (pid == 0) {
        ::close(output[0]);
        ::close(exec_error[0]);
        const int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, STDIN_FILENO);
        ::dup2(output[1], STDOUT_FILENO);
        ::dup2(output[1], STDERR_FILENO);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        const int error = errno;
        (void)!::write(exec_error[1], &error, sizeof error);
        ::_exit(127);
    }
    ::close(output[1]);
    ::close(exec_error[1]);
    CommandOutput result{0, read_to_end(output[0])};
    ::close(output[0]);
    const std::string exec_failure = read_to_end(exec_error[0]);
    ::close(exec_error[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (exec_failure.size() == sizeof(int)) {
        int error = 0;
        std::memcpy(&error, exec_failure.data(), sizeof error);
        throw UsageError(fmt::format("cannot run {}: {} (is it installed, and on the PATH?)",
                                     argv[0], std::strerror(error)));
    }
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

}  // namespace nsim::runtime

#include "runtime/child_process.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace nsim::runtime {

namespace {

// A forked child computing a result; started by start_child, collected by wait_any.
struct Child {
    pid_t pid = -1;
    int output_fd = -1;
    std::string received;  // what the child has sent so far
};

// The child's first byte says what the rest is: a result ('R'), the message of an nsim::Error
// ('E', then its kind as one digit) or of another exception ('X').
void write_all(int fd, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) return;  // the parent went away: nothing left to tell
        done += size_t(n);
    }
}

// Reads what is available; false at the end of the child's output.
bool read_some(Child& child) {
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(child.output_fd, buffer, sizeof buffer);
        if (n > 0) {
            child.received.append(buffer, size_t(n));
            return true;
        }
        if (n == 0 || errno != EINTR) return false;
    }
}

// Reaps an ended child (its output fully read) and decodes what it sent.
ChildOutcome finish(Child& child) {
    ::close(child.output_fd);
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {}
    const std::string& text = child.received;
    if (!text.empty() && text[0] == 'R' && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return {true, text.substr(1), std::nullopt};
    if (text.size() >= 2 && text[0] == 'E')
        return {false, text.substr(2), ErrorKind(text[1] - '0')};
    if (!text.empty() && text[0] == 'X') return {false, text.substr(1), std::nullopt};
    if (WIFSIGNALED(status))
        return {false,
                fmt::format("the simulation process died of signal {} ({})", WTERMSIG(status),
                            strsignal(WTERMSIG(status))),
                std::nullopt};
    return {false, "the simulation process ended without a result", std::nullopt};
}

// Forks; the child runs `work` and sends back its text, or the message of the exception it threw.
Child start_child(const ChildWork& work) {
    int fds[2];
    if (::pipe(fds) != 0)
        throw std::runtime_error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(fmt::format("cannot fork: {}", std::strerror(errno)));
    if (pid == 0) {
        ::close(fds[0]);
        int code = 0;
        try {
            write_all(fds[1], "R" + work());
        } catch (const Error& e) {
            write_all(fds[1], std::string("E") + char('0' + int(e.kind())) + e.what());
            code = 1;
        } catch (const std::exception& e) {
            write_all(fds[1], std::string("X") + e.what());
            code = 1;
        } catch (...) {
            write_all(fds[1], "Xunexpected failure");
            code = 1;
        }
        ::close(fds[1]);
        ::_exit(code);  // no atexit handlers or static destructors of the parent's copy
    }
    ::close(fds[1]);
    return {pid, fds[0], {}};
}

// Waits until one of `children` ends, removes it from the list and returns its index and outcome.
std::pair<size_t, ChildOutcome> wait_any(std::vector<Child>& children) {
    if (children.empty()) throw std::logic_error("wait_any: no child to wait for");
    std::vector<pollfd> fds(children.size());
    for (;;) {
        for (size_t i = 0; i < children.size(); ++i) fds[i] = {children[i].output_fd, POLLIN, 0};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(
                fmt::format("cannot wait for the simulations: {}", std::strerror(errno)));
        }
        for (size_t i = 0; i < children.size(); ++i) {
            if (fds[i].revents == 0 || read_some(children[i])) continue;
            ChildOutcome outcome = finish(children[i]);
            children.erase(children.begin() + long(i));
            return {i, std::move(outcome)};
        }
    }
}

}  // namespace

void throw_failure(const ChildOutcome& outcome, const std::string& context) {
    const std::string message = context + outcome.text;
    if (!outcome.kind) throw std::runtime_error(message);
    switch (*outcome.kind) {
        case ErrorKind::config:
            throw ConfigError(message);
        case ErrorKind::input:
            throw InputError(message);
        case ErrorKind::simulation:
            throw SimError(message);
        default:
            throw Error(*outcome.kind, message);
    }
}

std::vector<ChildOutcome> run_children(const std::vector<ChildWork>& works, size_t jobs,
                                       const ChildDone& done) {
    jobs = std::max<size_t>(1, jobs);
    std::vector<ChildOutcome> outcomes(works.size());
    std::vector<Child> running;
    std::vector<size_t> running_works;  // the work of each running child
    size_t next = 0;
    while (next < works.size() || !running.empty()) {
        while (running.size() < jobs && next < works.size()) {
            running.push_back(start_child(works[next]));
            running_works.push_back(next++);
        }
        auto [slot, outcome] = wait_any(running);
        const size_t work = running_works[slot];
        running_works.erase(running_works.begin() + long(slot));
        outcomes[work] = std::move(outcome);
        if (done) done(work, outcomes[work]);
    }
    return outcomes;
}

}  // namespace nsim::runtime

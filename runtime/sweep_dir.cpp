#include "runtime/sweep_dir.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <unistd.h>

#include "isa/error.h"
#include "isa/input_limits.h"
#include "runtime/sweep_point_json.h"

namespace nsim::runtime {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A JSON file of the sweep directory, parsed into T; every problem is an InputError naming it.
template <typename T>
T read_sweep_file(const std::string& path) {
    const std::string text = read_json_file(path, ErrorKind::input);
    try {
        return json::parse(text).get<T>();
    } catch (const json::exception& e) {
        throw InputError(
            fmt::format("{}: not a file nsim sweep wrote: {}", path, abbreviate(e.what(), 200)));
    }
}

void create_directory(const std::string& path) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec)
        throw InputError(fmt::format("{}: cannot create the directory: {}", path, ec.message()));
}

std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    return text;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& text) {
    const std::string temporary = fmt::format("{}.tmp.{}", path, ::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out)
            throw InputError(fmt::format("cannot write '{}': {}", temporary, std::strerror(errno)));
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        std::remove(temporary.c_str());
        throw InputError(fmt::format("cannot write '{}': {}", path, reason));
    }
}

std::string SweepDir::point_file(size_t index) const {
    return fmt::format("{}/points/point-{:05}.json", m_dir, index);
}

std::string SweepDir::result_file(size_t index) const {
    return fmt::format("{}/results/point-{:05}.json", m_dir, index);
}

void SweepDir::write_points(const Study& study) const {
    const std::string header_file = m_dir + "/points/study.json";
    std::error_code ec;
    if (fs::exists(header_file, ec)) {
        const auto header = read_sweep_file<StudyHeader>(header_file);
        if (header.hash != study.hash)
            throw InputError(fmt::format(
                "{}: holds the points of another study file ({}, hash {}), not of {} (hash {}): "
                "expected a new --out directory, or the same study file",
                m_dir, header.file, header.hash, study.file, study.hash));
    }
    create_directory(m_dir + "/points");
    create_directory(m_dir + "/results");
    create_directory(slurm_dir());
    for (size_t i = 0; i < study.points.size(); ++i)
        write_file_atomically(point_file(i),
                              json(PointSpec{study.hash, i, study.points[i]}).dump(2) + "\n");
    const StudyHeader header{study.name, study.file, study.hash, study.points.size(),
                             study.skipped};
    write_file_atomically(header_file, json(header).dump(2) + "\n");
}

Study SweepDir::read_points() const {
    const auto header = read_sweep_file<StudyHeader>(m_dir + "/points/study.json");
    // The reference points stay in the sweep directory's reference.csv, written at the start.
    Study study{header.name, header.file, header.hash, {}, header.skipped, {}};
    for (size_t i = 0; i < header.points; ++i) {
        auto spec = read_sweep_file<PointSpec>(point_file(i));
        if (spec.study_hash != header.hash || spec.index != i)
            throw InputError(fmt::format("{}: expected point {} of study {}, found point {} of {}",
                                         point_file(i), i, header.hash, spec.index,
                                         spec.study_hash));
        study.points.push_back(std::move(spec.point));
    }
    return study;
}

bool SweepDir::has_result(size_t index) const {
    std::error_code ec;
    return fs::exists(result_file(index), ec);
}

std::vector<size_t> SweepDir::missing(const Study& study) const {
    std::vector<size_t> missing;
    for (size_t i = 0; i < study.points.size(); ++i)
        if (!has_result(i)) missing.push_back(i);
    return missing;
}

void SweepDir::write_failures(const std::map<size_t, std::string>& reasons) const {
    std::string text;
    for (const auto& [index, reason] : reasons)
        text += fmt::format("{}\t{}\n", index, one_line(reason));
    write_file_atomically(slurm_dir() + "/failures.tsv", text);
}

std::map<size_t, std::string> SweepDir::read_failures() const {
    std::map<size_t, std::string> reasons;
    std::ifstream in(slurm_dir() + "/failures.tsv");
    std::string line;
    while (std::getline(in, line)) {
        const size_t tab = line.find('\t');
        if (tab == 0 || tab == std::string::npos || line.find_first_not_of("0123456789") != tab)
            continue;  // not a line write_failures wrote
        reasons[std::stoul(line.substr(0, tab))] = line.substr(tab + 1);
    }
    return reasons;
}

std::optional<PointResult> SweepDir::result(const Study& study, size_t index) const {
    if (!has_result(index)) return std::nullopt;
    auto record = read_sweep_file<PointRecord>(result_file(index));
    if (record.study_hash != study.hash || record.index != index)
        throw InputError(fmt::format(
            "{}: a result of point {} of study {}, expected point {} of {} (hash {}): results of "
            "another study file are not mixed in",
            result_file(index), record.index, record.study_hash, index, study.file, study.hash));
    return PointResult{&study.points[index], std::move(record.result), std::move(record.error),
                       std::move(record.node), std::move(record.nsim_version)};
}

std::vector<PointResult> SweepDir::gather(const Study& study) const {
    const std::map<size_t, std::string> failures = read_failures();
    std::vector<PointResult> results;
    for (size_t i = 0; i < study.points.size(); ++i) {
        if (auto r = result(study, i)) {
            results.push_back(std::move(*r));
            continue;
        }
        const auto reason = failures.find(i);
        results.push_back({&study.points[i],
                           std::nullopt,
                           reason != failures.end() ? reason->second : "no result (not run yet)",
                           {},
                           {}});
    }
    return results;
}

}  // namespace nsim::runtime

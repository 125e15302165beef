// The directory of a sweep whose points run as tasks elsewhere (Slurm array tasks), each task
// reading its point's specification and writing its record:
//   DIR/points/study.json          the study's header (StudyHeader)
//   DIR/points/point-NNNNN.json    each point's specification (PointSpec)
//   DIR/results/point-NNNNN.json   each point's record (PointRecord), written atomically
//   DIR/slurm/failures.tsv         why the points of the last job without a record have none
// A point has a result when its record exists; a resumed sweep runs only the others.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/study.h"
#include "runtime/study_run.h"

namespace nsim::runtime {

// Replaces `path` with `text` through a temporary file beside it and a rename, so a reader (or a
// task killed while writing) never sees half a file. Throws InputError naming the file.
void write_file_atomically(const std::string& path, const std::string& text);

class SweepDir {
public:
    explicit SweepDir(std::string dir) : m_dir(std::move(dir)) {}

    const std::string& path() const { return m_dir; }
    std::string point_file(size_t index) const;
    std::string result_file(size_t index) const;
    std::string slurm_dir() const { return m_dir + "/slurm"; }

    // Writes the header and every point's specification. Refuses (InputError) a directory that
    // holds the points of another study file.
    void write_points(const Study& study) const;
    // The study write_points wrote (its points in order); InputError when a file is missing or is
    // not what write_points writes.
    Study read_points() const;

    bool has_result(size_t index) const;
    // The points of `study` without a record, in the study's order.
    std::vector<size_t> missing(const Study& study) const;

    // The outcome of point `index` if it has a record; refuses (InputError) a record of another
    // study file or of another point.
    std::optional<PointResult> result(const Study& study, size_t index) const;

    // Why points have no record (by index), kept for a later gather; replaces the previous reasons.
    void write_failures(const std::map<size_t, std::string>& reasons) const;

    // Every point's outcome in the study's order: its record, or for a point without one a failure
    // with the reason write_failures kept (or "no result"), refusing records as result() does.
    std::vector<PointResult> gather(const Study& study) const;

private:
    std::map<size_t, std::string> read_failures() const;

    std::string m_dir;
};

}  // namespace nsim::runtime

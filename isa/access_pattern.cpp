#include "isa/access_pattern.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace nsim::isa {

void FreeDims::too_many(size_t count) {
    throw std::invalid_argument("an access pattern of " + std::to_string(count) +
                                " free dimensions, expected at most " +
                                std::to_string(kMaxFreeDims));
}

std::string_view mem_space_name(MemSpace s) {
    switch (s) {
        case MemSpace::hbm:
            return "hbm";
        case MemSpace::sbuf:
            return "sbuf";
        case MemSpace::psum:
            return "psum";
    }
    return "?";
}

uint64_t AccessPattern::free_size() const {
    uint64_t n = 1;
    for (const auto& d : dims) n *= d.num;
    return n;
}

uint64_t AccessPattern::num_elements() const { return uint64_t(num_partitions) * free_size(); }

std::vector<uint64_t> AccessPattern::free_shape() const {
    std::vector<uint64_t> shape;
    for (const auto& d : dims) shape.push_back(d.num);
    return shape;
}

bool AccessPattern::is_contiguous() const {
    int64_t expected = 1;
    for (size_t k = dims.size(); k-- > 0;) {
        if (dims[k].num != 1 && dims[k].step != expected) return false;
        expected *= dims[k].num;
    }
    return true;
}

int64_t AccessPattern::min_element() const {
    int64_t lo = 0;
    for (const auto& d : dims)
        if (d.step < 0 && d.num > 0) lo += int64_t(d.step) * (d.num - 1);
    return lo;
}

int64_t AccessPattern::end_element() const {
    int64_t hi = 0;
    for (const auto& d : dims) {
        if (d.num == 0) return min_element();  // an empty pattern touches nothing
        if (d.step > 0) hi += int64_t(d.step) * (d.num - 1);
    }
    return hi + 1;
}

namespace {

// Sorts and merges the ranges of `ranges` from index `from` on.
void sort_and_merge(std::vector<ByteRange>& ranges, size_t from = 0) {
    const auto by_begin = [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; };
    const auto first = ranges.begin() + std::ptrdiff_t(from);
    // Rows and copies usually come in order already: checking costs less than sorting.
    if (!std::is_sorted(first, ranges.end(), by_begin)) std::sort(first, ranges.end(), by_begin);
    size_t kept = from;
    for (size_t k = from; k < ranges.size(); ++k) {
        const ByteRange r = ranges[k];
        if (kept > from && r.begin <= ranges[kept - 1].end)
            ranges[kept - 1].end = std::max(ranges[kept - 1].end, r.end);
        else
            ranges[kept++] = r;
    }
    ranges.resize(kept);
}

}  // namespace

std::vector<ByteRange> AccessPattern::byte_ranges() const {
    std::vector<ByteRange> ranges;
    append_byte_ranges(ranges);
    return ranges;
}

// The set of bytes does not depend on the order of the dims or the signs of their steps, and a
// dim of one index or of step 0 only revisits bytes. So the dims that move are folded in from the
// finest step outwards, and a pattern costs its distinct ranges, never its element count (a
// zero-step pattern may name 3e8 elements that all sit in one row).
void AccessPattern::append_byte_ranges(std::vector<ByteRange>& out) const {
    const uint64_t elements = free_size();
    if (elements == 0) return;
    const uint64_t esize = dtype_size(dtype);
    if (is_contiguous()) {  // the usual case
        out.push_back({byte_offset, byte_offset + elements * esize});
        return;
    }
    // The moving dims, on the stack for the usual few (a pattern built in code may have more).
    std::array<FreeDim, kMaxFreeDims> few;
    std::vector<FreeDim> many(dims.size() > few.size() ? dims.size() : 0);
    FreeDim* const moving = many.empty() ? few.data() : many.data();
    size_t count = 0;
    for (const auto& d : dims)
        if (d.num > 1 && d.step != 0) moving[count++] = {d.step < 0 ? -d.step : d.step, d.num};
    std::sort(moving, moving + count,
              [](const FreeDim& a, const FreeDim& b) { return a.step < b.step; });
    const uint64_t origin = uint64_t(int64_t(byte_offset) + min_element() * int64_t(esize));
    std::vector<ByteRange> ranges{{origin, origin + esize}};
    for (size_t m = 0; m < count; ++m) {
        const FreeDim& d = moving[m];
        const uint64_t stride = uint64_t(d.step) * esize;
        if (ranges.size() == 1 && stride <= ranges[0].end - ranges[0].begin) {
            ranges[0].end += stride * (d.num - 1);  // the copies touch: one longer range
            continue;
        }
        std::vector<ByteRange> copies;
        copies.reserve(ranges.size() * d.num);
        for (uint64_t k = 0; k < d.num; ++k)
            for (const auto& r : ranges)
                copies.push_back({r.begin + k * stride, r.end + k * stride});
        sort_and_merge(copies);
        ranges = std::move(copies);
    }
    out.insert(out.end(), ranges.begin(), ranges.end());
}

bool AccessPattern::operator==(const AccessPattern& o) const {
    return space == o.space && tensor == o.tensor && start_partition == o.start_partition &&
           num_partitions == o.num_partitions && byte_offset == o.byte_offset && dtype == o.dtype &&
           dims == o.dims && partition_stride_bytes == o.partition_stride_bytes;
}

uint64_t start_partition_alignment(uint32_t count) {
    uint64_t block = 32;  // one quadrant of the array [src:nki-arch-v2]
    while (block < count) block *= 2;
    return block;
}

bool valid_start_partition(uint32_t start, uint32_t count, uint32_t partitions) {
    if (count == 0 || count > partitions) return false;
    const uint64_t align = start_partition_alignment(count);
    return start % align == 0 && start + align <= partitions;
}

Footprint footprint(const AccessPattern& ap) {
    Footprint fp;
    fp.space = ap.space;
    fp.tensor = ap.tensor;
    if (ap.space != MemSpace::hbm) {
        fp.partition_begin = ap.start_partition;
        fp.partition_end = ap.start_partition + ap.num_partitions;
    }
    append_footprint_ranges(ap, fp.ranges);
    return fp;
}

void append_footprint_ranges(const AccessPattern& ap, std::vector<ByteRange>& out) {
    const size_t from = out.size();
    ap.append_byte_ranges(out);
    if (ap.space != MemSpace::hbm || out.size() == from) return;
    // HBM: the ranges of one row, placed in every row.
    const uint64_t stride = ap.partition_stride_bytes;
    const uint64_t first_row = ap.start_partition, end_row = first_row + ap.num_partitions;
    if (out.size() == from + 1 && out[from].end - out[from].begin == stride) {
        out[from] = {first_row * stride + out[from].begin,
                     (end_row - 1) * stride + out[from].end};  // whole rows back to back
        return;
    }
    const std::vector<ByteRange> within(out.begin() + std::ptrdiff_t(from), out.end());
    out.resize(from);
    for (uint64_t r = first_row; r < end_row; ++r) {
        const uint64_t base = r * stride;
        for (const auto& w : within) out.push_back({base + w.begin, base + w.end});
    }
    // Rows may interleave when the row stride is smaller than a row's extent.
    sort_and_merge(out, from);
}

std::optional<ByteRange> first_overlap(const ByteRange* a, size_t a_count, const ByteRange* b,
                                       size_t b_count) {
    size_t i = 0, j = 0;
    while (i < a_count && j < b_count) {
        const uint64_t lo = std::max(a[i].begin, b[j].begin);
        const uint64_t hi = std::min(a[i].end, b[j].end);
        if (lo < hi) return ByteRange{lo, hi};
        if (a[i].end < b[j].end)
            ++i;
        else
            ++j;
    }
    return std::nullopt;
}

std::optional<Overlap> overlap(const Footprint& a, const Footprint& b) {
    if (a.space != b.space) return std::nullopt;
    uint32_t partition = 0;
    if (a.space == MemSpace::hbm) {
        if (a.tensor != b.tensor) return std::nullopt;
    } else {
        partition = std::max(a.partition_begin, b.partition_begin);
        if (partition >= std::min(a.partition_end, b.partition_end)) return std::nullopt;
    }
    const auto bytes =
        first_overlap(a.ranges.data(), a.ranges.size(), b.ranges.data(), b.ranges.size());
    if (!bytes) return std::nullopt;
    return Overlap{partition, *bytes};
}

size_t hash_value(const AccessPattern& ap) {
    size_t h = std::hash<const void*>()(&ap.tensor.str());
    const auto mix = [&h](uint64_t v) { h = (h ^ v) * 0x100000001b3ull + (h >> 29); };
    mix(uint64_t(ap.space) | uint64_t(ap.dtype) << 8 | uint64_t(ap.start_partition) << 16 |
        uint64_t(ap.num_partitions) << 40);
    mix(ap.byte_offset);
    mix(ap.partition_stride_bytes);
    for (const auto& d : ap.dims) mix(uint64_t(uint32_t(d.step)) | uint64_t(d.num) << 32);
    return h;
}

}  // namespace nsim::isa

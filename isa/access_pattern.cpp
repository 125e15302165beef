#include "isa/access_pattern.h"

#include <algorithm>

namespace nsim::isa {

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

std::vector<ByteRange> AccessPattern::byte_ranges() const {
    const uint64_t esize = dtype_size(dtype);
    if (free_size() == 0) return {};
    if (is_contiguous()) return {{byte_offset, byte_offset + free_size() * esize}};
    std::vector<uint64_t> offsets;
    offsets.reserve(free_size());
    for_each_byte_offset([&](uint64_t o) { offsets.push_back(o); });
    std::sort(offsets.begin(), offsets.end());
    std::vector<ByteRange> ranges;
    for (uint64_t o : offsets) {
        if (!ranges.empty() && o <= ranges.back().end)
            ranges.back().end = std::max(ranges.back().end, o + esize);
        else
            ranges.push_back({o, o + esize});
    }
    return ranges;
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
    auto within = ap.byte_ranges();
    if (ap.space != MemSpace::hbm) {
        fp.partition_begin = ap.start_partition;
        fp.partition_end = ap.start_partition + ap.num_partitions;
        fp.ranges = std::move(within);
        return fp;
    }
    const uint64_t stride = ap.partition_stride_bytes;
    if (within.size() == 1 &&
        within[0].end - within[0].begin == stride) {  // whole rows back to back
        fp.ranges = {
            {ap.start_partition * stride + within[0].begin,
             (uint64_t(ap.start_partition) + ap.num_partitions - 1) * stride + within[0].end}};
        return fp;
    }
    for (uint64_t r = ap.start_partition; r < uint64_t(ap.start_partition) + ap.num_partitions;
         ++r) {
        const uint64_t base = r * ap.partition_stride_bytes;
        for (const auto& w : within) {
            ByteRange b{base + w.begin, base + w.end};
            if (!fp.ranges.empty() && b.begin <= fp.ranges.back().end &&
                b.begin >= fp.ranges.back().begin)
                fp.ranges.back().end = std::max(fp.ranges.back().end, b.end);
            else
                fp.ranges.push_back(b);
        }
    }
    // Rows may interleave when the row stride is smaller than a row's extent: restore order.
    std::sort(fp.ranges.begin(), fp.ranges.end(),
              [](const ByteRange& a, const ByteRange& b) { return a.begin < b.begin; });
    std::vector<ByteRange> merged;
    for (const auto& b : fp.ranges) {
        if (!merged.empty() && b.begin <= merged.back().end)
            merged.back().end = std::max(merged.back().end, b.end);
        else
            merged.push_back(b);
    }
    fp.ranges = std::move(merged);
    return fp;
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
    size_t i = 0, j = 0;
    while (i < a.ranges.size() && j < b.ranges.size()) {
        const uint64_t lo = std::max(a.ranges[i].begin, b.ranges[j].begin);
        const uint64_t hi = std::min(a.ranges[i].end, b.ranges[j].end);
        if (lo < hi) return Overlap{partition, {lo, hi}};
        if (a.ranges[i].end < b.ranges[j].end)
            ++i;
        else
            ++j;
    }
    return std::nullopt;
}

}  // namespace nsim::isa

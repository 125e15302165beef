// Access patterns: the operands of every instruction, and the exact bytes they touch.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isa/dtype.h"
#include "isa/tensor_name.h"

namespace nsim::isa {

enum class MemSpace : uint8_t { hbm, sbuf, psum };
std::string_view mem_space_name(MemSpace s);

// One free dimension as in NKI's `.ap()` pattern: `step` elements between consecutive indices,
// `num` indices.
struct FreeDim {
    int32_t step = 1;
    uint32_t num = 1;
    bool operator==(const FreeDim& o) const { return step == o.step && num == o.num; }
    bool operator!=(const FreeDim& o) const { return !(*this == o); }
};

inline constexpr unsigned kMaxFreeDims = 4;

// The free dims of an access pattern, outermost first, held in place: a kernel holds a pattern per
// operand, and copying one does not touch the heap. More than kMaxFreeDims (what the hardware's
// patterns have [src:nki-aps]) throws std::invalid_argument.
class FreeDims {
public:
    FreeDims() = default;
    FreeDims(std::initializer_list<FreeDim> dims) { assign(dims.begin(), dims.end()); }
    FreeDims(const std::vector<FreeDim>& dims) { assign(dims.begin(), dims.end()); }

    template <class It>
    void assign(It first, It last) {
        clear();
        for (; first != last; ++first) push_back(*first);
    }
    void assign(size_t count, FreeDim d) {
        clear();
        resize(count, d);
    }
    void push_back(FreeDim d) {
        if (m_size == kMaxFreeDims) too_many(m_size + 1u);
        m_dims[m_size++] = d;
    }
    void push_front(FreeDim d) {
        push_back(d);
        std::rotate(begin(), end() - 1, end());
    }
    void resize(size_t count, FreeDim d = {}) {
        if (count > kMaxFreeDims) too_many(count);
        for (size_t k = m_size; k < count; ++k) m_dims[k] = d;
        m_size = uint8_t(count);
    }
    void clear() { m_size = 0; }

    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    FreeDim* begin() { return m_dims; }
    FreeDim* end() { return m_dims + m_size; }
    const FreeDim* begin() const { return m_dims; }
    const FreeDim* end() const { return m_dims + m_size; }
    FreeDim& operator[](size_t k) { return m_dims[k]; }
    const FreeDim& operator[](size_t k) const { return m_dims[k]; }
    const FreeDim& front() const { return m_dims[0]; }
    const FreeDim& back() const { return m_dims[m_size - 1]; }

    friend bool operator==(const FreeDims& a, const FreeDims& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
    friend bool operator!=(const FreeDims& a, const FreeDims& b) { return !(a == b); }

private:
    [[noreturn]] static void too_many(size_t count);
    FreeDim m_dims[kMaxFreeDims];
    uint8_t m_size = 0;
};

// A half-open byte range [begin, end).
struct ByteRange {
    uint64_t begin = 0;
    uint64_t end = 0;
    bool operator==(const ByteRange& o) const { return begin == o.begin && end == o.end; }
};

// An operand [src:nki-aps]: partitions [start_partition, +num_partitions) of SBUF or
// PSUM, each visited with the same free pattern starting `byte_offset` bytes into the partition.
// Element (w, i1..i4) lives in partition start+w at byte
//   byte_offset + (i1*step1 + ... + i4*step4) * dtype_size.
// For HBM the "partitions" are rows of a declared tensor, `partition_stride_bytes` apart
// (taken from the tensor's shape), and byte_offset counts from the start of each row.
// (The members are ordered largest first: a kernel holds one per operand, 72 bytes each.)
struct AccessPattern {
    TensorName tensor;  // HBM tensor name; empty for SBUF/PSUM
    uint64_t byte_offset = 0;
    uint64_t partition_stride_bytes = 0;  // HBM only
    FreeDims dims;                        // empty = one element
    uint32_t start_partition = 0;
    uint32_t num_partitions = 1;
    MemSpace space = MemSpace::sbuf;
    DType dtype = DType::float32;

    uint64_t free_size() const;     // elements per partition (product of nums; 1 without dims)
    uint64_t num_elements() const;  // num_partitions * free_size()
    std::vector<uint64_t> free_shape() const;  // the nums
    bool is_contiguous()
        const;  // steps are row-major contiguous for the nums (no gaps, no overlap)
    // Lowest and one-past-highest element index relative to byte_offset (steps may be negative).
    int64_t min_element() const;
    int64_t end_element() const;
    // Byte offset of every element within its partition, in iteration order (last dim fastest).
    template <class F>
    void for_each_byte_offset(F&& f) const;
    // The bytes touched within one partition: sorted, disjoint, merged ranges.
    std::vector<ByteRange> byte_ranges() const;
    // The same ranges appended to `out` (a contiguous pattern allocates nothing).
    void append_byte_ranges(std::vector<ByteRange>& out) const;

    bool operator==(const AccessPattern& o) const;
    bool operator!=(const AccessPattern& o) const { return !(*this == o); }
};

// A hash of a pattern's value (equal patterns hash alike; the tensor by its interned name).
size_t hash_value(const AccessPattern& ap);

// Hardware start-partition rule for compute-engine operands [src:nki-arch-v2], for 128 partitions:
// 65-128 partitions start at 0; 33-64 at 0 or 64; 1-32 at 0, 32, 64 or 96. That is, an operand
// occupies an aligned block of quadrants (32 partitions), the smallest power of two holding it;
// the same rule serves any power-of-two array of `partitions` (a what-if variant's).
bool valid_start_partition(uint32_t start, uint32_t count, uint32_t partitions);
// The alignment of that block for `count` partitions: a power of two, at least 32.
uint64_t start_partition_alignment(uint32_t count);

// The exact set of bytes an access pattern touches: for SBUF/PSUM the partitions
// [partition_begin, partition_end) each at `ranges`; for HBM absolute byte ranges in `tensor`.
struct Footprint {
    MemSpace space = MemSpace::sbuf;
    std::string tensor;
    uint32_t partition_begin = 0;
    uint32_t partition_end = 0;
    std::vector<ByteRange> ranges;
};
Footprint footprint(const AccessPattern& ap);
// A footprint's ranges appended to `out`: those of each partition for SBUF/PSUM, absolute bytes
// of the tensor for HBM (so a pass can keep the ranges of many operands in one array).
void append_footprint_ranges(const AccessPattern& ap, std::vector<ByteRange>& out);

// The first overlapping byte of two footprints, if any: partition (0 for HBM) and byte range.
struct Overlap {
    uint32_t partition = 0;
    ByteRange bytes;
};
std::optional<Overlap> overlap(const Footprint& a, const Footprint& b);
// The first overlapping bytes of two lists of sorted, disjoint ranges, if any.
std::optional<ByteRange> first_overlap(const ByteRange* a, size_t a_count, const ByteRange* b,
                                       size_t b_count);

template <class F>
void AccessPattern::for_each_byte_offset(F&& f) const {
    const int64_t esize = dtype_size(dtype);
    FreeDim d[kMaxFreeDims];
    const size_t pad = kMaxFreeDims - dims.size();
    for (size_t k = 0; k < dims.size(); ++k) d[pad + k] = dims[k];
    const int64_t base = static_cast<int64_t>(byte_offset);
    for (uint32_t a = 0; a < d[0].num; ++a)
        for (uint32_t b = 0; b < d[1].num; ++b)
            for (uint32_t c = 0; c < d[2].num; ++c) {
                int64_t e =
                    int64_t(a) * d[0].step + int64_t(b) * d[1].step + int64_t(c) * d[2].step;
                for (uint32_t x = 0; x < d[3].num; ++x, e += d[3].step)
                    f(static_cast<uint64_t>(base + e * esize));
            }
}

}  // namespace nsim::isa

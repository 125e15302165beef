// Reading typed values (access patterns, numbers, patterns, shapes, semaphores) out of the fields
// of kernel-file lines.
#include "isa/kernel_operands.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace nsim::isa {

bool row_major_dims(const uint32_t* nums, size_t count, std::vector<FreeDim>& dims) {
    constexpr uint64_t kMaxStep = uint64_t(std::numeric_limits<int32_t>::max());
    dims.resize(count);
    uint64_t step = 1;
    for (size_t k = count; k-- > 0;) {
        if (step > kMaxStep) return false;
        dims[k] = FreeDim{int32_t(step), nums[k]};
        // Saturate: one past kMaxStep already fails the check above for every outer dim.
        step = std::min(step * nums[k], kMaxStep + 1);
    }
    return true;
}

std::optional<std::vector<FreeDim>> row_major_dims(const std::vector<uint32_t>& nums) {
    std::vector<FreeDim> dims;
    if (!row_major_dims(nums.data(), nums.size(), dims)) return std::nullopt;
    return dims;
}

FieldReader::FieldReader(std::string_view text, SourceLoc loc, std::string label)
    : m_text(text), m_loc(loc), m_label(std::move(label)), m_cur(text) {}

FieldReader::FieldReader(OperandKey key, std::string_view text, SourceLoc loc)
    : m_text(text), m_loc(loc), m_operand_key(key.name), m_cur(text) {}

FieldReader FieldReader::operand(std::string_view text, SourceLoc loc, std::string_view key) {
    return FieldReader(OperandKey{key}, text, loc);
}

void FieldReader::fail(std::string_view expected) const { fail_at(m_text, expected); }

void FieldReader::fail_at(std::string_view piece, std::string_view expected,
                          bool out_of_range) const {
    // A piece of the field is shown with the field around it; an empty piece says little.
    const bool whole = piece.empty() || piece.size() == m_text.size();
    std::string found = fmt::format("'{}'", quote(whole ? m_text : piece));
    if (out_of_range) found += " (out of range)";
    if (!whole) found += fmt::format(" in '{}'", quote(m_text));
    const std::string label =
        m_operand_key.empty() ? m_label : fmt::format("operand '{}'", m_operand_key);
    throw SyntaxError{m_loc, fmt::format("{}: found {}, expected {}", label, found, expected)};
}

void FieldReader::expect(char c, std::string_view what) {
    m_cur.skip_space();
    if (!m_cur.eat(c)) fail(what);
    m_cur.skip_space();
}

void FieldReader::expect_end(std::string_view what) {
    if (!m_cur.at_end()) fail(what);
}

template <class T>
T FieldReader::number(std::string_view what) {
    m_cur.skip_space();
    // The usual case, a few decimal digits, read in place.
    if (uint64_t value = 0; m_cur.decimal(uint64_t(std::numeric_limits<T>::max()), value)) {
        m_cur.skip_space();
        return T(value);
    }
    const std::string_view text = m_cur.word();
    m_cur.skip_space();
    T value{};
    switch (parse_integer(text, value)) {
        case NumberStatus::ok:
            return value;
        case NumberStatus::out_of_range:
            fail_at(text,
                    fmt::format("{} in [{}, {}]", what, std::numeric_limits<T>::min(),
                                std::numeric_limits<T>::max()),
                    true);
        case NumberStatus::syntax:
            break;
    }
    fail_at(text, fmt::format("{} as a decimal or 0x hex integer", what));
}

// OPEN item, item, ... CLOSE, possibly empty.
template <class F>
void FieldReader::list(char open, char close, F&& item) {
    // The messages are spelled out only on failure: this runs for every shape of every operand.
    m_cur.skip_space();
    if (!m_cur.eat(open)) fail(fmt::format("'{}'", open));
    m_cur.skip_space();
    if (m_cur.eat(close)) return;
    for (;;) {
        item();
        m_cur.skip_space();
        if (m_cur.eat(close)) return;
        if (!m_cur.eat(',')) fail(fmt::format("',' or '{}' in the list", close));
        m_cur.skip_space();
    }
}

std::vector<FreeDim> FieldReader::step_num_pairs(char open, char close) {
    std::vector<FreeDim> dims;
    list(open, close, [&] {
        expect('[', "'[STEP,NUM]'");
        FreeDim d;
        d.step = number<int32_t>("a STEP");
        expect(',', "',' between STEP and NUM");
        d.num = number<uint32_t>("a NUM");
        expect(']', "']' closing [STEP,NUM]");
        dims.push_back(d);
    });
    return dims;
}

std::vector<FreeDim> FieldReader::row_major_shape() {
    // The sizes on the stack while there are at most kMaxFreeDims (the only valid case).
    std::array<uint32_t, kMaxFreeDims> few{};
    std::vector<uint32_t> many;
    size_t count = 0;
    list('[', ']', [&] {
        const auto num = number<uint32_t>("a dimension size");
        if (count == few.size()) many.assign(few.begin(), few.end());
        if (count < few.size())
            few[count] = num;
        else
            many.push_back(num);
        ++count;
    });
    std::vector<FreeDim> dims;
    if (!row_major_dims(many.empty() ? few.data() : many.data(), count, dims))
        fail("a shape whose row-major steps fit in int32");
    return dims;
}

std::string FieldReader::identifier(std::string_view what) {
    if (!is_identifier(m_text)) fail(fmt::format("{} ([A-Za-z_][A-Za-z0-9_]*)", what));
    return std::string(m_text);
}

bool FieldReader::boolean() {
    if (m_text == "true") return true;
    if (m_text == "false") return false;
    fail("true or false");
}

int64_t FieldReader::integer() {
    const auto value = number<int64_t>("the value");
    expect_end("an integer");
    return value;
}

double FieldReader::immediate() {
    float value = 0;
    switch (parse_fp32(m_text, value)) {
        case NumberStatus::ok:
            return value;
        case NumberStatus::out_of_range:
            fail_at(m_text, "an fp32 number (magnitude 1.4e-45 to 3.4028235e+38, or 0)", true);
        case NumberStatus::syntax:
            break;
    }
    fail("an fp32 number (decimal, exponent notation, inf, -inf or nan)");
}

AccessPattern FieldReader::access_pattern(const Program& p) {
    const std::string_view space = m_cur.identifier();
    if (space.empty()) fail("an access pattern SPACE[START:END]@OFFSET.DTYPE[SHAPE]");
    AccessPattern ap;
    const TensorDecl* decl = nullptr;
    if (space == "sbuf" || space == "psum") {
        ap.space = space == "sbuf" ? MemSpace::sbuf : MemSpace::psum;
    } else {
        decl = p.find_tensor(space);
        if (!decl)
            throw SyntaxError{m_loc, fmt::format("{}: unknown tensor '{}', expected sbuf, psum "
                                                 "or a declared tensor",
                                                 m_label, quote(space))};
        if (m_cur.at_end()) return bare_tensor(*decl);
        ap.space = MemSpace::hbm;
        ap.tensor = decl->name;
        ap.dtype = decl->dtype;
        ap.partition_stride_bytes = decl->row_bytes();
    }
    m_cur.skip_space();
    if (!m_cur.eat('[')) fail(fmt::format("'[START:END]' after '{}'", space));
    m_cur.skip_space();
    ap.start_partition = number<uint32_t>("the partition START");
    expect(':', "':' between START and END");
    const auto end = number<uint32_t>("the partition END");
    if (!m_cur.eat(']')) fail("']' closing the partition range");
    if (end <= ap.start_partition) fail("END > START in [START:END]");
    ap.num_partitions = end - ap.start_partition;
    if (m_cur.eat('@')) ap.byte_offset = number<uint64_t>("the byte OFFSET");
    if (m_cur.eat('.')) {
        const std::string_view name = m_cur.identifier();
        const auto dtype = parse_dtype(name);
        if (!dtype) fail_at(name, "a data type: " + enum_names(dtype_name, kDTypeCount));
        ap.dtype = *dtype;
    } else if (!decl) {
        fail("'.DTYPE' after the partition range and offset (sbuf and psum have no default type)");
    }
    std::vector<FreeDim> dims;
    if (m_cur.peek('{'))
        dims = step_num_pairs('{', '}');
    else if (m_cur.peek('['))
        dims = row_major_shape();
    else
        fail("the free dimensions as [SHAPE] or {[STEP,NUM],...}");
    if (dims.size() > kMaxFreeDims) fail(fmt::format("at most {} free dimensions", kMaxFreeDims));
    ap.dims = dims;
    expect_end("nothing after the free dimensions");
    return ap;
}

// A bare tensor name: the whole tensor, if its shape fits an access pattern.
AccessPattern FieldReader::bare_tensor(const TensorDecl& decl) const {
    if (decl.shape.size() > kMaxFreeDims + 1)
        fail(
            fmt::format("a tensor of at most {} dimensions for a bare name ('{}' has {}); write "
                        "out the access pattern",
                        kMaxFreeDims + 1, decl.name, decl.shape.size()));
    // Rows and free-dim sizes must fit their uint32 fields, the free dims' steps int32.
    std::vector<uint32_t> free_nums;
    for (size_t k = 0; k < decl.shape.size(); ++k) {
        if (decl.shape[k] > std::numeric_limits<uint32_t>::max())
            fail(fmt::format("dimensions of '{}' that fit in uint32 for a bare name", decl.name));
        if (k > 0) free_nums.push_back(uint32_t(decl.shape[k]));
    }
    if (!row_major_dims(free_nums))
        fail(fmt::format("a shape of '{}' whose row-major steps fit in int32", decl.name));
    return whole_tensor(decl);
}

std::vector<FreeDim> FieldReader::pattern() {
    auto dims = step_num_pairs('[', ']');
    if (dims.empty() || dims.size() > kMaxFreeDims)
        fail(fmt::format("1 to {} [STEP,NUM] pairs", kMaxFreeDims));
    expect_end("nothing after the pattern");
    return dims;
}

std::vector<uint64_t> FieldReader::tensor_shape() {
    std::vector<uint64_t> shape;
    list('[', ']', [&] { shape.push_back(number<uint64_t>("a dimension size")); });
    expect_end("nothing after the shape");
    if (shape.empty()) fail("at least one dimension");
    uint64_t bytes = 8;  // the widest dtype: every dtype's size then fits in uint64 too
    for (uint64_t d : shape) {
        if (d == 0) fail("dimensions > 0");
        if (bytes > std::numeric_limits<uint64_t>::max() / d)
            fail("a tensor of fewer than 2^64 bytes");
        bytes *= d;
    }
    return shape;
}

SemWait FieldReader::wait() {
    SemWait w;
    if (!m_cur.eat('s')) fail("sN>=V (semaphore N, value V)");
    w.sem = number<uint32_t>("the semaphore number N");
    if (!m_cur.eat(">=")) fail("sN>=V (semaphore N, value V)");
    w.value = number<uint32_t>("the value V");
    expect_end("sN>=V (semaphore N, value V)");
    return w;
}

SemInc FieldReader::inc() {
    SemInc i;
    if (!m_cur.eat('s')) fail("sN or sN+K (semaphore N, amount K)");
    i.sem = number<uint32_t>("the semaphore number N");
    if (m_cur.eat('+')) i.amount = number<uint32_t>("the amount K");
    expect_end("sN or sN+K (semaphore N, amount K)");
    return i;
}

ArgValue FieldReader::arg_value(ArgKind kind, const Program& p) {
    switch (kind) {
        case ArgKind::ap:
            return access_pattern(p);
        case ArgKind::ap_or_imm: {
            // An access pattern starts with its space's name; "inf" and "nan" are numbers.
            const bool is_name = !m_text.empty() && is_identifier(m_text.substr(0, 1)) &&
                                 m_text != "inf" && m_text != "nan";
            if (is_name) return access_pattern(p);
            return immediate();
        }
        case ArgKind::imm:
            return immediate();
        case ArgKind::integer:
            return integer();
        case ArgKind::boolean:
            return boolean();
        case ArgKind::alu_op:
            return int64_t(choice(parse_alu_op, alu_op_name, kAluOpCount, "an ALU operator"));
        case ArgKind::act_func:
            return int64_t(
                choice(parse_act_func, act_func_name, kActFuncCount, "an activation function"));
        case ArgKind::reduce_cmd:
            return int64_t(choice(parse_reduce_cmd, reduce_cmd_name, kReduceCmdCount,
                                  "an accumulator command"));
        case ArgKind::pattern:
            return pattern();
        case ArgKind::name:
            return identifier("a name");
        case ArgKind::int_list: {
            std::vector<int64_t> values;
            list('[', ']', [&] { values.push_back(number<int64_t>("an integer")); });
            expect_end("nothing after the list");
            if (values.empty()) fail("[A,B,...]: at least one integer");
            return values;
        }
    }
    fail("a value of a known operand kind");
}

}  // namespace nsim::isa

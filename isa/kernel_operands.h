// Reading the value fields of kernel files (operand values, tensor shapes, header words) into
// their typed form, with errors that say what was found and what was expected.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "isa/instruction.h"
#include "isa/kernel_lexer.h"
#include "isa/program.h"

namespace nsim::isa {

// Reads one field of a line. `label` names the field in messages ("operand 'dst'", "target"):
// "LABEL: found 'TEXT', expected WHAT". Every method consumes the whole field or throws
// SyntaxError at the field's position.
class FieldReader {
public:
    FieldReader(std::string_view text, SourceLoc loc, std::string label);
    // The value of operand `key` (labelled "operand 'KEY'"); the label is only built for a message,
    // as this runs for every operand of every instruction.
    static FieldReader operand(std::string_view text, SourceLoc loc, std::string_view key);

    [[noreturn]] void fail(std::string_view expected) const;

    std::string identifier(std::string_view what);
    bool boolean();
    int64_t integer();
    double immediate();
    AccessPattern access_pattern(const Program& p);
    std::vector<FreeDim> pattern();
    std::vector<uint64_t> tensor_shape();
    SemWait wait();
    SemInc inc();
    // An enumerator named by the whole field; the message lists every name.
    template <class E>
    E choice(std::optional<E> (*parse)(std::string_view), std::string_view (*name)(E), int count,
             std::string_view what);

    // The value of an operand of kind `kind` (AccessPattern, double, int64_t, ... as ArgValue
    // says).
    ArgValue arg_value(ArgKind kind, const Program& p);

private:
    struct OperandKey {
        std::string_view name;
    };
    FieldReader(OperandKey key, std::string_view text, SourceLoc loc);
    [[noreturn]] void fail_at(std::string_view piece, std::string_view expected,
                              bool out_of_range = false) const;
    void expect(char c, std::string_view what);
    void expect_end(std::string_view what);
    template <class T>
    T number(std::string_view what);
    template <class F>
    void list(char open, char close, F&& item);
    std::vector<FreeDim> step_num_pairs(char open, char close);
    std::vector<FreeDim> row_major_shape();
    AccessPattern bare_tensor(const TensorDecl& decl) const;

    std::string_view m_text;
    SourceLoc m_loc;
    std::string m_label;
    std::string_view m_operand_key;  // set for operand values: the label is "operand 'KEY'"
    Cursor m_cur;
};

// The free dims of a row-major contiguous array of `nums` (each step the product of the nums inside
// it); nullopt when a step does not fit FreeDim's int32. Both the [SHAPE] syntax and its printing.
std::optional<std::vector<FreeDim>> row_major_dims(const std::vector<uint32_t>& nums);
// The same for `count` nums into `dims`; false when a step does not fit.
bool row_major_dims(const uint32_t* nums, size_t count, std::vector<FreeDim>& dims);

// "a, b, c": the names of the first `count` enumerators, for messages.
template <class E>
std::string enum_names(std::string_view (*name)(E), int count) {
    std::string out;
    for (int i = 0; i < count; ++i) {
        if (i > 0) out += ", ";
        out += name(E(i));
    }
    return out;
}

template <class E>
E FieldReader::choice(std::optional<E> (*parse)(std::string_view), std::string_view (*name)(E),
                      int count, std::string_view what) {
    if (const auto e = parse(m_text)) return *e;
    fail(std::string(what) + ": " + enum_names(name, count));
}

}  // namespace nsim::isa

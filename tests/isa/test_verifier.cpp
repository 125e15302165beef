// Tests of the verifier's generic, table-driven rules: operands, engines, rounding, semaphores,
// memory spaces, partitions, byte bounds and HBM tensors.
#include "isa/kernel_text.h"
#include "verify_helpers.h"

using namespace nsim::isa;
using namespace nsim::isa::test;

namespace {

// tensor_copy between two SBUF tiles: the simplest valid instruction to break one rule of.
void copy(KernelBuilder& b, AccessPattern dst, AccessPattern src) { b.tensor_copy(dst, src); }

}  // namespace

TEST_CASE("verifier: a valid softmax kernel has no diagnostics", "[isa]") {
    KernelBuilder b("softmax_rows", Generation::v2);
    AccessPattern x = b.tensor("x", {128, 512}, f32, TensorRole::input);
    AccessPattern y = b.tensor("y", {128, 512}, f32, TensorRole::output);
    const AccessPattern t = tile(0, 512), m = tile(2048, 1), s = tile(2052, 1), r = tile(2056, 1);
    b.dma_copy(t, x).inc(0);
    b.tensor_reduce(m, AluOp::maximum, t, 1).arg("negate", true).wait(0, 1);
    b.activation(t, ActFunc::exp, t)
        .arg("bias", m)
        .arg("reduce_cmd", ReduceCmd::reset_reduce)
        .arg("reduce_res", s);
    b.reciprocal(r, s);
    b.tensor_scalar(t, t, AluOp::multiply, r);
    b.dma_copy(y, t);
    CHECK(messages(verify(b.build(), default_limits(Generation::v2))) == "");
    CHECK_NOTHROW(verify_or_throw(b.build(), "softmax.nki"));
}

TEST_CASE("verifier: verify_or_throw throws a KernelError carrying every diagnostic", "[isa]") {
    KernelBuilder b("bad", Generation::v2);
    b.tensor_copy(tile(0, 512), tile(4096, 256));
    b.reciprocal(tile(0, 4), tile(16, 8));
    try {
        verify_or_throw(b.build(), "bad.nki");
        FAIL("expected a KernelError");
    } catch (const KernelError& e) {
        CHECK(e.file() == "bad.nki");
        CHECK(e.diagnostics().size() == 2);
        CHECK_THAT(std::string(e.what()), Contains("bad.nki: error: instruction #1 (reciprocal)"));
    }
}

TEST_CASE("verifier: required operands must be present", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.emit(Opcode::tensor_copy, {{"dst", tile(0, 8)}, {"src", tile(32, 8)}});
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.emit(Opcode::tensor_copy, {{"dst", tile(0, 8)}});
               }),
               Contains("instruction #0 (tensor_copy): tensor_copy operand 'src': missing, "
                        "expected an access pattern"));
}

TEST_CASE("verifier: operand values must hold their kind's alternative", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.tensor_tensor(tile(0, 8), tile(32, 8), tile(64, 8), AluOp::add);
    Program p = b.build();
    CHECK(messages(verify(p, default_limits(p.target))) == "");
    p.instructions[0].args[3] = 1.5;  // op holds an immediate
    p.instructions[0].args[1] = std::string("oops");
    const std::string m = messages(verify(p, default_limits(p.target)));
    CHECK_THAT(
        m, Contains("tensor_tensor operand 'op': found an immediate, expected an ALU operator"));
    CHECK_THAT(m,
               Contains("tensor_tensor operand 'data1': found a name, expected an access pattern"));
}

TEST_CASE("verifier: enum operands must be members of their enum", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.activation(tile(0, 8), ActFunc::exp, tile(32, 8));
    Program p = b.build();
    p.instructions[0].args[1] = int64_t(kActFuncCount);
    CHECK_THAT(
        messages(verify(p, default_limits(p.target))),
        Contains(
            "activation operand 'op': found value 17, expected an activation function (0 to 16)"));
}

TEST_CASE("verifier: the engine must be one the opcode runs on", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.tensor_copy(tile(0, 8), tile(32, 8)).engine(Engine::gpsimd);
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor_copy(tile(0, 8), tile(32, 8)).engine(Engine::tensor);
               }),
               Contains("instruction #0 (tensor_copy): tensor_copy: runs on engine tensor, "
                        "expected vector, scalar or gpsimd"));
}

TEST_CASE("verifier: v1 has no GpSimd engine", "[isa]") {
    auto kernel = [](KernelBuilder& b) { b.memset(tile(0, 8), 0.0).engine(Engine::gpsimd); };
    CHECK(messages_of(kernel, Generation::v2) == "");
    CHECK_THAT(
        messages_of(kernel, Generation::v1),
        Contains(
            "memset: runs on engine gpsimd, expected another engine (this target has no GpSimd)"));
}

TEST_CASE("verifier: stochastic rounding needs v2 or later", "[isa]") {
    auto kernel = [](KernelBuilder& b) {
        b.tensor_copy(tile(0, 8, bf16), tile(32, 8)).round(Rounding::stochastic);
    };
    CHECK(messages_of(kernel, Generation::v2) == "");
    CHECK(messages_of(kernel, Generation::v3) == "");
    CHECK_THAT(messages_of(kernel, Generation::v1),
               Contains("tensor_copy: stochastic rounding (round=sr, §5.4) needs target v2 or "
                        "later, found target v1"));
}

TEST_CASE("verifier: semaphore ids are below the target's count and increments at least 1",
          "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              copy(b, tile(0, 8), tile(32, 8));
              b.emit(Opcode::memset, {{"dst", tile(64, 1)}, {"value", 0}}).wait(255, 1).inc(255, 3);
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) { b.memset(tile(0, 8), 0).wait(256, 1); }),
               Contains("instruction #0 (memset): memset: waits on semaphore s256, expected a "
                        "semaphore below s256"));
    CHECK_THAT(
        messages_of([](KernelBuilder& b) { b.memset(tile(0, 8), 0).inc(32); }, Generation::v1),
        Contains("memset: increments semaphore s32, expected a semaphore below s32 (the target has "
                 "32)"));
    CHECK_THAT(messages_of([](KernelBuilder& b) { b.memset(tile(0, 8), 0).inc(3, 0); }),
               Contains("memset: increments semaphore s3 by 0, expected an amount of at least 1"));
}

TEST_CASE("verifier: an operation repeated is checked once, its semaphores and breaks each time",
          "[isa]") {
    const auto found = diagnostics_of([](KernelBuilder& b) {
        b.tensor_copy(tile(0, 8), tile(32, 8));               // #0: valid
        b.tensor_copy(tile(0, 8), tile(32, 8)).wait(256, 1);  // #1: the same, a bad semaphore
        b.tensor_copy(tile(0, 8), tile(32, 8)).engine(Engine::tensor);  // #2: an engine it lacks
        b.tensor_copy(tile(0, 512), tile(4096, 256));                   // #3: broken
        b.tensor_copy(tile(0, 512), tile(4096, 256));  // #4: the same, broken again
        b.tensor_copy(tile(0, 8), tile(32, 8));        // #5: valid
    });
    REQUIRE(found.size() == 4);
    CHECK_THAT(found[0].message,
               Contains("instruction #1 (tensor_copy)") && Contains("waits on semaphore s256"));
    CHECK_THAT(found[1].message, Contains("instruction #2 (tensor_copy)"));
    CHECK_THAT(found[2].message, Contains("instruction #3 (tensor_copy)"));
    CHECK_THAT(found[3].message, Contains("instruction #4 (tensor_copy)"));
    CHECK(found[2].message.substr(found[2].message.find(':')) ==
          found[3].message.substr(found[3].message.find(':')));
}

TEST_CASE("verifier: access patterns live in the memories the operand allows", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.nc_matmul(psum_tile(0, 8), psum_tile(2048, 8, bf16), tile(0, 8, bf16));
               }),
               Contains("nc_matmul operand 'stationary': found memory psum, expected sbuf"));
    CHECK_THAT(messages_of([](KernelBuilder& b) { b.dma_copy(psum_tile(0, 8), tile(0, 8)); }),
               Contains("dma_copy operand 'dst': found memory psum, expected hbm or sbuf"));
}

TEST_CASE("verifier: GpSimd cannot access PSUM", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) { b.tensor_copy(tile(0, 8), psum_tile(0, 8)); }) == "");
    CHECK_THAT(
        messages_of([](KernelBuilder& b) {
            b.tensor_copy(tile(0, 8), psum_tile(0, 8)).engine(Engine::gpsimd);
        }),
        Contains("tensor_copy operand 'src': found memory psum on engine gpsimd, expected sbuf"));
}

TEST_CASE("verifier: a pattern shared by operands is judged for each operand's spec and engine",
          "[isa]") {
    // The same PSUM pattern passes as a vector copy's src, then fails on GpSimd; a pattern past the
    // partition's end fails at every line that names it.
    const Program p = parse_kernel(
        "kernel k\ntarget v2\n"
        "tensor_copy dst=sbuf[0:128]@0.f32[8] src=psum[0:128]@0.f32[8]\n"
        "tensor_copy dst=sbuf[0:128]@0.f32[8] src=psum[0:128]@0.f32[8] engine=gpsimd\n"
        "tensor_copy dst=sbuf[0:128]@0.f32[8] src=sbuf[0:128]@999996.f32[8]\n"
        "tensor_copy dst=sbuf[0:128]@0.f32[8] src=sbuf[0:128]@999996.f32[8]\n",
        "k", {1, 1});
    const auto ds = verify(p, default_limits(p.target));
    std::vector<unsigned> lines;
    for (const auto& d : ds) lines.push_back(d.loc.line);
    CHECK(lines == std::vector<unsigned>{4, 5, 6});
    CHECK_THAT(ds.at(0).message, Contains("found memory psum on engine gpsimd"));
    CHECK_THAT(ds.at(1).message, Contains("touches bytes"));
    CHECK_THAT(ds.at(2).message, Contains("touches bytes"));
}

TEST_CASE("verifier: on-chip operands span 1 to 128 partitions", "[isa]") {
    CHECK_THAT(
        messages_of([](KernelBuilder& b) { copy(b, sbuf(0, 129, 0, f32, {8}), tile(32, 8)); }),
        Contains("tensor_copy operand 'dst': spans 129 partitions, expected at most 128"));
    CHECK_THAT(messages_of([](KernelBuilder& b) { copy(b, sbuf(0, 0, 0, f32, {8}), tile(32, 8)); }),
               Contains("tensor_copy operand 'dst': spans 0 partitions, expected at least 1"));
}

TEST_CASE("verifier: partitions end at the last partition", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   copy(b, sbuf(96, 64, 0, f32, {8}), sbuf(96, 64, 32, f32, {8}));
               }),
               Contains("tensor_copy operand 'dst': partitions [96, 160) end past the last "
                        "partition, expected an end of at most 128"));
}

TEST_CASE("verifier: compute-engine operands obey the start-partition rule", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              copy(b, sbuf(64, 64, 0, f32, {8}), sbuf(0, 64, 0, f32, {8}));
          }) == "");
    CHECK(messages_of([](KernelBuilder& b) {
              copy(b, sbuf(96, 32, 0, f32, {8}), sbuf(32, 32, 0, f32, {8}));
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   copy(b, sbuf(32, 64, 0, f32, {8}), sbuf(0, 64, 0, f32, {8}));
               }),
               Contains("tensor_copy operand 'dst': start partition 32 for 64 partitions, expected "
                        "a start of 0 or 64 (§4.2)"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   copy(b, sbuf(0, 16, 0, f32, {8}), sbuf(16, 16, 0, f32, {8}));
               }),
               Contains("operand 'src': start partition 16 for 16 partitions, expected a start of "
                        "0, 32, 64 or 96"));
}

TEST_CASE("verifier: the start-partition rule scales to a 256-partition array", "[isa]") {
    TargetLimits wide = default_limits(Generation::v2);
    wide.partitions = 256;
    const auto verify_copy = [&](AccessPattern dst, AccessPattern src) {
        KernelBuilder b("k", Generation::v2);
        copy(b, dst, src);
        return messages(verify(b.build(), wide));
    };
    CHECK(verify_copy(sbuf(0, 256, 0, f32, {8}), sbuf(0, 256, 64, f32, {8})) == "");
    CHECK(verify_copy(sbuf(128, 128, 0, f32, {8}), sbuf(0, 128, 64, f32, {8})) == "");
    CHECK_THAT(verify_copy(sbuf(64, 128, 0, f32, {8}), sbuf(0, 128, 64, f32, {8})),
               Contains("operand 'dst': start partition 64 for 128 partitions, expected a start "
                        "of 0 or 128"));
    CHECK_THAT(verify_copy(sbuf(16, 16, 0, f32, {8}), sbuf(0, 16, 64, f32, {8})),
               Contains("operand 'dst': start partition 16 for 16 partitions, expected a start "
                        "of a multiple of 32 up to 224"));
}

TEST_CASE("verifier: DMA operands may start at any partition", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.dma_copy(sbuf(16, 16, 0, f32, {8}), sbuf(3, 16, 0, f32, {8}));
          }) == "");
}

TEST_CASE("access patterns have at most 4 free dims: a fifth is refused where it is built",
          "[isa]") {
    const std::vector<FreeDim> five = {{16, 1}, {16, 1}, {16, 1}, {4, 2}, {1, 4}};
    CHECK_THROWS_WITH(sbuf_pattern(0, 128, 0, f32, five),
                      "an access pattern of 5 free dimensions, expected at most 4");
    AccessPattern ap = sbuf_pattern(0, 128, 0, f32, {five.begin(), five.begin() + 4});
    CHECK_THROWS_AS(ap.dims.push_back({1, 1}), std::invalid_argument);
    CHECK(ap.dims.size() == 4);
}

TEST_CASE("verifier: compute-engine patterns encode counts in uint16 and steps in int16", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   copy(b, sbuf_pattern(0, 128, 0, u8, {{40000, 2}}), tile(0, 2, u8));
               }),
               Contains("operand 'dst': free dimension 0 is [step 40000, num 2], expected a step "
                        "within int16"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   copy(b, sbuf_pattern(0, 128, 0, u8, {{1, 0}}), tile(0, 1, u8));
               }),
               Contains("operand 'dst': free dimension 0 has 0 elements, expected at least 1"));
}

TEST_CASE("verifier: touched bytes stay inside the SBUF and PSUM partitions", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) { copy(b, tile(196608 - 32, 8), tile(0, 8)); }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) { copy(b, tile(196608 - 4, 2), tile(0, 2)); }),
               Contains("tensor_copy operand 'dst': touches bytes [196604, 196612) of each "
                        "partition, expected bytes within [0, 196608) (the SBUF partition size)"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   copy(b, tile(0, 8), sbuf_pattern(0, 128, 8, f32, {{-1, 4}}));
               }),
               Contains("operand 'src': touches bytes [-4, 12) of each partition"));
    CHECK_THAT(messages_of([](KernelBuilder& b) { copy(b, tile(0, 8), psum_tile(16384, 1)); }),
               Contains("operand 'src': touches bytes [16384, 16388) of each partition, expected "
                        "bytes within [0, 16384) (the PSUM partition size)"));
}

TEST_CASE("verifier: the v1 SBUF is smaller", "[isa]") {
    auto kernel = [](KernelBuilder& b) { copy(b, tile(100 * 1024, 8), tile(0, 8)); };
    CHECK(messages_of(kernel, Generation::v2) == "");
    CHECK_THAT(messages_of(kernel, Generation::v1), Contains("expected bytes within [0, 98304)"));
}

TEST_CASE("verifier: byte offsets are multiples of the element size", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) { copy(b, tile(2, 8), tile(64, 8)); }),
               Contains("tensor_copy operand 'dst': byte offset 2 is not a multiple of the f32 "
                        "element size, expected a multiple of 4"));
}

TEST_CASE("verifier: HBM operands name a declared tensor of the same dtype", "[isa]") {
    CHECK_THAT(
        messages_of([](KernelBuilder& b) {
            AccessPattern ghost = b.tensor("x", {128, 8}, f32, TensorRole::input);
            ghost.tensor = "ghost";
            b.dma_copy(tile(0, 8), ghost);
        }),
        Contains("dma_copy operand 'src': found HBM tensor 'ghost', expected a declared tensor"));
    CHECK_THAT(
        messages_of([](KernelBuilder& b) {
            AccessPattern x = b.tensor("x", {128, 8}, f32, TensorRole::input);
            x.dtype = bf16;
            x.dims = {{1, 16}};
            b.dma_copy(tile(0, 16, bf16), x);
        }),
        Contains(
            "dma_copy operand 'src': found dtype bf16, expected f32 (the dtype of tensor 'x')"));
}

TEST_CASE("verifier: HBM rows lie within the tensor's first dim and use its row stride", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) {
              b.tensor("x", {256, 8}, f32, TensorRole::input);
              b.dma_copy(tile(0, 8), b.hbm("x", 128, 128, 0, {8}));
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor("x", {256, 8}, f32, TensorRole::input);
                   b.dma_copy(tile(0, 8), b.hbm("x", 192, 128, 0, {8}));
               }),
               Contains("dma_copy operand 'src': rows [192, 320) end past the last row, expected "
                        "an end of at most 256"));
    CHECK_THAT(
        messages_of([](KernelBuilder& b) {
            AccessPattern x = b.tensor("x", {128, 8}, f32, TensorRole::input);
            x.partition_stride_bytes = 16;
            b.dma_copy(tile(0, 8), x);
        }),
        Contains("operand 'src': row stride 16 bytes, expected 32 (the row size of tensor 'x')"));
}

TEST_CASE("verifier: HBM views may span rows but not leave the tensor", "[isa]") {
    // One "row" covering the whole [128, 512] tensor: a flat view.
    CHECK(messages_of([](KernelBuilder& b) {
              b.tensor("x", {128, 512}, f32, TensorRole::input);
              b.dma_copy(tile(0, 512), b.hbm("x", 0, 1, 0, {128, 512}));
          }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor("x", {128, 512}, f32, TensorRole::input);
                   b.dma_copy(tile(0, 512), b.hbm("x", 127, 1, 8, {512}));
               }),
               Contains("dma_copy operand 'src': touches bytes [260128, 262176) of tensor 'x', "
                        "expected bytes within [0, 262144)"));
}

TEST_CASE("verifier: tensors have unique valid names and non-empty dims", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.tensor("x", {4, 0}, f32, TensorRole::input);
    b.tensor("psum", {4}, f32, TensorRole::input);
    Program p = b.build();
    p.tensors.push_back(p.tensors[0]);
    const std::string m = messages(verify(p, default_limits(p.target)));
    CHECK_THAT(m, Contains("tensor 'x': dimension 1 is 0, expected at least 1"));
    CHECK_THAT(m, Contains("tensor 'psum': invalid name"));
    CHECK_THAT(m, Contains("tensor 'x': declared twice, expected unique tensor names"));
}

TEST_CASE("verifier: per-partition vector operands are [P,1]", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor_scalar(tile(0, 8), tile(32, 8), AluOp::add, tile(64, 2));
               }),
               Contains("tensor_scalar operand 'operand0': found P=128 x F=2, expected a "
                        "per-partition vector [P,1] with P=128"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.tensor_scalar(tile(0, 8), tile(32, 8), AluOp::add, sbuf(0, 64, 64, f32, {1}));
               }),
               Contains("operand 'operand0': found P=64 x F=1, expected a per-partition vector "
                        "[P,1] with P=128"));
}

TEST_CASE("verifier: patterns have 1 to 4 non-empty pairs", "[isa]") {
    CHECK_THAT(messages_of([](KernelBuilder& b) { b.iota(tile(0, 1, i32), {}); }),
               Contains("iota operand 'pattern': 0 [step,num] pairs, expected 1 to 4"));
    CHECK_THAT(messages_of([](KernelBuilder& b) {
                   b.iota(tile(0, 1, i32), {{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}});
               }),
               Contains("iota operand 'pattern': 5 [step,num] pairs, expected 1 to 4"));
}

TEST_CASE("verifier: names are non-empty", "[isa]") {
    CHECK(messages_of([](KernelBuilder& b) { b.custom_op("topk", tile(0, 8)); }) == "");
    CHECK_THAT(messages_of([](KernelBuilder& b) { b.custom_op("", tile(0, 8)); }),
               Contains("instruction #0 (custom_op): custom_op operand 'name': empty, expected a "
                        "non-empty name"));
}

TEST_CASE("verifier: a streams program groups its streams in engine order", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.set_form(ProgramForm::streams);
    b.tensor_copy(tile(0, 8), tile(32, 8));
    b.tensor_copy(tile(0, 8), tile(32, 8)).engine(Engine::scalar);
    Program p = b.build();
    CHECK(messages(verify(p, default_limits(p.target))) == "");
    std::swap(p.instructions[0], p.instructions[1]);
    CHECK_THAT(messages(verify(p, default_limits(p.target))),
               Contains("instruction #1: found engine vector after the scalar stream"));
}

TEST_CASE("verifier: file programs report at the operand's line and column", "[isa]") {
    KernelBuilder b("k", Generation::v2);
    b.tensor_copy(tile(0, 8), tile(4096, 16));
    Program p = b.build();
    Instruction& in = p.instructions[0];
    in.loc = {7, 1};
    in.arg_columns[1] = 40;
    const auto ds = verify(p, default_limits(p.target));
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].loc.line == 7);
    CHECK(ds[0].loc.column == 40);
    CHECK(ds[0].message ==
          "tensor_copy operand 'src': found P=128 x F=16, expected P=128 x F=8 as operand 'dst' "
          "(element-wise operands have equal P and F, §4.7)");
    in.engine = Engine::tensor;
    const auto at_inst = verify(p, default_limits(p.target));
    REQUIRE(at_inst.size() == 2);
    CHECK(at_inst[0].loc.column == 1);
}

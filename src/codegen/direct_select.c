/* direct_select: BPF instructions for one LLVM function whose values have
 * their places (direct_values.c). Each IR instruction becomes a few BPF
 * instructions, with r0-r5 as scratch; integers narrower than 64 bits are
 * kept zero-extended in their 64-bit places, so only the operations that
 * can set high bits mask, and only signed ones sign-extend first. Copies
 * into a block's phis happen on the edges into it (on a small trampoline
 * after the block when the edge leaves a conditional branch). */
#include <stdlib.h>
#include <string.h>

#include "codegen/direct_internal.h"

/* ---- encoding ---- */

static void emit(struct direct_function *fn, uint8_t code, int dst, int src, int off, int32_t imm)
{
    if (fn->code_count == fn->code_capacity) {
        fn->code_capacity = fn->code_capacity ? fn->code_capacity * 2 : 256;
        fn->code = realloc(fn->code, fn->code_capacity * sizeof(*fn->code));
        if (!fn->code)
            abort();
    }
    fn->code[fn->code_count++] = (struct bpf_insn){.code = code,
                                                   .dst_reg = (uint8_t)dst,
                                                   .src_reg = (uint8_t)src,
                                                   .off = (int16_t)off,
                                                   .imm = imm};
}

static void emit_mov(struct direct_function *fn, int dst, int src)
{
    if (dst != src)
        emit(fn, BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static bool fits_imm(uint64_t value)
{
    return (int64_t)value == (int64_t)(int32_t)value;
}

static void emit_constant(struct direct_function *fn, int dst, uint64_t value)
{
    if (fits_imm(value)) {
        emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, (int32_t)value);
        return;
    }
    emit(fn, BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)value);
    emit(fn, 0, 0, 0, 0, (int32_t)(uint32_t)(value >> 32));
}

static void emit_symbol(struct direct_function *fn, int dst, LLVMValueRef global)
{
    if (fn->relocation_count == fn->relocation_capacity) {
        fn->relocation_capacity = fn->relocation_capacity ? fn->relocation_capacity * 2 : 16;
        fn->relocations =
            realloc(fn->relocations, fn->relocation_capacity * sizeof(*fn->relocations));
        if (!fn->relocations)
            abort();
    }
    size_t length;
    fn->relocations[fn->relocation_count++] = (struct bpf_writer_relocation){
        .insn = fn->code_count, .symbol = LLVMGetValueName2(global, &length)};
    emit(fn, BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, 0);
    emit(fn, 0, 0, 0, 0, 0);
}

static unsigned new_label(struct direct_function *fn)
{
    if (fn->label_count == fn->label_capacity) {
        fn->label_capacity = fn->label_capacity ? fn->label_capacity * 2 : 64;
        fn->labels = realloc(fn->labels, fn->label_capacity * sizeof(*fn->labels));
        if (!fn->labels)
            abort();
    }
    fn->labels[fn->label_count] = 0;
    return fn->label_count++;
}

static void emit_jump(struct direct_function *fn, uint8_t code, int dst, int src, int32_t imm,
                      unsigned label)
{
    if (fn->jump_count == fn->jump_capacity) {
        fn->jump_capacity = fn->jump_capacity ? fn->jump_capacity * 2 : 64;
        fn->jumps = realloc(fn->jumps, fn->jump_capacity * sizeof(*fn->jumps));
        if (!fn->jumps)
            abort();
    }
    fn->jumps[fn->jump_count++] = (struct direct_jump){.insn = fn->code_count, .label = label};
    emit(fn, code, dst, src, 0, imm);
}

static uint8_t size_code(unsigned bytes)
{
    return bytes == 1 ? BPF_B : bytes == 2 ? BPF_H : bytes == 4 ? BPF_W : BPF_DW;
}

/* ---- values ---- */

static unsigned width_of(LLVMTypeRef type)
{
    LLVMTypeKind kind = LLVMGetTypeKind(type);
    if (kind == LLVMIntegerTypeKind)
        return LLVMGetIntTypeWidth(type);
    return kind == LLVMPointerTypeKind ? 64 : 0;
}

static uint64_t mask_of(unsigned width)
{
    return width >= 64 ? ~0ull : (1ull << width) - 1;
}

/* A constant's bits as its place would hold them (zero-extended), or
 * sign-extended for the signed operations that extend their operands. */
static bool constant_value(LLVMValueRef value, bool sign_extend, uint64_t *out)
{
    if (LLVMIsAConstantInt(value)) {
        *out = sign_extend ? (uint64_t)LLVMConstIntGetSExtValue(value)
                           : LLVMConstIntGetZExtValue(value);
        return true;
    }
    if (LLVMIsAConstantPointerNull(value) || LLVMIsUndef(value) || LLVMIsPoison(value)) {
        *out = 0;
        return true;
    }
    if (LLVMIsAConstantExpr(value) && LLVMGetConstOpcode(value) == LLVMIntToPtr &&
        LLVMIsAConstantInt(LLVMGetOperand(value, 0))) {
        *out = LLVMConstIntGetZExtValue(LLVMGetOperand(value, 0));
        return true;
    }
    return false;
}

struct address {
    int reg;
    int offset;
};

static bool put_into(struct direct_function *fn, LLVMValueRef value, int reg);
static int in_register(struct direct_function *fn, LLVMValueRef value, int scratch);

static bool address_of(struct direct_function *fn, LLVMValueRef pointer, int scratch,
                       struct address *out)
{
    pointer = direct_resolve(fn, pointer);
    int alloca_offset = direct_table_get(&fn->alloca_offset, pointer);
    if (alloca_offset != -1) {
        *out = (struct address){R10, alloca_offset};
        return true;
    }
    if (direct_is_folded_address(fn, pointer)) {
        int64_t offset;
        direct_constant_offset(fn, pointer, &offset);
        if (!address_of(fn, LLVMGetOperand(pointer, 0), scratch, out))
            return false;
        offset += out->offset;
        if (offset < -32768 || offset > 32767)
            return direct_decline(fn, "an address offset beyond 16 bits");
        out->offset = (int)offset;
        return true;
    }
    int reg = in_register(fn, pointer, scratch);
    *out = (struct address){reg, 0};
    return reg >= 0;
}

/* Puts `value` into `reg`, writing no other register. */
static bool put_into(struct direct_function *fn, LLVMValueRef value, int reg)
{
    value = direct_resolve(fn, value);
    int index = direct_value_of(fn, value);
    uint64_t constant;
    if (index >= 0) {
        const struct direct_value *place = &fn->values[index];
        if (place->place == PLACE_REGISTER)
            emit_mov(fn, reg, place->where);
        else
            emit(fn, BPF_LDX | BPF_MEM | BPF_DW, reg, R10, place->where, 0);
    } else if (constant_value(value, false, &constant)) {
        emit_constant(fn, reg, constant);
    } else if (LLVMIsAGlobalVariable(value)) {
        emit_symbol(fn, reg, value);
    } else if (direct_table_get(&fn->alloca_offset, value) != -1 ||
               direct_is_folded_address(fn, value)) {
        struct address address;
        if (!address_of(fn, value, reg, &address))
            return false;
        emit_mov(fn, reg, address.reg);
        if (address.offset)
            emit(fn, BPF_ALU64 | BPF_ADD | BPF_K, reg, 0, 0, address.offset);
    } else {
        return direct_decline(fn, "an operand it cannot place (%s)",
                              LLVMIsAConstantExpr(value) ? "a constant expression" : "a value");
    }
    return true;
}

/* The register holding `value`: its own, or `scratch` loaded with it; -1
 * when declined. */
static int in_register(struct direct_function *fn, LLVMValueRef value, int scratch)
{
    value = direct_resolve(fn, value);
    int index = direct_value_of(fn, value);
    if (index >= 0 && fn->values[index].place == PLACE_REGISTER)
        return fn->values[index].where;
    return put_into(fn, value, scratch) ? scratch : -1;
}

/* Where an instruction's result is computed: its register, or r0 when it
 * lives on the stack (finish() stores it) or is unused. */
static int destination(const struct direct_function *fn, LLVMValueRef instruction)
{
    int index = direct_value_of(fn, instruction);
    return index >= 0 && fn->values[index].place == PLACE_REGISTER ? fn->values[index].where : R0;
}

static void finish(struct direct_function *fn, LLVMValueRef instruction, int reg)
{
    int index = direct_value_of(fn, instruction);
    if (index >= 0 && fn->values[index].place == PLACE_STACK)
        emit(fn, BPF_STX | BPF_MEM | BPF_DW, R10, reg, fn->values[index].where, 0);
}

static void sign_extend(struct direct_function *fn, int reg, unsigned width)
{
    if (width >= 64)
        return;
    emit(fn, BPF_ALU64 | BPF_LSH | BPF_K, reg, 0, 0, (int32_t)(64 - width));
    emit(fn, BPF_ALU64 | BPF_ARSH | BPF_K, reg, 0, 0, (int32_t)(64 - width));
}

/* Back to the zero-extended form after an operation that may set bits
 * above `width`. */
static void truncate_to(struct direct_function *fn, int reg, unsigned width)
{
    if (width == 32)
        emit(fn, BPF_ALU | BPF_MOV | BPF_X, reg, reg, 0, 0);
    else if (width < 32)
        emit(fn, BPF_ALU64 | BPF_AND | BPF_K, reg, 0, 0, (int32_t)mask_of(width));
}

/* ---- arithmetic ---- */

static int alu_operation(LLVMOpcode opcode)
{
    switch (opcode) {
    case LLVMAdd:
        return BPF_ADD;
    case LLVMSub:
        return BPF_SUB;
    case LLVMMul:
        return BPF_MUL;
    case LLVMUDiv:
    case LLVMSDiv:
        return BPF_DIV;
    case LLVMURem:
    case LLVMSRem:
        return BPF_MOD;
    case LLVMAnd:
        return BPF_AND;
    case LLVMOr:
        return BPF_OR;
    case LLVMXor:
        return BPF_XOR;
    case LLVMShl:
        return BPF_LSH;
    case LLVMLShr:
        return BPF_RSH;
    case LLVMAShr:
        return BPF_ARSH;
    default:
        return -1;
    }
}

/* The right operand of an operation: an immediate when it fits (32-bit
 * operations take any; 64-bit ones sign-extend theirs), else a register
 * (a sign-extended copy in r1 for signed operations on narrow types). */
static bool right_operand(struct direct_function *fn, LLVMValueRef value, unsigned width,
                          bool operation32, bool extend, int *reg, int32_t *imm)
{
    uint64_t constant;
    if (constant_value(value, extend, &constant) && (operation32 || fits_imm(constant))) {
        *reg = -1;
        *imm = (int32_t)constant;
        return true;
    }
    if (extend && width < 32) {
        if (!put_into(fn, value, R1))
            return false;
        sign_extend(fn, R1, width);
        *reg = R1;
        return true;
    }
    *reg = in_register(fn, value, R1);
    return *reg >= 0;
}

static bool emit_binary(struct direct_function *fn, LLVMValueRef instruction, LLVMOpcode opcode)
{
    unsigned width = width_of(LLVMTypeOf(instruction));
    bool is_signed = opcode == LLVMSDiv || opcode == LLVMSRem || opcode == LLVMAShr;
    if (!width || width > 64)
        return direct_decline(fn, "arithmetic on a %u-bit type", width);
    if ((opcode == LLVMSDiv || opcode == LLVMSRem) && !fn->cpu_v4)
        return direct_decline(fn, "signed division before BPF v4");
    int dst = destination(fn, instruction);
    if (!put_into(fn, LLVMGetOperand(instruction, 0), dst))
        return false;
    if (is_signed && width < 32)
        sign_extend(fn, dst, width);
    int reg;
    int32_t imm;
    if (!right_operand(fn, LLVMGetOperand(instruction, 1), width, width == 32, is_signed, &reg,
                       &imm))
        return false;
    uint8_t code = (uint8_t)((width == 32 ? BPF_ALU : BPF_ALU64) | alu_operation(opcode) |
                             (reg < 0 ? BPF_K : BPF_X));
    int off = opcode == LLVMSDiv || opcode == LLVMSRem ? 1 : 0;
    emit(fn, code, dst, reg < 0 ? 0 : reg, off, reg < 0 ? imm : 0);
    if (width < 32)
        truncate_to(fn, dst, width);
    finish(fn, instruction, dst);
    return true;
}

static bool emit_cast(struct direct_function *fn, LLVMValueRef instruction, LLVMOpcode opcode)
{
    LLVMValueRef source = LLVMGetOperand(instruction, 0);
    unsigned from = width_of(LLVMTypeOf(source)), to = width_of(LLVMTypeOf(instruction));
    if (!from || !to || from > 64 || to > 64)
        return direct_decline(fn, "a conversion between types other than integers and pointers");
    int dst = destination(fn, instruction);
    if (!put_into(fn, source, dst))
        return false;
    if (opcode == LLVMSExt) {
        sign_extend(fn, dst, from);
        truncate_to(fn, dst, to);
    } else if (to < from) {
        truncate_to(fn, dst, to);
    }
    finish(fn, instruction, dst);
    return true;
}

static bool emit_address(struct direct_function *fn, LLVMValueRef gep)
{
    int dst = destination(fn, gep);
    if (!put_into(fn, LLVMGetOperand(gep, 0), dst))
        return false;
    LLVMTypeRef type = LLVMGetGEPSourceElementType(gep);
    int operands = LLVMGetNumOperands(gep);
    int64_t constant = 0;
    for (int i = 1; i < operands; i++) {
        LLVMValueRef index = LLVMGetOperand(gep, (unsigned)i);
        uint64_t scale;
        if (i == 1) {
            scale = LLVMABISizeOfType(fn->layout, type);
        } else if (LLVMGetTypeKind(type) == LLVMArrayTypeKind) {
            type = LLVMGetElementType(type);
            scale = LLVMABISizeOfType(fn->layout, type);
        } else if (LLVMGetTypeKind(type) == LLVMStructTypeKind && LLVMIsAConstantInt(index)) {
            unsigned field = (unsigned)LLVMConstIntGetZExtValue(index);
            constant += (int64_t)LLVMOffsetOfElement(fn->layout, type, field);
            type = LLVMStructGetTypeAtIndex(type, field);
            continue;
        } else {
            return direct_decline(fn, "an address computation it does not know");
        }
        if (LLVMIsAConstantInt(index)) {
            constant += LLVMConstIntGetSExtValue(index) * (int64_t)scale;
            continue;
        }
        if (!put_into(fn, index, R1))
            return false;
        sign_extend(fn, R1, width_of(LLVMTypeOf(index)));
        if (scale != 1)
            emit(fn, BPF_ALU64 | BPF_MUL | BPF_K, R1, 0, 0, (int32_t)scale);
        emit(fn, BPF_ALU64 | BPF_ADD | BPF_X, dst, R1, 0, 0);
    }
    if (!fits_imm((uint64_t)constant))
        return direct_decline(fn, "an address offset beyond 32 bits");
    if (constant)
        emit(fn, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, (int32_t)constant);
    finish(fn, gep, dst);
    return true;
}

/* ---- comparisons ---- */

static LLVMIntPredicate inverse(LLVMIntPredicate predicate)
{
    switch (predicate) {
    case LLVMIntEQ:
        return LLVMIntNE;
    case LLVMIntNE:
        return LLVMIntEQ;
    case LLVMIntUGT:
        return LLVMIntULE;
    case LLVMIntUGE:
        return LLVMIntULT;
    case LLVMIntULT:
        return LLVMIntUGE;
    case LLVMIntULE:
        return LLVMIntUGT;
    case LLVMIntSGT:
        return LLVMIntSLE;
    case LLVMIntSGE:
        return LLVMIntSLT;
    case LLVMIntSLT:
        return LLVMIntSGE;
    default:
        return LLVMIntSGT; /* SLE */
    }
}

/* a OP b as b OP' a. */
static LLVMIntPredicate swapped(LLVMIntPredicate predicate)
{
    switch (predicate) {
    case LLVMIntUGT:
        return LLVMIntULT;
    case LLVMIntUGE:
        return LLVMIntULE;
    case LLVMIntULT:
        return LLVMIntUGT;
    case LLVMIntULE:
        return LLVMIntUGE;
    case LLVMIntSGT:
        return LLVMIntSLT;
    case LLVMIntSGE:
        return LLVMIntSLE;
    case LLVMIntSLT:
        return LLVMIntSGT;
    case LLVMIntSLE:
        return LLVMIntSGE;
    default:
        return predicate;
    }
}

static int jump_operation(LLVMIntPredicate predicate)
{
    switch (predicate) {
    case LLVMIntEQ:
        return BPF_JEQ;
    case LLVMIntNE:
        return BPF_JNE;
    case LLVMIntUGT:
        return BPF_JGT;
    case LLVMIntUGE:
        return BPF_JGE;
    case LLVMIntULT:
        return BPF_JLT;
    case LLVMIntULE:
        return BPF_JLE;
    case LLVMIntSGT:
        return BPF_JSGT;
    case LLVMIntSGE:
        return BPF_JSGE;
    case LLVMIntSLT:
        return BPF_JSLT;
    default:
        return BPF_JSLE;
    }
}

static bool is_signed_predicate(LLVMIntPredicate predicate)
{
    return predicate >= LLVMIntSGT;
}

/* A jump to `label` taken when the comparison holds (or fails, negated).
 * 32-bit signed comparisons use the 32-bit jumps; narrower signed ones
 * compare sign-extended copies. */
static bool emit_compare_jump(struct direct_function *fn, LLVMValueRef compare, bool negate,
                              unsigned label)
{
    LLVMIntPredicate predicate = LLVMGetICmpPredicate(compare);
    if (negate)
        predicate = inverse(predicate);
    LLVMValueRef left = LLVMGetOperand(compare, 0), right = LLVMGetOperand(compare, 1);
    uint64_t unused;
    if (constant_value(left, false, &unused) && !constant_value(right, false, &unused)) {
        LLVMValueRef swap = left;
        left = right;
        right = swap;
        predicate = swapped(predicate);
    }
    unsigned width = width_of(LLVMTypeOf(left));
    if (!width || width > 64)
        return direct_decline(fn, "a comparison of %u-bit values", width);
    bool is_signed = is_signed_predicate(predicate);
    bool narrow_signed = is_signed && width < 32;
    int left_reg = narrow_signed ? R2 : in_register(fn, left, R2);
    if (left_reg < 0 || (narrow_signed && !put_into(fn, left, R2)))
        return false;
    if (narrow_signed)
        sign_extend(fn, R2, width);
    int right_reg;
    int32_t imm;
    if (!right_operand(fn, right, width, is_signed && width == 32, is_signed, &right_reg, &imm))
        return false;
    uint8_t class = is_signed && width == 32 ? BPF_JMP32 : BPF_JMP;
    uint8_t code = (uint8_t)(class | jump_operation(predicate) | (right_reg < 0 ? BPF_K : BPF_X));
    emit_jump(fn, code, left_reg, right_reg < 0 ? 0 : right_reg, right_reg < 0 ? imm : 0, label);
    return true;
}

/* A comparison whose result is a value: 1, then 0 unless it holds. */
static bool emit_compare_value(struct direct_function *fn, LLVMValueRef compare)
{
    int dst = destination(fn, compare);
    unsigned skip = new_label(fn);
    emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, 1);
    if (!emit_compare_jump(fn, compare, false, skip))
        return false;
    emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, 0);
    fn->labels[skip] = fn->code_count;
    finish(fn, compare, dst);
    return true;
}

static bool emit_select(struct direct_function *fn, LLVMValueRef select)
{
    int dst = destination(fn, select);
    int on_false = in_register(fn, LLVMGetOperand(select, 2), R2);
    int condition = on_false < 0 ? -1 : in_register(fn, LLVMGetOperand(select, 0), R1);
    if (condition < 0 || !put_into(fn, LLVMGetOperand(select, 1), dst))
        return false;
    unsigned skip = new_label(fn);
    emit_jump(fn, BPF_JMP | BPF_JNE | BPF_K, condition, 0, 0, skip);
    emit_mov(fn, dst, on_false);
    fn->labels[skip] = fn->code_count;
    finish(fn, select, dst);
    return true;
}

/* ---- memory ---- */

static unsigned lowest_bit(int64_t offset)
{
    unsigned align = 8;
    while (align > 1 && offset % align)
        align /= 2;
    return align;
}

static unsigned call_alignment(LLVMValueRef call, unsigned index)
{
    unsigned kind = LLVMGetEnumAttributeKindForName("align", 5);
    LLVMAttributeRef attribute = LLVMGetCallSiteEnumAttribute(call, index, kind);
    uint64_t align = attribute ? LLVMGetEnumAttributeValue(attribute) : 1;
    return align >= 8 ? 8 : (unsigned)align;
}

/* What is known of a pointer's alignment (at most 8): map values and the
 * stack are 8-byte aligned, and constant offsets keep what they keep. */
static unsigned known_alignment(const struct direct_function *fn, LLVMValueRef pointer, int depth)
{
    if (depth > 6)
        return 1;
    pointer = direct_resolve(fn, pointer);
    if (direct_table_get(&fn->alloca_offset, pointer) != -1 || LLVMIsAGlobalVariable(pointer) ||
        LLVMIsAArgument(pointer))
        return 8;
    if (LLVMIsACallInst(pointer))
        return call_alignment(pointer, LLVMAttributeReturnIndex);
    int64_t offset;
    if (LLVMIsAGetElementPtrInst(pointer) && direct_constant_offset(fn, pointer, &offset)) {
        unsigned base = known_alignment(fn, LLVMGetOperand(pointer, 0), depth + 1);
        unsigned here = lowest_bit(offset);
        return base < here ? base : here;
    }
    if (LLVMIsAPHINode(pointer)) {
        unsigned align = 8;
        for (unsigned i = 0; i < LLVMCountIncoming(pointer); i++) {
            unsigned incoming = known_alignment(fn, LLVMGetIncomingValue(pointer, i), depth + 1);
            align = incoming < align ? incoming : align;
        }
        return align;
    }
    return 1;
}

/* The widest access (8, 4, 2, 1) at `offset` bytes past an address of
 * alignment `align` with `left` bytes to go. */
static unsigned chunk_size(unsigned align, unsigned offset, unsigned left)
{
    unsigned size = lowest_bit(offset);
    if (size > align)
        size = align;
    while (size > left)
        size /= 2;
    return size;
}

static unsigned address_alignment(const struct direct_function *fn, LLVMValueRef pointer,
                                  struct address address)
{
    if (address.reg == R10)
        return lowest_bit(address.offset);
    unsigned align = known_alignment(fn, pointer, 0);
    unsigned here = lowest_bit(address.offset);
    return align < here ? align : here;
}

static bool emit_load(struct direct_function *fn, LLVMValueRef load)
{
    LLVMTypeRef type = LLVMTypeOf(load);
    unsigned width = width_of(type);
    unsigned size = width ? (unsigned)LLVMStoreSizeOfType(fn->layout, type) : 0;
    if (!width || (size != 1 && size != 2 && size != 4 && size != 8))
        return direct_decline(fn, "a load of an aggregate or odd-sized value");
    struct address address;
    if (!address_of(fn, LLVMGetOperand(load, 0), R1, &address))
        return false;
    if (address.reg == R10 && address.offset % (int)size)
        return direct_decline(fn, "a misaligned stack load");
    int dst = destination(fn, load);
    emit(fn, BPF_LDX | BPF_MEM | size_code(size), dst, address.reg, address.offset, 0);
    finish(fn, load, dst);
    return true;
}

/* Constant bytes (a string literal, zeroes) stored with immediates. */
static bool store_bytes(struct direct_function *fn, const uint8_t *bytes, unsigned length,
                        struct address address, unsigned align)
{
    for (unsigned done = 0; done < length;) {
        unsigned size = chunk_size(align < 4 ? align : 4, done, length - done);
        uint32_t word = 0;
        memcpy(&word, bytes + done, size); /* little endian, as BPF on x86 and arm64 */
        emit(fn, BPF_ST | BPF_MEM | size_code(size), address.reg, 0, address.offset + (int)done,
             (int32_t)word);
        done += size;
    }
    return true;
}

static bool store_constant_aggregate(struct direct_function *fn, LLVMValueRef value,
                                     struct address address, unsigned align)
{
    unsigned length = (unsigned)LLVMStoreSizeOfType(fn->layout, LLVMTypeOf(value));
    uint8_t *bytes = calloc(length ? length : 1, 1);
    if (!bytes)
        abort();
    bool known = LLVMIsNull(value);
    if (!known && LLVMIsAConstantDataArray(value) &&
        width_of(LLVMGetElementType(LLVMTypeOf(value))) == 8) {
        size_t size;
        const char *text = LLVMGetAsString(value, &size);
        memcpy(bytes, text, size < length ? size : length);
        known = true;
    }
    bool ok = known ? store_bytes(fn, bytes, length, address, align)
                    : direct_decline(fn, "a store of an aggregate value");
    free(bytes);
    return ok;
}

static bool emit_store(struct direct_function *fn, LLVMValueRef store)
{
    LLVMValueRef value = LLVMGetOperand(store, 0), pointer = LLVMGetOperand(store, 1);
    struct address address;
    if (!address_of(fn, pointer, R1, &address))
        return false;
    unsigned align = address_alignment(fn, pointer, address);
    LLVMTypeRef type = LLVMTypeOf(value);
    if (!width_of(type))
        return store_constant_aggregate(fn, value, address, address.reg == R10 ? align : 8);
    unsigned size = (unsigned)LLVMStoreSizeOfType(fn->layout, type);
    if (size != 1 && size != 2 && size != 4 && size != 8)
        return direct_decline(fn, "a store of a %u-byte value", size);
    if (address.reg == R10 && address.offset % (int)size)
        return direct_decline(fn, "a misaligned stack store");
    uint64_t constant;
    if (constant_value(value, false, &constant) && (size < 8 || fits_imm(constant))) {
        emit(fn, BPF_ST | BPF_MEM | size_code(size), address.reg, 0, address.offset,
             (int32_t)constant);
        return true;
    }
    int reg = in_register(fn, value, R2);
    if (reg < 0)
        return false;
    emit(fn, BPF_STX | BPF_MEM | size_code(size), address.reg, reg, address.offset, 0);
    return true;
}

/* llvm.memset and llvm.memcpy of a constant length: unrolled. */
static bool emit_memset(struct direct_function *fn, LLVMValueRef call)
{
    LLVMValueRef pointer = LLVMGetOperand(call, 0);
    LLVMValueRef byte = LLVMGetOperand(call, 1), length = LLVMGetOperand(call, 2);
    if (!LLVMIsAConstantInt(byte) || !LLVMIsAConstantInt(length) ||
        LLVMConstIntGetZExtValue(length) > 4096)
        return direct_decline(fn, "a memset of a variable length or value");
    struct address address;
    if (!address_of(fn, pointer, R1, &address))
        return false;
    unsigned align = address_alignment(fn, pointer, address);
    unsigned call_align = call_alignment(call, 1);
    if (address.reg != R10 && call_align > align)
        align = call_align;
    unsigned total = (unsigned)LLVMConstIntGetZExtValue(length);
    uint8_t fill = (uint8_t)LLVMConstIntGetZExtValue(byte);
    for (unsigned done = 0; done < total;) {
        unsigned size = chunk_size(fill ? (align < 4 ? align : 4) : align, done, total - done);
        uint32_t word;
        memset(&word, fill, sizeof(word));
        emit(fn, BPF_ST | BPF_MEM | size_code(size), address.reg, 0, address.offset + (int)done,
             size == 8 ? 0 : (int32_t)word);
        done += size;
    }
    return true;
}

static bool emit_memcpy(struct direct_function *fn, LLVMValueRef call)
{
    LLVMValueRef to = LLVMGetOperand(call, 0), from = LLVMGetOperand(call, 1);
    LLVMValueRef length = LLVMGetOperand(call, 2);
    if (!LLVMIsAConstantInt(length) || LLVMConstIntGetZExtValue(length) > 4096)
        return direct_decline(fn, "a memcpy of a variable length");
    struct address target, source;
    if (!address_of(fn, to, R1, &target) || !address_of(fn, from, R2, &source))
        return false;
    unsigned align = address_alignment(fn, to, target);
    unsigned source_align = address_alignment(fn, from, source);
    if (source_align < align)
        align = source_align;
    unsigned total = (unsigned)LLVMConstIntGetZExtValue(length);
    for (unsigned done = 0; done < total;) {
        unsigned size = chunk_size(align, done, total - done);
        emit(fn, BPF_LDX | BPF_MEM | size_code(size), R0, source.reg, source.offset + (int)done, 0);
        emit(fn, BPF_STX | BPF_MEM | size_code(size), target.reg, R0, target.offset + (int)done, 0);
        done += size;
    }
    return true;
}

/* llvm.ctlz: BPF has no such instruction; a binary search on the zero-
 * extended value, six halvings from 32 bits down to 1 (hist's log2). */
static bool emit_count_leading_zeros(struct direct_function *fn, LLVMValueRef call)
{
    unsigned width = width_of(LLVMTypeOf(call));
    if (width != 64 && width != 32)
        return direct_decline(fn, "llvm.ctlz on %u bits", width);
    int dst = destination(fn, call);
    if (!put_into(fn, LLVMGetOperand(call, 0), R1))
        return false;
    if (width == 32)
        emit(fn, BPF_ALU64 | BPF_LSH | BPF_K, R1, 0, 0, 32);
    emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, 0);
    for (int step = 32; step >= 1; step /= 2) {
        emit_mov(fn, R2, R1);
        emit(fn, BPF_ALU64 | BPF_RSH | BPF_K, R2, 0, 0, 64 - step);
        emit(fn, BPF_JMP | BPF_JNE | BPF_K, R2, 0, 2, 0); /* the top `step` bits hold a one */
        emit(fn, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, step);
        emit(fn, BPF_ALU64 | BPF_LSH | BPF_K, R1, 0, 0, step);
    }
    /* Still zero: all 64 (or 32) bits were. */
    emit(fn, BPF_JMP | BPF_JNE | BPF_K, R1, 0, 1, 0);
    emit(fn, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, 1);
    finish(fn, call, dst);
    return true;
}

/* llvm.bswap: the byte-order instruction (to big endian on little-endian
 * BPF), which also zero-extends as the places want. */
static bool emit_byte_swap(struct direct_function *fn, LLVMValueRef call)
{
    unsigned width = width_of(LLVMTypeOf(call));
    if (width != 16 && width != 32 && width != 64)
        return direct_decline(fn, "llvm.bswap on %u bits", width);
    int dst = destination(fn, call);
    if (!put_into(fn, LLVMGetOperand(call, 0), dst))
        return false;
    emit(fn, BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, (int32_t)width);
    finish(fn, call, dst);
    return true;
}

static bool emit_intrinsic(struct direct_function *fn, LLVMValueRef call, LLVMValueRef callee)
{
    size_t length;
    const char *name = LLVMGetValueName2(callee, &length);
    if (strncmp(name, "llvm.memset.", 12) == 0)
        return emit_memset(fn, call);
    if (strncmp(name, "llvm.memcpy.", 12) == 0)
        return emit_memcpy(fn, call);
    if (strncmp(name, "llvm.ctlz.", 10) == 0)
        return emit_count_leading_zeros(fn, call);
    if (strncmp(name, "llvm.bswap.", 11) == 0)
        return emit_byte_swap(fn, call);
    if (strncmp(name, "llvm.lifetime.", 14) == 0 || strncmp(name, "llvm.dbg.", 9) == 0)
        return true;
    return direct_decline(fn, "a call of %s", name);
}

/* Helpers are called through their number cast to a pointer. */
static bool emit_call(struct direct_function *fn, LLVMValueRef call)
{
    LLVMValueRef callee = LLVMGetCalledValue(call);
    if (LLVMIsAFunction(callee) && LLVMGetIntrinsicID(callee))
        return emit_intrinsic(fn, call, callee);
    uint64_t helper;
    if (!constant_value(callee, false, &helper) || helper == 0)
        return direct_decline(fn, "a call of a function (not a helper)");
    unsigned count = LLVMGetNumArgOperands(call);
    if (count > 5)
        return direct_decline(fn, "a helper call with %u arguments", count);
    for (unsigned i = 0; i < count; i++)
        if (!put_into(fn, LLVMGetOperand(call, i), R1 + (int)i))
            return false;
    emit(fn, BPF_JMP | BPF_CALL, 0, 0, 0, (int32_t)helper);
    int index = direct_value_of(fn, call);
    if (index >= 0 && fn->values[index].place == PLACE_REGISTER)
        emit_mov(fn, fn->values[index].where, R0);
    finish(fn, call, R0);
    return true;
}

/* ---- control flow ---- */

/* Code placed right after a block for one of its conditional edges: the
 * copies into the target's phis, or the target's `ret` itself (a shared
 * return block at the end would make every early exit a long jump, and the
 * kernel cannot patch code under jumps of more than 32,767 instructions). */
struct edge {
    unsigned label;
    LLVMBasicBlockRef from, to;
};

struct pending_edges {
    struct edge *items;
    unsigned count, capacity;
};

/* Whether entering `block` copies anything: a phi with a place (an unused
 * phi has none). */
static bool has_phi_copies(const struct direct_function *fn, LLVMBasicBlockRef block)
{
    for (LLVMValueRef phi = LLVMGetFirstInstruction(block);
         phi && LLVMGetInstructionOpcode(phi) == LLVMPHI; phi = LLVMGetNextInstruction(phi))
        if (direct_value_of(fn, phi) >= 0)
            return true;
    return false;
}

static LLVMValueRef incoming_from(LLVMValueRef phi, LLVMBasicBlockRef from)
{
    for (unsigned i = 0; i < LLVMCountIncoming(phi); i++)
        if (LLVMGetIncomingBlock(phi, i) == from)
            return LLVMGetIncomingValue(phi, i);
    return NULL;
}

/* The copies into `to`'s phis on the edge from `from`. A phi reading
 * another phi of the same block would need the copies ordered (or a swap):
 * declined. */
static bool emit_copies(struct direct_function *fn, LLVMBasicBlockRef from, LLVMBasicBlockRef to)
{
    for (LLVMValueRef phi = LLVMGetFirstInstruction(to);
         phi && LLVMGetInstructionOpcode(phi) == LLVMPHI; phi = LLVMGetNextInstruction(phi)) {
        int index = direct_value_of(fn, phi);
        LLVMValueRef value = incoming_from(phi, from);
        value = value ? direct_resolve(fn, value) : NULL;
        if (index < 0 || !value || value == phi)
            continue;
        if (LLVMIsAPHINode(value) && LLVMGetInstructionParent(value) == to)
            return direct_decline(fn, "phis that read each other");
        const struct direct_value *place = &fn->values[index];
        if (place->place == PLACE_REGISTER) {
            if (!put_into(fn, value, place->where))
                return false;
            continue;
        }
        int reg = in_register(fn, value, R1);
        if (reg < 0)
            return false;
        emit(fn, BPF_STX | BPF_MEM | BPF_DW, R10, reg, place->where, 0);
    }
    return true;
}

static unsigned block_label(const struct direct_function *fn, LLVMBasicBlockRef block)
{
    return (unsigned)direct_block_of(fn, block);
}

/* Where a conditional jump along from → to lands: the block, or a
 * trampoline doing the phi copies first. */
/* A block that only returns a constant: jumps to it become its return. */
static bool returns_constant(LLVMBasicBlockRef block, uint64_t *value)
{
    LLVMValueRef first = LLVMGetFirstInstruction(block);
    if (!first || LLVMGetInstructionOpcode(first) != LLVMRet)
        return false;
    *value = 0;
    return LLVMGetNumOperands(first) == 0 || constant_value(LLVMGetOperand(first, 0), false, value);
}

static void emit_return_constant(struct direct_function *fn, uint64_t value)
{
    emit_constant(fn, R0, value);
    emit(fn, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* Where a conditional jump along from → to lands: the block, or code after
 * this block doing the phi copies first or returning. */
static bool edge_label(struct direct_function *fn, struct pending_edges *pending,
                       LLVMBasicBlockRef from, LLVMBasicBlockRef to, unsigned *label)
{
    uint64_t unused;
    if (!has_phi_copies(fn, to) && !returns_constant(to, &unused)) {
        *label = block_label(fn, to);
        return true;
    }
    if (pending->count == pending->capacity) {
        pending->capacity = pending->capacity ? pending->capacity * 2 : 16;
        pending->items = realloc(pending->items, pending->capacity * sizeof(*pending->items));
        if (!pending->items)
            abort();
    }
    *label = new_label(fn);
    pending->items[pending->count++] = (struct edge){*label, from, to};
    return true;
}

/* The block whose code follows `from`'s: blocks that only return are not
 * emitted (the ways into them return in place). */
static LLVMBasicBlockRef next_emitted(const struct direct_function *fn, LLVMBasicBlockRef from)
{
    uint64_t unused;
    for (unsigned index = (unsigned)direct_block_of(fn, from) + 1; index < fn->block_count; index++)
        if (!returns_constant(fn->blocks[index].block, &unused))
            return fn->blocks[index].block;
    return NULL;
}

/* A block falls through into the next one when that is where it goes;
 * trampolines wait for the first block that does not (they must not sit
 * in the way), which keeps them close to their jumps. */
static bool emit_goto(struct direct_function *fn, const struct pending_edges *pending,
                      LLVMBasicBlockRef from, LLVMBasicBlockRef to)
{
    (void)pending;
    uint64_t value;
    fn->falls_through = false;
    if (returns_constant(to, &value)) {
        emit_return_constant(fn, value);
        return true;
    }
    if (!emit_copies(fn, from, to))
        return false;
    if (next_emitted(fn, from) == to)
        fn->falls_through = true;
    else
        emit_jump(fn, BPF_JMP | BPF_JA, 0, 0, 0, block_label(fn, to));
    return true;
}

static bool emit_branch(struct direct_function *fn, LLVMValueRef branch,
                        struct pending_edges *pending)
{
    LLVMBasicBlockRef from = LLVMGetInstructionParent(branch);
    if (!LLVMIsConditional(branch))
        return emit_goto(fn, pending, from, LLVMGetSuccessor(branch, 0));
    LLVMBasicBlockRef on_true = LLVMGetSuccessor(branch, 0);
    LLVMBasicBlockRef on_false = LLVMGetSuccessor(branch, 1);
    LLVMValueRef condition = LLVMGetCondition(branch);
    uint64_t constant;
    if (constant_value(condition, false, &constant))
        return emit_goto(fn, pending, from, constant & 1 ? on_true : on_false);
    /* Falling through into the true side saves a jump. */
    bool flip = next_emitted(fn, from) == on_true && !has_phi_copies(fn, on_true);
    LLVMBasicBlockRef jump_to = flip ? on_false : on_true;
    LLVMBasicBlockRef stay = flip ? on_true : on_false;
    unsigned label = 0;
    if (!edge_label(fn, pending, from, jump_to, &label))
        return false;
    if (direct_is_fused_compare(condition)) {
        if (!emit_compare_jump(fn, condition, flip, label))
            return false;
    } else {
        int reg = in_register(fn, condition, R1);
        if (reg < 0)
            return false;
        emit_jump(fn, BPF_JMP | (flip ? BPF_JEQ : BPF_JNE) | BPF_K, reg, 0, 0, label);
    }
    return emit_goto(fn, pending, from, stay);
}

static bool emit_switch(struct direct_function *fn, LLVMValueRef instruction,
                        struct pending_edges *pending)
{
    LLVMBasicBlockRef from = LLVMGetInstructionParent(instruction);
    int reg = in_register(fn, LLVMGetOperand(instruction, 0), R1);
    if (reg < 0)
        return false;
    unsigned operands = (unsigned)LLVMGetNumOperands(instruction);
    for (unsigned i = 2; i + 1 < operands; i += 2) {
        uint64_t value;
        constant_value(LLVMGetOperand(instruction, i), false, &value);
        LLVMBasicBlockRef to = LLVMValueAsBasicBlock(LLVMGetOperand(instruction, i + 1));
        unsigned label = 0;
        if (!edge_label(fn, pending, from, to, &label))
            return false;
        if (fits_imm(value)) {
            emit_jump(fn, BPF_JMP | BPF_JEQ | BPF_K, reg, 0, (int32_t)value, label);
        } else {
            emit_constant(fn, R2, value);
            emit_jump(fn, BPF_JMP | BPF_JEQ | BPF_X, reg, R2, 0, label);
        }
    }
    return emit_goto(fn, pending, from, LLVMGetSwitchDefaultDest(instruction));
}

static bool emit_return(struct direct_function *fn, LLVMValueRef instruction)
{
    if (LLVMGetNumOperands(instruction) > 0) {
        if (!put_into(fn, LLVMGetOperand(instruction, 0), R0))
            return false;
    } else {
        emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
    }
    emit(fn, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    return true;
}

/* ---- the function ---- */

static bool has_effect(LLVMOpcode opcode)
{
    return opcode == LLVMCall || opcode == LLVMStore || opcode == LLVMBr || opcode == LLVMSwitch ||
           opcode == LLVMRet || opcode == LLVMUnreachable;
}

static bool emit_instruction(struct direct_function *fn, LLVMValueRef instruction,
                             struct pending_edges *pending)
{
    LLVMOpcode opcode = LLVMGetInstructionOpcode(instruction);
    if (!has_effect(opcode) && direct_value_of(fn, instruction) < 0)
        return true; /* unused, folded into its users, an alloca or a phi */
    if (alu_operation(opcode) >= 0)
        return emit_binary(fn, instruction, opcode);
    switch (opcode) {
    case LLVMZExt:
    case LLVMSExt:
    case LLVMTrunc:
    case LLVMPtrToInt:
    case LLVMIntToPtr:
    case LLVMBitCast:
    case LLVMFreeze:
        return emit_cast(fn, instruction, opcode);
    case LLVMGetElementPtr:
        return emit_address(fn, instruction);
    case LLVMICmp:
        return emit_compare_value(fn, instruction);
    case LLVMSelect:
        return emit_select(fn, instruction);
    case LLVMLoad:
        return emit_load(fn, instruction);
    case LLVMStore:
        return emit_store(fn, instruction);
    case LLVMCall:
        return emit_call(fn, instruction);
    case LLVMBr:
        return emit_branch(fn, instruction, pending);
    case LLVMSwitch:
        return emit_switch(fn, instruction, pending);
    case LLVMRet:
        return emit_return(fn, instruction);
    case LLVMPHI:
        return true; /* written on the edges into its block */
    case LLVMUnreachable:
        emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
        emit(fn, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        return true;
    default:
        return direct_decline(fn, "the LLVM instruction with opcode %d", (int)opcode);
    }
}

static bool emit_trampolines(struct direct_function *fn, struct pending_edges *pending)
{
    for (unsigned i = 0; i < pending->count; i++) {
        struct edge *edge = &pending->items[i];
        fn->labels[edge->label] = fn->code_count;
        uint64_t value;
        if (returns_constant(edge->to, &value)) {
            emit_return_constant(fn, value);
            continue;
        }
        if (!emit_copies(fn, edge->from, edge->to))
            return false;
        emit_jump(fn, BPF_JMP | BPF_JA, 0, 0, 0, block_label(fn, edge->to));
    }
    pending->count = 0;
    return true;
}

static bool resolve_jumps(struct direct_function *fn)
{
    for (unsigned i = 0; i < fn->jump_count; i++) {
        const struct direct_jump *jump = &fn->jumps[i];
        long offset = (long)fn->labels[jump->label] - (long)jump->insn - 1;
        if (offset < -32768 || offset > 32767)
            return direct_decline(fn, "a jump over more than 32,767 instructions");
        fn->code[jump->insn].off = (int16_t)offset;
    }
    return true;
}

static void emit_prologue(struct direct_function *fn)
{
    LLVMValueRef context = LLVMCountParams(fn->function) ? LLVMGetParam(fn->function, 0) : NULL;
    int index = context ? direct_value_of(fn, context) : -1;
    if (index < 0)
        return;
    if (fn->values[index].place == PLACE_REGISTER)
        emit_mov(fn, fn->values[index].where, R1);
    else
        emit(fn, BPF_STX | BPF_MEM | BPF_DW, R10, R1, fn->values[index].where, 0);
}

bool direct_emit_function(struct direct_function *fn)
{
    for (unsigned b = 0; b < fn->block_count; b++)
        new_label(fn);
    emit_prologue(fn);
    struct pending_edges pending = {.count = 0};
    bool ok = true;
    for (unsigned b = 0; b < fn->block_count && ok; b++) {
        fn->labels[b] = fn->code_count;
        fn->falls_through = false;
        uint64_t unused;
        if (b > 0 && returns_constant(fn->blocks[b].block, &unused))
            continue; /* every way in returns in place (emit_goto, edge_label) */
        for (LLVMValueRef instruction = LLVMGetFirstInstruction(fn->blocks[b].block);
             instruction && ok; instruction = LLVMGetNextInstruction(instruction))
            ok = emit_instruction(fn, instruction, &pending);
        if (!fn->falls_through)
            ok = ok && emit_trampolines(fn, &pending);
    }
    ok = ok && emit_trampolines(fn, &pending);
    free(pending.items);
    return ok && resolve_jumps(fn);
}

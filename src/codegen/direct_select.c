/* direct_select: BPF instructions for one LLVM function whose values have
 * their places (direct_values.c): arithmetic, comparisons and control flow
 * here, memory and calls in direct_memory.c, encoding in direct_emit.c.
 * Each IR instruction becomes a few BPF instructions, with r0-r5 as
 * scratch; integers narrower than 64 bits are kept zero-extended in their
 * 64-bit places, so only the operations that can set high bits mask, and
 * only signed ones sign-extend first. Copies into a block's phis happen on
 * the edges into it (on a small trampoline when the edge leaves a
 * conditional branch). */
#include <stdlib.h>
#include <string.h>

#include "codegen/direct_internal.h"

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
    if (direct_constant_value(value, extend, &constant) &&
        (operation32 || direct_fits_imm(constant))) {
        *reg = -1;
        *imm = (int32_t)constant;
        return true;
    }
    if (extend && width < 32) {
        if (!direct_put_into(fn, value, R1))
            return false;
        direct_sign_extend(fn, R1, width);
        *reg = R1;
        return true;
    }
    *reg = direct_in_register(fn, value, R1);
    return *reg >= 0;
}

static bool emit_binary(struct direct_function *fn, LLVMValueRef instruction, LLVMOpcode opcode)
{
    unsigned width = direct_width_of(LLVMTypeOf(instruction));
    bool is_signed = opcode == LLVMSDiv || opcode == LLVMSRem || opcode == LLVMAShr;
    if (!width || width > 64)
        return direct_decline(fn, "arithmetic on a %u-bit type", width);
    if ((opcode == LLVMSDiv || opcode == LLVMSRem) && !fn->cpu_v4)
        return direct_decline(fn, "signed division before BPF v4");
    int dst = direct_destination(fn, instruction);
    if (!direct_put_into(fn, LLVMGetOperand(instruction, 0), dst))
        return false;
    if (is_signed && width < 32)
        direct_sign_extend(fn, dst, width);
    int reg;
    int32_t imm;
    if (!right_operand(fn, LLVMGetOperand(instruction, 1), width, width == 32, is_signed, &reg,
                       &imm))
        return false;
    uint8_t code = (uint8_t)((width == 32 ? BPF_ALU : BPF_ALU64) | alu_operation(opcode) |
                             (reg < 0 ? BPF_K : BPF_X));
    int off = opcode == LLVMSDiv || opcode == LLVMSRem ? 1 : 0;
    direct_emit(fn, code, dst, reg < 0 ? 0 : reg, off, reg < 0 ? imm : 0);
    if (width < 32)
        direct_truncate_to(fn, dst, width);
    direct_finish(fn, instruction, dst);
    return true;
}

static bool emit_cast(struct direct_function *fn, LLVMValueRef instruction, LLVMOpcode opcode)
{
    LLVMValueRef source = LLVMGetOperand(instruction, 0);
    unsigned from = direct_width_of(LLVMTypeOf(source)),
             to = direct_width_of(LLVMTypeOf(instruction));
    if (!from || !to || from > 64 || to > 64)
        return direct_decline(fn, "a conversion between types other than integers and pointers");
    int dst = direct_destination(fn, instruction);
    if (!direct_put_into(fn, source, dst))
        return false;
    if (opcode == LLVMSExt) {
        direct_sign_extend(fn, dst, from);
        direct_truncate_to(fn, dst, to);
    } else if (to < from) {
        direct_truncate_to(fn, dst, to);
    }
    direct_finish(fn, instruction, dst);
    return true;
}

static bool emit_address(struct direct_function *fn, LLVMValueRef gep)
{
    int dst = direct_destination(fn, gep);
    if (!direct_put_into(fn, LLVMGetOperand(gep, 0), dst))
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
        if (!direct_put_into(fn, index, R1))
            return false;
        direct_sign_extend(fn, R1, direct_width_of(LLVMTypeOf(index)));
        if (scale != 1)
            direct_emit(fn, BPF_ALU64 | BPF_MUL | BPF_K, R1, 0, 0, (int32_t)scale);
        direct_emit(fn, BPF_ALU64 | BPF_ADD | BPF_X, dst, R1, 0, 0);
    }
    if (!direct_fits_imm((uint64_t)constant))
        return direct_decline(fn, "an address offset beyond 32 bits");
    if (constant)
        direct_emit(fn, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, (int32_t)constant);
    direct_finish(fn, gep, dst);
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
    if (direct_constant_value(left, false, &unused) &&
        !direct_constant_value(right, false, &unused)) {
        LLVMValueRef swap = left;
        left = right;
        right = swap;
        predicate = swapped(predicate);
    }
    unsigned width = direct_width_of(LLVMTypeOf(left));
    if (!width || width > 64)
        return direct_decline(fn, "a comparison of %u-bit values", width);
    bool is_signed = is_signed_predicate(predicate);
    bool narrow_signed = is_signed && width < 32;
    int left_reg = narrow_signed ? R2 : direct_in_register(fn, left, R2);
    if (left_reg < 0 || (narrow_signed && !direct_put_into(fn, left, R2)))
        return false;
    if (narrow_signed)
        direct_sign_extend(fn, R2, width);
    int right_reg;
    int32_t imm;
    if (!right_operand(fn, right, width, is_signed && width == 32, is_signed, &right_reg, &imm))
        return false;
    uint8_t class = is_signed && width == 32 ? BPF_JMP32 : BPF_JMP;
    uint8_t code = (uint8_t)(class | jump_operation(predicate) | (right_reg < 0 ? BPF_K : BPF_X));
    direct_emit_jump(fn, code, left_reg, right_reg < 0 ? 0 : right_reg, right_reg < 0 ? imm : 0,
                     label);
    return true;
}

/* A comparison whose result is a value: 1, then 0 unless it holds. */
static bool emit_compare_value(struct direct_function *fn, LLVMValueRef compare)
{
    int dst = direct_destination(fn, compare);
    unsigned skip = direct_new_label(fn);
    direct_emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, 1);
    if (!emit_compare_jump(fn, compare, false, skip))
        return false;
    direct_emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, 0);
    fn->labels[skip] = fn->code_count;
    direct_finish(fn, compare, dst);
    return true;
}

/* select on a comparison fused into it: the true value, a jump over the
 * false one when the comparison holds. */
static bool emit_select_on_compare(struct direct_function *fn, LLVMValueRef select)
{
    int dst = direct_destination(fn, select);
    unsigned skip = direct_new_label(fn);
    if (!direct_put_into(fn, LLVMGetOperand(select, 1), dst) ||
        !emit_compare_jump(fn, LLVMGetOperand(select, 0), false, skip) ||
        !direct_put_into(fn, LLVMGetOperand(select, 2), dst))
        return false;
    fn->labels[skip] = fn->code_count;
    direct_finish(fn, select, dst);
    return true;
}

static bool emit_select(struct direct_function *fn, LLVMValueRef select)
{
    if (direct_is_fused_compare(LLVMGetOperand(select, 0)))
        return emit_select_on_compare(fn, select);
    int dst = direct_destination(fn, select);
    int on_false = direct_in_register(fn, LLVMGetOperand(select, 2), R2);
    int condition = on_false < 0 ? -1 : direct_in_register(fn, LLVMGetOperand(select, 0), R1);
    if (condition < 0 || !direct_put_into(fn, LLVMGetOperand(select, 1), dst))
        return false;
    unsigned skip = direct_new_label(fn);
    direct_emit_jump(fn, BPF_JMP | BPF_JNE | BPF_K, condition, 0, 0, skip);
    direct_emit_mov(fn, dst, on_false);
    fn->labels[skip] = fn->code_count;
    direct_finish(fn, select, dst);
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
            if (!direct_put_into(fn, value, place->where))
                return false;
            continue;
        }
        int reg = direct_in_register(fn, value, R1);
        if (reg < 0)
            return false;
        direct_emit(fn, BPF_STX | BPF_MEM | BPF_DW, R10, reg, place->where, 0);
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
    return LLVMGetNumOperands(first) == 0 ||
           direct_constant_value(LLVMGetOperand(first, 0), false, value);
}

static void emit_return_constant(struct direct_function *fn, uint64_t value)
{
    direct_emit_constant(fn, R0, value);
    direct_emit(fn, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
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
    *label = direct_new_label(fn);
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
static bool emit_goto(struct direct_function *fn, LLVMBasicBlockRef from, LLVMBasicBlockRef to)
{
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
        direct_emit_jump(fn, BPF_JMP | BPF_JA, 0, 0, 0, block_label(fn, to));
    return true;
}

static bool emit_branch(struct direct_function *fn, LLVMValueRef branch,
                        struct pending_edges *pending)
{
    LLVMBasicBlockRef from = LLVMGetInstructionParent(branch);
    if (!LLVMIsConditional(branch))
        return emit_goto(fn, from, LLVMGetSuccessor(branch, 0));
    LLVMBasicBlockRef on_true = LLVMGetSuccessor(branch, 0);
    LLVMBasicBlockRef on_false = LLVMGetSuccessor(branch, 1);
    LLVMValueRef condition = LLVMGetCondition(branch);
    uint64_t constant;
    if (direct_constant_value(condition, false, &constant))
        return emit_goto(fn, from, constant & 1 ? on_true : on_false);
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
        int reg = direct_in_register(fn, condition, R1);
        if (reg < 0)
            return false;
        direct_emit_jump(fn, BPF_JMP | (flip ? BPF_JEQ : BPF_JNE) | BPF_K, reg, 0, 0, label);
    }
    return emit_goto(fn, from, stay);
}

struct switch_case {
    uint64_t value;
    unsigned label;
};

static int by_value(const void *a, const void *b)
{
    uint64_t left = ((const struct switch_case *)a)->value;
    uint64_t right = ((const struct switch_case *)b)->value;
    return (left > right) - (left < right);
}

/* reg OP value, against an immediate when it fits. */
static void jump_if(struct direct_function *fn, int operation, int reg, uint64_t value,
                    unsigned label)
{
    if (direct_fits_imm(value)) {
        direct_emit_jump(fn, (uint8_t)(BPF_JMP | operation | BPF_K), reg, 0, (int32_t)value, label);
        return;
    }
    direct_emit_constant(fn, R2, value);
    direct_emit_jump(fn, (uint8_t)(BPF_JMP | operation | BPF_X), reg, R2, 0, label);
}

/* A binary search over the sorted cases, linear at the leaves: the syscall
 * hook switches on the syscall number on every syscall, traced or not. */
static void emit_cases(struct direct_function *fn, int reg, const struct switch_case *cases,
                       unsigned count, unsigned default_label)
{
    if (count <= 3) {
        for (unsigned i = 0; i < count; i++)
            jump_if(fn, BPF_JEQ, reg, cases[i].value, cases[i].label);
        direct_emit_jump(fn, BPF_JMP | BPF_JA, 0, 0, 0, default_label);
        return;
    }
    unsigned half = count / 2;
    unsigned upper = direct_new_label(fn);
    jump_if(fn, BPF_JGT, reg, cases[half - 1].value, upper);
    emit_cases(fn, reg, cases, half, default_label);
    fn->labels[upper] = fn->code_count;
    emit_cases(fn, reg, cases + half, count - half, default_label);
}

static bool emit_switch(struct direct_function *fn, LLVMValueRef instruction,
                        struct pending_edges *pending)
{
    LLVMBasicBlockRef from = LLVMGetInstructionParent(instruction);
    int reg = direct_in_register(fn, LLVMGetOperand(instruction, 0), R1);
    unsigned operands = (unsigned)LLVMGetNumOperands(instruction);
    struct switch_case *cases = calloc(operands / 2 + 1, sizeof(*cases));
    unsigned count = 0, default_label = 0;
    if (!cases)
        abort();
    bool ok = reg >= 0;
    for (unsigned i = 2; ok && i + 1 < operands; i += 2, count++) {
        direct_constant_value(LLVMGetOperand(instruction, i), false, &cases[count].value);
        LLVMBasicBlockRef to = LLVMValueAsBasicBlock(LLVMGetOperand(instruction, i + 1));
        ok = edge_label(fn, pending, from, to, &cases[count].label);
    }
    ok = ok && edge_label(fn, pending, from, LLVMGetSwitchDefaultDest(instruction), &default_label);
    if (ok) {
        qsort(cases, count, sizeof(*cases), by_value);
        emit_cases(fn, reg, cases, count, default_label);
        fn->falls_through = false;
    }
    free(cases);
    return ok;
}

static bool emit_return(struct direct_function *fn, LLVMValueRef instruction)
{
    if (LLVMGetNumOperands(instruction) > 0) {
        if (!direct_put_into(fn, LLVMGetOperand(instruction, 0), R0))
            return false;
    } else {
        direct_emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
    }
    direct_emit(fn, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
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
        return direct_emit_load(fn, instruction);
    case LLVMStore:
        return direct_emit_store(fn, instruction);
    case LLVMCall:
        return direct_emit_call(fn, instruction);
    case LLVMBr:
        return emit_branch(fn, instruction, pending);
    case LLVMSwitch:
        return emit_switch(fn, instruction, pending);
    case LLVMRet:
        return emit_return(fn, instruction);
    case LLVMPHI:
        return true; /* written on the edges into its block */
    case LLVMUnreachable:
        direct_emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0);
        direct_emit(fn, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
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
        direct_emit_jump(fn, BPF_JMP | BPF_JA, 0, 0, 0, block_label(fn, edge->to));
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
        direct_emit_mov(fn, fn->values[index].where, R1);
    else
        direct_emit(fn, BPF_STX | BPF_MEM | BPF_DW, R10, R1, fn->values[index].where, 0);
}

bool direct_emit_function(struct direct_function *fn)
{
    for (unsigned b = 0; b < fn->block_count; b++)
        direct_new_label(fn);
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

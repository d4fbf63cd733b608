/* direct_emit: the direct backend's lowest layer. BPF instructions are
 * encoded and appended here, jumps to labels recorded for resolving at the
 * end, and values are fetched from their places (direct_values.c) or
 * materialised: constants, map and global addresses (with a relocation),
 * stack addresses. Integers narrower than 64 bits are kept zero-extended
 * in their places; sign_extend and truncate_to move between the forms. */
#include <stdlib.h>
#include <string.h>

#include "codegen/direct_internal.h"

/* ---- encoding ---- */

void direct_emit(struct direct_function *fn, uint8_t code, int dst, int src, int off, int32_t imm)
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

void direct_emit_mov(struct direct_function *fn, int dst, int src)
{
    if (dst != src)
        direct_emit(fn, BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

bool direct_fits_imm(uint64_t value)
{
    return (int64_t)value == (int64_t)(int32_t)value;
}

void direct_emit_constant(struct direct_function *fn, int dst, uint64_t value)
{
    if (direct_fits_imm(value)) {
        direct_emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, (int32_t)value);
        return;
    }
    direct_emit(fn, BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)value);
    direct_emit(fn, 0, 0, 0, 0, (int32_t)(uint32_t)(value >> 32));
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
    direct_emit(fn, BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, 0);
    direct_emit(fn, 0, 0, 0, 0, 0);
}

unsigned direct_new_label(struct direct_function *fn)
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

void direct_emit_jump(struct direct_function *fn, uint8_t code, int dst, int src, int32_t imm,
                      unsigned label)
{
    if (fn->jump_count == fn->jump_capacity) {
        fn->jump_capacity = fn->jump_capacity ? fn->jump_capacity * 2 : 64;
        fn->jumps = realloc(fn->jumps, fn->jump_capacity * sizeof(*fn->jumps));
        if (!fn->jumps)
            abort();
    }
    fn->jumps[fn->jump_count++] = (struct direct_jump){.insn = fn->code_count, .label = label};
    direct_emit(fn, code, dst, src, 0, imm);
}

uint8_t direct_size_code(unsigned bytes)
{
    return bytes == 1 ? BPF_B : bytes == 2 ? BPF_H : bytes == 4 ? BPF_W : BPF_DW;
}

/* ---- values ---- */

unsigned direct_width_of(LLVMTypeRef type)
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

bool direct_constant_value(LLVMValueRef value, bool sign_extend, uint64_t *out)
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

bool direct_address_of(struct direct_function *fn, LLVMValueRef pointer, int scratch,
                       struct direct_address *out)
{
    pointer = direct_resolve(fn, pointer);
    int alloca_offset = direct_table_get(&fn->alloca_offset, pointer);
    if (alloca_offset != -1) {
        *out = (struct direct_address){R10, alloca_offset};
        return true;
    }
    if (direct_is_folded_address(fn, pointer)) {
        int64_t offset;
        direct_constant_offset(fn, pointer, &offset);
        if (!direct_address_of(fn, LLVMGetOperand(pointer, 0), scratch, out))
            return false;
        offset += out->offset;
        if (offset < -32768 || offset > 32767)
            return direct_decline(fn, "an address offset beyond 16 bits");
        out->offset = (int)offset;
        return true;
    }
    int reg = direct_in_register(fn, pointer, scratch);
    *out = (struct direct_address){reg, 0};
    return reg >= 0;
}

bool direct_put_into(struct direct_function *fn, LLVMValueRef value, int reg)
{
    value = direct_resolve(fn, value);
    int index = direct_value_of(fn, value);
    uint64_t constant;
    if (index >= 0) {
        const struct direct_value *place = &fn->values[index];
        if (place->place == PLACE_REGISTER)
            direct_emit_mov(fn, reg, place->where);
        else
            direct_emit(fn, BPF_LDX | BPF_MEM | BPF_DW, reg, R10, place->where, 0);
    } else if (direct_constant_value(value, false, &constant)) {
        direct_emit_constant(fn, reg, constant);
    } else if (LLVMIsAGlobalVariable(value)) {
        emit_symbol(fn, reg, value);
    } else if (direct_table_get(&fn->alloca_offset, value) != -1 ||
               direct_is_folded_address(fn, value)) {
        struct direct_address address;
        if (!direct_address_of(fn, value, reg, &address))
            return false;
        direct_emit_mov(fn, reg, address.reg);
        if (address.offset)
            direct_emit(fn, BPF_ALU64 | BPF_ADD | BPF_K, reg, 0, 0, address.offset);
    } else {
        return direct_decline(fn, "an operand it cannot place (%s)",
                              LLVMIsAConstantExpr(value) ? "a constant expression" : "a value");
    }
    return true;
}

int direct_in_register(struct direct_function *fn, LLVMValueRef value, int scratch)
{
    value = direct_resolve(fn, value);
    int index = direct_value_of(fn, value);
    if (index >= 0 && fn->values[index].place == PLACE_REGISTER)
        return fn->values[index].where;
    return direct_put_into(fn, value, scratch) ? scratch : -1;
}

/* Where an instruction's result is computed: its register, or r0 when it
 * lives on the stack (direct_finish() stores it) or is unused. */
int direct_destination(const struct direct_function *fn, LLVMValueRef instruction)
{
    int index = direct_value_of(fn, instruction);
    return index >= 0 && fn->values[index].place == PLACE_REGISTER ? fn->values[index].where : R0;
}

void direct_finish(struct direct_function *fn, LLVMValueRef instruction, int reg)
{
    int index = direct_value_of(fn, instruction);
    if (index >= 0 && fn->values[index].place == PLACE_STACK)
        direct_emit(fn, BPF_STX | BPF_MEM | BPF_DW, R10, reg, fn->values[index].where, 0);
}

void direct_sign_extend(struct direct_function *fn, int reg, unsigned width)
{
    if (width >= 64)
        return;
    direct_emit(fn, BPF_ALU64 | BPF_LSH | BPF_K, reg, 0, 0, (int32_t)(64 - width));
    direct_emit(fn, BPF_ALU64 | BPF_ARSH | BPF_K, reg, 0, 0, (int32_t)(64 - width));
}

/* Back to the zero-extended form after an operation that may set bits
 * above `width`. */
void direct_truncate_to(struct direct_function *fn, int reg, unsigned width)
{
    if (width == 32)
        direct_emit(fn, BPF_ALU | BPF_MOV | BPF_X, reg, reg, 0, 0);
    else if (width < 32)
        direct_emit(fn, BPF_ALU64 | BPF_AND | BPF_K, reg, 0, 0, (int32_t)mask_of(width));
}

/* The direct backend's state while it translates one LLVM function into BPF
 * instructions: the values it keeps, where each lives, the blocks, and the
 * instructions emitted so far. direct_values.c fills in the values and their
 * places; direct_select.c emits the code. */
#ifndef SONDE_CODEGEN_DIRECT_INTERNAL_H
#define SONDE_CODEGEN_DIRECT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/bpf.h>
#include <llvm-c/Core.h>
#include <llvm-c/Target.h>

#include "codegen/bpf_writer.h"

/* Registers: r0 returns, r1-r5 pass arguments and are lost over calls,
 * r6-r9 survive calls (the only ones values are kept in), r10 the frame. */
enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

enum { DIRECT_STACK_LIMIT = 512 };

/* A pointer-keyed table (LLVM values and blocks to indexes). */
struct direct_table {
    const void **keys;
    int *values;
    unsigned capacity; /* a power of two */
    unsigned used;
};

enum direct_place { PLACE_NONE, PLACE_REGISTER, PLACE_STACK };

/* An SSA value that needs a place: an instruction's result that is used
 * (except the ones emitted where they are used: allocas, constant-offset
 * address arithmetic folded into loads and stores, comparisons folded into
 * their branch), or the context argument. */
struct direct_value {
    LLVMValueRef value;
    int block;      /* defining block, -1 for the argument */
    int start, end; /* live interval, in positions (closed) */
    enum direct_place place;
    int where; /* register number, or offset from r10 (negative) */
};

struct direct_block {
    LLVMBasicBlockRef block;
    int start, end; /* positions: end is where copies into successors' phis happen */
};

struct direct_jump {
    unsigned insn;  /* the jump */
    unsigned label; /* index into labels */
};

struct direct_function {
    LLVMValueRef function;
    LLVMTargetDataRef layout;
    bool cpu_v4;
    char *why; /* the first reason the function cannot be translated */
    size_t why_size;
    bool declined;

    struct direct_value *values;
    unsigned value_count;
    struct direct_table value_index; /* LLVMValueRef → index in values */
    struct direct_block *blocks;
    unsigned block_count;
    struct direct_table block_index;   /* LLVMBasicBlockRef → index in blocks */
    struct direct_table alloca_offset; /* alloca → offset from r10 */
    int frame_size;                    /* bytes below r10 in use */

    struct bpf_insn *code;
    unsigned code_count, code_capacity;
    struct bpf_writer_relocation *relocations;
    unsigned relocation_count, relocation_capacity;
    unsigned *labels; /* insn index per label: blocks first, then edges */
    unsigned label_count, label_capacity;
    bool falls_through; /* the block just emitted continues into the next */
    struct direct_jump *jumps;
    unsigned jump_count, jump_capacity;
};

/* direct.c */
bool direct_decline(struct direct_function *fn, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void direct_table_put(struct direct_table *table, const void *key, int value);
int direct_table_get(const struct direct_table *table, const void *key); /* -1: absent */
void direct_table_free(struct direct_table *table);

/* direct_values.c: which values need places, their live intervals, and
 * their places (registers r6-r9, else stack slots). False: declined. */
bool direct_allocate(struct direct_function *fn);
/* Whether `instruction` is emitted where it is used instead of on its own:
 * a getelementptr with constant indexes used only as the address of loads
 * and stores (it becomes their offset: the verifier refuses loads through a
 * context pointer that was moved), or a comparison right before the branch
 * or select that is its only use (the verifier learns from the branch what
 * it tests; a select then needs no 0/1 value). */
bool direct_is_folded_address(const struct direct_function *fn, LLVMValueRef instruction);
bool direct_is_fused_compare(LLVMValueRef instruction);
/* Whether `instruction` gives its operand's bits unchanged (zext, since
 * places hold integers zero-extended; bitcast, freeze, 64-bit pointer
 * casts, a getelementptr adding 0): it has no place of its own, and
 * direct_resolve follows it to the value that does. */
bool direct_is_alias(const struct direct_function *fn, LLVMValueRef instruction);
LLVMValueRef direct_resolve(const struct direct_function *fn, LLVMValueRef value);
/* The byte offset a getelementptr with constant indexes adds. */
bool direct_constant_offset(const struct direct_function *fn, LLVMValueRef gep, int64_t *offset);
int direct_value_of(const struct direct_function *fn, LLVMValueRef value); /* -1: none */
int direct_block_of(const struct direct_function *fn, LLVMBasicBlockRef block);

/* direct_emit.c: encoding, labels and jumps (resolved at the end), and
 * values fetched into registers. */
void direct_emit(struct direct_function *fn, uint8_t code, int dst, int src, int off, int32_t imm);
void direct_emit_mov(struct direct_function *fn, int dst, int src); /* none when dst == src */
void direct_emit_constant(struct direct_function *fn, int dst, uint64_t value);
bool direct_fits_imm(uint64_t value); /* as a sign-extended 32-bit immediate */
unsigned direct_new_label(struct direct_function *fn);
void direct_emit_jump(struct direct_function *fn, uint8_t code, int dst, int src, int32_t imm,
                      unsigned label);
uint8_t direct_size_code(unsigned bytes);
unsigned direct_width_of(LLVMTypeRef type); /* integer bits, 64 for pointers, 0 otherwise */
/* A constant's bits as its place would hold them (zero-extended), or
 * sign-extended for the signed operations that extend their operands. */
bool direct_constant_value(LLVMValueRef value, bool sign_extend, uint64_t *out);
/* Puts `value` into `reg`, writing no other register. */
bool direct_put_into(struct direct_function *fn, LLVMValueRef value, int reg);
/* The register holding `value`: its own, or `scratch` loaded with it; -1
 * when declined. */
int direct_in_register(struct direct_function *fn, LLVMValueRef value, int scratch);
/* An address as a register and an offset (the stack's are r10-based). */
struct direct_address {
    int reg;
    int offset;
};
bool direct_address_of(struct direct_function *fn, LLVMValueRef pointer, int scratch,
                       struct direct_address *out);
/* Where an instruction's result is computed (its register, or r0), and
 * the store to its stack slot when it has one. */
int direct_destination(const struct direct_function *fn, LLVMValueRef instruction);
void direct_finish(struct direct_function *fn, LLVMValueRef instruction, int reg);
void direct_sign_extend(struct direct_function *fn, int reg, unsigned width);
void direct_truncate_to(struct direct_function *fn, int reg, unsigned width);

/* direct_memory.c */
bool direct_emit_load(struct direct_function *fn, LLVMValueRef load);
bool direct_emit_store(struct direct_function *fn, LLVMValueRef store);
bool direct_emit_call(struct direct_function *fn, LLVMValueRef call);

/* direct_select.c: the function's code. False: declined. */
bool direct_emit_function(struct direct_function *fn);

#endif

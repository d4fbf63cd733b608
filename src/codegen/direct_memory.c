/* direct_memory: loads, stores and calls for the direct backend. Access
 * widths follow what is known of an address's alignment (the stack must be
 * accessed aligned; map values are 8-byte aligned); memset and memcpy of a
 * constant length are unrolled; helpers are called with their arguments in
 * r1-r5, and the two LLVM intrinsics codegen uses for numbers (ctlz for
 * hist, bswap) are expanded. */
#include <stdlib.h>
#include <string.h>

#include "codegen/direct_internal.h"

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
                                  struct direct_address address)
{
    if (address.reg == R10)
        return lowest_bit(address.offset);
    unsigned align = known_alignment(fn, pointer, 0);
    unsigned here = lowest_bit(address.offset);
    return align < here ? align : here;
}

bool direct_emit_load(struct direct_function *fn, LLVMValueRef load)
{
    LLVMTypeRef type = LLVMTypeOf(load);
    unsigned width = direct_width_of(type);
    unsigned size = width ? (unsigned)LLVMStoreSizeOfType(fn->layout, type) : 0;
    if (!width || (size != 1 && size != 2 && size != 4 && size != 8))
        return direct_decline(fn, "a load of an aggregate or odd-sized value");
    struct direct_address address;
    if (!direct_address_of(fn, LLVMGetOperand(load, 0), R1, &address))
        return false;
    if (address.reg == R10 && address.offset % (int)size)
        return direct_decline(fn, "a misaligned stack load");
    int dst = direct_destination(fn, load);
    direct_emit(fn, BPF_LDX | BPF_MEM | direct_size_code(size), dst, address.reg, address.offset,
                0);
    direct_finish(fn, load, dst);
    return true;
}

/* Constant bytes (a string literal, zeroes) stored with immediates. */
static bool store_bytes(struct direct_function *fn, const uint8_t *bytes, unsigned length,
                        struct direct_address address, unsigned align)
{
    for (unsigned done = 0; done < length;) {
        unsigned size = chunk_size(align < 4 ? align : 4, done, length - done);
        uint32_t word = 0;
        memcpy(&word, bytes + done, size); /* little endian, as BPF on x86 and arm64 */
        direct_emit(fn, BPF_ST | BPF_MEM | direct_size_code(size), address.reg, 0,
                    address.offset + (int)done, (int32_t)word);
        done += size;
    }
    return true;
}

static bool store_constant_aggregate(struct direct_function *fn, LLVMValueRef value,
                                     struct direct_address address, unsigned align)
{
    unsigned length = (unsigned)LLVMStoreSizeOfType(fn->layout, LLVMTypeOf(value));
    uint8_t *bytes = calloc(length ? length : 1, 1);
    if (!bytes)
        abort();
    bool known = LLVMIsNull(value);
    if (!known && LLVMIsAConstantDataArray(value) &&
        direct_width_of(LLVMGetElementType(LLVMTypeOf(value))) == 8) {
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

bool direct_emit_store(struct direct_function *fn, LLVMValueRef store)
{
    LLVMValueRef value = LLVMGetOperand(store, 0), pointer = LLVMGetOperand(store, 1);
    struct direct_address address;
    if (!direct_address_of(fn, pointer, R1, &address))
        return false;
    unsigned align = address_alignment(fn, pointer, address);
    LLVMTypeRef type = LLVMTypeOf(value);
    if (!direct_width_of(type))
        return store_constant_aggregate(fn, value, address, address.reg == R10 ? align : 8);
    unsigned size = (unsigned)LLVMStoreSizeOfType(fn->layout, type);
    if (size != 1 && size != 2 && size != 4 && size != 8)
        return direct_decline(fn, "a store of a %u-byte value", size);
    if (address.reg == R10 && address.offset % (int)size)
        return direct_decline(fn, "a misaligned stack store");
    uint64_t constant;
    if (direct_constant_value(value, false, &constant) && (size < 8 || direct_fits_imm(constant))) {
        direct_emit(fn, BPF_ST | BPF_MEM | direct_size_code(size), address.reg, 0, address.offset,
                    (int32_t)constant);
        return true;
    }
    int reg = direct_in_register(fn, value, R2);
    if (reg < 0)
        return false;
    direct_emit(fn, BPF_STX | BPF_MEM | direct_size_code(size), address.reg, reg, address.offset,
                0);
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
    struct direct_address address;
    if (!direct_address_of(fn, pointer, R1, &address))
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
        direct_emit(fn, BPF_ST | BPF_MEM | direct_size_code(size), address.reg, 0,
                    address.offset + (int)done, size == 8 ? 0 : (int32_t)word);
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
    struct direct_address target, source;
    if (!direct_address_of(fn, to, R1, &target) || !direct_address_of(fn, from, R2, &source))
        return false;
    unsigned align = address_alignment(fn, to, target);
    unsigned source_align = address_alignment(fn, from, source);
    if (source_align < align)
        align = source_align;
    unsigned total = (unsigned)LLVMConstIntGetZExtValue(length);
    for (unsigned done = 0; done < total;) {
        unsigned size = chunk_size(align, done, total - done);
        direct_emit(fn, BPF_LDX | BPF_MEM | direct_size_code(size), R0, source.reg,
                    source.offset + (int)done, 0);
        direct_emit(fn, BPF_STX | BPF_MEM | direct_size_code(size), target.reg, R0,
                    target.offset + (int)done, 0);
        done += size;
    }
    return true;
}

/* llvm.ctlz: BPF has no such instruction; a binary search on the zero-
 * extended value, six halvings from 32 bits down to 1 (hist's log2). */
static bool emit_count_leading_zeros(struct direct_function *fn, LLVMValueRef call)
{
    unsigned width = direct_width_of(LLVMTypeOf(call));
    if (width != 64 && width != 32)
        return direct_decline(fn, "llvm.ctlz on %u bits", width);
    int dst = direct_destination(fn, call);
    if (!direct_put_into(fn, LLVMGetOperand(call, 0), R1))
        return false;
    if (width == 32)
        direct_emit(fn, BPF_ALU64 | BPF_LSH | BPF_K, R1, 0, 0, 32);
    direct_emit(fn, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, 0);
    for (int step = 32; step >= 1; step /= 2) {
        direct_emit_mov(fn, R2, R1);
        direct_emit(fn, BPF_ALU64 | BPF_RSH | BPF_K, R2, 0, 0, 64 - step);
        direct_emit(fn, BPF_JMP | BPF_JNE | BPF_K, R2, 0, 2,
                    0); /* the top `step` bits hold a one */
        direct_emit(fn, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, step);
        direct_emit(fn, BPF_ALU64 | BPF_LSH | BPF_K, R1, 0, 0, step);
    }
    /* Still zero: all 64 (or 32) bits were. */
    direct_emit(fn, BPF_JMP | BPF_JNE | BPF_K, R1, 0, 1, 0);
    direct_emit(fn, BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, 1);
    direct_finish(fn, call, dst);
    return true;
}

/* llvm.bswap: the byte-order instruction (to big endian on little-endian
 * BPF), which also zero-extends as the places want. */
static bool emit_byte_swap(struct direct_function *fn, LLVMValueRef call)
{
    unsigned width = direct_width_of(LLVMTypeOf(call));
    if (width != 16 && width != 32 && width != 64)
        return direct_decline(fn, "llvm.bswap on %u bits", width);
    int dst = direct_destination(fn, call);
    if (!direct_put_into(fn, LLVMGetOperand(call, 0), dst))
        return false;
    direct_emit(fn, BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, (int32_t)width);
    direct_finish(fn, call, dst);
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
bool direct_emit_call(struct direct_function *fn, LLVMValueRef call)
{
    LLVMValueRef callee = LLVMGetCalledValue(call);
    if (LLVMIsAFunction(callee) && LLVMGetIntrinsicID(callee))
        return emit_intrinsic(fn, call, callee);
    uint64_t helper;
    if (!direct_constant_value(callee, false, &helper) || helper == 0)
        return direct_decline(fn, "a call of a function (not a helper)");
    unsigned count = LLVMGetNumArgOperands(call);
    if (count > 5)
        return direct_decline(fn, "a helper call with %u arguments", count);
    for (unsigned i = 0; i < count; i++)
        if (!direct_put_into(fn, LLVMGetOperand(call, i), R1 + (int)i))
            return false;
    direct_emit(fn, BPF_JMP | BPF_CALL, 0, 0, 0, (int32_t)helper);
    int index = direct_value_of(fn, call);
    if (index >= 0 && fn->values[index].place == PLACE_REGISTER)
        direct_emit_mov(fn, fn->values[index].where, R0);
    direct_finish(fn, call, R0);
    return true;
}

/* direct_values: which SSA values of a function need a place, how long each
 * lives, and where it lives. Positions number the function in block order
 * (a block's start, each instruction, the block's end where the copies into
 * its successors' phis go); liveness is the usual data flow over blocks,
 * and each value gets one closed interval covering all of it, so that two
 * values whose intervals touch never share a place. Places are given by
 * linear scan: r6-r9 (they survive helper calls), else 8-byte stack slots. */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "codegen/direct_internal.h"

int direct_value_of(const struct direct_function *fn, LLVMValueRef value)
{
    return direct_table_get(&fn->value_index, value);
}

int direct_block_of(const struct direct_function *fn, LLVMBasicBlockRef block)
{
    return direct_table_get(&fn->block_index, block);
}

bool direct_constant_offset(const struct direct_function *fn, LLVMValueRef gep, int64_t *offset)
{
    LLVMTypeRef type = LLVMGetGEPSourceElementType(gep);
    int operands = LLVMGetNumOperands(gep);
    int64_t total = 0;
    for (int i = 1; i < operands; i++) {
        LLVMValueRef index = LLVMGetOperand(gep, (unsigned)i);
        if (!LLVMIsAConstantInt(index))
            return false;
        int64_t number = LLVMConstIntGetSExtValue(index);
        if (i == 1) {
            total += number * (int64_t)LLVMABISizeOfType(fn->layout, type);
        } else if (LLVMGetTypeKind(type) == LLVMStructTypeKind) {
            total += (int64_t)LLVMOffsetOfElement(fn->layout, type, (unsigned)number);
            type = LLVMStructGetTypeAtIndex(type, (unsigned)number);
        } else if (LLVMGetTypeKind(type) == LLVMArrayTypeKind) {
            type = LLVMGetElementType(type);
            total += number * (int64_t)LLVMABISizeOfType(fn->layout, type);
        } else {
            return false;
        }
    }
    *offset = total;
    return true;
}

static bool is_64_bits(LLVMTypeRef type)
{
    LLVMTypeKind kind = LLVMGetTypeKind(type);
    return kind == LLVMPointerTypeKind ||
           (kind == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(type) == 64);
}

bool direct_is_alias(const struct direct_function *fn, LLVMValueRef instruction)
{
    if (!LLVMIsAInstruction(instruction))
        return false;
    int64_t offset;
    switch (LLVMGetInstructionOpcode(instruction)) {
    case LLVMZExt:
    case LLVMBitCast:
    case LLVMFreeze:
        return true;
    case LLVMPtrToInt:
    case LLVMIntToPtr:
        return is_64_bits(LLVMTypeOf(instruction)) &&
               is_64_bits(LLVMTypeOf(LLVMGetOperand(instruction, 0)));
    case LLVMGetElementPtr:
        return direct_constant_offset(fn, instruction, &offset) && offset == 0;
    default:
        return false;
    }
}

LLVMValueRef direct_resolve(const struct direct_function *fn, LLVMValueRef value)
{
    while (direct_is_alias(fn, value))
        value = LLVMGetOperand(value, 0);
    return value;
}

static bool used_only_as_address(LLVMValueRef instruction)
{
    LLVMUseRef use = LLVMGetFirstUse(instruction);
    if (!use)
        return false;
    for (; use; use = LLVMGetNextUse(use)) {
        LLVMValueRef user = LLVMGetUser(use);
        LLVMOpcode opcode = LLVMIsAInstruction(user) ? LLVMGetInstructionOpcode(user) : 0;
        if (opcode == LLVMLoad)
            continue;
        if (opcode == LLVMStore && LLVMGetOperand(user, 0) != instruction)
            continue;
        return false;
    }
    return true;
}

bool direct_is_folded_address(const struct direct_function *fn, LLVMValueRef instruction)
{
    int64_t offset;
    return LLVMIsAInstruction(instruction) &&
           LLVMGetInstructionOpcode(instruction) == LLVMGetElementPtr &&
           direct_constant_offset(fn, instruction, &offset) && offset >= -4096 && offset <= 4096 &&
           used_only_as_address(instruction);
}

bool direct_is_fused_compare(LLVMValueRef instruction)
{
    if (!LLVMIsAInstruction(instruction) || LLVMGetInstructionOpcode(instruction) != LLVMICmp)
        return false;
    LLVMUseRef use = LLVMGetFirstUse(instruction);
    LLVMValueRef next = LLVMGetNextInstruction(instruction);
    if (!use || LLVMGetNextUse(use) || !next || LLVMGetUser(use) != next)
        return false;
    LLVMOpcode opcode = LLVMGetInstructionOpcode(next);
    return (opcode == LLVMBr && LLVMIsConditional(next)) ||
           (opcode == LLVMSelect && LLVMGetOperand(next, 0) == instruction);
}

static bool needs_place(const struct direct_function *fn, LLVMValueRef instruction)
{
    if (LLVMGetTypeKind(LLVMTypeOf(instruction)) == LLVMVoidTypeKind ||
        !LLVMGetFirstUse(instruction))
        return false;
    LLVMOpcode opcode = LLVMGetInstructionOpcode(instruction);
    return opcode != LLVMAlloca && !direct_is_alias(fn, instruction) &&
           !direct_is_folded_address(fn, instruction) && !direct_is_fused_compare(instruction);
}

static void add_value(struct direct_function *fn, LLVMValueRef value, int block, int position,
                      unsigned *capacity)
{
    if (fn->value_count == *capacity) {
        *capacity = *capacity ? *capacity * 2 : 64;
        fn->values = realloc(fn->values, *capacity * sizeof(*fn->values));
        if (!fn->values)
            abort();
    }
    fn->values[fn->value_count] =
        (struct direct_value){.value = value, .block = block, .start = position, .end = position};
    direct_table_put(&fn->value_index, value, (int)fn->value_count);
    fn->value_count++;
}

/* A branch on a constant goes one way only (direct_select.c emits it as
 * a plain jump): the other successor is reached from elsewhere or not at all. */
static bool branch_can_take(LLVMValueRef terminator, LLVMBasicBlockRef successor)
{
    if (LLVMGetInstructionOpcode(terminator) != LLVMBr || !LLVMIsConditional(terminator))
        return true;
    LLVMValueRef condition = LLVMGetCondition(terminator);
    if (!LLVMIsAConstantInt(condition))
        return true;
    unsigned taken = LLVMConstIntGetZExtValue(condition) ? 0 : 1;
    return LLVMGetSuccessor(terminator, taken) == successor;
}

/* Blocks in reverse postorder from the entry, successors visited last to
 * first so that a branch's first successor tends to follow it (and the
 * branch falls through to it). Unreachable blocks are left out: the
 * verifier refuses code it cannot reach. */
static void order_blocks(struct direct_function *fn)
{
    unsigned total = LLVMCountBasicBlocks(fn->function);
    struct direct_table seen = {0};
    LLVMBasicBlockRef *postorder = calloc(total + 1, sizeof(*postorder));
    struct frame {
        LLVMBasicBlockRef block;
        unsigned next; /* successors visited so far */
    } *stack = calloc(total + 1, sizeof(*stack));
    if (!postorder || !stack)
        abort();
    unsigned depth = 0, done = 0;
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(fn->function);
    direct_table_put(&seen, entry, 1);
    stack[depth++] = (struct frame){entry, 0};
    while (depth) {
        struct frame *top = &stack[depth - 1];
        LLVMValueRef terminator = LLVMGetBasicBlockTerminator(top->block);
        unsigned count = terminator ? LLVMGetNumSuccessors(terminator) : 0;
        if (top->next == count) {
            postorder[done++] = top->block;
            depth--;
            continue;
        }
        LLVMBasicBlockRef successor = LLVMGetSuccessor(terminator, count - 1 - top->next++);
        if (!branch_can_take(terminator, successor))
            continue;
        if (direct_table_get(&seen, successor) < 0) {
            direct_table_put(&seen, successor, 1);
            stack[depth++] = (struct frame){successor, 0};
        }
    }
    fn->blocks = calloc(done + 1, sizeof(*fn->blocks));
    if (!fn->blocks)
        abort();
    fn->block_count = done;
    for (unsigned i = 0; i < done; i++) {
        fn->blocks[i].block = postorder[done - 1 - i];
        direct_table_put(&fn->block_index, fn->blocks[i].block, (int)i);
    }
    free(stack);
    free(postorder);
    direct_table_free(&seen);
}

static bool place_alloca(struct direct_function *fn, LLVMValueRef instruction)
{
    LLVMValueRef count = LLVMGetOperand(instruction, 0);
    if (!LLVMIsAConstantInt(count) || LLVMConstIntGetZExtValue(count) != 1)
        return direct_decline(fn, "an alloca of a variable size");
    unsigned long long size = LLVMABISizeOfType(fn->layout, LLVMGetAllocatedType(instruction));
    fn->frame_size += (int)((size + 7) & ~7ull);
    if (fn->frame_size > DIRECT_STACK_LIMIT)
        return direct_decline(fn, "more than %d bytes of stack", DIRECT_STACK_LIMIT);
    direct_table_put(&fn->alloca_offset, instruction, -fn->frame_size);
    return true;
}

/* Numbers blocks and instructions, finds the values that need places and
 * the allocas (given fixed stack slots first). */
static bool number_function(struct direct_function *fn)
{
    unsigned capacity = 0;
    LLVMValueRef context = LLVMCountParams(fn->function) ? LLVMGetParam(fn->function, 0) : NULL;
    if (context && LLVMGetFirstUse(context))
        add_value(fn, context, -1, 0, &capacity);
    order_blocks(fn);
    int position = 1;
    for (unsigned index = 0; index < fn->block_count; index++) {
        fn->blocks[index].start = position++;
        for (LLVMValueRef instruction = LLVMGetFirstInstruction(fn->blocks[index].block);
             instruction; instruction = LLVMGetNextInstruction(instruction), position++) {
            if (LLVMGetInstructionOpcode(instruction) == LLVMAlloca) {
                if (!place_alloca(fn, instruction))
                    return false;
            } else if (needs_place(fn, instruction)) {
                add_value(fn, instruction, (int)index, position, &capacity);
            }
        }
        fn->blocks[index].end = position++;
    }
    return true;
}

static void extend(struct direct_value *value, int position)
{
    if (position < value->start)
        value->start = position;
    if (position > value->end)
        value->end = position;
}

/* Liveness without sets: a value used in a block other than its own is
 * live into that block and out of each predecessor, back to its definition
 * (SSA: the definition dominates the use). Walking back from each use
 * costs what the value's live range covers, and memory is per block. */
struct liveness {
    struct direct_function *fn;
    int *predecessors; /* by block: predecessor_start[b] .. [b + 1] */
    unsigned *predecessor_start;
    unsigned *seen; /* by block: value index + 1 of the last walk through it */
    int *stack;
};

static void live_into(struct liveness *live, int value_index, int block)
{
    struct direct_function *fn = live->fn;
    struct direct_value *value = &fn->values[value_index];
    unsigned depth = 0;
    if (block == value->block || live->seen[block] == (unsigned)value_index + 1)
        return;
    live->seen[block] = (unsigned)value_index + 1;
    live->stack[depth++] = block;
    while (depth) {
        int here = live->stack[--depth];
        extend(value, fn->blocks[here].start);
        for (unsigned p = live->predecessor_start[here]; p < live->predecessor_start[here + 1];
             p++) {
            int pred = live->predecessors[p];
            extend(value, fn->blocks[pred].end);
            if (pred != value->block && live->seen[pred] != (unsigned)value_index + 1) {
                live->seen[pred] = (unsigned)value_index + 1;
                live->stack[depth++] = pred;
            }
        }
    }
}

/* A use at `position` in `block`; folded instructions use their operands
 * where they are emitted, that is here. */
static void note_use(struct liveness *live, LLVMValueRef operand, int position, int block)
{
    struct direct_function *fn = live->fn;
    operand = direct_resolve(fn, operand);
    int index = direct_value_of(fn, operand);
    if (index >= 0) {
        extend(&fn->values[index], position);
        live_into(live, index, block);
        return;
    }
    if (!LLVMIsAInstruction(operand))
        return;
    if (direct_is_folded_address(fn, operand) || direct_is_fused_compare(operand)) {
        int operands = LLVMGetNumOperands(operand);
        for (int i = 0; i < operands; i++)
            note_use(live, LLVMGetOperand(operand, (unsigned)i), position, block);
    }
}

/* A phi's incoming value is read at the end of the predecessor, where the
 * phi is written. */
static void note_phi(struct liveness *live, LLVMValueRef phi)
{
    struct direct_function *fn = live->fn;
    int phi_index = direct_value_of(fn, phi);
    unsigned count = LLVMCountIncoming(phi);
    for (unsigned i = 0; i < count; i++) {
        int pred = direct_block_of(fn, LLVMGetIncomingBlock(phi, i));
        if (pred < 0)
            continue; /* an unreachable predecessor */
        int end = fn->blocks[pred].end;
        if (phi_index >= 0)
            extend(&fn->values[phi_index], end);
        int index = direct_value_of(fn, direct_resolve(fn, LLVMGetIncomingValue(phi, i)));
        if (index >= 0) {
            extend(&fn->values[index], end);
            live_into(live, index, pred);
        }
    }
}

static void scan_uses(struct liveness *live)
{
    struct direct_function *fn = live->fn;
    for (unsigned b = 0; b < fn->block_count; b++) {
        struct direct_block *block = &fn->blocks[b];
        int position = block->start + 1;
        for (LLVMValueRef instruction = LLVMGetFirstInstruction(block->block); instruction;
             instruction = LLVMGetNextInstruction(instruction), position++) {
            if (LLVMGetInstructionOpcode(instruction) == LLVMPHI) {
                note_phi(live, instruction);
                continue;
            }
            if (direct_is_alias(fn, instruction) || direct_is_folded_address(fn, instruction) ||
                direct_is_fused_compare(instruction))
                continue;
            int operands = LLVMGetNumOperands(instruction);
            for (int i = 0; i < operands; i++)
                note_use(live, LLVMGetOperand(instruction, (unsigned)i), position, (int)b);
        }
    }
}

/* Each block's successor, once per edge, not the untaken side of a
 * constant branch (order_blocks left those out). */
static unsigned successors_of(const struct direct_function *fn, unsigned block, int *out)
{
    LLVMValueRef terminator = LLVMGetBasicBlockTerminator(fn->blocks[block].block);
    unsigned count = terminator ? LLVMGetNumSuccessors(terminator) : 0, found = 0;
    for (unsigned s = 0; s < count; s++) {
        int successor = direct_block_of(fn, LLVMGetSuccessor(terminator, s));
        bool repeated = false;
        for (unsigned k = 0; k < found; k++)
            repeated |= out[k] == successor;
        if (successor >= 0 && !repeated)
            out[found++] = successor;
    }
    return found;
}

static void find_predecessors(struct liveness *live)
{
    struct direct_function *fn = live->fn;
    unsigned blocks = fn->block_count, edges = 0, most = 1;
    for (unsigned b = 0; b < blocks; b++) {
        LLVMValueRef terminator = LLVMGetBasicBlockTerminator(fn->blocks[b].block);
        unsigned count = terminator ? LLVMGetNumSuccessors(terminator) : 0;
        edges += count;
        most = count > most ? count : most;
    }
    int *successors = malloc(most * sizeof(int));
    live->predecessor_start = calloc(blocks + 2, sizeof(unsigned));
    live->predecessors = malloc((edges + 1) * sizeof(int));
    if (!successors || !live->predecessor_start || !live->predecessors)
        abort();
    for (unsigned b = 0; b < blocks; b++) { /* counts, shifted by one */
        unsigned count = successors_of(fn, b, successors);
        for (unsigned k = 0; k < count; k++)
            live->predecessor_start[successors[k] + 2]++;
    }
    for (unsigned b = 2; b <= blocks + 1; b++)
        live->predecessor_start[b] += live->predecessor_start[b - 1];
    for (unsigned b = 0; b < blocks; b++) { /* fill, moving starts up by one */
        unsigned count = successors_of(fn, b, successors);
        for (unsigned k = 0; k < count; k++)
            live->predecessors[live->predecessor_start[successors[k] + 1]++] = (int)b;
    }
    free(successors);
}

static void compute_liveness(struct direct_function *fn)
{
    struct liveness live = {.fn = fn};
    find_predecessors(&live);
    live.seen = calloc(fn->block_count + 1, sizeof(unsigned));
    live.stack = malloc((fn->block_count + 1) * sizeof(int));
    if (!live.seen || !live.stack)
        abort();
    scan_uses(&live);
    free(live.predecessors);
    free(live.predecessor_start);
    free(live.seen);
    free(live.stack);
}

/* Linear scan: values by start; a value whose interval has ended frees its
 * place; with r6-r9 taken, the value that lives longest goes to the stack. */
struct scan {
    struct direct_function *fn;
    unsigned *active;
    unsigned active_count;
    struct {
        int offset;
        int last_end; /* where its last value's interval ended */
    } free_slots[DIRECT_STACK_LIMIT / 8];
    unsigned free_slot_count;
    bool register_used[R10 + 1];
};

static int by_start(const void *a, const void *b, void *context)
{
    const struct direct_function *fn = context;
    unsigned left = *(const unsigned *)a, right = *(const unsigned *)b;
    int left_start = fn->values[left].start, right_start = fn->values[right].start;
    if (left_start != right_start)
        return left_start > right_start ? 1 : -1;
    return (left > right) - (left < right);
}

static void expire(struct scan *scan, int position)
{
    unsigned kept = 0;
    for (unsigned i = 0; i < scan->active_count; i++) {
        struct direct_value *value = &scan->fn->values[scan->active[i]];
        if (value->end >= position) {
            scan->active[kept++] = scan->active[i];
        } else if (value->place == PLACE_REGISTER) {
            scan->register_used[value->where] = false;
        } else {
            scan->free_slots[scan->free_slot_count].offset = value->where;
            scan->free_slots[scan->free_slot_count++].last_end = value->end;
        }
    }
    scan->active_count = kept;
}

/* A value sent to the stack may have started before the current position
 * (one evicted from its register): only a slot whose last value ended
 * before it started is free for all of it. */
static bool to_stack(struct scan *scan, struct direct_value *value)
{
    struct direct_function *fn = scan->fn;
    for (unsigned i = scan->free_slot_count; i-- > 0;) {
        if (scan->free_slots[i].last_end >= value->start)
            continue;
        value->where = scan->free_slots[i].offset;
        scan->free_slots[i] = scan->free_slots[--scan->free_slot_count];
        value->place = PLACE_STACK;
        return true;
    }
    fn->frame_size += 8;
    if (fn->frame_size > DIRECT_STACK_LIMIT)
        return direct_decline(fn, "more than %d bytes of stack", DIRECT_STACK_LIMIT);
    value->where = -fn->frame_size;
    value->place = PLACE_STACK;
    return true;
}

static bool place_value(struct scan *scan, unsigned index)
{
    struct direct_value *value = &scan->fn->values[index];
    for (int reg = R6; reg <= R9; reg++)
        if (!scan->register_used[reg]) {
            scan->register_used[reg] = true;
            value->place = PLACE_REGISTER;
            value->where = reg;
            return true;
        }
    struct direct_value *longest = NULL;
    for (unsigned i = 0; i < scan->active_count; i++) {
        struct direct_value *other = &scan->fn->values[scan->active[i]];
        if (other->place == PLACE_REGISTER && (!longest || other->end > longest->end))
            longest = other;
    }
    if (!longest || longest->end <= value->end)
        return to_stack(scan, value);
    value->place = PLACE_REGISTER;
    value->where = longest->where;
    return to_stack(scan, longest);
}

static bool allocate_places(struct direct_function *fn)
{
    unsigned *order = malloc((fn->value_count + 1) * sizeof(*order));
    struct scan scan = {.fn = fn, .active = malloc((fn->value_count + 1) * sizeof(unsigned))};
    if (!order || !scan.active)
        abort();
    for (unsigned i = 0; i < fn->value_count; i++)
        order[i] = i;
    qsort_r(order, fn->value_count, sizeof(*order), by_start, fn);
    bool ok = true;
    for (unsigned i = 0; i < fn->value_count && ok; i++) {
        expire(&scan, fn->values[order[i]].start);
        ok = place_value(&scan, order[i]);
        scan.active[scan.active_count++] = order[i];
    }
    free(order);
    free(scan.active);
    return ok;
}

bool direct_allocate(struct direct_function *fn)
{
    if (!number_function(fn))
        return false;
    compute_liveness(fn);
    return allocate_places(fn);
}

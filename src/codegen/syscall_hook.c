/* Every syscall block of a script in one program per hook: the blocks on
 * sys_enter_* compile into one raw_tracepoint/sys_enter program, those on
 * sys_exit_* into one raw_tracepoint/sys_exit program. The kernel then runs
 * one program per syscall however many blocks the script has, and raw
 * tracepoints need no kernel BTF to load.
 *
 * The program switches on the syscall number first: a syscall no block
 * traces costs the switch alone. Each block (each variant of it) is a frame
 * with its own setup, compiled once; the switch enters the first frame that
 * covers the syscall, and each frame's exit goes on to the next frame
 * covering it, so a syscall runs its blocks in script order:
 *
 *   dispatch: switch nr ─ read ──→ [frame A] ─ switch nr ─ read ─→ [frame B] → return
 *                       └ write ─→ [frame A]              └ else ───────────→ return
 *
 * A frame's exit is a plain branch when all its syscalls go the same way
 * (e.g. a specific block before a wildcard one), else a switch listing the
 * syscalls that do not take the most common way. `probe` and `nargs` depend
 * on the syscall only: they enter a frame as phis, set by the dispatch and
 * passed on from frame to frame. The stop flag is tested once per event, on
 * the dispatch's edge for the syscall, not again by each frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/programs.h"

/* x86-64 `struct pt_regs`: orig_ax holds the syscall number on exit. */
enum { PT_REGS_ORIG_AX_OFFSET = 120 };

/* Above every syscall number of the table (x86-64 stops near 470). */
enum { SYSCALL_TABLE_LIMIT = 4096 };

struct frame {
    struct ast_variant *variant;
    struct vec numbers;      /* (void *)(intptr_t) syscall numbers it runs for */
    struct vec next;         /* parallel: (intptr_t) index of the next frame for it, or -1 */
    LLVMBasicBlockRef entry; /* holds the phis */
    LLVMValueRef probe_id, nargs;
};

struct hook {
    const struct probe_kind *kind;
    struct plan_program *program;
    struct vec frames; /* struct frame * */
    int *first_frame;  /* by syscall number: the first frame for it, or -1 */
    const struct probe_instance **instance_of; /* by syscall number: its first instance */
    LLVMBasicBlockRef function_return;
    LLVMValueRef number_slot; /* sys_exit: where the number was read to */
};

static intptr_t vec_number(const struct vec *vec, size_t index)
{
    return (intptr_t)vec_get(vec, index);
}

static LLVMValueRef stack_slot(struct codegen *cg, const char *name)
{
    LLVMBasicBlockRef current = LLVMGetInsertBlock(cg->builder);
    LLVMPositionBuilderAtEnd(cg->builder, cg->entry_block);
    LLVMValueRef slot = LLVMBuildAlloca(cg->builder, cg->i64, name);
    LLVMPositionBuilderAtEnd(cg->builder, current);
    return slot;
}

static LLVMValueRef read_register(struct codegen *cg, LLVMValueRef slot, unsigned offset,
                                  uint64_t initial)
{
    LLVMBuildStore(cg->builder, codegen_const(cg, initial), slot);
    LLVMValueRef args[] = {slot, codegen_const(cg, 8),
                           codegen_offset(cg, cg->syscall_registers, offset)};
    codegen_call_helper(cg, HELPER_PROBE_READ_KERNEL, args, 3);
    return LLVMBuildLoad2(cg->builder, cg->i64, slot, "");
}

LLVMValueRef codegen_syscall_read_register(struct codegen *cg, unsigned offset, uint64_t initial)
{
    if (!cg->syscall_read_slot)
        cg->syscall_read_slot = stack_slot(cg, "register");
    return read_register(cg, cg->syscall_read_slot, offset, initial);
}

/* Raw tracepoint programs get the tracepoint's arguments as u64 slots:
 * [0] struct pt_regs *regs, [1] the number (sys_enter) or return value (sys_exit). */
static void load_syscall_context(struct codegen *cg, struct hook *hook, enum probe_context context)
{
    cg->syscall_registers = LLVMBuildLoad2(cg->builder, cg->ptr, cg->context_argument, "regs");
    LLVMValueRef second =
        LLVMBuildLoad2(cg->builder, cg->i64, codegen_offset(cg, cg->context_argument, 8), "");
    if (context == CONTEXT_SYSCALL_ENTER) {
        cg->syscall_number = second;
        cg->syscall_return = codegen_const(cg, 0);
    } else {
        cg->syscall_return = second;
        /* A failed read leaves a number no case matches. */
        hook->number_slot = stack_slot(cg, "number");
        cg->syscall_number =
            read_register(cg, hook->number_slot, PT_REGS_ORIG_AX_OFFSET, (uint64_t)-1);
    }
}

/* The number again, for the switch after a frame. Where the verifier knows
 * the number (each path from the dispatch does), deciding a branch on it
 * marks it precise, and then no two syscalls' paths through a frame count
 * as the same: a frame would be verified once per syscall. A fresh load from
 * the context (or the stack slot the number was read into) is a number the
 * verifier does not know; volatile keeps LLVM from reusing the first load. */
static LLVMValueRef reload_syscall_number(struct codegen *cg, const struct hook *hook)
{
    LLVMValueRef address =
        hook->number_slot ? hook->number_slot : codegen_offset(cg, cg->context_argument, 8);
    LLVMValueRef number = LLVMBuildLoad2(cg->builder, cg->i64, address, "number");
    LLVMSetVolatile(number, true);
    return number;
}

/* The syscalls a variant adds to its block: a syscall named twice in one
 * block runs once, in its first variant. */
static void add_frame(struct codegen *cg, struct hook *hook, struct ast_variant *variant,
                      unsigned char *seen)
{
    struct frame *frame = ARENA_NEW(cg->arena, struct frame);
    frame->variant = variant;
    for (size_t i = 0; i < variant->instances.count; i++) {
        const struct probe_instance *instance = vec_get(&variant->instances, i);
        int number = instance->syscall_number;
        if (number < 0 || number >= SYSCALL_TABLE_LIMIT || seen[number])
            continue;
        seen[number] = 1;
        vec_push(&hook->program->instances, (void *)instance);
        vec_push(&frame->numbers, (void *)(intptr_t)number);
        if (!hook->instance_of[number])
            hook->instance_of[number] = instance;
    }
    if (frame->numbers.count)
        vec_push(&hook->frames, frame);
}

static void collect_frames(struct codegen *cg, struct hook *hook, struct ast_program *program,
                           size_t first_probe)
{
    unsigned char *seen = arena_alloc(cg->arena, SYSCALL_TABLE_LIMIT);
    for (size_t p = first_probe; p < program->probes.count; p++) {
        struct ast_probe *probe = vec_get(&program->probes, p);
        memset(seen, 0, SYSCALL_TABLE_LIMIT);
        for (size_t i = 0; i < probe->variants.count; i++) {
            struct ast_variant *variant = vec_get(&probe->variants, i);
            const struct probe_instance *first = vec_get(&variant->instances, 0);
            if (first->kind == hook->kind)
                add_frame(cg, hook, variant, seen);
        }
    }
}

/* Each frame's next frame per syscall, from the last frame back; what is
 * left is the first frame of each syscall. */
static void link_frames(struct hook *hook)
{
    for (int n = 0; n < SYSCALL_TABLE_LIMIT; n++)
        hook->first_frame[n] = -1;
    for (size_t k = hook->frames.count; k-- > 0;) {
        struct frame *frame = vec_get(&hook->frames, k);
        for (size_t i = 0; i < frame->numbers.count; i++) {
            intptr_t number = vec_number(&frame->numbers, i);
            vec_push(&frame->next, (void *)(intptr_t)hook->first_frame[number]);
            hook->first_frame[number] = (int)k;
        }
    }
}

static void create_frame_entries(struct codegen *cg, struct hook *hook)
{
    for (size_t k = 0; k < hook->frames.count; k++) {
        struct frame *frame = vec_get(&hook->frames, k);
        frame->entry = codegen_block(cg, "block");
        LLVMPositionBuilderAtEnd(cg->builder, frame->entry);
        frame->probe_id = LLVMBuildPhi(cg->builder, cg->i64, "probe_id");
        frame->nargs = LLVMBuildPhi(cg->builder, cg->i64, "nargs");
    }
}

static void add_incoming(struct frame *frame, LLVMValueRef probe_id, LLVMValueRef nargs,
                         LLVMBasicBlockRef from)
{
    LLVMAddIncoming(frame->probe_id, &probe_id, &from, 1);
    LLVMAddIncoming(frame->nargs, &nargs, &from, 1);
}

/* One edge per traced syscall into its first frame, giving `probe` and
 * `nargs` their values. The names are shared by all blocks: @[probe] of two
 * blocks on read is one key. */
static void build_dispatch(struct codegen *cg, struct hook *hook, LLVMValueRef dispatch)
{
    for (int number = 0; number < SYSCALL_TABLE_LIMIT; number++) {
        if (hook->first_frame[number] < 0)
            continue;
        const struct probe_instance *instance = hook->instance_of[number];
        struct frame *frame = vec_get(&hook->frames, (size_t)hook->first_frame[number]);
        LLVMBasicBlockRef edge = codegen_block(cg, instance->event);
        LLVMAddCase(dispatch, codegen_const(cg, (uint64_t)number), edge);
        LLVMPositionBuilderAtEnd(cg->builder, edge);
        codegen_enter_unless_stopping(cg, hook->kind, frame->entry, hook->function_return);
        add_incoming(frame, codegen_const(cg, codegen_add_probe_name(cg, instance)),
                     codegen_const(cg, (uint64_t)instance->nargs), edge);
    }
}

/* The way most of the frame's syscalls go on: the default of its exit. */
static intptr_t most_common_next(const struct frame *frame, size_t frame_count)
{
    unsigned *counts = calloc(frame_count + 1, sizeof(unsigned));
    intptr_t best = -1;
    unsigned best_count = 0;
    for (size_t i = 0; counts && i < frame->next.count; i++) {
        intptr_t next = vec_number(&frame->next, i);
        if (++counts[next + 1] > best_count) {
            best_count = counts[next + 1];
            best = next;
        }
    }
    free(counts);
    return best;
}

static LLVMBasicBlockRef destination(struct hook *hook, intptr_t next)
{
    if (next < 0)
        return hook->function_return;
    return ((struct frame *)vec_get(&hook->frames, (size_t)next))->entry;
}

/* The frame's exit, where `return`, a false predicate and exit() go too. */
static void build_frame_exit(struct codegen *cg, struct hook *hook, struct frame *frame,
                             LLVMBasicBlockRef exit)
{
    LLVMPositionBuilderAtEnd(cg->builder, exit);
    intptr_t usual = most_common_next(frame, hook->frames.count);
    size_t others = 0;
    for (size_t i = 0; i < frame->next.count; i++)
        others += vec_number(&frame->next, i) != usual;
    LLVMBasicBlockRef usual_block = destination(hook, usual);
    if (usual >= 0)
        add_incoming(vec_get(&hook->frames, (size_t)usual), frame->probe_id, frame->nargs, exit);
    if (others == 0) {
        LLVMBuildBr(cg->builder, usual_block);
        return;
    }
    LLVMValueRef exit_switch = LLVMBuildSwitch(cg->builder, reload_syscall_number(cg, hook),
                                               usual_block, (unsigned)others);
    for (size_t i = 0; i < frame->next.count; i++) {
        intptr_t next = vec_number(&frame->next, i);
        if (next == usual)
            continue;
        LLVMAddCase(exit_switch, codegen_const(cg, (uint64_t)vec_number(&frame->numbers, i)),
                    destination(hook, next));
        if (next >= 0)
            add_incoming(vec_get(&hook->frames, (size_t)next), frame->probe_id, frame->nargs, exit);
    }
}

static void compile_frame(struct codegen *cg, struct hook *hook, struct frame *frame)
{
    LLVMBasicBlockRef exit = codegen_block(cg, "block.exit");
    /* Each block's code carries its own lines: a rejection in the third
     * block is reported there, not at the hook's first. */
    codegen_debug_at(cg, frame->variant->body->loc);
    codegen_begin_frame(cg, frame->variant->body->loc);
    LLVMPositionBuilderAtEnd(cg->builder, frame->entry);
    LLVMBuildBr(cg->builder, cg->setup_block); /* the dispatch tested the stop flag */
    LLVMPositionBuilderAtEnd(cg->builder, cg->start_block);
    cg->return_block = exit;
    cg->probe_id = frame->probe_id;
    cg->nargs = frame->nargs;
    codegen_filter_target_pid(cg, hook->kind);
    codegen_compile_variant(cg, frame->variant, vec_get(&frame->variant->instances, 0));
    LLVMBuildBr(cg->builder, exit);
    codegen_end_frame(cg);
    build_frame_exit(cg, hook, frame, exit);
}

static void free_frames(struct hook *hook)
{
    for (size_t k = 0; k < hook->frames.count; k++) {
        struct frame *frame = vec_get(&hook->frames, k);
        vec_free(&frame->numbers);
        vec_free(&frame->next);
    }
    vec_free(&hook->frames);
}

static const struct probe_instance *first_instance_of(struct ast_probe *probe,
                                                      const struct probe_kind *kind)
{
    for (size_t i = 0; i < probe->variants.count; i++) {
        struct ast_variant *variant = vec_get(&probe->variants, i);
        const struct probe_instance *first = vec_get(&variant->instances, 0);
        if (first->kind == kind)
            return first;
    }
    return NULL;
}

void codegen_syscall_hook(struct codegen *cg, struct ast_program *program, size_t first_probe,
                          const struct probe_kind *kind)
{
    const char *name =
        kind->context == CONTEXT_SYSCALL_ENTER ? "sonde_sys_enter" : "sonde_sys_exit";
    const struct probe_instance *first =
        first_instance_of(vec_get(&program->probes, first_probe), kind);
    struct hook hook = {
        .kind = kind,
        .program = codegen_add_program(cg, name, first),
        .first_frame = arena_alloc(cg->arena, sizeof(int) * SYSCALL_TABLE_LIMIT),
        .instance_of = arena_alloc(cg->arena, sizeof(void *) * SYSCALL_TABLE_LIMIT),
    };
    memset(hook.instance_of, 0, sizeof(void *) * SYSCALL_TABLE_LIMIT);
    collect_frames(cg, &hook, program, first_probe);
    link_frames(&hook);

    codegen_begin_program(cg, name, hook.program->section);
    codegen_debug_function(cg, cg->function,
                           ((struct ast_probe *)vec_get(&program->probes, first_probe))->loc);
    LLVMMetadataRef hook_location = LLVMGetCurrentDebugLocation2(cg->builder);
    hook.function_return = cg->return_block;
    cg->probe_context = kind->context;
    LLVMBasicBlockRef dispatch_block = codegen_block(cg, "dispatch");
    LLVMPositionBuilderAtEnd(cg->builder, dispatch_block);
    load_syscall_context(cg, &hook, kind->context);
    LLVMValueRef dispatch =
        LLVMBuildSwitch(cg->builder, cg->syscall_number, hook.function_return, 16);
    create_frame_entries(cg, &hook);
    build_dispatch(cg, &hook, dispatch);
    for (size_t k = 0; k < hook.frames.count; k++)
        compile_frame(cg, &hook, vec_get(&hook.frames, k));
    free_frames(&hook);

    LLVMPositionBuilderAtEnd(cg->builder, cg->entry_block);
    LLVMBuildBr(cg->builder, dispatch_block);
    codegen_debug_stamp(cg->entry_block, hook_location);
    codegen_debug_stamp(dispatch_block, hook_location);
    cg->return_block = hook.function_return;
}

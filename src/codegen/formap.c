/* formap.c: loop bodies as BPF callbacks, and `for ($kv : @map) { body }`
 * through bpf_for_each_map_elem.
 *
 * The body becomes a static BPF subprogram, called once per entry as
 * callback(map, key, value, context), or once per pass of a range loop as
 * callback(index, context) by bpf_loop (loops.c); it returns 0 to go on and
 * 1 to stop (break). The probe passes a context on its stack (the kernel
 * requires a stack pointer there), an array of 8-byte slots:
 *
 *   [0] scratch memory for the body: a region of the probe's temporaries,
 *       sized by what the compiled body needs (nested loops nest regions)
 *   [1] the probe id and [2] nargs (a shared syscall program knows them
 *       only at run time)
 *   [3] set by the body when it ends the probe (`return`, exit())
 *   [4...] the loop kind's own slots (a range loop's start), then
 *       the address of each variable of the probe the body uses, so the
 *       body reads and assigns the probe's own copies. */
#include <stdio.h>
#include <string.h>

#include "codegen/aggregations.h"
#include "codegen/loop_callbacks.h"

enum {
    SLOT_SCRATCH,
    SLOT_PROBE_ID,
    SLOT_NARGS,
    SLOT_RETURNED,
    SLOT_EXTRA,
};

/* What a function being built owns in struct codegen. */
struct function_state {
    LLVMValueRef function, context_argument;
    LLVMBasicBlockRef entry_block, setup_block, setup_tail, start_block, return_block;
    LLVMValueRef scratch_base, temporaries_base;
    unsigned variable_bytes, temporary_bytes, temporary_peak;
    LLVMValueRef syscall_registers, syscall_number, syscall_return, probe_id, nargs;
    struct vec variables;
    LLVMBasicBlockRef break_target, continue_target, insert_block;
};

static void save_function(const struct codegen *cg, struct function_state *saved)
{
    *saved = (struct function_state){
        .function = cg->function,
        .context_argument = cg->context_argument,
        .entry_block = cg->entry_block,
        .setup_block = cg->setup_block,
        .setup_tail = cg->setup_tail,
        .start_block = cg->start_block,
        .return_block = cg->return_block,
        .scratch_base = cg->scratch_base,
        .temporaries_base = cg->temporaries_base,
        .variable_bytes = cg->variable_bytes,
        .temporary_bytes = cg->temporary_bytes,
        .temporary_peak = cg->temporary_peak,
        .syscall_registers = cg->syscall_registers,
        .syscall_number = cg->syscall_number,
        .syscall_return = cg->syscall_return,
        .probe_id = cg->probe_id,
        .nargs = cg->nargs,
        .variables = cg->variables,
        .break_target = cg->break_target,
        .continue_target = cg->continue_target,
        .insert_block = LLVMGetInsertBlock(cg->builder),
    };
}

static void restore_function(struct codegen *cg, const struct function_state *saved)
{
    cg->function = saved->function;
    cg->context_argument = saved->context_argument;
    cg->entry_block = saved->entry_block;
    cg->setup_block = saved->setup_block;
    cg->setup_tail = saved->setup_tail;
    cg->start_block = saved->start_block;
    cg->return_block = saved->return_block;
    cg->scratch_base = saved->scratch_base;
    cg->temporaries_base = saved->temporaries_base;
    cg->variable_bytes = saved->variable_bytes;
    cg->temporary_bytes = saved->temporary_bytes;
    cg->temporary_peak = saved->temporary_peak;
    cg->syscall_registers = saved->syscall_registers;
    cg->syscall_number = saved->syscall_number;
    cg->syscall_return = saved->syscall_return;
    cg->probe_id = saved->probe_id;
    cg->nargs = saved->nargs;
    cg->variables = saved->variables;
    cg->break_target = saved->break_target;
    cg->continue_target = saved->continue_target;
    LLVMPositionBuilderAtEnd(cg->builder, saved->insert_block);
}

static LLVMValueRef context_slot(struct codegen *cg, LLVMValueRef context, unsigned slot)
{
    return codegen_offset(cg, context, 8 * slot);
}

static unsigned first_capture(const struct loop_callback *callback)
{
    return SLOT_EXTRA + callback->extra_slots;
}

static LLVMValueRef new_callback(struct codegen *cg, unsigned parameter_count)
{
    char name[32];
    unsigned number = 0;
    do
        snprintf(name, sizeof(name), "sonde_for_%u", number++);
    while (LLVMGetNamedFunction(cg->module, name));
    LLVMTypeRef parameters[] = {cg->ptr, cg->ptr, cg->ptr, cg->ptr};
    /* bpf_loop passes the index, a number, first. */
    if (parameter_count == 2)
        parameters[0] = cg->i64;
    LLVMValueRef function = LLVMAddFunction(
        cg->module, name, LLVMFunctionType(cg->i64, parameters, parameter_count, false));
    LLVMSetLinkage(function, LLVMInternalLinkage);
    LLVMSetSection(function, ".text");
    const char *attributes[] = {"nounwind", "noinline"};
    for (size_t i = 0; i < 2; i++) {
        unsigned kind = LLVMGetEnumAttributeKindForName(attributes[i], strlen(attributes[i]));
        LLVMAddAttributeAtIndex(function, LLVMAttributeFunctionIndex,
                                LLVMCreateEnumAttribute(cg->context, kind, 0));
    }
    return function;
}

static LLVMBasicBlockRef returning_block(struct codegen *cg, const char *name, uint64_t value)
{
    LLVMBasicBlockRef block = codegen_block(cg, name);
    LLVMPositionBuilderAtEnd(cg->builder, block);
    LLVMBuildRet(cg->builder, codegen_const(cg, value));
    return block;
}

/* In the callback's setup: its scratch memory is the region the probe
 * passes; the temporaries' offset is fixed when the body is done. */
static void enter_callback(struct codegen *cg, LLVMValueRef context)
{
    cg->entry_block = codegen_block(cg, "entry");
    cg->setup_block = codegen_block(cg, "setup");
    cg->start_block = codegen_block(cg, "start");
    cg->return_block = codegen_block(cg, "return");
    LLVMPositionBuilderAtEnd(cg->builder, cg->return_block);
    LLVMBuildStore(cg->builder, codegen_const(cg, 1), context_slot(cg, context, SLOT_RETURNED));
    LLVMBuildRet(cg->builder, codegen_const(cg, 1));
    cg->break_target = returning_block(cg, "for.break", 1);
    cg->continue_target = returning_block(cg, "for.continue", 0);

    codegen_scratch_begin(cg);
    LLVMPositionBuilderAtEnd(cg->builder, cg->setup_block);
    cg->scratch_base =
        LLVMBuildLoad2(cg->builder, cg->ptr, context_slot(cg, context, SLOT_SCRATCH), "scratch");
    LLVMValueRef placeholder = codegen_const(cg, 0);
    cg->temporaries_base =
        LLVMBuildGEP2(cg->builder, cg->i8, cg->scratch_base, &placeholder, 1, "temporaries");
    cg->probe_id =
        LLVMBuildLoad2(cg->builder, cg->i64, context_slot(cg, context, SLOT_PROBE_ID), "probe_id");
    cg->nargs =
        LLVMBuildLoad2(cg->builder, cg->i64, context_slot(cg, context, SLOT_NARGS), "nargs");
    cg->context_argument = NULL; /* the type checker keeps args & co. out of the body */
    cg->syscall_registers = cg->syscall_number = cg->syscall_return = NULL;
    cg->variables = (struct vec){0};
}

/* The probe's variables, by reference; their own slots come back after. */
static void bind_captures(struct codegen *cg, const struct loop_callback *callback,
                          LLVMValueRef context, void **saved_storage)
{
    const struct vec *captures = callback->captures;
    for (size_t i = 0; i < captures->count; i++) {
        struct sema_variable *variable = vec_get(captures, i);
        saved_storage[i] = variable->storage;
        variable->storage =
            LLVMBuildLoad2(cg->builder, cg->ptr,
                           context_slot(cg, context, first_capture(callback) + (unsigned)i), "");
        vec_push(&cg->variables, variable);
    }
}

/* Builds the callback; *need is the bytes of scratch memory it needs. */
LLVMValueRef codegen_callback_build(struct codegen *cg, const struct loop_callback *callback,
                                    unsigned *need)
{
    const struct vec *captures = callback->captures;
    LLVMValueRef function = new_callback(cg, callback->parameters);
    void **saved_storage = arena_alloc(cg->arena, sizeof(void *) * (captures->count + 1));
    struct function_state saved;
    save_function(cg, &saved);
    LLVMMetadataRef saved_scope = cg->debug_scope;
    LLVMMetadataRef saved_location = LLVMGetCurrentDebugLocation2(cg->builder);
    cg->function = function;
    /* A BPF subprogram needs its own func_info, and its lines their own scope. */
    codegen_debug_function(cg, function, callback->loop->loc);
    LLVMValueRef context = LLVMGetParam(function, callback->parameters - 1);
    enter_callback(cg, context);
    bind_captures(cg, callback, context, saved_storage);

    LLVMPositionBuilderAtEnd(cg->builder, cg->start_block);
    callback->prologue(cg, callback, function, context);
    codegen_stmt(cg, callback->body);
    LLVMBuildBr(cg->builder, cg->continue_target);
    LLVMPositionBuilderAtEnd(cg->builder, cg->entry_block);
    LLVMBuildBr(cg->builder, cg->setup_block);
    codegen_scratch_end(cg);
    *need = ((cg->variable_bytes + 7) & ~7u) + ((cg->temporary_peak + 7) & ~7u);

    for (size_t i = 0; i < cg->variables.count; i++)
        ((struct sema_variable *)vec_get(&cg->variables, i))->storage = NULL;
    vec_free(&cg->variables);
    for (size_t i = 0; i < captures->count; i++)
        ((struct sema_variable *)vec_get(captures, i))->storage = saved_storage[i];
    restore_function(cg, &saved);
    cg->debug_scope = saved_scope;
    codegen_debug_restore(cg, saved_location);
    return function;
}

static LLVMValueRef context_on_stack(struct codegen *cg, unsigned slots)
{
    LLVMBasicBlockRef current = LLVMGetInsertBlock(cg->builder);
    LLVMPositionBuilderAtEnd(cg->builder, cg->entry_block);
    LLVMValueRef context = LLVMBuildAlloca(cg->builder, LLVMArrayType(cg->i64, slots), "for_ctx");
    LLVMPositionBuilderAtEnd(cg->builder, current);
    return context;
}

LLVMValueRef codegen_callback_context(struct codegen *cg, const struct loop_callback *callback,
                                      unsigned need)
{
    const struct vec *captures = callback->captures;
    unsigned slots = first_capture(callback) + (unsigned)captures->count;
    LLVMValueRef context = context_on_stack(cg, slots);
    LLVMValueRef region = need ? codegen_alloca(cg, need, "for_scratch") : LLVMConstNull(cg->ptr);
    LLVMBuildStore(cg->builder, region, context_slot(cg, context, SLOT_SCRATCH));
    LLVMBuildStore(cg->builder, cg->probe_id, context_slot(cg, context, SLOT_PROBE_ID));
    LLVMBuildStore(cg->builder, cg->nargs, context_slot(cg, context, SLOT_NARGS));
    LLVMBuildStore(cg->builder, codegen_const(cg, 0), context_slot(cg, context, SLOT_RETURNED));
    for (size_t i = 0; i < captures->count; i++)
        LLVMBuildStore(cg->builder, codegen_variable_slot(cg, vec_get(captures, i)),
                       context_slot(cg, context, first_capture(callback) + (unsigned)i));
    return context;
}

LLVMValueRef codegen_callback_extra(struct codegen *cg, LLVMValueRef context, unsigned index)
{
    return context_slot(cg, context, SLOT_EXTRA + index);
}

void codegen_callback_finish(struct codegen *cg, LLVMValueRef context)
{
    LLVMValueRef returned =
        LLVMBuildLoad2(cg->builder, cg->i64, context_slot(cg, context, SLOT_RETURNED), "returned");
    LLVMBasicBlockRef after = codegen_block(cg, "for.after");
    LLVMBuildCondBr(cg->builder,
                    LLVMBuildICmp(cg->builder, LLVMIntNE, returned, codegen_const(cg, 0), ""),
                    cg->return_block, after);
    LLVMPositionBuilderAtEnd(cg->builder, after);
}

struct capture_scan {
    struct vec *captures;
};

static bool capture_variable(struct ast_expr *expr, void *context)
{
    struct capture_scan *scan = context;
    struct sema_variable *variable = expr->kind == EXPR_VARIABLE ? expr->variable.symbol : NULL;
    if (!variable || !variable->storage)
        return true;
    for (size_t i = 0; i < scan->captures->count; i++)
        if (vec_get(scan->captures, i) == variable)
            return true;
    vec_push(scan->captures, variable);
    return true;
}

/* Codegen emits in text order, so a variable the body can see from outside
 * has its slot by now, and one declared inside the body has none yet. */
void codegen_callback_captures(struct ast_stmt *body, struct vec *captures)
{
    struct capture_scan scan = {captures};
    ast_walk_stmt(body, capture_variable, &scan);
}

/* $kv = (key, value); a per-CPU value is the total over the CPUs. */
static void fill_pair(struct codegen *cg, const struct loop_callback *callback,
                      LLVMValueRef function, LLVMValueRef context)
{
    (void)context;
    struct ast_stmt *stmt = callback->loop;
    LLVMValueRef key = LLVMGetParam(function, 1), value = LLVMGetParam(function, 2);
    struct sema_variable *pair = stmt->for_map.variable->variable.symbol;
    const struct sema_map *map = stmt->for_map.map->map.symbol;
    const struct type_field *fields = pair->type->fields;
    LLVMValueRef slot = codegen_variable_slot(cg, pair);
    LLVMValueRef key_copy = codegen_offset(cg, slot, fields[0].offset);
    codegen_memcpy(cg, key_copy, key, map->key->size);
    LLVMValueRef value_slot = codegen_offset(cg, slot, fields[1].offset);
    if (map->per_cpu)
        LLVMBuildStore(cg->builder, codegen_aggregation_read_key(cg, map, key_copy), value_slot);
    else
        codegen_memcpy(cg, value_slot, value, map->value->size);
}

void codegen_for_map(struct codegen *cg, struct ast_stmt *stmt)
{
    const struct vec *captures = &stmt->for_map.captures;
    /* The probe's slots exist before the body takes their addresses. */
    for (size_t i = 0; i < captures->count; i++)
        codegen_variable_slot(cg, vec_get(captures, i));
    struct loop_callback callback = {
        .loop = stmt,
        .body = stmt->for_map.body,
        .captures = captures,
        .parameters = 4,
        .prologue = fill_pair,
    };
    unsigned need = 0;
    LLVMValueRef function = codegen_callback_build(cg, &callback, &need);
    LLVMValueRef context = codegen_callback_context(cg, &callback, need);
    const struct sema_map *map = stmt->for_map.map->map.symbol;
    LLVMValueRef args[] = {cg->user_maps[map->index], function, context, codegen_const(cg, 0)};
    codegen_call_helper(cg, (enum bpf_helper)HELPER_FOR_EACH_MAP_ELEM, args, 4);
    codegen_callback_finish(cg, context);
}

/* One BPF function per program: a probe block compiles to one program per
 * instance; syscall blocks on the shared sys_enter/sys_exit hooks all go
 * into one program per hook (syscall_hook.c). */
#include <string.h>

#include "codegen/programs.h"

unsigned codegen_add_probe_name(struct codegen *cg, const struct probe_instance *instance)
{
    vec_push(&cg->plan->probe_names, (void *)instance->name);
    return (unsigned)cg->plan->probe_names.count - 1;
}

struct plan_program *codegen_add_program(struct codegen *cg, const char *name,
                                         const struct probe_instance *first)
{
    struct plan_program *program = ARENA_NEW(cg->arena, struct plan_program);
    program->function_name = name;
    program->kind = first->kind;
    program->section = first->kind->section(first, cg->arena);
    vec_push(&cg->plan->programs, program);
    return program;
}

void codegen_begin_program(struct codegen *cg, const char *name, const char *section)
{
    LLVMTypeRef parameter = cg->ptr;
    LLVMTypeRef type = LLVMFunctionType(cg->i32, &parameter, 1, false);
    /* The caller gives the function its debug scope (codegen_debug_function). */
    cg->debug_scope = NULL;
    LLVMSetCurrentDebugLocation2(cg->builder, NULL);
    cg->function = LLVMAddFunction(cg->module, name, type);
    LLVMSetSection(cg->function, section);
    /* Without nounwind LLVM emits .eh_frame, which libbpf rejects. */
    unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    LLVMAddAttributeAtIndex(cg->function, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(cg->context, nounwind, 0));
    cg->context_argument = LLVMGetParam(cg->function, 0);
    cg->entry_block = codegen_block(cg, "entry");
    cg->return_block = codegen_block(cg, "return");
    cg->scratch_key = NULL;
    cg->syscall_read_slot = NULL;
    cg->program_index = (unsigned)cg->plan->programs.count - 1;
    LLVMPositionBuilderAtEnd(cg->builder, cg->return_block);
    LLVMBuildRet(cg->builder, LLVMConstInt(cg->i32, 0, false));
}

void codegen_begin_frame(struct codegen *cg, struct srcloc where)
{
    cg->frame_srcloc = where;
    cg->setup_block = codegen_block(cg, "setup");
    cg->start_block = codegen_block(cg, "start");
    cg->frame_location = LLVMGetCurrentDebugLocation2(cg->builder);
    for (size_t i = 0; i < cg->variables.count; i++)
        ((struct sema_variable *)vec_get(&cg->variables, i))->storage = NULL;
    cg->variables.count = 0;
    memset(cg->syscall_arguments, 0, sizeof(cg->syscall_arguments));
    codegen_scratch_begin(cg);
    LLVMPositionBuilderAtEnd(cg->builder, cg->start_block);
}

/* setup (scratch memory, variables) → start (the body): the setup is
 * complete only once the body is. */
void codegen_end_frame(struct codegen *cg)
{
    codegen_scratch_end(cg);
    /* The setup is built whenever the body first needs memory, under the
     * statement of the moment; it belongs to the block as a whole. */
    codegen_debug_stamp(cg->setup_block, cg->frame_location);
    if (cg->setup_tail != cg->setup_block)
        codegen_debug_stamp(cg->setup_tail, cg->frame_location);
}

/* `instance`: the one this program is for, or for a shared program the
 * variant's first (what `func` and the context's layout come from). */
void codegen_compile_variant(struct codegen *cg, struct ast_variant *variant,
                             const struct probe_instance *instance)
{
    cg->instance = instance;
    if (variant->predicate) {
        codegen_debug_at(cg, variant->predicate->loc);
        LLVMValueRef condition = codegen_expr(cg, variant->predicate);
        LLVMBasicBlockRef body = codegen_block(cg, "body");
        LLVMBuildCondBr(cg->builder,
                        LLVMBuildICmp(cg->builder, LLVMIntNE, condition, codegen_const(cg, 0), ""),
                        body, cg->return_block);
        LLVMPositionBuilderAtEnd(cg->builder, body);
    }
    codegen_stmt(cg, variant->body);
}

void codegen_enter_unless_stopping(struct codegen *cg, const struct probe_kind *kind,
                                   LLVMBasicBlockRef body, LLVMBasicBlockRef stopped)
{
    if (kind->phase != PHASE_TRACE) {
        LLVMBuildBr(cg->builder, body);
        return;
    }
    LLVMValueRef flag = LLVMGetNamedGlobal(cg->module, CODEGEN_STOP_FLAG);
    LLVMValueRef stopping = LLVMBuildLoad2(cg->builder, cg->i64, flag, "stopping");
    /* Every event must read it anew: user space writes it behind LLVM's back. */
    LLVMSetVolatile(stopping, true);
    LLVMSetAlignment(stopping, 8);
    LLVMValueRef running =
        LLVMBuildICmp(cg->builder, LLVMIntEQ, stopping, codegen_const(cg, 0), "running");
    LLVMBuildCondBr(cg->builder, running, body, stopped);
}

/* entry (the stop test) → setup → start (the body) → return. */
static void compile_single(struct codegen *cg, struct ast_probe *probe, struct ast_variant *variant,
                           const struct probe_instance *instance)
{
    const char *name =
        arena_printf(cg->arena, "probe%d_%zu", probe->index, cg->plan->programs.count);
    struct plan_program *program = codegen_add_program(cg, name, instance);
    vec_push(&program->instances, (void *)instance);
    codegen_begin_program(cg, name, program->section);
    codegen_debug_function(cg, cg->function, probe->loc);
    codegen_begin_frame(cg, probe->loc);
    cg->probe_context = instance->kind->context;
    cg->probe_id = codegen_const(cg, codegen_add_probe_name(cg, instance));
    cg->nargs = codegen_const(cg, (uint64_t)instance->nargs);
    codegen_filter_target_pid(cg, instance->kind);
    codegen_compile_variant(cg, variant, instance);
    LLVMBuildBr(cg->builder, cg->return_block);
    LLVMPositionBuilderAtEnd(cg->builder, cg->entry_block);
    codegen_enter_unless_stopping(cg, instance->kind, cg->setup_block, cg->return_block);
    codegen_end_frame(cg);
    codegen_debug_stamp(cg->entry_block, cg->frame_location);
}

/* The kinds whose one program for the whole script is already built. */
struct shared_kinds {
    const struct probe_kind *done[4];
    size_t count;
};

static bool claim_shared_kind(struct shared_kinds *shared, const struct probe_kind *kind)
{
    for (size_t k = 0; k < shared->count; k++)
        if (shared->done[k] == kind)
            return false;
    if (shared->count == sizeof(shared->done) / sizeof(shared->done[0]))
        return false;
    shared->done[shared->count++] = kind;
    return true;
}

static void compile_probe(struct codegen *cg, struct ast_program *program, size_t index,
                          struct shared_kinds *shared)
{
    struct ast_probe *probe = vec_get(&program->probes, index);
    for (size_t i = 0; i < probe->variants.count; i++) {
        struct ast_variant *variant = vec_get(&probe->variants, i);
        const struct probe_instance *first = vec_get(&variant->instances, 0);
        if (!first->kind->shared_program) {
            for (size_t j = 0; j < variant->instances.count; j++)
                compile_single(cg, probe, variant, vec_get(&variant->instances, j));
        } else if (claim_shared_kind(shared, first->kind)) {
            codegen_syscall_hook(cg, program, index, first->kind);
        }
    }
}

int codegen_programs(struct codegen *cg, struct ast_program *program)
{
    codegen_plan_printfs(cg);
    struct shared_kinds shared = {0};
    for (size_t i = 0; i < program->probes.count; i++)
        compile_probe(cg, program, i, &shared);
    unsigned attached = 0;
    for (size_t i = 0; i < cg->plan->programs.count; i++) {
        struct plan_program *plan_program = vec_get(&cg->plan->programs, i);
        attached += (unsigned)plan_program->instances.count;
    }
    cg->plan->attach_count = attached;
    return codegen_declare_scratch_map(cg);
}

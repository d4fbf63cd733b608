/* One BPF function per program: a probe block compiles to one program per
 * instance, or, for kinds with a shared program (syscalls on sys_enter), to
 * one program that dispatches on the syscall number to each variant's body. */
#include <string.h>

#include "codegen/codegen_internal.h"

/* x86-64 `struct pt_regs`: orig_ax holds the syscall number on exit. */
enum { PT_REGS_ORIG_AX_OFFSET = 120 };

static unsigned add_probe_name(struct codegen *cg, const struct probe_instance *instance)
{
    vec_push(&cg->plan->probe_names, (void *)instance->name);
    return (unsigned)cg->plan->probe_names.count - 1;
}

static void begin_function(struct codegen *cg, const char *name, const char *section)
{
    LLVMTypeRef parameter = cg->ptr;
    LLVMTypeRef type = LLVMFunctionType(cg->i32, &parameter, 1, false);
    cg->function = LLVMAddFunction(cg->module, name, type);
    LLVMSetSection(cg->function, section);
    /* Without nounwind LLVM emits .eh_frame, which libbpf rejects. */
    unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    LLVMAddAttributeAtIndex(cg->function, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(cg->context, nounwind, 0));
    cg->context_argument = LLVMGetParam(cg->function, 0);
    cg->entry_block = codegen_block(cg, "entry");
    cg->setup_block = codegen_block(cg, "setup");
    cg->start_block = codegen_block(cg, "start");
    cg->return_block = codegen_block(cg, "return");
    cg->program_index = (unsigned)cg->plan->programs.count - 1;
    LLVMPositionBuilderAtEnd(cg->builder, cg->return_block);
    LLVMBuildRet(cg->builder, LLVMConstInt(cg->i32, 0, false));
    LLVMPositionBuilderAtEnd(cg->builder, cg->start_block);
    for (size_t i = 0; i < cg->variables.count; i++)
        ((struct sema_variable *)vec_get(&cg->variables, i))->storage = NULL;
    cg->variables.count = 0;
    codegen_scratch_begin(cg);
}

/* entry (the scratch key) → setup (scratch memory, variables) → start (the
 * body): the first two are complete only once the body is. */
static void end_function(struct codegen *cg)
{
    LLVMBuildBr(cg->builder, cg->return_block);
    LLVMPositionBuilderAtEnd(cg->builder, cg->entry_block);
    LLVMBuildBr(cg->builder, cg->setup_block);
    codegen_scratch_end(cg);
}

/* `instance`: the one this program is for, or for a shared program the
 * variant's first (what `func` and the context's layout come from). */
static void compile_body(struct codegen *cg, struct ast_variant *variant,
                         const struct probe_instance *instance)
{
    cg->instance = instance;
    if (variant->predicate) {
        LLVMValueRef condition = codegen_expr(cg, variant->predicate);
        LLVMBasicBlockRef body = codegen_block(cg, "body");
        LLVMBuildCondBr(cg->builder,
                        LLVMBuildICmp(cg->builder, LLVMIntNE, condition, codegen_const(cg, 0), ""),
                        body, cg->return_block);
        LLVMPositionBuilderAtEnd(cg->builder, body);
    }
    codegen_stmt(cg, variant->body);
}

static struct plan_program *add_program(struct codegen *cg, const char *name,
                                        const struct probe_instance *first)
{
    struct plan_program *program = ARENA_NEW(cg->arena, struct plan_program);
    program->function_name = name;
    program->kind = first->kind;
    program->section = first->kind->section(first, cg->arena);
    vec_push(&cg->plan->programs, program);
    return program;
}

static void compile_single(struct codegen *cg, struct ast_probe *probe, struct ast_variant *variant,
                           const struct probe_instance *instance)
{
    const char *name = arena_printf(cg->arena, "probe%d_%zu", probe->index, cg->plan->programs.count);
    struct plan_program *program = add_program(cg, name, instance);
    vec_push(&program->instances, (void *)instance);
    begin_function(cg, name, program->section);
    cg->probe_context = instance->kind->context;
    cg->probe_id = codegen_const(cg, add_probe_name(cg, instance));
    cg->nargs = codegen_const(cg, (uint64_t)instance->nargs);
    codegen_filter_target_pid(cg, instance->kind);
    compile_body(cg, variant, instance);
    end_function(cg);
}

static void load_syscall_context(struct codegen *cg, enum probe_context context)
{
    /* tp_btf programs get the tracepoint's arguments as u64 slots:
     * [0] struct pt_regs *regs, [1] the number (sys_enter) or return value (sys_exit). */
    cg->syscall_registers = LLVMBuildLoad2(cg->builder, cg->ptr, cg->context_argument, "regs");
    LLVMValueRef second = LLVMBuildLoad2(cg->builder, cg->i64,
                                         codegen_offset(cg, cg->context_argument, 8), "");
    if (context == CONTEXT_SYSCALL_ENTER) {
        cg->syscall_number = second;
        cg->syscall_return = codegen_const(cg, 0);
    } else {
        cg->syscall_return = second;
        cg->syscall_number = LLVMBuildLoad2(
            cg->builder, cg->i64, codegen_offset(cg, cg->syscall_registers, PT_REGS_ORIG_AX_OFFSET), "");
    }
}

/* Each syscall gets a case that feeds its probe id and nargs into its
 * variant's body; LLVM turns the chain into a table. */
static void dispatch_variant(struct codegen *cg, LLVMValueRef dispatch, struct ast_variant *variant,
                             struct plan_program *program, unsigned char *seen, int table_size)
{
    LLVMBasicBlockRef body = codegen_block(cg, "variant");
    LLVMPositionBuilderAtEnd(cg->builder, body);
    LLVMValueRef probe_id = LLVMBuildPhi(cg->builder, cg->i64, "probe_id");
    LLVMValueRef nargs = LLVMBuildPhi(cg->builder, cg->i64, "nargs");
    for (size_t i = 0; i < variant->instances.count; i++) {
        const struct probe_instance *instance = vec_get(&variant->instances, i);
        int number = instance->syscall_number;
        if (number < 0 || number >= table_size || seen[number])
            continue; /* the same syscall named twice in one block runs once */
        seen[number] = 1;
        vec_push(&program->instances, (void *)instance);
        LLVMBasicBlockRef entry = codegen_block(cg, instance->event);
        LLVMAddCase(dispatch, codegen_const(cg, (uint64_t)number), entry);
        LLVMPositionBuilderAtEnd(cg->builder, entry);
        LLVMBuildBr(cg->builder, body);
        LLVMValueRef id = codegen_const(cg, add_probe_name(cg, instance));
        LLVMValueRef count = codegen_const(cg, (uint64_t)instance->nargs);
        LLVMAddIncoming(probe_id, &id, &entry, 1);
        LLVMAddIncoming(nargs, &count, &entry, 1);
    }
    LLVMPositionBuilderAtEnd(cg->builder, body);
    cg->probe_id = probe_id;
    cg->nargs = nargs;
    compile_body(cg, variant, vec_get(&variant->instances, 0));
    LLVMBuildBr(cg->builder, cg->return_block);
}

static void compile_shared(struct codegen *cg, struct ast_probe *probe, const struct probe_kind *kind)
{
    struct ast_variant *first_variant = NULL;
    for (size_t i = 0; i < probe->variants.count && !first_variant; i++) {
        struct ast_variant *variant = vec_get(&probe->variants, i);
        if (((const struct probe_instance *)vec_get(&variant->instances, 0))->kind == kind)
            first_variant = variant;
    }
    const char *name = arena_printf(cg->arena, "probe%d_%zu", probe->index, cg->plan->programs.count);
    struct plan_program *program = add_program(cg, name, vec_get(&first_variant->instances, 0));
    begin_function(cg, name, program->section);
    cg->probe_context = kind->context;
    load_syscall_context(cg, kind->context);
    codegen_filter_target_pid(cg, kind);
    LLVMValueRef dispatch = LLVMBuildSwitch(cg->builder, cg->syscall_number, cg->return_block, 16);

    enum { TABLE_SIZE = 4096 };
    unsigned char *seen = arena_alloc(cg->arena, TABLE_SIZE);
    for (size_t i = 0; i < probe->variants.count; i++) {
        struct ast_variant *variant = vec_get(&probe->variants, i);
        if (((const struct probe_instance *)vec_get(&variant->instances, 0))->kind == kind)
            dispatch_variant(cg, dispatch, variant, program, seen, TABLE_SIZE);
    }
    /* Every path already ends in a branch; end_function's branch needs a block of its own. */
    LLVMPositionBuilderAtEnd(cg->builder, codegen_block(cg, "unused"));
    end_function(cg);
}

static void compile_probe(struct codegen *cg, struct ast_probe *probe)
{
    const struct probe_kind *shared_done[8];
    size_t shared_count = 0;
    for (size_t i = 0; i < probe->variants.count; i++) {
        struct ast_variant *variant = vec_get(&probe->variants, i);
        const struct probe_instance *first = vec_get(&variant->instances, 0);
        if (!first->kind->shared_program) {
            for (size_t j = 0; j < variant->instances.count; j++)
                compile_single(cg, probe, variant, vec_get(&variant->instances, j));
            continue;
        }
        bool done = false;
        for (size_t k = 0; k < shared_count; k++)
            done |= shared_done[k] == first->kind;
        if (!done && shared_count < 8) {
            shared_done[shared_count++] = first->kind;
            compile_shared(cg, probe, first->kind);
        }
    }
}

int codegen_programs(struct codegen *cg, struct ast_program *program)
{
    codegen_plan_printfs(cg);
    for (size_t i = 0; i < program->probes.count; i++)
        compile_probe(cg, vec_get(&program->probes, i));
    unsigned attached = 0;
    for (size_t i = 0; i < cg->plan->programs.count; i++) {
        struct plan_program *plan_program = vec_get(&cg->plan->programs, i);
        attached += (unsigned)plan_program->instances.count;
    }
    cg->plan->attach_count = attached;
    return codegen_declare_scratch_map(cg);
}

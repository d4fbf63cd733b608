/* The module as a whole: small IR building blocks shared by the other
 * codegen files, and the compilation from start to end (LLVM's set-up,
 * optimisation and emission are in backend.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/aggregations.h"
#include "codegen/backend.h"
#include "codegen/codegen_internal.h"

LLVMValueRef codegen_const(struct codegen *cg, uint64_t value)
{
    return LLVMConstInt(cg->i64, value, false);
}

LLVMBasicBlockRef codegen_block(struct codegen *cg, const char *name)
{
    return LLVMAppendBasicBlockInContext(cg->context, cg->function, name);
}

void codegen_memcpy(struct codegen *cg, LLVMValueRef dst, LLVMValueRef src, unsigned size)
{
    if (size)
        LLVMBuildMemCpy(cg->builder, dst, 1, src, 1, LLVMConstInt(cg->i64, size, false));
}

LLVMValueRef codegen_offset(struct codegen *cg, LLVMValueRef base, unsigned offset)
{
    if (offset == 0)
        return base;
    LLVMValueRef index = LLVMConstInt(cg->i64, offset, false);
    return LLVMBuildGEP2(cg->builder, cg->i8, base, &index, 1, "");
}

/* Helpers are called through their id cast to a function pointer; every
 * argument is i64 or a pointer, the result i64. */
LLVMValueRef codegen_call_helper(struct codegen *cg, enum bpf_helper helper, LLVMValueRef *args,
                                 unsigned count)
{
    LLVMTypeRef parameter_types[8];
    for (unsigned i = 0; i < count; i++)
        parameter_types[i] = LLVMTypeOf(args[i]);
    LLVMTypeRef function_type = LLVMFunctionType(cg->i64, parameter_types, count, false);
    LLVMValueRef callee = LLVMConstIntToPtr(LLVMConstInt(cg->i64, helper, false), cg->ptr);
    return LLVMBuildCall2(cg->builder, function_type, callee, args, count, "");
}

static void init_types(struct codegen *cg)
{
    cg->i1 = LLVMInt1TypeInContext(cg->context);
    cg->i8 = LLVMInt8TypeInContext(cg->context);
    cg->i32 = LLVMInt32TypeInContext(cg->context);
    cg->i64 = LLVMInt64TypeInContext(cg->context);
    cg->ptr = LLVMPointerTypeInContext(cg->context, 0);
}

static void init_debug_info(struct codegen *cg)
{
    cg->debug = LLVMCreateDIBuilder(cg->module);
    cg->debug_file = LLVMDIBuilderCreateFile(cg->debug, "script.bt", 9, ".", 1);
    cg->debug_unit = LLVMDIBuilderCreateCompileUnit(
        cg->debug, LLVMDWARFSourceLanguageC, cg->debug_file, "sonde", 5, true, "", 0, 0, "", 0,
        LLVMDWARFEmissionFull, 0, false, false, "", 0, "", 0);
    LLVMAddModuleFlag(cg->module, LLVMModuleFlagBehaviorWarning, "Debug Info Version", 18,
                      LLVMValueAsMetadata(LLVMConstInt(cg->i32, 3, false)));
}

static void add_license(struct codegen *cg)
{
    /* The tracing helpers are GPL-only. */
    LLVMValueRef text = LLVMConstStringInContext(cg->context, "GPL", 3, false);
    LLVMValueRef license = LLVMAddGlobal(cg->module, LLVMTypeOf(text), "_license");
    LLVMSetInitializer(license, text);
    LLVMSetSection(license, "license");
}

/* LLVM reports problems it finds while compiling (e.g. an unsupported
 * operation in the BPF backend) here instead of printing them itself. */
static void on_llvm_diagnostic(LLVMDiagnosticInfoRef info, void *context)
{
    struct codegen *cg = context;
    if (LLVMGetDiagInfoSeverity(info) != LLVMDSError)
        return;
    char *description = LLVMGetDiagInfoDescription(info);
    diag_error(cg->diag, (struct srcloc){0}, "the BPF backend cannot compile this script: %s",
               description);
    LLVMDisposeMessage(description);
    cg->backend_failed = true;
}

static void dispose(struct codegen *cg)
{
    if (cg->debug)
        LLVMDisposeDIBuilder(cg->debug);
    if (cg->builder)
        LLVMDisposeBuilder(cg->builder);
    if (cg->module)
        LLVMDisposeModule(cg->module);
    if (cg->context)
        LLVMContextDispose(cg->context);
    vec_free(&cg->variables);
}

int codegen_compile(struct ast_program *program, const struct sema_result *sema,
                    const struct codegen_options *options, struct arena *arena, struct plan *out,
                    struct diag *diag)
{
    struct codegen cg = {
        .arena = arena, .diag = diag, .sema = sema, .options = options, .plan = out};
    double start = codegen_backend_now_ms();
    cg.context = LLVMContextCreate();
    LLVMContextSetDiagnosticHandler(cg.context, on_llvm_diagnostic, &cg);
    cg.module = LLVMModuleCreateWithNameInContext("sonde", cg.context);
    LLVMSetTarget(cg.module, "bpfel");
    /* The target machine is created only when LLVM has to compile (not on a
     * cache hit); backend.c checks that its layout is this one. */
    LLVMSetDataLayout(cg.module, CODEGEN_BPF_DATA_LAYOUT);
    cg.builder = LLVMCreateBuilderInContext(cg.context);
    init_types(&cg);
    init_debug_info(&cg);
    add_license(&cg);

    int err = codegen_declare_maps(&cg);
    if (!err)
        err = codegen_programs(&cg, program);
    if (!err) {
        codegen_describe_functions(&cg); /* map_calls.c: len()'s callback */
        LLVMDIBuilderFinalize(cg.debug);
        if (options->report)
            options->report->build_ms = codegen_backend_now_ms() - start;
        err = codegen_backend_emit(&cg);
    }
    dispose(&cg);
    return err;
}

void plan_free(struct plan *plan)
{
    free(plan->elf);
    for (size_t i = 0; i < plan->programs.count; i++) {
        struct plan_program *program = vec_get(&plan->programs, i);
        vec_free(&program->instances);
    }
    vec_free(&plan->programs);
    vec_free(&plan->maps);
    vec_free(&plan->printfs);
    vec_free(&plan->value_prints);
    vec_free(&plan->probe_names);
}

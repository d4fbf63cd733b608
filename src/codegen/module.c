/* The module as a whole: LLVM set-up, small IR building blocks shared by the
 * other codegen files, optimisation and emission of the BPF object. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "codegen/aggregations.h"
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

static LLVMTargetMachineRef create_target_machine(struct diag *diag)
{
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
    LLVMTargetRef target;
    char *error = NULL;
    if (LLVMGetTargetFromTriple("bpfel", &target, &error)) {
        diag_error(diag, (struct srcloc){0}, "LLVM has no BPF target: %s", error);
        LLVMDisposeMessage(error);
        return NULL;
    }
    /* v3: 32-bit jumps and ALU, supported since Linux 5.1. */
    return LLVMCreateTargetMachine(target, "bpfel", "v3", "", LLVMCodeGenLevelDefault,
                                   LLVMRelocDefault, LLVMCodeModelDefault);
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

static int optimise_and_emit(struct codegen *cg, LLVMTargetMachineRef machine)
{
    char *error = NULL;
    if (LLVMVerifyModule(cg->module, LLVMReturnStatusAction, &error)) {
        diag_error(cg->diag, (struct srcloc){0}, "internal error: invalid LLVM module: %s", error);
        LLVMDisposeMessage(error);
        return -EINVAL;
    }
    LLVMDisposeMessage(error);
    LLVMPassBuilderOptionsRef pass_options = LLVMCreatePassBuilderOptions();
    LLVMErrorRef pass_error = LLVMRunPasses(cg->module, "default<O2>", machine, pass_options);
    LLVMDisposePassBuilderOptions(pass_options);
    if (pass_error) {
        char *message = LLVMGetErrorMessage(pass_error);
        diag_error(cg->diag, (struct srcloc){0}, "internal error: LLVM passes: %s", message);
        LLVMDisposeErrorMessage(message);
        return -EINVAL;
    }
    if (cg->options->llvm_ir_out) {
        char *ir = LLVMPrintModuleToString(cg->module);
        fputs(ir, cg->options->llvm_ir_out);
        LLVMDisposeMessage(ir);
    }
    LLVMMemoryBufferRef buffer = NULL;
    if (LLVMTargetMachineEmitToMemoryBuffer(machine, cg->module, LLVMObjectFile, &error, &buffer)) {
        diag_error(cg->diag, (struct srcloc){0}, "internal error: BPF emission failed: %s", error);
        LLVMDisposeMessage(error);
        return -EINVAL;
    }
    if (cg->backend_failed) {
        LLVMDisposeMemoryBuffer(buffer);
        return -EINVAL;
    }
    size_t size = LLVMGetBufferSize(buffer);
    cg->plan->elf = malloc(size);
    if (!cg->plan->elf)
        abort();
    memcpy(cg->plan->elf, LLVMGetBufferStart(buffer), size);
    cg->plan->elf_size = size;
    LLVMDisposeMemoryBuffer(buffer);
    return 0;
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
    struct codegen cg = {.arena = arena, .diag = diag, .sema = sema, .options = options,
                         .plan = out};
    LLVMTargetMachineRef machine = create_target_machine(diag);
    if (!machine)
        return -EINVAL;
    cg.context = LLVMContextCreate();
    LLVMContextSetDiagnosticHandler(cg.context, on_llvm_diagnostic, &cg);
    cg.module = LLVMModuleCreateWithNameInContext("sonde", cg.context);
    LLVMSetTarget(cg.module, "bpfel");
    LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(machine);
    char *layout_text = LLVMCopyStringRepOfTargetData(layout);
    LLVMSetDataLayout(cg.module, layout_text);
    LLVMDisposeMessage(layout_text);
    LLVMDisposeTargetData(layout);
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
        err = optimise_and_emit(&cg, machine);
    }
    dispose(&cg);
    LLVMDisposeTargetMachine(machine);
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

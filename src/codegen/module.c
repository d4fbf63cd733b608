/* The module as a whole: small IR building blocks shared by the other
 * codegen files, and the compilation from start to end (LLVM's set-up,
 * optimisation and emission are in backend.c). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/IRReader.h>

#include "base/strbuf.h"
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

/* LLVM's BPF backend expands memcpy and memset inline as at most 128
 * stores of the alignment it knows; anything longer becomes a library call
 * it cannot emit ("A call to built-in function 'memset' is not supported").
 * Long strings (max_strlen 1024) and whole kernel structs are longer: they
 * are copied by the kernel's copy helper instead, and zeroed by zeroing the
 * first 128 bytes and copying the zeros over the rest in doubling steps. */
enum { INLINE_STORES_MAX = 128 };

static bool inline_expands(unsigned size, unsigned align)
{
    return size <= INLINE_STORES_MAX || (align >= 8 && size <= INLINE_STORES_MAX * 8);
}

/* Both sides are BPF memory (stack, map values): always readable. */
static void kernel_copy(struct codegen *cg, LLVMValueRef dst, LLVMValueRef src, unsigned size)
{
    LLVMValueRef args[] = {dst, codegen_const(cg, size), src};
    codegen_call_helper(cg, HELPER_PROBE_READ_KERNEL, args, 3);
}

/* Copies are between BPF buffers, which LLVM knows to be 8-byte aligned
 * nearly always, and stay intrinsics up to what that allows: LLVM folds the
 * copies of constants and of zeroed memory. */
void codegen_memcpy(struct codegen *cg, LLVMValueRef dst, LLVMValueRef src, unsigned size)
{
    if (size && inline_expands(size, 8))
        LLVMBuildMemCpy(cg->builder, dst, 1, src, 1, LLVMConstInt(cg->i64, size, false));
    else if (size)
        kernel_copy(cg, dst, src, size);
}

/* A volatile memset: LLVM's MemCpyOpt merges adjacent memsets into one,
 * and two 1024-byte ones make a 2048-byte one the backend cannot expand. */
static void unmerged_memset(struct codegen *cg, LLVMValueRef dst, unsigned size, unsigned align)
{
    LLVMTypeRef overloads[] = {cg->ptr, cg->i64};
    unsigned id = LLVMLookupIntrinsicID("llvm.memset", 11);
    LLVMValueRef memset = LLVMGetIntrinsicDeclaration(cg->module, id, overloads, 2);
    LLVMTypeRef type = LLVMIntrinsicGetType(cg->context, id, overloads, 2);
    LLVMValueRef args[] = {dst, LLVMConstInt(cg->i8, 0, false), codegen_const(cg, size),
                           LLVMConstInt(cg->i1, 1, false)};
    LLVMValueRef call = LLVMBuildCall2(cg->builder, type, memset, args, 4, "");
    unsigned kind = LLVMGetEnumAttributeKindForName("align", 5);
    LLVMAddCallSiteAttribute(call, 1, LLVMCreateEnumAttribute(cg->context, kind, align));
}

void codegen_memset_zero(struct codegen *cg, LLVMValueRef dst, unsigned size, unsigned align)
{
    LLVMValueRef zero = LLVMConstInt(cg->i8, 0, false);
    if (size <= INLINE_STORES_MAX) {
        LLVMBuildMemSet(cg->builder, dst, zero, codegen_const(cg, size), align);
        return;
    }
    if (inline_expands(size, align)) {
        unmerged_memset(cg, dst, size, align);
        return;
    }
    unmerged_memset(cg, dst, INLINE_STORES_MAX, align);
    for (unsigned done = INLINE_STORES_MAX; done < size; done *= 2) {
        unsigned piece = size - done < done ? size - done : done;
        kernel_copy(cg, codegen_offset(cg, dst, done), dst, piece);
    }
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

/* LLVM IR's string syntax: printable ASCII as is, except '"' and the
 * backslash, which are written as a backslash and two hex digits like the rest. */
static void append_ir_string(struct strbuf *out, const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\')
            strbuf_append(out, (const char *)c, 1);
        else
            strbuf_printf(out, "\\%02X", *c);
    }
}

/* The script's DIFile with its text embedded: LLVM's BPF backend copies the
 * line of each line_info record from it into the BTF string table, and the
 * verifier quotes that line in its log. The C API has no way to give a file
 * its source, so the node is parsed from IR text; metadata belongs to the
 * context, so it outlives the throwaway module. NULL if parsing fails. */
static LLVMMetadataRef file_with_source(struct codegen *cg, const char *name, const char *source)
{
    struct strbuf text = {0};
    strbuf_puts(&text, "!sonde.file = !{!0}\n!0 = !DIFile(filename: \"");
    append_ir_string(&text, name);
    strbuf_puts(&text, "\", directory: \".\", source: \"");
    append_ir_string(&text, source);
    strbuf_puts(&text, "\")\n!llvm.module.flags = !{!1}\n"
                       "!1 = !{i32 2, !\"Debug Info Version\", i32 3}\n");
    LLVMMemoryBufferRef buffer =
        LLVMCreateMemoryBufferWithMemoryRangeCopy(strbuf_text(&text), text.length, "file");
    strbuf_free(&text);
    LLVMModuleRef parsed = NULL;
    char *error = NULL;
    LLVMMetadataRef file = NULL;
    if (!LLVMParseIRInContext(cg->context, buffer, &parsed, &error) &&
        LLVMGetNamedMetadataNumOperands(parsed, "sonde.file") == 1) {
        LLVMValueRef node = NULL;
        LLVMGetNamedMetadataOperands(parsed, "sonde.file", &node);
        file = LLVMValueAsMetadata(node);
    }
    LLVMDisposeMessage(error);
    if (parsed)
        LLVMDisposeModule(parsed);
    return file;
}

static int count_lines(const char *text)
{
    int lines = *text ? 1 : 0;
    for (const char *c = text; *c; c++)
        lines += *c == '\n' && c[1] != '\0';
    return lines;
}

static void init_debug_info(struct codegen *cg)
{
    const char *name = cg->diag->filename ? cg->diag->filename : "script.bt";
    const char *source = cg->diag->source ? cg->diag->source : "";
    cg->debug = LLVMCreateDIBuilder(cg->module);
    cg->debug_file = file_with_source(cg, name, source);
    cg->source_lines = count_lines(source);
    if (!cg->debug_file) {
        cg->debug_file = LLVMDIBuilderCreateFile(cg->debug, name, strlen(name), ".", 1);
        cg->source_lines = 0;
    }
    cg->debug_unit = LLVMDIBuilderCreateCompileUnit(
        cg->debug, LLVMDWARFSourceLanguageC, cg->debug_file, "sonde", 5, true, "", 0, 0, "", 0,
        LLVMDWARFEmissionFull, 0, false, false, "", 0, "", 0);
    LLVMAddModuleFlag(cg->module, LLVMModuleFlagBehaviorWarning, "Debug Info Version", 18,
                      LLVMValueAsMetadata(LLVMConstInt(cg->i32, 3, false)));
}

void codegen_debug_function(struct codegen *cg, LLVMValueRef function, struct srcloc loc)
{
    size_t length = 0;
    const char *name = LLVMGetValueName2(function, &length);
    unsigned line = loc.line > 0 && loc.line <= cg->source_lines ? (unsigned)loc.line : 1;
    unsigned parameters = LLVMCountParams(function);
    bool program = parameters == 1;
    LLVMMetadataRef result =
        program ? LLVMDIBuilderCreateBasicType(cg->debug, "int", 3, 32, 0x05 /* DW_ATE_signed */, 0)
                : LLVMDIBuilderCreateBasicType(cg->debug, "long", 4, 64, 0x05, 0);
    LLVMMetadataRef pointer = LLVMDIBuilderCreatePointerType(cg->debug, NULL, 64, 64, 0, "", 0);
    LLVMMetadataRef types[5] = {result, pointer, pointer, pointer, pointer};
    LLVMMetadataRef signature = LLVMDIBuilderCreateSubroutineType(
        cg->debug, cg->debug_file, types, parameters < 4 ? parameters + 1 : 5, LLVMDIFlagZero);
    bool local = LLVMGetLinkage(function) == LLVMInternalLinkage;
    LLVMMetadataRef subprogram = LLVMDIBuilderCreateFunction(
        cg->debug, cg->debug_file, name, length, name, length, cg->debug_file, line, signature,
        local, true, line, LLVMDIFlagPrototyped, true);
    /* The kernel wants every argument of a function in func_info named. */
    static const char *const names[] = {"ctx", "map", "key", "value", "data"};
    for (unsigned i = 0; i < parameters && i < 4; i++) {
        const char *parameter = program ? names[0] : names[i + 1];
        LLVMDIBuilderCreateParameterVariable(cg->debug, subprogram, parameter, strlen(parameter),
                                             i + 1, cg->debug_file, line, pointer, true,
                                             LLVMDIFlagZero);
    }
    LLVMSetSubprogram(function, subprogram);
    cg->debug_scope = subprogram;
    LLVMSetCurrentDebugLocation2(
        cg->builder, LLVMDIBuilderCreateDebugLocation(cg->context, line, 0, subprogram, NULL));
    codegen_debug_at(cg, loc);
}

LLVMMetadataRef codegen_debug_at(struct codegen *cg, struct srcloc loc)
{
    LLVMMetadataRef previous = LLVMGetCurrentDebugLocation2(cg->builder);
    if (!cg->debug_scope || loc.line <= 0 || loc.line > cg->source_lines)
        return previous;
    /* BTF keeps 10 bits of column: clamp rather than spill into the line. */
    unsigned column = loc.column <= 0 ? 0 : loc.column > 1023 ? 1023 : (unsigned)loc.column;
    LLVMSetCurrentDebugLocation2(cg->builder,
                                 LLVMDIBuilderCreateDebugLocation(cg->context, (unsigned)loc.line,
                                                                  column, cg->debug_scope, NULL));
    return previous;
}

void codegen_debug_restore(struct codegen *cg, LLVMMetadataRef location)
{
    LLVMSetCurrentDebugLocation2(cg->builder, location);
}

void codegen_debug_stamp(LLVMBasicBlockRef block, LLVMMetadataRef location)
{
    for (LLVMValueRef instruction = LLVMGetFirstInstruction(block); instruction;
         instruction = LLVMGetNextInstruction(instruction))
        LLVMInstructionSetDebugLoc(instruction, location);
}

/* A location whose scope is another function's (an instruction built for a
 * callback while a probe's location was current) fails LLVM's verifier. */
static void drop_foreign_locations(struct codegen *cg)
{
    for (LLVMValueRef function = LLVMGetFirstFunction(cg->module); function;
         function = LLVMGetNextFunction(function)) {
        LLVMMetadataRef scope = LLVMGetSubprogram(function);
        for (LLVMBasicBlockRef block = LLVMGetFirstBasicBlock(function); block;
             block = LLVMGetNextBasicBlock(block))
            for (LLVMValueRef instruction = LLVMGetFirstInstruction(block); instruction;
                 instruction = LLVMGetNextInstruction(instruction)) {
                LLVMMetadataRef location = LLVMInstructionGetDebugLoc(instruction);
                if (location && LLVMDILocationGetScope(location) != scope)
                    LLVMInstructionSetDebugLoc(instruction, NULL);
            }
    }
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
struct srcloc codegen_backend_place(const char *description, const char **message)
{
    static const char marker[] = ": in function ";
    *message = description;
    const char *in_function = strstr(description, marker);
    if (!in_function)
        return (struct srcloc){0};
    /* "FILE:LINE:COL" ends where the marker starts: read it backwards. */
    const char *column_start = in_function;
    while (column_start > description && isdigit((unsigned char)column_start[-1]))
        column_start--;
    const char *line_end = column_start - 1;
    const char *line_start = line_end;
    while (line_start > description && isdigit((unsigned char)line_start[-1]))
        line_start--;
    if (column_start == in_function || line_end < description || *line_end != ':' ||
        line_start == line_end)
        return (struct srcloc){0};
    const char *text = strstr(in_function + sizeof(marker) - 1, ": ");
    if (text)
        *message = text + 2;
    return (struct srcloc){.line = atoi(line_start), .column = atoi(column_start)};
}

static void on_llvm_diagnostic(LLVMDiagnosticInfoRef info, void *context)
{
    struct codegen *cg = context;
    if (LLVMGetDiagInfoSeverity(info) != LLVMDSError)
        return;
    char *description = LLVMGetDiagInfoDescription(info);
    const char *message;
    struct srcloc place = codegen_backend_place(description, &message);
    if (place.line > cg->source_lines) /* the standard library's, not the script's */
        place = (struct srcloc){0};
    diag_error(cg->diag, place, "the BPF backend cannot compile this script: %s", message);
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
    /* The last frame's variables still point at its slots: forget them, so
     * that the program can be compiled again (main.c does, with LLVM, when
     * the kernel refuses the direct backend's object). */
    for (size_t i = 0; i < cg->variables.count; i++)
        ((struct sema_variable *)vec_get(&cg->variables, i))->storage = NULL;
    vec_free(&cg->variables);
    vec_free(&cg->map_shapes);
}

static bool has_perf_event_probes(const struct ast_program *program)
{
    for (size_t i = 0; i < program->probes.count; i++) {
        const struct ast_probe *probe = vec_get(&program->probes, i);
        if (probe->kind && probe->kind->context == CONTEXT_PERF_EVENT)
            return true;
    }
    return false;
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
    cg.has_perf_event_programs = has_perf_event_probes(program);

    int err = codegen_declare_maps(&cg);
    if (!err)
        err = codegen_programs(&cg, program);
    if (!err) {
        codegen_describe_functions(&cg); /* map_calls.c: len()'s callback */
        drop_foreign_locations(&cg);
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

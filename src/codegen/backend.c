/* backend: see backend.h. */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include "codegen/backend.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <llvm-c/Analysis.h>
#include <llvm-c/Core.h>
#include <llvm-c/ErrorHandling.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include "codegen/direct.h"
#include "codegen/object_cache.h"

/* Everything below that shapes the object goes into the cache key too. */
#define PASS_PIPELINE "default<O2>"
/* SelectionDAG's default pre-RA list scheduler is quadratic in the length of
 * a basic block (SUnit::ComputeHeight); "source" keeps the IR's order and is
 * linear. A block of 1000 statements compiles in well under half the time,
 * to the same number of instructions. */
#define SCHEDULER_OPTION "-pre-RA-sched=source"
/* InstCombine asks, for every pointer argument of every helper call, whether
 * it is known non-null; the answer looks at other users of the pointer and
 * their order in the block, which InstCombine's own edits keep invalidating
 * (BasicBlock::renumberInstructions): quadratic on one long block, 40% of a
 * 3000-statement compile. Without that inference the objects of the test
 * scripts are byte for byte the same, and the O2 time grows linearly. */
#define NULL_INFERENCE_OPTION "-dom-conditions-max-uses=0"
/* Bump when the entry's meaning changes without the IR changing. */
#define CACHE_RECIPE "sonde object cache 1"

static struct diag *fatal_diag; /* the compilation in progress, for the handler */

double codegen_backend_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* LLVM calls this for errors it cannot recover from (report_fatal_error),
 * e.g. "Branch target out of insn range" when a v3 jump cannot reach. LLVM's
 * state is unusable then, and LLVM ends the process when this returns (with
 * abort() for most backend errors), so this prints sonde's diagnostic and
 * exits with status 1 itself. That is acceptable because codegen runs before
 * anything is loaded into the kernel: no program or map is left behind, and
 * the child of -c, still waiting for its go, reads EOF and exits. _exit, not
 * exit: LLVM's static destructors must not run under its own feet. */
static void on_llvm_fatal_error(const char *reason)
{
    struct diag fallback;
    struct diag *diag = fatal_diag;
    if (!diag) {
        diag_init(&fallback, "sonde", "");
        diag = &fallback;
    }
    struct diag_entry *entry =
        diag_error(diag, (struct srcloc){0}, "the BPF backend failed: %s", reason);
    diag_hint(entry, "nothing was loaded; if the script has a very long block, split it into "
                     "smaller blocks or probes");
    fflush(stdout);
    diag_print(diag, stderr);
    fflush(stderr);
    _exit(1);
}

static void init_llvm(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
    /* Options are read when the target machine is created: set them first. */
    const char *const arguments[] = {"sonde", SCHEDULER_OPTION, NULL_INFERENCE_OPTION};
    LLVMParseCommandLineOptions(3, arguments, "");
    LLVMInstallFatalErrorHandler(on_llvm_fatal_error);
}

static LLVMTargetMachineRef create_target_machine(const char *cpu, struct diag *diag)
{
    init_llvm();
    LLVMTargetRef target;
    char *error = NULL;
    if (LLVMGetTargetFromTriple("bpfel", &target, &error)) {
        diag_error(diag, (struct srcloc){0}, "LLVM has no BPF target: %s", error);
        LLVMDisposeMessage(error);
        return NULL;
    }
    /* v3 (32-bit jumps and ALU) loads since Linux 5.1; v4 (long jumps,
     * sign extension) since 6.6, and only v4 can branch over more than
     * 32,767 instructions. */
    return LLVMCreateTargetMachine(target, "bpfel", cpu ? cpu : "v3", "", LLVMCodeGenLevelDefault,
                                   LLVMRelocDefault, LLVMCodeModelDefault);
}

static int optimise(struct codegen *cg, LLVMTargetMachineRef machine)
{
    char *error = NULL;
    if (LLVMVerifyModule(cg->module, LLVMReturnStatusAction, &error)) {
        diag_error(cg->diag, (struct srcloc){0}, "internal error: invalid LLVM module: %s", error);
        LLVMDisposeMessage(error);
        return -EINVAL;
    }
    LLVMDisposeMessage(error);
    LLVMPassBuilderOptionsRef pass_options = LLVMCreatePassBuilderOptions();
    LLVMErrorRef pass_error = LLVMRunPasses(cg->module, PASS_PIPELINE, machine, pass_options);
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
    return 0;
}

static int emit_object(struct codegen *cg, LLVMTargetMachineRef machine)
{
    char *error = NULL;
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

/* The GNU build id of sonde's own executable, read from memory (no file
 * access): any rebuild of sonde or of the LLVM linked into it changes it. */
static int add_build_id(struct dl_phdr_info *info, size_t size, void *hasher)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *header = &info->dlpi_phdr[i];
        if (header->p_type != PT_NOTE)
            continue;
        const char *at = (const char *)(info->dlpi_addr + header->p_vaddr);
        const char *end = at + header->p_memsz;
        while (at + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *note = (const ElfW(Nhdr) *)at;
            const char *name = at + sizeof(*note);
            const char *descriptor = name + ((note->n_namesz + 3) & ~3u);
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
                memcmp(name, "GNU", 4) == 0 && descriptor + note->n_descsz <= end)
                object_cache_hasher_add(hasher, descriptor, note->n_descsz);
            at = descriptor + ((note->n_descsz + 3) & ~3u);
        }
    }
    return 1; /* the first object is the executable itself */
}

/* Everything the object depends on: the module before optimisation (all
 * of the script, the kernel's types and numbers compiled into it), LLVM's
 * version and options, the target, and the sonde build. */
static void cache_key(struct codegen *cg, struct object_cache_key *key)
{
    struct object_cache_hasher hasher;
    object_cache_hasher_init(&hasher);
    unsigned major, minor, patch;
    LLVMGetVersion(&major, &minor, &patch);
    char versions[96];
    snprintf(versions, sizeof(versions), "LLVM %u.%u.%u", major, minor, patch);
    object_cache_hasher_add_string(&hasher, CACHE_RECIPE);
    object_cache_hasher_add_string(&hasher, versions);
    object_cache_hasher_add_string(&hasher, cg->options->cpu ? cg->options->cpu : "v3");
    object_cache_hasher_add_string(&hasher, PASS_PIPELINE);
    object_cache_hasher_add_string(&hasher, SCHEDULER_OPTION);
    object_cache_hasher_add_string(&hasher, NULL_INFERENCE_OPTION);
    dl_iterate_phdr(add_build_id, &hasher);
    char *ir = LLVMPrintModuleToString(cg->module);
    object_cache_hasher_add_string(&hasher, ir);
    LLVMDisposeMessage(ir);
    object_cache_hasher_finish(&hasher, key);
}

static void note(struct codegen *cg, const char *why)
{
    struct codegen_report *report = cg->options->report;
    if (report && why)
        snprintf(report->cache_note, sizeof(report->cache_note), "%s", why);
}

/* Opens the cache when it may be used; false (and a note) otherwise. */
static bool open_cache(struct codegen *cg, struct object_cache *cache)
{
    if (!cg->options->cache_dir) {
        note(cg, cg->options->cache_off_why);
        return false;
    }
    if (cg->options->llvm_ir_out) {
        note(cg, "object cache not used: -d codegen prints the optimised IR");
        return false;
    }
    if (object_cache_open(cache, cg->options->cache_dir) != 0) {
        note(cg, cache->problem);
        return false;
    }
    return true;
}

/* The module was built for CODEGEN_BPF_DATA_LAYOUT; an LLVM whose BPF
 * target says otherwise gets its own layout (the IR is still valid: only
 * alignments could differ) and no cache entry. */
static bool layout_matches(struct codegen *cg, LLVMTargetMachineRef machine)
{
    LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(machine);
    char *text = LLVMCopyStringRepOfTargetData(layout);
    bool same = strcmp(text, CODEGEN_BPF_DATA_LAYOUT) == 0;
    if (!same)
        LLVMSetDataLayout(cg->module, text);
    LLVMDisposeMessage(text);
    LLVMDisposeTargetData(layout);
    return same;
}

/* LLVM proper: optimisation and code generation. *cacheable is false when
 * the result must not be stored. */
static int compile(struct codegen *cg, struct codegen_report *report, bool *cacheable)
{
    double start = codegen_backend_now_ms();
    LLVMTargetMachineRef machine = create_target_machine(cg->options->cpu, cg->diag);
    if (!machine)
        return -EINVAL;
    if (!layout_matches(cg, machine)) {
        note(cg, "object cache not written: LLVM's BPF data layout is not the one sonde expects");
        *cacheable = false;
    }
    report->setup_ms = codegen_backend_now_ms() - start;
    start = codegen_backend_now_ms();
    fatal_diag = cg->diag;
    int err = optimise(cg, machine);
    report->optimise_ms = codegen_backend_now_ms() - start;
    start = codegen_backend_now_ms();
    if (!err)
        err = emit_object(cg, machine);
    report->emit_ms = codegen_backend_now_ms() - start;
    fatal_diag = NULL;
    LLVMDisposeTargetMachine(machine);
    return err;
}

/* The direct backend first: it skips LLVM and, being cheap, the object
 * cache too. 0: done; 1: LLVM's turn. */
static int try_direct(struct codegen *cg, struct codegen_report *report)
{
    if (cg->options->llvm_only || cg->options->llvm_ir_out)
        return 1;
    double start = codegen_backend_now_ms();
    int result = codegen_direct_emit(cg, report->direct_note, sizeof(report->direct_note));
    report->direct_ms = codegen_backend_now_ms() - start;
    report->direct = result == 0;
    return result;
}

int codegen_backend_emit(struct codegen *cg)
{
    struct codegen_report unused = {0};
    struct codegen_report *report = cg->options->report ? cg->options->report : &unused;
    int direct = try_direct(cg, report);
    if (direct <= 0)
        return direct;
    double start = codegen_backend_now_ms();
    struct object_cache cache;
    struct object_cache_key key;
    bool use_cache = open_cache(cg, &cache);
    if (use_cache) {
        cache_key(cg, &key);
        int err = object_cache_lookup(&cache, &key, &cg->plan->elf, &cg->plan->elf_size);
        report->key_ms = codegen_backend_now_ms() - start;
        if (err == 0) {
            report->cached = true;
            object_cache_close(&cache);
            return 0;
        }
        note(cg, cache.problem);
    }
    bool cacheable = use_cache;
    int err = compile(cg, report, &cacheable);
    if (!err && cacheable &&
        object_cache_store(&cache, &key, cg->plan->elf, cg->plan->elf_size) != 0)
        note(cg, cache.problem);
    if (use_cache)
        object_cache_close(&cache);
    return err;
}

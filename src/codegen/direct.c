/* direct: see direct.h. This file finds the programs, maps and global
 * variables of the module and hands the translated functions to bpf_writer;
 * direct_values.c and direct_select.c translate one function. */
#include "codegen/direct.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/backend.h"
#include "codegen/direct_internal.h"

bool direct_decline(struct direct_function *fn, const char *format, ...)
{
    if (!fn->declined) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(fn->why, fn->why_size, format, arguments);
        va_end(arguments);
        fn->declined = true;
    }
    return false;
}

/* ---- the pointer table ---- */

static unsigned slot_of(const struct direct_table *table, const void *key)
{
    uintptr_t hash = (uintptr_t)key;
    hash ^= hash >> 17;
    hash *= 0x9e3779b97f4a7c15ull;
    return (unsigned)(hash >> 32) & (table->capacity - 1);
}

static void grow(struct direct_table *table)
{
    struct direct_table bigger = {.capacity = table->capacity ? table->capacity * 2 : 64};
    bigger.keys = calloc(bigger.capacity, sizeof(*bigger.keys));
    bigger.values = calloc(bigger.capacity, sizeof(*bigger.values));
    if (!bigger.keys || !bigger.values)
        abort();
    for (unsigned i = 0; i < table->capacity; i++)
        if (table->keys[i])
            direct_table_put(&bigger, table->keys[i], table->values[i]);
    direct_table_free(table);
    *table = bigger;
}

void direct_table_put(struct direct_table *table, const void *key, int value)
{
    if ((table->used + 1) * 2 > table->capacity)
        grow(table);
    unsigned slot = slot_of(table, key);
    while (table->keys[slot] && table->keys[slot] != key)
        slot = (slot + 1) & (table->capacity - 1);
    if (!table->keys[slot])
        table->used++;
    table->keys[slot] = key;
    table->values[slot] = value;
}

int direct_table_get(const struct direct_table *table, const void *key)
{
    if (!table->capacity)
        return -1;
    unsigned slot = slot_of(table, key);
    while (table->keys[slot]) {
        if (table->keys[slot] == key)
            return table->values[slot];
        slot = (slot + 1) & (table->capacity - 1);
    }
    return -1;
}

void direct_table_free(struct direct_table *table)
{
    free(table->keys);
    free(table->values);
    *table = (struct direct_table){0};
}

/* ---- the module ---- */

struct direct_module {
    struct codegen *cg;
    LLVMTargetDataRef layout;
    char *why;
    size_t why_size;
    struct bpf_writer_program *programs;
    unsigned program_count;
    struct bpf_writer_map *maps;
    unsigned map_count;
    struct bpf_writer_global *globals;
    unsigned global_count;
    const char *license;
};

static void free_function(struct direct_function *fn)
{
    free(fn->blocks);
    free(fn->values);
    free(fn->labels);
    free(fn->jumps);
    direct_table_free(&fn->value_index);
    direct_table_free(&fn->block_index);
    direct_table_free(&fn->alloca_offset);
}

/* One program: its code and relocations end up in the arena-free vectors
 * of the module (freed with it). 1: declined. */
static int translate_function(struct direct_module *module, LLVMValueRef function)
{
    size_t length;
    const char *name = LLVMGetValueName2(function, &length);
    const char *section = LLVMGetSection(function);
    if (!section || !*section) {
        snprintf(module->why, module->why_size, "a function outside any section (%s)", name);
        return 1;
    }
    const char *cpu = module->cg->options->cpu;
    struct direct_function fn = {.function = function,
                                 .layout = module->layout,
                                 .cpu_v4 = cpu && strcmp(cpu, "v4") == 0,
                                 .why = module->why,
                                 .why_size = module->why_size};
    bool ok = direct_allocate(&fn) && direct_emit_function(&fn);
    if (ok) {
        module->programs[module->program_count++] =
            (struct bpf_writer_program){.name = name,
                                        .section = section,
                                        .insns = fn.code,
                                        .insn_count = fn.code_count,
                                        .relocations = fn.relocations,
                                        .relocation_count = fn.relocation_count};
    } else {
        free(fn.code);
        free(fn.relocations);
    }
    free_function(&fn);
    return ok ? 0 : 1;
}

static const struct codegen_map_shape *shape_of(const struct codegen *cg, LLVMValueRef global)
{
    for (size_t i = 0; i < cg->map_shapes.count; i++) {
        const struct codegen_map_shape *shape = vec_get(&cg->map_shapes, i);
        if (shape->global == global)
            return shape;
    }
    return NULL;
}

static int add_global(struct direct_module *module, LLVMValueRef global)
{
    size_t length;
    const char *name = LLVMGetValueName2(global, &length);
    const char *section = LLVMGetSection(global);
    section = section ? section : "";
    LLVMValueRef initializer = LLVMGetInitializer(global);
    if (strcmp(section, ".maps") == 0) {
        const struct codegen_map_shape *shape = shape_of(module->cg, global);
        if (!shape || !shape->max_entries) {
            snprintf(module->why, module->why_size, "map %s has no definition", name);
            return 1;
        }
        module->maps[module->map_count++] =
            (struct bpf_writer_map){shape->name,     shape->type,       shape->max_entries,
                                    shape->key_size, shape->value_size, shape->flags};
    } else if (strcmp(section, ".bss") == 0 && initializer && LLVMIsNull(initializer)) {
        LLVMTypeRef type = LLVMGlobalGetValueType(global);
        module->globals[module->global_count++] =
            (struct bpf_writer_global){name, (unsigned)LLVMABISizeOfType(module->layout, type)};
    } else if (strcmp(section, "license") == 0 && initializer &&
               LLVMIsConstantString(initializer)) {
        module->license = LLVMGetAsString(initializer, &length);
    } else {
        snprintf(module->why, module->why_size, "global %s in section \"%s\"", name, section);
        return 1;
    }
    return 0;
}

static unsigned count_globals(LLVMModuleRef module)
{
    unsigned count = 0;
    for (LLVMValueRef g = LLVMGetFirstGlobal(module); g; g = LLVMGetNextGlobal(g))
        count++;
    return count;
}

static unsigned count_functions(LLVMModuleRef module)
{
    unsigned count = 0;
    for (LLVMValueRef f = LLVMGetFirstFunction(module); f; f = LLVMGetNextFunction(f))
        count++;
    return count;
}

static int translate_module(struct direct_module *module)
{
    LLVMModuleRef llvm_module = module->cg->module;
    for (LLVMValueRef g = LLVMGetFirstGlobal(llvm_module); g; g = LLVMGetNextGlobal(g))
        if (add_global(module, g))
            return 1;
    /* Callbacks (for over a map, bpf_loop) are BPF subprograms, passed to
     * helpers by address: not translated. Said before any program trips
     * over the address. */
    for (LLVMValueRef f = LLVMGetFirstFunction(llvm_module); f; f = LLVMGetNextFunction(f)) {
        size_t length;
        if (!LLVMIsDeclaration(f) && LLVMGetLinkage(f) == LLVMInternalLinkage) {
            snprintf(module->why, module->why_size, "BPF subprograms (%s)",
                     LLVMGetValueName2(f, &length));
            return 1;
        }
    }
    for (LLVMValueRef f = LLVMGetFirstFunction(llvm_module); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f)) {
            if (!LLVMGetIntrinsicID(f)) {
                size_t length;
                snprintf(module->why, module->why_size, "a call of %s (a kfunc)",
                         LLVMGetValueName2(f, &length));
                return 1;
            }
            continue;
        }
        if (translate_function(module, f))
            return 1;
    }
    return 0;
}

static int write_object(struct direct_module *module)
{
    struct bpf_writer_object object = {.programs = module->programs,
                                       .program_count = module->program_count,
                                       .maps = module->maps,
                                       .map_count = module->map_count,
                                       .globals = module->globals,
                                       .global_count = module->global_count,
                                       .license = module->license ? module->license : "GPL"};
    char error[256];
    int err = bpf_writer_write(&object, &module->cg->plan->elf, &module->cg->plan->elf_size, error,
                               sizeof(error));
    if (err)
        diag_error(module->cg->diag, (struct srcloc){0}, "internal error: writing the object: %s",
                   error);
    return err;
}

int codegen_direct_emit(struct codegen *cg, char *why, size_t why_size)
{
    unsigned globals = count_globals(cg->module), functions = count_functions(cg->module);
    struct direct_module module = {
        .cg = cg,
        .layout = LLVMCreateTargetData(CODEGEN_BPF_DATA_LAYOUT),
        .why = why,
        .why_size = why_size,
        .programs = calloc(functions + 1, sizeof(struct bpf_writer_program)),
        .maps = calloc(globals + 1, sizeof(struct bpf_writer_map)),
        .globals = calloc(globals + 1, sizeof(struct bpf_writer_global))};
    if (!module.programs || !module.maps || !module.globals)
        abort();
    int result = translate_module(&module);
    if (result == 0)
        result = write_object(&module);
    for (unsigned i = 0; i < module.program_count; i++) {
        free((void *)module.programs[i].insns);
        free((void *)module.programs[i].relocations);
    }
    free(module.programs);
    free(module.maps);
    free(module.globals);
    LLVMDisposeTargetData(module.layout);
    return result;
}

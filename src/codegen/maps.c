/* BPF maps as libbpf 1.x wants them: globals in section ".maps" whose debug
 * info describes `struct { int (*type)[T]; int (*max_entries)[N]; K *key; V *value; }`.
 * The LLVM BPF backend turns that debug info into the BTF libbpf reads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/codegen_internal.h"

enum {
    MAP_TYPE_HASH = 1,
    MAP_TYPE_PERCPU_HASH = 5,
    MAP_TYPE_PERCPU_ARRAY = 6,
    MAP_TYPE_ARRAY = 2,
    MAP_TYPE_RINGBUF = 27,
    MAP_TYPE_LRU_HASH = 9,
    MAP_TYPE_LRU_PERCPU_HASH = 10,
};

enum { MAP_FLAG_NO_PREALLOC = 1 };

static bool is_lru(const struct sema_map *map)
{
    return map->decl && strstr(map->decl->kind, "lru") != NULL;
}

/* Aggregations are per-CPU; `let @m = lruhash(N)` asks for LRU eviction. */
static unsigned user_map_type(const struct sema_map *map)
{
    if (map->per_cpu)
        return is_lru(map) ? MAP_TYPE_LRU_PERCPU_HASH : MAP_TYPE_PERCPU_HASH;
    return is_lru(map) ? MAP_TYPE_LRU_HASH : MAP_TYPE_HASH;
}

/* A preallocated hash map costs its full size when it is created: for a
 * per-CPU map of 4096 keys the kernel spends milliseconds (more with more
 * CPUs) in its per-CPU allocator before the trace can start. Allocating
 * entries as keys appear is as cheap per event on kernels from 6.1 (the BPF
 * memory allocator), but kernels before it refuse run-time allocated hash
 * maps in perf-event programs, so scripts with such probes keep
 * preallocation. LRU maps always preallocate. */
static unsigned user_map_flags(const struct codegen *cg, const struct sema_map *map)
{
    if (!map->key || is_lru(map) || cg->has_perf_event_programs)
        return 0;
    return MAP_FLAG_NO_PREALLOC;
}

/* The shape of a map; `global` is filled in when it is declared. */
#define map_shape codegen_map_shape

/* `int (*name)[value]`: how BTF map definitions encode a number. */
static LLVMMetadataRef number_member(struct codegen *cg, const char *name, unsigned value,
                                     unsigned offset_bits)
{
    LLVMMetadataRef int_type =
        LLVMDIBuilderCreateBasicType(cg->debug, "int", 3, 32, 0x05 /* DW_ATE_signed */, 0);
    LLVMMetadataRef range = LLVMDIBuilderGetOrCreateSubrange(cg->debug, 0, value);
    LLVMMetadataRef array = LLVMDIBuilderCreateArrayType(cg->debug, (uint64_t)value * 32, 32,
                                                         int_type, &range, 1);
    LLVMMetadataRef pointer = LLVMDIBuilderCreatePointerType(cg->debug, array, 64, 64, 0, NULL, 0);
    return LLVMDIBuilderCreateMemberType(cg->debug, cg->debug_unit, name, strlen(name),
                                         cg->debug_file, 0, 64, 64, offset_bits, 0, pointer);
}

/* `unsigned char (*name)[size]`: libbpf only needs the key/value sizes. */
static LLVMMetadataRef bytes_member(struct codegen *cg, const char *name, unsigned size,
                                    unsigned offset_bits)
{
    LLVMMetadataRef byte_type = LLVMDIBuilderCreateBasicType(cg->debug, "unsigned char", 13, 8,
                                                             0x08 /* DW_ATE_unsigned_char */, 0);
    LLVMMetadataRef range = LLVMDIBuilderGetOrCreateSubrange(cg->debug, 0, size);
    LLVMMetadataRef array =
        LLVMDIBuilderCreateArrayType(cg->debug, (uint64_t)size * 8, 8, byte_type, &range, 1);
    LLVMMetadataRef pointer = LLVMDIBuilderCreatePointerType(cg->debug, array, 64, 64, 0, NULL, 0);
    return LLVMDIBuilderCreateMemberType(cg->debug, cg->debug_unit, name, strlen(name),
                                         cg->debug_file, 0, 64, 64, offset_bits, 0, pointer);
}

/* `unsigned int *key`: the kernel accepts BTF for an array map only when
 * its key is a 4-byte integer; with a byte array it refuses the map and
 * libbpf creates it again without BTF (a failed syscall per array map). */
static LLVMMetadataRef u32_member(struct codegen *cg, const char *name, unsigned offset_bits)
{
    LLVMMetadataRef u32_type = LLVMDIBuilderCreateBasicType(cg->debug, "unsigned int", 12, 32,
                                                            0x07 /* DW_ATE_unsigned */, 0);
    LLVMMetadataRef pointer =
        LLVMDIBuilderCreatePointerType(cg->debug, u32_type, 64, 64, 0, NULL, 0);
    return LLVMDIBuilderCreateMemberType(cg->debug, cg->debug_unit, name, strlen(name),
                                         cg->debug_file, 0, 64, 64, offset_bits, 0, pointer);
}

static bool is_array_map(unsigned type)
{
    return type == MAP_TYPE_ARRAY || type == MAP_TYPE_PERCPU_ARRAY;
}

static void describe_map(struct codegen *cg, LLVMValueRef global, const struct map_shape *shape);

/* Kept for the direct backend; the scratch map is described twice (its
 * size is known at the end), the second shape replaces the first. */
static void record_shape(struct codegen *cg, LLVMValueRef global, const struct map_shape *shape)
{
    for (size_t i = 0; i < cg->map_shapes.count; i++) {
        struct map_shape *known = vec_get(&cg->map_shapes, i);
        if (known->global == global) {
            *known = *shape;
            known->global = global;
            return;
        }
    }
    struct map_shape *copy = ARENA_NEW(cg->arena, struct map_shape);
    *copy = *shape;
    copy->global = global;
    vec_push(&cg->map_shapes, copy);
}

static LLVMValueRef declare_map(struct codegen *cg, const struct map_shape *shape)
{
    unsigned member_count = (shape->key_size ? 4 : 2) + (shape->flags ? 1 : 0);
    LLVMTypeRef fields[5] = {cg->ptr, cg->ptr, cg->ptr, cg->ptr, cg->ptr};
    LLVMTypeRef llvm_type = LLVMStructTypeInContext(cg->context, fields, member_count, false);
    LLVMValueRef global = LLVMAddGlobal(cg->module, llvm_type, shape->name);
    LLVMSetInitializer(global, LLVMConstNull(llvm_type));
    LLVMSetSection(global, ".maps");
    LLVMSetAlignment(global, 8);
    if (shape->max_entries)
        describe_map(cg, global, shape);
    record_shape(cg, global, shape);
    return global;
}

/* The debug info libbpf reads the map's definition from. */
static void describe_map(struct codegen *cg, LLVMValueRef global, const struct map_shape *shape)
{
    LLVMMetadataRef members[5];
    unsigned member_count = 0;
    members[member_count++] = number_member(cg, "type", shape->type, 0);
    members[member_count++] = number_member(cg, "max_entries", shape->max_entries, 64);
    if (shape->key_size) {
        members[member_count++] = is_array_map(shape->type) && shape->key_size == 4
                                      ? u32_member(cg, "key", 128)
                                      : bytes_member(cg, "key", shape->key_size, 128);
        members[member_count++] = bytes_member(cg, "value", shape->value_size, 192);
    }
    if (shape->flags) {
        members[member_count] = number_member(cg, "map_flags", shape->flags, member_count * 64);
        member_count++;
    }
    LLVMMetadataRef struct_type = LLVMDIBuilderCreateStructType(
        cg->debug, cg->debug_unit, "", 0, cg->debug_file, 0, member_count * 64, 64, 0, NULL,
        members, member_count, 0, NULL, "", 0);
    LLVMMetadataRef expression = LLVMDIBuilderCreateExpression(cg->debug, NULL, 0);
    LLVMMetadataRef variable = LLVMDIBuilderCreateGlobalVariableExpression(
        cg->debug, cg->debug_unit, shape->name, strlen(shape->name), "", 0, cg->debug_file, 0,
        struct_type, false, expression, NULL, 64);
    LLVMGlobalSetMetadata(global, LLVMGetMDKindIDInContext(cg->context, "dbg", 3), variable);
}

/* Map names: '@' is not allowed and the kernel keeps 15 characters, so user
 * maps become AT_<name>, shortened with their index when needed. */
static const char *bpf_map_name(struct codegen *cg, const struct sema_map *map)
{
    const char *user_name = map->name + 1;
    const char *name = arena_printf(cg->arena, "AT_%s", user_name);
    if (strlen(name) > 15)
        name = arena_printf(cg->arena, "AT%d_%.10s", map->index, user_name);
    return name;
}

static void declare_user_map(struct codegen *cg, const struct sema_map *map)
{
    struct plan_map *plan_map = ARENA_NEW(cg->arena, struct plan_map);
    plan_map->name = map->name;
    plan_map->bpf_name = bpf_map_name(cg, map);
    plan_map->key = map->key;
    plan_map->value = map->value;
    plan_map->key_size = map->key ? map->key->size : 8;
    plan_map->value_size = map->value->size;
    plan_map->max_entries = map->decl   ? (unsigned)map->decl->max_entries
                            : map->key ? cg->options->max_map_keys
                                       : 1;
    plan_map->per_cpu = map->per_cpu;
    plan_map->id = (unsigned)map->index;
    plan_map->hist = map->hist;
    struct map_shape shape = {
        .name = plan_map->bpf_name,
        .type = user_map_type(map),
        .max_entries = plan_map->max_entries,
        .key_size = plan_map->key_size,
        .value_size = plan_map->value_size,
        .flags = user_map_flags(cg, map),
    };
    cg->user_maps[map->index] = declare_map(cg, &shape);
    vec_push(&cg->plan->maps, plan_map);
}

LLVMValueRef codegen_declare_extra_map(struct codegen *cg, const char *name, unsigned type,
                                       unsigned max_entries, unsigned key_size,
                                       unsigned value_size)
{
    LLVMValueRef existing = LLVMGetNamedGlobal(cg->module, name);
    if (existing)
        return existing;
    struct map_shape shape = {NULL, name, type, max_entries, key_size, value_size};
    return declare_map(cg, &shape);
}

static int compare_map_names(const void *a, const void *b)
{
    const struct plan_map *left = *(const struct plan_map *const *)a;
    const struct plan_map *right = *(const struct plan_map *const *)b;
    return strcmp(left->name, right->name);
}

/* The flag the runtime sets when tracing stops (see codegen_enter_unless_stopping):
 * a global variable, not a map, so that testing it is a load from an address
 * the loader patches in, without a helper call. libbpf turns section ".bss"
 * into an array map of one value; the debug info gives it the BTF (a VAR in
 * a DATASEC) that lets the kernel check the programs' direct accesses. It
 * must not be internal, or LLVM would fold the never-written zero away. */
static void declare_stop_flag(struct codegen *cg)
{
    LLVMValueRef global = LLVMAddGlobal(cg->module, cg->i64, CODEGEN_STOP_FLAG);
    LLVMSetInitializer(global, codegen_const(cg, 0));
    LLVMSetSection(global, ".bss");
    LLVMSetAlignment(global, 8);
    LLVMMetadataRef u64_type = LLVMDIBuilderCreateBasicType(cg->debug, "unsigned long", 13, 64,
                                                            0x07 /* DW_ATE_unsigned */, 0);
    LLVMMetadataRef expression = LLVMDIBuilderCreateExpression(cg->debug, NULL, 0);
    LLVMMetadataRef variable = LLVMDIBuilderCreateGlobalVariableExpression(
        cg->debug, cg->debug_unit, CODEGEN_STOP_FLAG, strlen(CODEGEN_STOP_FLAG), "", 0,
        cg->debug_file, 0, u64_type, false, expression, NULL, 64);
    LLVMGlobalSetMetadata(global, LLVMGetMDKindIDInContext(cg->context, "dbg", 3), variable);
    cg->plan->stop_flag = CODEGEN_STOP_FLAG;
}

int codegen_declare_maps(struct codegen *cg)
{
    declare_stop_flag(cg);
    size_t count = cg->sema->maps.count;
    cg->user_maps = arena_alloc(cg->arena, sizeof(*cg->user_maps) * (count + 1));
    for (size_t i = 0; i < count; i++)
        declare_user_map(cg, vec_get(&cg->sema->maps, i));
    /* bpftrace prints maps at exit in the order of their names. */
    if (cg->plan->maps.count > 1) /* qsort's base may not be NULL, even for none */
        qsort(cg->plan->maps.items, cg->plan->maps.count, sizeof(void *), compare_map_names);

    struct map_shape events = {NULL, "sonde_events", MAP_TYPE_RINGBUF,
                               cg->options->ring_buffer_bytes};
    cg->events_map = declare_map(cg, &events);
    cg->plan->events_map = events.name;

    struct map_shape lost = {NULL, "sonde_lost", MAP_TYPE_PERCPU_ARRAY, 1, 4, 8};
    cg->lost_map = declare_map(cg, &lost);
    cg->plan->lost_map = lost.name;

    /* Key 0 holds the monotonic time sonde started at, for `elapsed`. */
    struct map_shape start = {NULL, "sonde_start", MAP_TYPE_ARRAY, 1, 4, 8};
    cg->start_map = declare_map(cg, &start);
    cg->plan->start_map = start.name;

    /* Sized once every program is built: see codegen_declare_scratch_map. */
    struct map_shape scratch = {NULL, "sonde_scratch", MAP_TYPE_PERCPU_ARRAY, 0, 4, 8};
    cg->scratch_map = declare_map(cg, &scratch);
    return 0;
}

/* The kernel allocates per-CPU values in units of at most 32 KiB. */
enum { SCRATCH_LIMIT = 32 * 1024 };

int codegen_declare_scratch_map(struct codegen *cg)
{
    if (cg->scratch_value_size > SCRATCH_LIMIT) {
        struct diag_entry *entry =
            diag_error(cg->diag, cg->scratch_largest,
                       "this probe needs %u bytes of working memory; the kernel allows %u",
                       cg->scratch_value_size, SCRATCH_LIMIT);
        diag_hint(entry, "lower max_strlen (BPFTRACE_MAX_STRLEN) or split this probe");
        return -E2BIG;
    }
    unsigned programs = (unsigned)cg->plan->programs.count;
    struct map_shape scratch = {NULL, "sonde_scratch", MAP_TYPE_PERCPU_ARRAY,
                                programs ? programs : 1, 4,
                                cg->scratch_value_size ? cg->scratch_value_size : 8};
    describe_map(cg, cg->scratch_map, &scratch);
    record_shape(cg, cg->scratch_map, &scratch);
    return 0;
}

/* Map values are 8-byte aligned; saying so lets LLVM copy and store keys,
 * strings and records in words instead of single bytes. */
LLVMValueRef codegen_map_lookup(struct codegen *cg, LLVMValueRef map, LLVMValueRef key)
{
    LLVMTypeRef parameter_types[] = {cg->ptr, cg->ptr};
    LLVMTypeRef function_type = LLVMFunctionType(cg->ptr, parameter_types, 2, false);
    LLVMValueRef callee =
        LLVMConstIntToPtr(LLVMConstInt(cg->i64, HELPER_MAP_LOOKUP_ELEM, false), cg->ptr);
    LLVMValueRef args[] = {map, key};
    LLVMValueRef value = LLVMBuildCall2(cg->builder, function_type, callee, args, 2, "value");
    unsigned align = LLVMGetEnumAttributeKindForName("align", 5);
    LLVMAddCallSiteAttribute(value, LLVMAttributeReturnIndex,
                             LLVMCreateEnumAttribute(cg->context, align, 8));
    return value;
}

LLVMValueRef codegen_map_update(struct codegen *cg, LLVMValueRef map, LLVMValueRef key,
                                LLVMValueRef value)
{
    LLVMValueRef args[] = {map, key, value, codegen_const(cg, 0 /* BPF_ANY */)};
    return codegen_call_helper(cg, HELPER_MAP_UPDATE_ELEM, args, 4);
}

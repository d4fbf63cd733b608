/* Functions and map operations: printf/exit events through the ring buffer,
 * str(), and reading and writing maps. */
#include "codegen/aggregations.h"
#include "codegen/codegen_internal.h"

enum { RINGBUF_NO_WAKEUP = 1, RINGBUF_FORCE_WAKEUP = 2, RINGBUF_AVAIL_DATA = 0 };
enum { RINGBUF_HEADER_BYTES = 8 }; /* BPF_RINGBUF_HDR_SZ: length and page offset */

static void count_lost_event(struct codegen *cg)
{
    LLVMValueRef key = codegen_alloca_zeroed(cg, 4, "lost_key");
    LLVMValueRef counter = codegen_map_lookup(cg, cg->lost_map, key);
    LLVMBasicBlockRef increment = codegen_block(cg, "lost.count");
    LLVMBasicBlockRef done = codegen_block(cg, "lost.done");
    LLVMBuildCondBr(cg->builder, LLVMBuildIsNull(cg->builder, counter, ""), done, increment);
    LLVMPositionBuilderAtEnd(cg->builder, increment);
    LLVMValueRef old = LLVMBuildLoad2(cg->builder, cg->i64, counter, "");
    LLVMBuildStore(cg->builder, LLVMBuildAdd(cg->builder, old, codegen_const(cg, 1), ""), counter);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
}

/* User space drains the ring on a short timer, so most events skip the
 * wake-up (a wake-up per event costs microseconds). An event that takes the
 * data waiting past a multiple of an eighth of the ring wakes the reader:
 * at most eight wake-ups per ring's worth of records, and a crossing that
 * two CPUs race past unseen is caught at the next eighth. The reader then
 * drains everything, and a ring that still overflows is counted, never
 * silent. The ring's size is a power of two, so is an eighth of it, and two
 * amounts lie in different eighths exactly when their XOR reaches one. The
 * record's whole footprint counts (8-byte header, length rounded up to 8):
 * the amounts waiting are multiples of 8, so with the bare payload size an
 * event would never reach a boundary, only start exactly on one. */
void codegen_emit_event(struct codegen *cg, LLVMValueRef record, unsigned size, bool wake_up)
{
    LLVMValueRef flags;
    if (wake_up) {
        flags = codegen_const(cg, RINGBUF_FORCE_WAKEUP);
    } else {
        LLVMValueRef query_args[] = {cg->events_map, codegen_const(cg, RINGBUF_AVAIL_DATA)};
        LLVMValueRef waiting = codegen_call_helper(cg, HELPER_RINGBUF_QUERY, query_args, 2);
        LLVMValueRef eighth = codegen_const(cg, cg->options->ring_buffer_bytes / 8);
        unsigned footprint = RINGBUF_HEADER_BYTES + (size + 7) / 8 * 8;
        LLVMValueRef after = LLVMBuildAdd(cg->builder, waiting, codegen_const(cg, footprint), "");
        LLVMValueRef crosses = LLVMBuildICmp(
            cg->builder, LLVMIntUGE, LLVMBuildXor(cg->builder, waiting, after, ""), eighth, "");
        flags = LLVMBuildSelect(cg->builder, crosses, codegen_const(cg, RINGBUF_FORCE_WAKEUP),
                                codegen_const(cg, RINGBUF_NO_WAKEUP), "");
    }
    LLVMValueRef args[] = {cg->events_map, record, codegen_const(cg, size), flags};
    LLVMValueRef result = codegen_call_helper(cg, HELPER_RINGBUF_OUTPUT, args, 4);
    LLVMBasicBlockRef failed = codegen_block(cg, "event.lost");
    LLVMBasicBlockRef done = codegen_block(cg, "event.done");
    LLVMBuildCondBr(cg->builder, LLVMBuildICmp(cg->builder, LLVMIntNE, result, codegen_const(cg, 0), ""),
                    failed, done);
    LLVMPositionBuilderAtEnd(cg->builder, failed);
    count_lost_event(cg);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
}

static void store_header(struct codegen *cg, LLVMValueRef record, uint32_t kind, uint32_t id)
{
    LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, kind, false), record);
    LLVMBuildStore(cg->builder, LLVMConstInt(cg->i32, id, false), codegen_offset(cg, record, 4));
}

static unsigned align_up(unsigned value, unsigned align)
{
    return (value + align - 1) / align * align;
}

/* The record is laid out once, at compile time, and the plan tells user
 * space where each argument sits. */
static struct plan_printf *plan_printf_for(struct codegen *cg, const struct sema_printf *site)
{
    struct plan_printf *plan = ARENA_NEW(cg->arena, struct plan_printf);
    plan->format = site->format;
    plan->arg_count = site->arg_count;
    plan->arg_types = site->arg_types;
    plan->loc = site->loc;
    plan->arg_offsets = arena_alloc(cg->arena, sizeof(unsigned) * (site->arg_count + 1));
    unsigned offset = 0;
    for (unsigned i = 0; i < site->arg_count; i++) {
        offset = align_up(offset, site->arg_types[i]->align);
        plan->arg_offsets[i] = offset;
        offset += site->arg_types[i]->size;
    }
    plan->record_size = align_up(offset, 8);
    return plan;
}

void codegen_plan_printfs(struct codegen *cg)
{
    for (size_t i = 0; i < cg->sema->printfs.count; i++)
        vec_push(&cg->plan->printfs, plan_printf_for(cg, vec_get(&cg->sema->printfs, i)));
}

static void printf_call(struct codegen *cg, struct ast_expr *call)
{
    codegen_format_event(cg, call, EVENT_PRINTF);
}

/* printf, system() and cat() send the same record; only the kind differs. */
void codegen_format_event(struct codegen *cg, struct ast_expr *call, uint32_t kind)
{
    const struct sema_printf *site = vec_get(&cg->sema->printfs, (size_t)call->call.site);
    struct plan_printf *plan = vec_get(&cg->plan->printfs, (size_t)call->call.site);
    unsigned header = sizeof(struct plan_event_header);
    LLVMValueRef record = codegen_alloca(cg, header + plan->record_size, "printf");
    codegen_memset_zero(cg, record, header + plan->record_size, 8);
    store_header(cg, record, kind, (uint32_t)call->call.site);
    for (unsigned i = 0; i < site->arg_count; i++) {
        struct ast_expr *argument = vec_get(&call->call.args, i + 1);
        LLVMValueRef value = codegen_expr(cg, argument);
        codegen_store(cg, site->arg_types[i], argument->type, value,
                      codegen_offset(cg, record, header + plan->arg_offsets[i]));
    }
    codegen_emit_event(cg, record, header + plan->record_size, false);
}

static void exit_call(struct codegen *cg, struct ast_expr *call)
{
    LLVMValueRef code = call->call.args.count ? codegen_expr(cg, vec_get(&call->call.args, 0))
                                              : codegen_const(cg, 0);
    LLVMValueRef record = codegen_alloca_zeroed(cg, 16, "exit");
    store_header(cg, record, EVENT_EXIT, 0);
    LLVMBuildStore(cg->builder, code, codegen_offset(cg, record, 8));
    codegen_emit_event(cg, record, 16, true);
    /* Like bpftrace, exit() also ends the current probe. */
    LLVMBuildBr(cg->builder, cg->return_block);
    LLVMPositionBuilderAtEnd(cg->builder, codegen_block(cg, "after_exit"));
}

static LLVMValueRef str_call(struct codegen *cg, struct ast_expr *call)
{
    struct ast_expr *source = vec_get(&call->call.args, 0);
    LLVMValueRef value = codegen_expr(cg, source);
    if (source->type->kind == TYPE_STRING)
        return value;
    unsigned capacity = call->type->size;
    LLVMValueRef slot = codegen_alloca_zeroed(cg, capacity, "str");
    LLVMValueRef size = codegen_const(cg, capacity);
    if (call->call.args.count == 2) {
        /* str(p, n) reads at most n bytes; the helper's size must stay within the slot. */
        LLVMValueRef limit = codegen_expr(cg, vec_get(&call->call.args, 1));
        LLVMValueRef smaller = LLVMBuildICmp(cg->builder, LLVMIntULT, limit, size, "");
        size = LLVMBuildSelect(cg->builder, smaller, limit, size, "");
    }
    bool user = codegen_address_reads_user(cg, source);
    LLVMValueRef address = LLVMBuildIntToPtr(cg->builder, value, cg->ptr, "");
    LLVMValueRef args[] = {slot, size, address};
    codegen_call_helper(cg, user ? HELPER_PROBE_READ_USER_STR : HELPER_PROBE_READ_KERNEL_STR, args, 3);
    return slot;
}

LLVMValueRef codegen_call(struct codegen *cg, struct ast_expr *call)
{
    switch ((enum sema_function)call->call.function) {
    case FUNCTION_PRINTF:
        printf_call(cg, call);
        return NULL;
    case FUNCTION_EXIT:
        exit_call(cg, call);
        return NULL;
    case FUNCTION_STR:
        return str_call(cg, call);
    case FUNCTION_COUNT:
        return NULL; /* only as a map value: see codegen_map_assign */
    case FUNCTION_SUM:
    case FUNCTION_AVG:
    case FUNCTION_MIN:
    case FUNCTION_MAX:
    case FUNCTION_STATS:
    case FUNCTION_HIST:
    case FUNCTION_LHIST:
    case FUNCTION_DELETE:
    case FUNCTION_CLEAR:
    case FUNCTION_ZERO:
    case FUNCTION_HAS_KEY:
    case FUNCTION_LEN:
    case FUNCTION_PRINT:
        return codegen_map_function(cg, call); /* map_calls.c */
    default:
        return codegen_function(cg, call); /* functions.c */
    }
    return NULL;
}

LLVMValueRef codegen_map_key(struct codegen *cg, struct ast_expr *expr)
{
    struct sema_map *map = expr->map.symbol;
    if (!map->key)
        return codegen_alloca_zeroed(cg, 8, "scalar_key");
    LLVMValueRef key = codegen_alloca_zeroed(cg, map->key->size, "key");
    struct vec *keys = &expr->map.keys;
    if (keys->count == 1) {
        struct ast_expr *element = vec_get(keys, 0);
        codegen_store(cg, map->key, element->type, codegen_expr(cg, element), key);
        return key;
    }
    for (size_t i = 0; i < keys->count; i++) {
        struct ast_expr *element = vec_get(keys, i);
        const struct type_field *field = &map->key->fields[i];
        codegen_store(cg, field->type, element->type, codegen_expr(cg, element),
                      codegen_offset(cg, key, field->offset));
    }
    return key;
}

/* A missing key reads as the zero value, as in bpftrace. */
LLVMValueRef codegen_map_read(struct codegen *cg, struct ast_expr *expr)
{
    struct sema_map *map = expr->map.symbol;
    if (map->per_cpu)
        return codegen_aggregation_read(cg, expr); /* aggregations.c */
    LLVMValueRef key = codegen_map_key(cg, expr);
    LLVMValueRef found = codegen_map_lookup(cg, cg->user_maps[map->index], key);
    LLVMValueRef slot = codegen_alloca_zeroed(cg, map->value->size, "map_value");
    LLVMBasicBlockRef copy = codegen_block(cg, "read.found");
    LLVMBasicBlockRef done = codegen_block(cg, "read.done");
    LLVMBuildCondBr(cg->builder, LLVMBuildIsNull(cg->builder, found, ""), done, copy);
    LLVMPositionBuilderAtEnd(cg->builder, copy);
    codegen_memcpy(cg, slot, found, map->value->size);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
    return codegen_load(cg, map->value, slot);
}

/* count() and `@m op= v`: on a hit, one lookup and an in-place update; the
 * update helper runs only for a new key. Per-CPU maps need no atomics. */
static void update_in_place(struct codegen *cg, struct sema_map *map, LLVMValueRef key,
                            enum ast_assign_op op, LLVMValueRef operand)
{
    LLVMValueRef map_ref = cg->user_maps[map->index];
    LLVMValueRef found = codegen_map_lookup(cg, map_ref, key);
    LLVMBasicBlockRef hit = codegen_block(cg, "update.hit");
    LLVMBasicBlockRef miss = codegen_block(cg, "update.miss");
    LLVMBasicBlockRef done = codegen_block(cg, "update.done");
    LLVMBuildCondBr(cg->builder, LLVMBuildIsNull(cg->builder, found, ""), miss, hit);

    LLVMPositionBuilderAtEnd(cg->builder, hit);
    LLVMValueRef old = codegen_load(cg, map->value, found);
    codegen_store(cg, map->value, map->value, codegen_compound_value(cg, op, old, operand, map->value),
                  found);
    LLVMBuildBr(cg->builder, done);

    LLVMPositionBuilderAtEnd(cg->builder, miss);
    LLVMValueRef slot = codegen_alloca_zeroed(cg, map->value->size, "new_value");
    codegen_store(cg, map->value, map->value,
                  codegen_compound_value(cg, op, codegen_const(cg, 0), operand, map->value), slot);
    codegen_map_update(cg, map_ref, key, slot);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
}

void codegen_map_assign(struct codegen *cg, struct ast_stmt *stmt)
{
    struct ast_expr *target = stmt->assign.target;
    struct ast_expr *value = stmt->assign.value;
    struct sema_map *map = target->map.symbol;
    if (map->per_cpu && value->kind == EXPR_CALL) {
        codegen_aggregate(cg, stmt); /* aggregations.c */
        return;
    }
    LLVMValueRef result = codegen_expr(cg, value);
    LLVMValueRef key = codegen_map_key(cg, target);
    if (stmt->assign.op != ASSIGN_PLAIN) {
        update_in_place(cg, map, key, stmt->assign.op, result);
        return;
    }
    LLVMValueRef slot = codegen_alloca_zeroed(cg, map->value->size, "value");
    codegen_store(cg, map->value, value->type, result, slot);
    codegen_map_update(cg, cg->user_maps[map->index], key, slot);
}

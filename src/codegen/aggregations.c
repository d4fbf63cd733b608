/* Aggregations in BPF: count, sum, avg, min, max, stats, hist, lhist.
 *
 * Their maps are per-CPU hashes, so an update needs no atomics: look the key
 * up and change this CPU's value in place. That is one helper call per event
 * once the key exists. A new key is inserted with a zero value first (taken
 * from a one-entry array that stays zero, as large as the largest
 * aggregation, so a histogram needs no zeroing in scratch memory) and looked
 * up again. The value layouts are those of src/output/value.c; the bucket
 * arithmetic is src/output/hist.c's, which the unit tests pin. */
#include <bpf/libbpf.h>

#include "codegen/aggregations.h"

enum { MAP_TYPE_ARRAY = 2 };

static LLVMValueRef word_at(struct codegen *cg, LLVMValueRef base, LLVMValueRef index)
{
    return LLVMBuildGEP2(cg->builder, cg->i64, base, &index, 1, "");
}

static LLVMValueRef load_word(struct codegen *cg, LLVMValueRef base, unsigned index)
{
    return LLVMBuildLoad2(cg->builder, cg->i64, word_at(cg, base, codegen_const(cg, index)), "");
}

static void store_word(struct codegen *cg, LLVMValueRef base, unsigned index, LLVMValueRef value)
{
    LLVMBuildStore(cg->builder, value, word_at(cg, base, codegen_const(cg, index)));
}

static void add_to_word(struct codegen *cg, LLVMValueRef base, unsigned index, LLVMValueRef value)
{
    store_word(cg, base, index, LLVMBuildAdd(cg->builder, load_word(cg, base, index), value, ""));
}

static LLVMValueRef is_null(struct codegen *cg, LLVMValueRef pointer)
{
    return LLVMBuildIsNull(cg->builder, pointer, "");
}

/* The array that stays zero, sized for the largest aggregation of the script. */
static LLVMValueRef zero_map(struct codegen *cg)
{
    unsigned largest = 8;
    for (size_t i = 0; i < cg->sema->maps.count; i++) {
        const struct sema_map *map = vec_get(&cg->sema->maps, i);
        if (map->per_cpu && map->value && map->value->size > largest)
            largest = map->value->size;
    }
    return codegen_declare_extra_map(cg, "sonde_zero", MAP_TYPE_ARRAY, 1, 4, largest);
}

/* Where this CPU's value of map[key] lives. The code after this runs only
 * when there is one (a full map has no room for a new key); the caller
 * branches to `*done` when it has updated the value. */
static LLVMValueRef value_slot(struct codegen *cg, const struct sema_map *map, LLVMValueRef key,
                               LLVMBasicBlockRef *done)
{
    LLVMValueRef map_ref = cg->user_maps[map->index];
    LLVMBasicBlockRef create = codegen_block(cg, "aggregate.new");
    LLVMBasicBlockRef insert = codegen_block(cg, "aggregate.insert");
    LLVMBasicBlockRef update = codegen_block(cg, "aggregate.update");
    *done = codegen_block(cg, "aggregate.done");

    LLVMValueRef found = codegen_map_lookup(cg, map_ref, key);
    LLVMBasicBlockRef found_from = LLVMGetInsertBlock(cg->builder);
    LLVMBuildCondBr(cg->builder, is_null(cg, found), create, update);

    LLVMPositionBuilderAtEnd(cg->builder, create);
    LLVMValueRef zero_key = codegen_alloca_zeroed(cg, 4, "zero_key");
    LLVMValueRef zeros = codegen_map_lookup(cg, zero_map(cg), zero_key);
    LLVMBuildCondBr(cg->builder, is_null(cg, zeros), *done, insert);

    LLVMPositionBuilderAtEnd(cg->builder, insert);
    LLVMValueRef args[] = {map_ref, key, zeros, codegen_const(cg, BPF_NOEXIST)};
    codegen_call_helper(cg, HELPER_MAP_UPDATE_ELEM, args, 4);
    LLVMValueRef inserted = codegen_map_lookup(cg, map_ref, key);
    LLVMBasicBlockRef inserted_from = LLVMGetInsertBlock(cg->builder);
    LLVMBuildCondBr(cg->builder, is_null(cg, inserted), *done, update);

    LLVMPositionBuilderAtEnd(cg->builder, update);
    LLVMValueRef slot = LLVMBuildPhi(cg->builder, cg->ptr, "slot");
    LLVMValueRef values[] = {found, inserted};
    LLVMBasicBlockRef blocks[] = {found_from, inserted_from};
    LLVMAddIncoming(slot, values, blocks, 2);
    return slot;
}

static LLVMValueRef compare(struct codegen *cg, LLVMIntPredicate predicate, LLVMValueRef a,
                            LLVMValueRef b)
{
    return LLVMBuildICmp(cg->builder, predicate, a, b, "");
}

/* min/max: {value, set}. The first value on a CPU always wins. */
static void update_min_max(struct codegen *cg, LLVMValueRef slot, LLVMValueRef value, bool want_max,
                           bool is_signed)
{
    LLVMValueRef current = load_word(cg, slot, 0);
    LLVMIntPredicate predicate =
        want_max ? (is_signed ? LLVMIntSGT : LLVMIntUGT) : (is_signed ? LLVMIntSLT : LLVMIntULT);
    LLVMValueRef unset = compare(cg, LLVMIntEQ, load_word(cg, slot, 1), codegen_const(cg, 0));
    LLVMValueRef better = compare(cg, predicate, value, current);
    LLVMValueRef take = LLVMBuildOr(cg->builder, unset, better, "");
    store_word(cg, slot, 0, LLVMBuildSelect(cg->builder, take, value, current, ""));
    store_word(cg, slot, 1, codegen_const(cg, 1));
}

/* floor(log2(value)) for value > 0, through ctlz (the BPF backend expands it). */
static LLVMValueRef log2_floor(struct codegen *cg, LLVMValueRef value)
{
    unsigned id = LLVMLookupIntrinsicID("llvm.ctlz", 9);
    LLVMTypeRef types[] = {cg->i64};
    LLVMValueRef function = LLVMGetIntrinsicDeclaration(cg->module, id, types, 1);
    LLVMTypeRef function_type = LLVMIntrinsicGetType(cg->context, id, types, 1);
    LLVMValueRef args[] = {LLVMBuildOr(cg->builder, value, codegen_const(cg, 1), ""),
                           LLVMConstInt(cg->i1, 0, false)};
    LLVMValueRef zeros = LLVMBuildCall2(cg->builder, function_type, function, args, 2, "");
    return LLVMBuildSub(cg->builder, codegen_const(cg, 63), zeros, "");
}

/* output_hist_bucket() in IR. */
static LLVMValueRef hist_bucket(struct codegen *cg, LLVMValueRef value, unsigned bits)
{
    uint64_t per_power = 1u << bits;
    LLVMValueRef negative = compare(cg, LLVMIntSLT, value, codegen_const(cg, 0));
    LLVMValueRef small = compare(cg, LLVMIntULT, value, codegen_const(cg, per_power));
    LLVMValueRef log2 = log2_floor(cg, value);
    /* Clamped so the shift stays defined on the paths that do not use it. */
    LLVMValueRef too_low = compare(cg, LLVMIntULT, log2, codegen_const(cg, bits));
    log2 = LLVMBuildSelect(cg->builder, too_low, codegen_const(cg, bits), log2, "");
    LLVMValueRef shift = LLVMBuildSub(cg->builder, log2, codegen_const(cg, bits), "");
    LLVMValueRef within = LLVMBuildAnd(cg->builder, LLVMBuildLShr(cg->builder, value, shift, ""),
                                       codegen_const(cg, per_power - 1), "");
    LLVMValueRef power =
        LLVMBuildShl(cg->builder, LLVMBuildAdd(cg->builder, shift, codegen_const(cg, 1), ""),
                     codegen_const(cg, bits), "");
    LLVMValueRef large = LLVMBuildAdd(cg->builder, LLVMBuildAdd(cg->builder, power, within, ""),
                                      codegen_const(cg, 1), "");
    LLVMValueRef exact = LLVMBuildAdd(cg->builder, value, codegen_const(cg, 1), "");
    LLVMValueRef bucket = LLVMBuildSelect(cg->builder, small, exact, large, "");
    return LLVMBuildSelect(cg->builder, negative, codegen_const(cg, 0), bucket, "");
}

/* output_lhist_bucket() in IR. */
static LLVMValueRef lhist_bucket(struct codegen *cg, LLVMValueRef value,
                                 const struct output_hist_shape *shape)
{
    LLVMValueRef min = codegen_const(cg, (uint64_t)shape->min);
    LLVMValueRef below = compare(cg, LLVMIntSLT, value, min);
    LLVMValueRef above = compare(cg, LLVMIntSGE, value, codegen_const(cg, (uint64_t)shape->max));
    LLVMValueRef offset = LLVMBuildSub(cg->builder, value, min, "");
    LLVMValueRef step = codegen_const(cg, (uint64_t)shape->step);
    LLVMValueRef inside = LLVMBuildAdd(cg->builder, LLVMBuildUDiv(cg->builder, offset, step, ""),
                                       codegen_const(cg, 1), "");
    LLVMValueRef last =
        codegen_const(cg, output_lhist_bucket_count(shape->min, shape->max, shape->step) - 1);
    LLVMValueRef bucket = LLVMBuildSelect(cg->builder, above, last, inside, "");
    return LLVMBuildSelect(cg->builder, below, codegen_const(cg, 0), bucket, "");
}

/* The verifier must see the bucket checked against the value's size. LLVM
 * knows the arithmetic above stays in range and would drop a plain check,
 * so the index makes a volatile round trip through the stack first. */
static void count_in_bucket(struct codegen *cg, LLVMValueRef slot, LLVMValueRef bucket,
                            unsigned bucket_count, LLVMBasicBlockRef done)
{
    LLVMValueRef spill = codegen_stack_variable(cg);
    LLVMSetVolatile(LLVMBuildStore(cg->builder, bucket, spill), true);
    LLVMValueRef index = LLVMBuildLoad2(cg->builder, cg->i64, spill, "bucket");
    LLVMSetVolatile(index, true);
    LLVMBasicBlockRef inside = codegen_block(cg, "bucket.inside");
    LLVMBuildCondBr(cg->builder, compare(cg, LLVMIntULT, index, codegen_const(cg, bucket_count)),
                    inside, done);
    LLVMPositionBuilderAtEnd(cg->builder, inside);
    LLVMValueRef counter = word_at(cg, slot, index);
    LLVMBuildStore(cg->builder,
                   LLVMBuildAdd(cg->builder, LLVMBuildLoad2(cg->builder, cg->i64, counter, ""),
                                codegen_const(cg, 1), ""),
                   counter);
}

static void update_value(struct codegen *cg, const struct sema_map *map, enum sema_function kind,
                         LLVMValueRef slot, LLVMValueRef value, LLVMBasicBlockRef done)
{
    bool is_signed = map->value->is_signed;
    switch (kind) {
    case FUNCTION_COUNT:
        add_to_word(cg, slot, 0, codegen_const(cg, 1));
        break;
    case FUNCTION_SUM:
        add_to_word(cg, slot, 0, value);
        break;
    case FUNCTION_AVG:
    case FUNCTION_STATS:
        add_to_word(cg, slot, 0, codegen_const(cg, 1));
        add_to_word(cg, slot, 1, value);
        break;
    case FUNCTION_MIN:
    case FUNCTION_MAX:
        update_min_max(cg, slot, value, kind == FUNCTION_MAX, is_signed);
        break;
    case FUNCTION_HIST:
        count_in_bucket(cg, slot, hist_bucket(cg, value, map->hist.bits), map->hist.bucket_count,
                        done);
        break;
    case FUNCTION_LHIST:
        count_in_bucket(cg, slot, lhist_bucket(cg, value, &map->hist), map->hist.bucket_count,
                        done);
        break;
    default:
        break;
    }
}

void codegen_aggregate(struct codegen *cg, struct ast_stmt *stmt)
{
    struct ast_expr *target = stmt->assign.target;
    struct ast_expr *call = stmt->assign.value;
    const struct sema_map *map = target->map.symbol;
    enum sema_function kind = (enum sema_function)call->call.function;
    /* The aggregated value first, as written; count() has none. */
    LLVMValueRef value = NULL;
    if (call->call.args.count > 0) {
        struct ast_expr *argument = vec_get(&call->call.args, 0);
        value = codegen_expr(cg, argument);
    }
    LLVMValueRef key = codegen_map_key(cg, target);
    LLVMBasicBlockRef done;
    LLVMValueRef slot = value_slot(cg, map, key, &done);
    update_value(cg, map, kind, slot, value, done);
    LLVMBuildBr(cg->builder, done);
    LLVMPositionBuilderAtEnd(cg->builder, done);
}

/* ---- reading an aggregation inside a probe ---- */

struct reduction {
    LLVMValueRef first;  /* stack slots: count/sum/value */
    LLVMValueRef second; /* total (avg) or "any CPU had one" (min/max) */
};

static void reduce_cpu(struct codegen *cg, const struct sema_map *map, struct reduction *reduction,
                       LLVMValueRef slot)
{
    LLVMValueRef first = LLVMBuildLoad2(cg->builder, cg->i64, reduction->first, "");
    switch (map->value->kind) {
    case TYPE_AVG:
        LLVMBuildStore(cg->builder, LLVMBuildAdd(cg->builder, first, load_word(cg, slot, 0), ""),
                       reduction->first);
        LLVMBuildStore(cg->builder,
                       LLVMBuildAdd(cg->builder,
                                    LLVMBuildLoad2(cg->builder, cg->i64, reduction->second, ""),
                                    load_word(cg, slot, 1), ""),
                       reduction->second);
        break;
    case TYPE_MIN:
    case TYPE_MAX: {
        /* Like update_min_max, over the CPUs whose value is set. */
        bool is_signed = map->value->is_signed, want_max = map->value->kind == TYPE_MAX;
        LLVMValueRef value = load_word(cg, slot, 0);
        LLVMValueRef set = compare(cg, LLVMIntNE, load_word(cg, slot, 1), codegen_const(cg, 0));
        LLVMValueRef none_yet =
            compare(cg, LLVMIntEQ, LLVMBuildLoad2(cg->builder, cg->i64, reduction->second, ""),
                    codegen_const(cg, 0));
        LLVMIntPredicate predicate = want_max ? (is_signed ? LLVMIntSGT : LLVMIntUGT)
                                              : (is_signed ? LLVMIntSLT : LLVMIntULT);
        LLVMValueRef better =
            LLVMBuildOr(cg->builder, none_yet, compare(cg, predicate, value, first), "");
        LLVMValueRef take = LLVMBuildAnd(cg->builder, set, better, "");
        LLVMBuildStore(cg->builder, LLVMBuildSelect(cg->builder, take, value, first, ""),
                       reduction->first);
        LLVMValueRef any =
            LLVMBuildOr(cg->builder, LLVMBuildLoad2(cg->builder, cg->i64, reduction->second, ""),
                        LLVMBuildZExt(cg->builder, set, cg->i64, ""), "");
        LLVMBuildStore(cg->builder, any, reduction->second);
        break;
    }
    default:
        LLVMBuildStore(cg->builder, LLVMBuildAdd(cg->builder, first, load_word(cg, slot, 0), ""),
                       reduction->first);
        break;
    }
}

/* One bpf_map_lookup_percpu_elem (kernel 6.0+) per possible CPU, in a loop
 * bounded by the CPU count of this machine. A CPU that is not online has no
 * value and is skipped. */
LLVMValueRef codegen_aggregation_read(struct codegen *cg, struct ast_expr *expr)
{
    return codegen_aggregation_read_key(cg, expr->map.symbol, codegen_map_key(cg, expr));
}

LLVMValueRef codegen_aggregation_read_key(struct codegen *cg, const struct sema_map *map,
                                          LLVMValueRef key)
{
    int possible = libbpf_num_possible_cpus();
    uint64_t cpus = possible > 0 ? (uint64_t)possible : 1;
    struct reduction reduction = {codegen_stack_variable(cg), codegen_stack_variable(cg)};
    LLVMValueRef counter = codegen_stack_variable(cg);
    LLVMBuildStore(cg->builder, codegen_const(cg, 0), reduction.first);
    LLVMBuildStore(cg->builder, codegen_const(cg, 0), reduction.second);
    LLVMBuildStore(cg->builder, codegen_const(cg, 0), counter);

    LLVMBasicBlockRef loop = codegen_block(cg, "percpu.loop");
    LLVMBasicBlockRef found = codegen_block(cg, "percpu.found");
    LLVMBasicBlockRef next = codegen_block(cg, "percpu.next");
    LLVMBasicBlockRef done = codegen_block(cg, "percpu.done");
    LLVMBuildBr(cg->builder, loop);

    LLVMPositionBuilderAtEnd(cg->builder, loop);
    LLVMValueRef cpu = LLVMBuildLoad2(cg->builder, cg->i64, counter, "cpu");
    LLVMValueRef args[] = {cg->user_maps[map->index], key, cpu};
    LLVMValueRef slot = LLVMBuildIntToPtr(
        cg->builder,
        codegen_call_helper(cg, (enum bpf_helper)HELPER_MAP_LOOKUP_PERCPU_ELEM, args, 3), cg->ptr,
        "");
    LLVMBuildCondBr(cg->builder, is_null(cg, slot), next, found);

    LLVMPositionBuilderAtEnd(cg->builder, found);
    reduce_cpu(cg, map, &reduction, slot);
    LLVMBuildBr(cg->builder, next);

    LLVMPositionBuilderAtEnd(cg->builder, next);
    LLVMValueRef following = LLVMBuildAdd(cg->builder, cpu, codegen_const(cg, 1), "");
    LLVMBuildStore(cg->builder, following, counter);
    LLVMBuildCondBr(cg->builder, compare(cg, LLVMIntULT, following, codegen_const(cg, cpus)), loop,
                    done);

    LLVMPositionBuilderAtEnd(cg->builder, done);
    LLVMValueRef first = LLVMBuildLoad2(cg->builder, cg->i64, reduction.first, "");
    if (map->value->kind != TYPE_AVG)
        return first;
    LLVMValueRef total = LLVMBuildLoad2(cg->builder, cg->i64, reduction.second, "");
    return codegen_divide(cg, total, first, map->value->is_signed, false);
}

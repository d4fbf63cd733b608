/* Kernel types (BTF) converted to sonde types, lazily and cached by id. */
#include "types/btf.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <string.h>

struct btf_types {
    const struct btf *btf;
    struct btf *owned; /* the kernel's BTF, loaded here */
    struct arena arena;
    const struct type **by_id; /* converted types, NULL until asked for */
    uint32_t count;
    struct enumerator *enumerators; /* every enumerator by name, built on first use */
    size_t enumerator_count;
    bool enumerators_indexed;
};

struct enumerator {
    const char *name;
    int64_t value;
    size_t order; /* where the scan of every type met it: the first of a name wins */
};

/* What a record needs to fill itself later. */
struct lazy_record {
    struct type_lazy lazy;
    struct btf_types *types;
    uint32_t id;
};

/* Fields gathered while a record is filled (anonymous members add theirs). */
struct field_list {
    struct type_field *items;
    unsigned count, capacity;
};

struct btf_types *btf_types_open(const struct btf *btf)
{
    struct btf_types *types = calloc(1, sizeof(*types));
    if (!types)
        return NULL;
    types->btf = btf;
    types->count = btf__type_cnt(btf);
    types->by_id = calloc(types->count, sizeof(*types->by_id));
    if (!types->by_id) {
        free(types);
        return NULL;
    }
    arena_init(&types->arena);
    return types;
}

void btf_types_close(struct btf_types *types)
{
    if (!types)
        return;
    arena_free(&types->arena);
    free(types->by_id);
    btf__free(types->owned);
    free(types);
}

const struct btf *btf_types_btf(const struct btf_types *types)
{
    return types->btf;
}

struct btf_types *btf_types_kernel(void)
{
    static struct btf_types *kernel;
    static bool tried;
    if (tried)
        return kernel;
    tried = true;
    struct btf *btf = btf__load_vmlinux_btf();
    if (!btf || libbpf_get_error(btf))
        return NULL;
    kernel = btf_types_open(btf);
    if (kernel)
        kernel->owned = btf;
    else
        btf__free(btf);
    return kernel;
}

/* Typedefs and qualifiers say nothing about layout: look through them. */
static uint32_t skip_modifiers(const struct btf *btf, uint32_t id)
{
    for (;;) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        if (!t)
            return id;
        switch (btf_kind(t)) {
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_CONST:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
            id = t->type;
            break;
        default:
            return id;
        }
    }
}

static const struct type *convert_int(struct btf_types *types, const struct btf_type *t)
{
    int encoding = btf_int_encoding(t);
    if (encoding & BTF_INT_BOOL)
        return &type_bool;
    if (t->size > 8) /* __int128: bytes sonde can carry but not compute with */
        return type_array(&types->arena, type_int(8, false), t->size / 8);
    return type_int(t->size, (encoding & BTF_INT_SIGNED) != 0);
}

/* Arrays of `char` are strings, as in bpftrace; arrays of u8 stay bytes. */
static bool is_char(const struct btf *btf, uint32_t id)
{
    const struct btf_type *t = btf__type_by_id(btf, skip_modifiers(btf, id));
    return t && btf_is_int(t) && t->size == 1 &&
           strcmp(btf__name_by_offset(btf, t->name_off), "char") == 0;
}

static const struct type *convert_array(struct btf_types *types, const struct btf_type *t)
{
    const struct btf_array *array = btf_array(t);
    if (is_char(types->btf, array->type) && array->nelems > 0)
        return type_string(&types->arena, array->nelems);
    const struct type *element = btf_types_convert(types, array->type);
    if (!element)
        return NULL;
    return type_array(&types->arena, element, array->nelems);
}

static void complete_record(struct type_lazy *lazy, struct type *record);

static const struct type *new_record(struct btf_types *types, uint32_t id, const struct btf_type *t)
{
    struct type *record = ARENA_NEW(&types->arena, struct type);
    record->kind = TYPE_RECORD;
    record->size = btf_is_fwd(t) ? 0 : t->size;
    /* Known now, not when the fields are: a tuple or script struct laid out
     * around a record not yet filled must already place it right. */
    int align = btf_is_fwd(t) ? 1 : btf__align_of(types->btf, id);
    /* At most 8: __int128 members become u64 arrays here (convert_int). */
    record->align = align <= 0 ? 1 : align > 8 ? 8 : (unsigned)align;
    const char *name = btf__name_by_offset(types->btf, t->name_off);
    record->name = name && *name ? arena_strdup(&types->arena, name) : NULL;
    if (!btf_is_fwd(t)) {
        struct lazy_record *lazy = ARENA_NEW(&types->arena, struct lazy_record);
        lazy->lazy.complete = complete_record;
        lazy->types = types;
        lazy->id = id;
        record->lazy = &lazy->lazy;
    }
    return record;
}

static const struct type *convert_kind(struct btf_types *types, uint32_t id,
                                       const struct btf_type *t)
{
    switch (btf_kind(t)) {
    case BTF_KIND_INT:
        return convert_int(types, t);
    case BTF_KIND_PTR: {
        const struct type *element = btf_types_convert(types, t->type);
        return type_pointer(&types->arena, element ? element : &type_void, SPACE_KERNEL);
    }
    case BTF_KIND_ARRAY:
        return convert_array(types, t);
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
    case BTF_KIND_FWD:
        return new_record(types, id, t);
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
        return type_int(t->size, btf_kflag(t));
    case BTF_KIND_FLOAT:
        return type_int(t->size, false);
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
        return btf_types_convert(types, t->type);
    default:
        return NULL; /* functions, variables, sections */
    }
}

const struct type *btf_types_convert(struct btf_types *types, uint32_t id)
{
    if (id == 0)
        return &type_void;
    if (id >= types->count)
        return NULL;
    if (types->by_id[id])
        return types->by_id[id];
    const struct btf_type *t = btf__type_by_id(types->btf, id);
    if (!t)
        return NULL;
    const struct type *type = convert_kind(types, id, t);
    types->by_id[id] = type;
    return type;
}

static void push_field(struct field_list *list, struct type_field field)
{
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 16;
        list->items = realloc(list->items, sizeof(*list->items) * list->capacity);
        if (!list->items)
            abort(); /* like the arena: nothing sensible continues without memory */
    }
    list->items[list->count++] = field;
}

/* Members of struct/union `id`, at `base_bits` from the outer record. An
 * anonymous struct or union member contributes its own members, as C lets
 * `task->pid` reach through unnamed unions. */
static void gather_fields(struct btf_types *types, uint32_t id, unsigned base_bits,
                          struct field_list *out)
{
    const struct btf_type *t = btf__type_by_id(types->btf, id);
    const struct btf_member *members = btf_members(t);
    for (unsigned i = 0; i < btf_vlen(t); i++) {
        const char *name = btf__name_by_offset(types->btf, members[i].name_off);
        unsigned bits = base_bits + btf_member_bit_offset(t, i);
        unsigned bit_size = btf_member_bitfield_size(t, i);
        if (!name || !*name) {
            uint32_t inner = skip_modifiers(types->btf, members[i].type);
            const struct btf_type *inner_type = btf__type_by_id(types->btf, inner);
            if (inner_type && btf_is_composite(inner_type))
                gather_fields(types, inner, bits, out);
            continue;
        }
        const struct type *type = btf_types_convert(types, members[i].type);
        if (!type)
            continue;
        struct type_field field = {.name = arena_strdup(&types->arena, name), .type = type};
        if (bit_size) {
            field.offset = bits / 8;
            field.bit_offset = (unsigned short)(bits % 8);
            field.bit_size = (unsigned short)bit_size;
        } else {
            field.offset = bits / 8;
        }
        push_field(out, field);
    }
}

static void complete_record(struct type_lazy *lazy, struct type *record)
{
    struct lazy_record *source = (struct lazy_record *)lazy;
    struct btf_types *types = source->types;
    struct field_list list = {0};
    gather_fields(types, source->id, 0, &list);
    struct type_field *fields = arena_alloc(&types->arena, sizeof(*fields) * (list.count + 1));
    if (list.count)
        memcpy(fields, list.items, sizeof(*fields) * list.count);
    free(list.items);
    record->fields = fields;
    record->field_count = list.count;
}

static const struct type *find_kind(struct btf_types *types, const char *name, int kind)
{
    int id = btf__find_by_name_kind(types->btf, name, kind);
    return id > 0 ? btf_types_convert(types, (uint32_t)id) : NULL;
}

const struct type *btf_types_find(struct btf_types *types, const char *name)
{
    static const struct {
        const char *prefix;
        int kinds[2];
    } tagged[] = {
        {"struct ", {BTF_KIND_STRUCT, BTF_KIND_FWD}},
        {"union ", {BTF_KIND_UNION, BTF_KIND_FWD}},
        {"enum ", {BTF_KIND_ENUM, BTF_KIND_ENUM64}},
    };
    for (size_t i = 0; i < sizeof(tagged) / sizeof(tagged[0]); i++) {
        size_t length = strlen(tagged[i].prefix);
        if (strncmp(name, tagged[i].prefix, length) != 0)
            continue;
        const struct type *type = find_kind(types, name + length, tagged[i].kinds[0]);
        return type ? type : find_kind(types, name + length, tagged[i].kinds[1]);
    }
    const struct type *type = find_kind(types, name, BTF_KIND_TYPEDEF);
    return type ? type : find_kind(types, name, BTF_KIND_INT);
}

/* Calls `add` for each enumerator of every enum, in type-id order. */
static void each_enumerator(struct btf_types *types,
                            void (*add)(struct btf_types *, const char *, int64_t))
{
    for (uint32_t id = 1; id < types->count; id++) {
        const struct btf_type *t = btf__type_by_id(types->btf, id);
        if (!t || !btf_is_any_enum(t))
            continue;
        for (unsigned i = 0; i < btf_vlen(t); i++) {
            if (btf_is_enum(t)) {
                const struct btf_enum *e = &btf_enum(t)[i];
                add(types, btf__name_by_offset(types->btf, e->name_off),
                    btf_kflag(t) ? (int64_t)e->val : (int64_t)(uint32_t)e->val);
            } else {
                const struct btf_enum64 *e = &btf_enum64(t)[i];
                add(types, btf__name_by_offset(types->btf, e->name_off),
                    (int64_t)btf_enum64_value(e));
            }
        }
    }
}

static void count_enumerator(struct btf_types *types, const char *name, int64_t value)
{
    types->enumerator_count++;
}

static void store_enumerator(struct btf_types *types, const char *name, int64_t value)
{
    size_t order = types->enumerator_count++;
    types->enumerators[order] = (struct enumerator){name ? name : "", value, order};
}

static int compare_enumerators(const void *a, const void *b)
{
    const struct enumerator *x = a, *y = b;
    int names = strcmp(x->name, y->name);
    return names ? names : (x->order > y->order) - (x->order < y->order);
}

/* The kernel has tens of thousands of enumerators: a scan of every type per
 * name made each unknown identifier cost a millisecond, and a script with
 * thousands of them seconds. Sorted once, a name is a binary search. */
static void index_enumerators(struct btf_types *types)
{
    types->enumerators_indexed = true;
    each_enumerator(types, count_enumerator);
    size_t count = types->enumerator_count;
    types->enumerator_count = 0;
    if (count == 0)
        return;
    types->enumerators = arena_alloc(&types->arena, count * sizeof(*types->enumerators));
    each_enumerator(types, store_enumerator);
    qsort(types->enumerators, count, sizeof(*types->enumerators), compare_enumerators);
}

bool btf_types_enum_value(struct btf_types *types, const char *name, int64_t *value)
{
    if (!types->enumerators_indexed)
        index_enumerators(types);
    size_t low = 0, high = types->enumerator_count;
    while (low < high) { /* the first entry not before `name` */
        size_t middle = low + (high - low) / 2;
        if (strcmp(types->enumerators[middle].name, name) < 0)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == types->enumerator_count || strcmp(types->enumerators[low].name, name) != 0)
        return false;
    *value = types->enumerators[low].value;
    return true;
}

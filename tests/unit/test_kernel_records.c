/* Kernel structs as values: a record reached by value inside another (a
 * field, an array element, a tuple element) has its fields and alignment as
 * soon as the outer type is complete, so print() shows them and copies are
 * laid out right. `print(curtask->se.load)` once showed `{}` because only
 * the outer record had been filled. */
#include <bpf/btf.h>

#include "test.h"
#include "types/btf.h"

/* struct inner { long x; int y; };
 * struct outer { char c; struct inner in; struct inner pair[2];
 *                union both { int i; struct inner deep; } u; struct outer *next; };
 * struct __attribute__((packed)) squeezed { char c; long x; }; */
static struct btf *records_btf(void)
{
    struct btf *btf = btf__new_empty();
    int int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);   /* 1 */
    int long_id = btf__add_int(btf, "long", 8, BTF_INT_SIGNED); /* 2 */
    int char_id = btf__add_int(btf, "char", 1, BTF_INT_SIGNED); /* 3 */
    int inner_id = btf__add_struct(btf, "inner", 16);           /* 4 */
    btf__add_field(btf, "x", long_id, 0, 0);
    btf__add_field(btf, "y", int_id, 64, 0);
    int outer_id = btf__add_struct(btf, "outer", 88); /* 5 */
    btf__add_field(btf, "c", char_id, 0, 0);
    btf__add_field(btf, "in", inner_id, 64, 0);
    btf__add_field(btf, "pair", outer_id + 1, 192, 0);
    btf__add_field(btf, "u", outer_id + 2, 448, 0);
    btf__add_field(btf, "next", outer_id + 3, 576, 0);
    btf__add_array(btf, int_id, inner_id, 2); /* 6 */
    btf__add_union(btf, "both", 16);          /* 7 */
    btf__add_field(btf, "i", int_id, 0, 0);
    btf__add_field(btf, "deep", inner_id, 0, 0);
    btf__add_ptr(btf, outer_id);         /* 8 */
    btf__add_struct(btf, "squeezed", 9); /* 9 */
    btf__add_field(btf, "c", char_id, 0, 0);
    btf__add_field(btf, "x", long_id, 8, 0);
    return btf;
}

/* Alignment is known before the fields are: a tuple built around a record
 * nobody has completed yet places it where the record's own copies do. */
static void test_alignment_before_fields(struct btf_types *types)
{
    const struct type *inner = btf_types_find(types, "struct inner");
    CHECK(inner && inner->lazy && inner->align == 8);
    const struct type *squeezed = btf_types_find(types, "struct squeezed");
    CHECK(squeezed && squeezed->align == 1); /* packed: no padding to invent */
    struct arena arena;
    arena_init(&arena);
    const struct type *elements[] = {&type_bool, inner};
    const struct type *tuple = type_tuple(&arena, elements, 2);
    CHECK(tuple->fields[1].offset == 8 && tuple->size == 24);
    /* Completing the tuple completes the record inside it. */
    CHECK(type_complete(tuple) == tuple);
    CHECK(!inner->lazy && inner->field_count == 2);
    arena_free(&arena);
}

static void test_fields_by_value_filled(struct btf_types *types)
{
    const struct type *outer = btf_types_find(types, "struct outer");
    const struct type_field *in = type_find_field(outer, "in");
    CHECK(in && in->offset == 8 && in->type->kind == TYPE_RECORD);
    /* The bug: `in` was left lazy, with no fields, after outer was filled. */
    CHECK(in && !in->type->lazy && in->type->field_count == 2);
    const struct type_field *pair = type_find_field(outer, "pair");
    CHECK(pair && pair->type->kind == TYPE_ARRAY && pair->type->length == 2);
    CHECK(pair && pair->type->element == in->type && pair->type->size == 32);
    const struct type_field *u = type_find_field(outer, "u");
    CHECK(u && u->type->kind == TYPE_RECORD && u->type->field_count == 2);
    const struct type_field *deep = u ? type_find_field(u->type, "deep") : NULL;
    CHECK(deep && deep->offset == 0 && deep->type == in->type);
    /* Pointers stay lazy: filling through them would walk every kernel type. */
    const struct type_field *next = type_find_field(outer, "next");
    CHECK(next && next->type->kind == TYPE_POINTER && next->type->element == outer);
}

/* type_complete gives back what it was given, an array too. */
static void test_complete_returns_its_argument(struct btf_types *types)
{
    uint32_t array_id = 6;
    const struct type *array = btf_types_convert(types, array_id);
    CHECK(array && array->kind == TYPE_ARRAY && type_complete(array) == array);
    CHECK(type_complete(NULL) == NULL);
    CHECK(type_complete(type_int(4, true)) == type_int(4, true));
}

static void test_hand_built(void)
{
    struct btf *btf = records_btf();
    struct btf_types *types = btf_types_open(btf);
    test_alignment_before_fields(types);
    btf_types_close(types);

    types = btf_types_open(btf); /* fresh: nothing completed yet */
    test_fields_by_value_filled(types);
    btf_types_close(types);

    types = btf_types_open(btf);
    test_complete_returns_its_argument(types);
    btf_types_close(types);
    btf__free(btf);
}

/* The reported case: curtask->se.load and curtask->thread_info. */
static void test_kernel(void)
{
    struct btf_types *kernel = btf_types_kernel();
    if (!kernel) {
        printf("no kernel BTF: skipping the task_struct checks\n");
        return;
    }
    const struct type *task = btf_types_find(kernel, "struct task_struct");
    const struct type_field *se = task ? type_find_field(task, "se") : NULL;
    CHECK(se && se->type->kind == TYPE_RECORD && !se->type->lazy);
    const struct type_field *load = se ? type_find_field(se->type, "load") : NULL;
    CHECK(load && !load->type->lazy && load->type->field_count == 2 && load->type->align == 8);
    const struct type_field *info = task ? type_find_field(task, "thread_info") : NULL;
    CHECK(info && info->type->kind == TYPE_RECORD && info->type->field_count > 0);
    const struct type *signal = btf_types_find(kernel, "struct signal_struct");
    const struct type_field *rlim = signal ? type_find_field(signal, "rlim") : NULL;
    CHECK(rlim && rlim->type->kind == TYPE_ARRAY && rlim->type->element->field_count == 2);
}

static int64_t bits_of(const struct type_field *field, const void *record)
{
    unsigned char out[8];
    type_bitfield_value(field, record, out);
    uint64_t value = 0;
    for (unsigned i = 0; i < 8; i++)
        value |= (uint64_t)out[i] << (8 * i);
    return (int64_t)value;
}

/* print() shows a bitfield's own bits, not the bytes of its storage unit. */
static void test_bitfield_values(void)
{
    const struct type *u16 = type_int(2, false), *s8 = type_int(1, true);
    /* struct idt_bits { u16 ist:3, zero:5, type:5, dpl:2, p:1; } over "ab" (0x6261) */
    const unsigned char ab[] = {'a', 'b'};
    struct type_field ist = {.name = "ist", .type = u16, .bit_offset = 0, .bit_size = 3};
    struct type_field zero = {.name = "zero", .type = u16, .bit_offset = 3, .bit_size = 5};
    struct type_field type = {.name = "type", .type = u16, .offset = 1, .bit_size = 5};
    struct type_field dpl = {
        .name = "dpl", .type = u16, .offset = 1, .bit_offset = 5, .bit_size = 2};
    struct type_field p = {.name = "p", .type = u16, .offset = 1, .bit_offset = 7, .bit_size = 1};
    CHECK(bits_of(&ist, ab) == 1 && bits_of(&zero, ab) == 12 && bits_of(&type, ab) == 2);
    CHECK(bits_of(&dpl, ab) == 3 && bits_of(&p, ab) == 0);
    /* Signed: 0b1110 in 4 bits is -2; a field across a byte boundary. */
    const unsigned char signed_bits[] = {0xe0, 0x01};
    struct type_field high = {.type = s8, .bit_offset = 4, .bit_size = 4};
    struct type_field across = {.type = u16, .bit_offset = 6, .bit_size = 4};
    CHECK(bits_of(&high, signed_bits) == -2);
    CHECK(bits_of(&across, signed_bits) == 7);
    /* 64 bits starting at bit 4: the top nibble comes from a ninth byte. */
    const unsigned char wide[] = {0x10, 0, 0, 0, 0, 0, 0, 0, 0x0f};
    struct type_field whole = {.type = type_int(8, false), .bit_offset = 4, .bit_size = 64};
    CHECK((uint64_t)bits_of(&whole, wide) == 0xf000000000000001ull);
}

int main(void)
{
    test_hand_built();
    test_kernel();
    test_bitfield_values();
    return TEST_DONE();
}

/* Kernel types through BTF: a hand-built BTF pins down the conversion rules
 * (offsets, bitfields, anonymous members, recursion); the running kernel's
 * BTF checks them on task_struct when it is there. */
#include <bpf/btf.h>

#include "probes/kernel_btf.h"
#include "test.h"
#include "types/btf.h"

/* struct node { int a; struct node *next; unsigned lo:3, hi:5;
 *               union { int small; long big; }; char name[8]; unsigned char raw[4]; } */
static struct btf *node_btf(void)
{
    struct btf *btf = btf__new_empty();
    int int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);   /* 1 */
    int uint_id = btf__add_int(btf, "unsigned int", 4, 0);      /* 2 */
    int long_id = btf__add_int(btf, "long", 8, BTF_INT_SIGNED); /* 3 */
    int char_id = btf__add_int(btf, "char", 1, BTF_INT_SIGNED); /* 4 */
    int uchar_id = btf__add_int(btf, "unsigned char", 1, 0);    /* 5 */
    int node_id = btf__add_struct(btf, "node", 40);             /* 6 */
    btf__add_field(btf, "a", int_id, 0, 0);
    btf__add_field(btf, "next", node_id + 1, 64, 0);
    btf__add_field(btf, "lo", uint_id, 128, 3);
    btf__add_field(btf, "hi", uint_id, 131, 5);
    btf__add_field(btf, NULL, node_id + 2, 192, 0);
    btf__add_field(btf, "name", node_id + 3, 256, 0);
    btf__add_field(btf, "raw", node_id + 4, 128 + 32, 0);
    btf__add_ptr(btf, node_id);   /* 7 */
    btf__add_union(btf, NULL, 8); /* 8 */
    btf__add_field(btf, "small", int_id, 0, 0);
    btf__add_field(btf, "big", long_id, 0, 0);
    btf__add_array(btf, int_id, char_id, 8);  /* 9 */
    btf__add_array(btf, int_id, uchar_id, 4); /* 10 */
    btf__add_enum(btf, "color", 4);
    btf__add_enum_value(btf, "GREEN", 7);
    btf__add_typedef(btf, "node_t", node_id);
    return btf;
}

static void test_hand_built(void)
{
    struct btf *btf = node_btf();
    struct btf_types *types = btf_types_open(btf);
    const struct type *node = btf_types_find(types, "struct node");
    CHECK(node && node->kind == TYPE_RECORD && node->size == 40);
    CHECK_STR(node->name, "node");
    CHECK(btf_types_find(types, "node_t") == node);

    const struct type_field *a = type_find_field(node, "a");
    CHECK(a && a->offset == 0 && a->type == type_int(4, true));
    const struct type_field *next = type_find_field(node, "next");
    CHECK(next && next->offset == 8 && next->type->kind == TYPE_POINTER);
    CHECK(next && next->type->element == node); /* recursion through the cache */
    CHECK(next && next->type->space == SPACE_KERNEL);

    const struct type_field *lo = type_find_field(node, "lo");
    const struct type_field *hi = type_find_field(node, "hi");
    CHECK(lo && lo->offset == 16 && lo->bit_offset == 0 && lo->bit_size == 3);
    CHECK(hi && hi->offset == 16 && hi->bit_offset == 3 && hi->bit_size == 5);
    CHECK(hi && hi->type == type_int(4, false));

    const struct type_field *small = type_find_field(node, "small");
    const struct type_field *big = type_find_field(node, "big");
    CHECK(small && small->offset == 24 && big && big->offset == 24);
    CHECK(big && big->type == type_int(8, true));

    const struct type_field *name = type_find_field(node, "name");
    CHECK(name && name->offset == 32 && name->type->kind == TYPE_STRING && name->type->size == 8);
    const struct type_field *raw = type_find_field(node, "raw");
    CHECK(raw && raw->type->kind == TYPE_ARRAY && raw->type->length == 4);
    CHECK(node->align == 8);

    int64_t value = 0;
    CHECK(btf_types_enum_value(types, "GREEN", &value) && value == 7);
    CHECK(!btf_types_enum_value(types, "BLUE", &value));
    CHECK(btf_types_find(types, "struct nothing") == NULL);
    btf_types_close(types);
    btf__free(btf);
}

static uint32_t member_bits(const struct btf *btf, const char *record, const char *member)
{
    const struct btf_type *t =
        btf__type_by_id(btf, btf__find_by_name_kind(btf, record, BTF_KIND_STRUCT));
    for (unsigned i = 0; i < btf_vlen(t); i++)
        if (strcmp(btf__name_by_offset(btf, btf_members(t)[i].name_off), member) == 0)
            return btf_member_bit_offset(t, i);
    return UINT32_MAX;
}

static void test_kernel(void)
{
    struct btf_types *kernel = btf_types_kernel();
    if (!kernel) {
        printf("no kernel BTF: skipping the task_struct checks\n");
        return;
    }
    struct btf *btf = btf__load_vmlinux_btf();
    const struct type *task = btf_types_find(kernel, "struct task_struct");
    CHECK(task && task->kind == TYPE_RECORD && task->size > 1000);
    const struct type_field *pid = type_find_field(task, "pid");
    CHECK(pid && pid->offset * 8 == member_bits(btf, "task_struct", "pid"));
    CHECK(pid && pid->type == type_int(4, true));
    const struct type_field *parent = type_find_field(task, "real_parent");
    CHECK(parent && parent->type->kind == TYPE_POINTER && parent->type->element == task);
    const struct type_field *comm = type_find_field(task, "comm");
    CHECK(comm && comm->type->kind == TYPE_STRING && comm->type->size == 16);
    int64_t value = 0;
    CHECK(btf_types_enum_value(kernel, "BPF_MAP_TYPE_RINGBUF", &value) && value == 27);
    CHECK(btf_types_enum_value(kernel, "PIDTYPE_SID", &value) && value == 3);
    CHECK(btf_types_kernel() == kernel); /* loaded once */
    btf__free(btf);
}

/* fentry and raw tracepoints read vmlinux's BTF through the type system:
 * one parse per run, and their argument types are the checker's types. */
static void test_shared_with_probes(void)
{
    struct btf_types *kernel = btf_types_kernel();
    if (!kernel)
        return;
    const struct btf *btf = probe_kernel_btf("vmlinux");
    CHECK(btf == btf_types_btf(kernel));
    CHECK(probe_kernel_btf(NULL) == btf);
    uint32_t proto = 0;
    CHECK(probe_btf_find_function(btf, "vfs_read", &proto) != 0);
    struct arena arena;
    arena_init(&arena);
    const struct tracepoint_format *format =
        probe_btf_arguments(&arena, btf, proto, 0, "vmlinux", "vfs_read");
    CHECK(format && format->field_count == 4);
    const struct type *file = format && format->field_count ? format->fields[0].type : NULL;
    CHECK(file && file->kind == TYPE_POINTER &&
          file->element == btf_types_find(kernel, "struct file"));
    arena_free(&arena);
}

int main(void)
{
    test_hand_built();
    test_kernel();
    test_shared_with_probes();
    return TEST_DONE();
}

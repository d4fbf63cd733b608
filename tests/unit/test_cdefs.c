/* The script's C definitions: exact C layouts, typedefs, enums, defines. */
#include "front/parse.h"
#include "test.h"
#include "types/cdefs.h"

static struct arena arena;

static struct ast_c_definition *definition(struct vec *list, enum ast_c_kind kind, const char *name)
{
    struct ast_c_definition *d = ARENA_NEW(&arena, struct ast_c_definition);
    d->kind = kind;
    d->name = name;
    vec_push(list, d);
    return d;
}

static void field(struct ast_c_definition *d, const char *type_text, const char *name,
                  unsigned array_length, int bit_width)
{
    struct ast_c_field *f = ARENA_NEW(&arena, struct ast_c_field);
    f->type_text = type_text;
    f->name = name;
    f->array_length = array_length;
    f->is_array = array_length > 0; /* these tests have no zero-length arrays */
    f->bit_width = bit_width;
    vec_push(&d->fields, f);
}

static void enumerator(struct ast_c_definition *d, const char *name, int64_t value)
{
    struct ast_c_enumerator *e = ARENA_NEW(&arena, struct ast_c_enumerator);
    e->name = name;
    e->value = value;
    vec_push(&d->enumerators, e);
}

static unsigned offset_of(const struct type *record, const char *name)
{
    const struct type_field *f = type_find_field(record, name);
    return f ? f->offset : 9999;
}

static void test_layouts(void)
{
    struct vec list = {0};
    struct ast_c_definition *mine = definition(&list, C_STRUCT, "mine");
    field(mine, "char", "a", 0, -1);
    field(mine, "int", "b", 0, -1);
    field(mine, "char", "c", 3, -1);
    field(mine, "long", "d", 0, -1);
    struct ast_c_definition *node = definition(&list, C_STRUCT, "node");
    field(node, "struct node *", "next", 0, -1);
    field(node, "unsigned int", "lo", 0, 3);
    field(node, "unsigned int", "hi", 0, 5);
    field(node, "unsigned int", "wide", 0, 30);
    field(node, "short", "tail", 0, -1);
    field(node, "struct mine", "inner", 0, -1);
    struct ast_c_definition *u = definition(&list, C_UNION, "u");
    field(u, "char", "bytes", 5, -1);
    field(u, "int", "word", 0, -1);
    struct ast_c_definition *e = definition(&list, C_ENUM, "color");
    enumerator(e, "RED", 1);
    enumerator(e, "BLUE", -4);
    struct ast_c_definition *t = definition(&list, C_TYPEDEF, "mine_t");
    t->typedef_target = "struct mine";
    struct ast_c_definition *d = definition(&list, C_DEFINE, "LIMIT");
    d->define_value = "0x40";
    definition(&list, C_DEFINE, "NAME")->define_value = "\"text\"";

    struct diag diag;
    diag_init(&diag, "test.bt", "");
    struct cdefs *cdefs = cdefs_build(&arena, &list, NULL, &diag);
    CHECK(cdefs != NULL);
    const struct type *m = cdefs_resolve(cdefs, "struct mine", SPACE_NONE);
    CHECK(m && m->kind == TYPE_RECORD && m->size == 24 && m->align == 8);
    CHECK(offset_of(m, "a") == 0 && offset_of(m, "b") == 4);
    CHECK(offset_of(m, "c") == 8 && offset_of(m, "d") == 16);
    CHECK(type_find_field(m, "c")->type->kind == TYPE_STRING);

    const struct type *n = cdefs_resolve(cdefs, "struct node", SPACE_NONE);
    const struct type_field *next = type_find_field(n, "next");
    CHECK(next && next->type->kind == TYPE_POINTER && next->type->element == n);
    const struct type_field *lo = type_find_field(n, "lo"), *hi = type_find_field(n, "hi");
    const struct type_field *wide = type_find_field(n, "wide");
    CHECK(lo && lo->offset == 8 && lo->bit_offset == 0 && lo->bit_size == 3);
    CHECK(hi && hi->offset == 8 && hi->bit_offset == 3 && hi->bit_size == 5);
    CHECK(wide && wide->offset == 12 && wide->bit_offset == 0 && wide->bit_size == 30);
    CHECK(offset_of(n, "tail") == 16 && offset_of(n, "inner") == 24);
    CHECK(n->size == 48);

    const struct type *un = cdefs_resolve(cdefs, "union u", SPACE_NONE);
    CHECK(un && un->size == 8 && offset_of(un, "word") == 0);

    CHECK(cdefs_resolve(cdefs, "mine_t", SPACE_NONE) == m);
    const struct type *pointer = cdefs_resolve(cdefs, "const struct mine *", SPACE_USER);
    CHECK(pointer && pointer->kind == TYPE_POINTER && pointer->element == m &&
          pointer->space == SPACE_USER);
    CHECK(cdefs_resolve(cdefs, "unsigned long long", SPACE_NONE) == type_int(8, false));
    CHECK(cdefs_resolve(cdefs, "struct absent", SPACE_NONE) == NULL);

    int64_t value = 0;
    CHECK(cdefs_constant(cdefs, "RED", &value) && value == 1);
    CHECK(cdefs_constant(cdefs, "BLUE", &value) && value == -4);
    CHECK(cdefs_constant(cdefs, "LIMIT", &value) && value == 64);
    CHECK(!cdefs_constant(cdefs, "NAME", &value));
    CHECK(diag.error_count == 0);
    diag_free(&diag);
}

static void test_unknown_field_type(void)
{
    struct vec list = {0};
    struct ast_c_definition *bad = definition(&list, C_STRUCT, "bad");
    field(bad, "struct nowhere", "x", 0, -1);
    struct diag diag;
    diag_init(&diag, "test.bt", "");
    CHECK(cdefs_build(&arena, &list, NULL, &diag) == NULL);
    CHECK(diag.error_count == 1);
    diag_free(&diag);
}

/* From a script's preamble: a #define computed with a function-like macro
 * is a constant; one that is no integer (now a macro of the probes) is not,
 * and hides the header's constant of that name as cpp would; a
 * function-like macro is never a constant. */
static void test_preamble_defines(void)
{
    const char *source = "#include <linux/sched.h>\n"
                         "#define SQ(x) ((x) * (x))\n"
                         "#define AREA SQ(5)\n"
                         "#define TASK_RUNNING \"running\"\n"
                         "#define NAME pid\n"
                         "BEGIN { exit(); }";
    struct diag diag;
    diag_init(&diag, "test.bt", source);
    struct ast_program *program = front_parse(source, &arena, &diag);
    CHECK(program != NULL);
    struct cdefs *cdefs =
        program ? cdefs_build(&arena, &program->c_definitions, NULL, &diag) : NULL;
    CHECK(cdefs != NULL);
    int64_t value = 0;
    CHECK(cdefs && cdefs_constant(cdefs, "AREA", &value) && value == 25);
    CHECK(cdefs && !cdefs_constant(cdefs, "TASK_RUNNING", &value));
    CHECK(cdefs && !cdefs_constant(cdefs, "NAME", &value));
    CHECK(cdefs && !cdefs_constant(cdefs, "SQ", &value));
    CHECK(program && program->macros.count == 3);
    diag_free(&diag);
}

int main(void)
{
    arena_init(&arena);
    test_layouts();
    test_unknown_field_type();
    test_preamble_defines();
    arena_free(&arena);
    return TEST_DONE();
}

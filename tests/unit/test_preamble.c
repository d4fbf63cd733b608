/* The C preamble: #include, #define, #ifdef and struct/union/enum/typedef
 * definitions at the top of a script become program->c_definitions in the
 * shape the type builders expect, and the probes after them keep their exact
 * line and column. Every bpftrace tool Debian ships parses. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/parse.h"
#include "test.h"

static struct arena arena;
static struct diag diag;

static struct ast_program *parse(const char *source)
{
    diag_free(&diag);
    diag_init(&diag, "test", source);
    return front_parse(source, &arena, &diag);
}

static const struct ast_c_definition *definition_at(const struct ast_program *program, size_t i)
{
    return i < program->c_definitions.count ? vec_get(&program->c_definitions, i) : NULL;
}

static const struct ast_c_field *field_at(const struct ast_c_definition *definition, size_t i)
{
    return vec_get(&definition->fields, i);
}

static const struct diag_entry *first_error(void)
{
    return diag.entries.count ? vec_get(&diag.entries, 0) : NULL;
}

static void test_struct_fields_have_normalized_types(void)
{
    struct ast_program *program = parse("struct conn {\n"
                                        "    struct sock *sk;\n"
                                        "    long unsigned int bytes, *counts;\n"
                                        "    char name[16];\n"
                                        "    unsigned flags : 3;\n"
                                        "    const char **argv;\n"
                                        "};\n"
                                        "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    const struct ast_c_definition *conn = definition_at(program, 0);
    CHECK(conn->kind == C_STRUCT);
    CHECK_STR(conn->name, "conn");
    CHECK(conn->fields.count == 6);
    CHECK_STR(field_at(conn, 0)->type_text, "struct sock *");
    CHECK_STR(field_at(conn, 0)->name, "sk");
    CHECK(field_at(conn, 0)->loc.line == 2 && field_at(conn, 0)->loc.column == 18);
    CHECK_STR(field_at(conn, 1)->type_text, "unsigned long");
    CHECK_STR(field_at(conn, 2)->type_text, "unsigned long *");
    CHECK_STR(field_at(conn, 2)->name, "counts");
    CHECK_STR(field_at(conn, 3)->type_text, "char");
    CHECK(field_at(conn, 3)->array_length == 16 && field_at(conn, 3)->bit_width == -1);
    CHECK_STR(field_at(conn, 4)->type_text, "unsigned int");
    CHECK(field_at(conn, 4)->bit_width == 3);
    CHECK_STR(field_at(conn, 5)->type_text, "char **");
    struct ast_probe *probe = vec_get(&program->probes, 0);
    CHECK(probe->loc.line == 8 && probe->loc.column == 1);
}

static void test_union_enum_typedef_define_include(void)
{
    struct ast_program *program =
        parse("#include <linux/blkdev.h>\n" /* a header with no known constants */
              "#define LIMIT 100\n"
              "union value { int i; char c[4]; };\n"
              "enum color { RED, GREEN = 4, BLUE, MIX = GREEN | 1 << 4 };\n"
              "typedef unsigned int u32_t;\n"
              "typedef struct pair { int a; int b; } pair_t;\n"
              "BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(program->c_definitions.count == 7);
    CHECK(definition_at(program, 0)->kind == C_INCLUDE);
    CHECK_STR(definition_at(program, 0)->name, "<linux/blkdev.h>");
    const struct ast_c_definition *limit = definition_at(program, 1);
    CHECK(limit->kind == C_DEFINE);
    CHECK_STR(limit->name, "LIMIT");
    CHECK_STR(limit->define_value, "100");
    CHECK(definition_at(program, 2)->kind == C_UNION);
    CHECK(field_at(definition_at(program, 2), 1)->array_length == 4);
    const struct ast_c_definition *color = definition_at(program, 3);
    CHECK(color->kind == C_ENUM && color->enumerators.count == 4);
    const struct ast_c_enumerator *blue = vec_get(&color->enumerators, 2);
    const struct ast_c_enumerator *mix = vec_get(&color->enumerators, 3);
    CHECK_STR(blue->name, "BLUE");
    CHECK(blue->value == 5);
    CHECK(mix->value == (4 | 1 << 4));
    CHECK(definition_at(program, 4)->kind == C_TYPEDEF);
    CHECK_STR(definition_at(program, 4)->typedef_target, "unsigned int");
    CHECK(definition_at(program, 5)->kind == C_STRUCT);
    CHECK_STR(definition_at(program, 5)->name, "pair");
    CHECK_STR(definition_at(program, 6)->name, "pair_t");
    CHECK_STR(definition_at(program, 6)->typedef_target, "struct pair");
}

static void test_conditionals(void)
{
    struct ast_program *program = parse("#ifndef BPFTRACE_HAVE_BTF\n"
                                        "#include <linux/sched.h>\n"
                                        "struct hidden { int x; };\n"
                                        "#else\n"
                                        "#define SEEN 1\n"
                                        "#endif\n"
                                        "#ifdef SEEN\n"
                                        "#define ALSO 2 // a comment\n"
                                        "#endif\n"
                                        "/* before the probes */ BEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(program->c_definitions.count == 2);
    CHECK_STR(definition_at(program, 0)->name, "SEEN");
    CHECK_STR(definition_at(program, 1)->define_value, "2");
    struct ast_probe *probe = vec_get(&program->probes, 0);
    CHECK(probe->loc.line == 10 && probe->loc.column == 25);
}

static void test_known_header_constants(void)
{
    struct ast_program *program = parse("#include <sys/socket.h>\nBEGIN { exit(); }");
    CHECK(program != NULL);
    bool found = false;
    for (size_t i = 0; program && i < program->c_definitions.count; i++) {
        const struct ast_c_definition *d = definition_at(program, i);
        if (d->kind == C_DEFINE && strcmp(d->name, "AF_INET6") == 0)
            found = strcmp(d->define_value, "10") == 0;
    }
    CHECK(found);
}

static void test_typedef_names_cast(void)
{
    struct ast_program *program =
        parse("typedef int my_pid;\nBEGIN { $p = (my_pid)5; let $q: my_pid = 1; }");
    CHECK(program != NULL);
    if (!program)
        return;
    struct ast_probe *probe = vec_get(&program->probes, 0);
    struct ast_stmt *assign = vec_get(&probe->body->block.statements, 0);
    CHECK(assign->assign.value->kind == EXPR_CAST);
    CHECK_STR(assign->assign.value->cast.type_text, "my_pid");
}

static void check_error(const char *source, int line, int column, const char *message)
{
    CHECK(parse(source) == NULL);
    const struct diag_entry *error = first_error();
    CHECK(error != NULL);
    if (!error)
        return;
    if (error->loc.line != line || error->loc.column != column || !strstr(error->message, message))
        fprintf(stderr, "  got %d:%d %s\n", error->loc.line, error->loc.column, error->message);
    CHECK(error->loc.line == line && error->loc.column == column);
    CHECK(strstr(error->message, message) != NULL);
}

static void test_errors_point_into_the_preamble(void)
{
    check_error("#define SQUARE(x) ((x) * (x))\nBEGIN {}", 1, 9, "function-like macros");
    check_error("#ifdef X\nstruct a { int b; };\nBEGIN {}", 1, 1, "never closed with #endif");
    check_error("#include \"mine.h\"\nBEGIN {}", 1, 1, "local header");
    check_error("#endif\nBEGIN {}", 1, 1, "no matching");
    check_error("struct a { int b }\nBEGIN {}", 1, 18, "expected ';'");
    check_error("struct a { void (*f)(int); };", 1, 17, "function pointers");
    check_error("BEGIN { exit(); }\n#include <linux/fs.h>\n", 2, 1, "before the probes");
    check_error("BEGIN { exit(); }\nstruct a { int b; };\n", 2, 1, "before the probes");
    check_error("#define A 1\nBEGIN { $x = ; }", 2, 14, "unexpected ';'");
}

/* Debian's bpftrace tools: every one parses (many cannot run here for want
 * of kprobes, which is a later stage's business). */
static void test_debian_tools_parse(void)
{
    DIR *dir = opendir("/usr/sbin");
    if (!dir)
        return;
    struct dirent *entry;
    int parsed = 0;
    while ((entry = readdir(dir))) {
        size_t length = strlen(entry->d_name);
        if (length < 4 || strcmp(entry->d_name + length - 3, ".bt") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof(path), "/usr/sbin/%s", entry->d_name);
        FILE *file = fopen(path, "r");
        if (!file)
            continue;
        static char text[1 << 16];
        size_t size = fread(text, 1, sizeof(text) - 1, file);
        text[size] = '\0';
        fclose(file);
        struct ast_program *program = parse(text);
        if (!program) {
            const struct diag_entry *error = first_error();
            fprintf(stderr, "%s:%d:%d: %s\n", path, error ? error->loc.line : 0,
                    error ? error->loc.column : 0, error ? error->message : "?");
        }
        CHECK(program != NULL);
        parsed++;
    }
    closedir(dir);
    printf("parsed %d tools from /usr/sbin\n", parsed);
}

/* The standard library parses and joins the script's macros, which win. */
static void test_stdlib_prelude(void)
{
    struct ast_program *program = parse("macro ppid() { 7 }\nBEGIN { exit(); }");
    CHECK(program != NULL);
    if (!program)
        return;
    CHECK(front_add_stdlib(program, &arena, &diag) == 0);
    CHECK(diag.error_count == 0);
    int ppids = 0;
    for (size_t i = 0; i < program->macros.count; i++) {
        const struct ast_macro *macro = vec_get(&program->macros, i);
        if (strcmp(macro->name, "ppid") == 0 && macro->params.count == 0) {
            ppids++;
            CHECK(macro->stdlib_file == NULL);
        } else if (strcmp(macro->name, "ppid") == 0) {
            CHECK(macro->stdlib_file != NULL); /* ppid(task): the script has no such overload */
        }
    }
    CHECK(ppids == 1);
}

int main(void)
{
    arena_init(&arena);
    test_struct_fields_have_normalized_types();
    test_union_enum_typedef_define_include();
    test_conditionals();
    test_known_header_constants();
    test_typedef_names_cast();
    test_errors_point_into_the_preamble();
    test_debian_tools_parse();
    test_stdlib_prelude();
    diag_free(&diag);
    arena_free(&arena);
    return TEST_DONE();
}

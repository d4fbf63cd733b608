/* The config block and bpftrace's settings: every documented key is taken in
 * each of its spellings, a bad value is an error at the value, the
 * environment wins, unstable_* warn or refuse, and the output settings
 * (str_trunc_trailer, print_maps_on_exit) change what is printed. */
#include "ast/config.h"
#include "front/parse.h"
#include "output/exit_maps.h"
#include "output/output.h"
#include "test.h"

#include <stdlib.h>

struct parsed {
    struct arena arena;
    struct diag diag;
    struct ast_program *program;
};

static void parse(struct parsed *out, const char *source)
{
    arena_init(&out->arena);
    diag_init(&out->diag, "test.bt", source);
    out->program = front_parse(source, &out->arena, &out->diag);
    CHECK(out->program != NULL);
}

static void release(struct parsed *parsed)
{
    diag_free(&parsed->diag);
    arena_free(&parsed->arena);
}

/* The script's config is accepted (0), or its first error is at line:column. */
static void expect_config(const char *source, int line, int column, const char *text)
{
    struct parsed parsed;
    parse(&parsed, source);
    int status = parsed.program ? ast_config_check(parsed.program, &parsed.diag) : -1;
    if (!text) {
        CHECK(status == 0);
        if (status != 0)
            diag_print(&parsed.diag, stderr);
    } else {
        const struct diag_entry *error =
            parsed.diag.entries.count ? vec_get(&parsed.diag.entries, 0) : NULL;
        CHECK(status != 0 && error);
        bool right = error && error->loc.line == line && error->loc.column == column &&
                     strstr(error->message, text);
        CHECK(right);
        if (error && !right)
            fprintf(stderr, "  %s\n  got %d:%d: %s\n", source, error->loc.line, error->loc.column,
                    error->message);
    }
    release(&parsed);
}

static void test_documented_keys(void)
{
    expect_config("config = { stack_mode=perf; max_map_keys=2 } BEGIN { }", 0, 0, NULL);
    expect_config("config = { STACK_MODE=raw; BPFTRACE_STACK_MODE=bpftrace } BEGIN { }", 0, 0,
                  NULL);
    expect_config("config = { print_maps_on_exit=0; str_trunc_trailer=\"\" } BEGIN { }", 0, 0,
                  NULL);
    expect_config("config = { print_maps_on_exit=false; str_trunc_trailer=\"~~\" } BEGIN { }", 0,
                  0, NULL);
    expect_config("config = { unstable_map_decl=enable; unstable_macro=warn; "
                  "unstable_import=error; unstable_tseries=1; unstable_addr=enable } BEGIN { }",
                  0, 0, NULL);
    /* Settings without an effect in sonde are still checked and taken. */
    expect_config("config = { log_size=100; cpp_demangle=false; lazy_symbolication=true; "
                  "cache_user_symbols=PER_PROGRAM; max_bpf_progs=10; max_type_res_iterations=0; "
                  "on_stack_limit=64; license=\"Dual BSD/GPL\"; max_cat_bytes=100; "
                  "max_probes=5; symbol_source=dwarf; use_blazesym=true; show_debug_info=false; "
                  "probe_inline=false } BEGIN { }",
                  0, 0, NULL);
    expect_config("config = { strlen = 32 } BEGIN { }", 0, 0, NULL); /* bpftrace's old name */
}

static void test_bad_values(void)
{
    expect_config("config = { stack_mode = fast } BEGIN { }", 1, 25,
                  "invalid value for config key 'stack_mode'");
    expect_config("config = {\n  print_maps_on_exit = 2;\n} BEGIN { }", 2, 24,
                  "invalid value for config key 'print_maps_on_exit'");
    expect_config("config = { unstable_map_decl = \"maybe\" } BEGIN { }", 1, 32,
                  "invalid value for config key 'unstable_map_decl'");
    expect_config("config = { max_cat_bytes = 0 } BEGIN { }", 1, 28, "needs a positive integer");
    expect_config("config = { log_size = 99999999999 } BEGIN { }", 1, 23,
                  "needs a positive integer");
    expect_config("config = { license = \"MIT\" } BEGIN { }", 1, 22,
                  "invalid value for config key 'license'");
    expect_config("config = { no_such_key = 1 } BEGIN { }", 1, 12,
                  "unknown config key 'no_such_key'");
    expect_config("config = { BPFTRACE_VMLINUX = \"/boot/vmlinux\" } BEGIN { }", 1, 12,
                  "can only be set as an environment variable");
}

static void test_environment(void)
{
    struct parsed parsed;
    parse(&parsed, "config = { stack_mode = perf; print_maps_on_exit = false;\n"
                   "           str_trunc_trailer = \"!\" } BEGIN { }");
    CHECK_STR(ast_config_setting(parsed.program, "stack_mode"), "perf");
    CHECK(!ast_config_flag(parsed.program, "print_maps_on_exit", true));
    CHECK(ast_config_flag(parsed.program, "cpp_demangle", true));
    setenv("BPFTRACE_STACK_MODE", "raw", 1);
    setenv("BPFTRACE_STR_TRUNC_TRAILER", "", 1); /* empty: no trailer, not "unset" */
    CHECK_STR(ast_config_setting(parsed.program, "stack_mode"), "raw");
    CHECK_STR(ast_config_setting(parsed.program, "str_trunc_trailer"), "");
    CHECK(ast_config_check_environment(&parsed.diag) == 0);
    setenv("BPFTRACE_PRINT_MAPS_ON_EXIT", "sometimes", 1);
    CHECK(ast_config_check_environment(&parsed.diag) != 0);
    unsetenv("BPFTRACE_PRINT_MAPS_ON_EXIT");
    unsetenv("BPFTRACE_STACK_MODE");
    unsetenv("BPFTRACE_STR_TRUNC_TRAILER");
    CHECK_STR(ast_config_setting(parsed.program, "str_trunc_trailer"), "!");
    release(&parsed);
}

/* Warnings and errors of the unstable_* settings: the count of each. */
static void expect_unstable(const char *source, size_t warnings, size_t errors)
{
    struct parsed parsed;
    parse(&parsed, source);
    int status = parsed.program ? ast_config_check_unstable(parsed.program, &parsed.diag) : -1;
    size_t seen[2] = {0};
    for (size_t i = 0; i < parsed.diag.entries.count; i++) {
        const struct diag_entry *entry = vec_get(&parsed.diag.entries, i);
        seen[entry->severity == DIAG_ERROR] += entry->severity != DIAG_NOTE;
    }
    CHECK(seen[0] == warnings && seen[1] == errors && (status != 0) == (errors > 0));
    if (seen[0] != warnings || seen[1] != errors) {
        fprintf(stderr, "  %s\n", source);
        diag_print(&parsed.diag, stderr);
    }
    release(&parsed);
}

static void test_unstable_features(void)
{
    const char *two_maps = "let @a = hash(10); let @b = lruhash(10);\nBEGIN { @a[1] = 1; }";
    expect_unstable(two_maps, 0, 0); /* stable in current bpftrace: enabled */
    expect_unstable("config = { unstable_map_decl = warn }\n"
                    "let @a = hash(10); let @b = lruhash(10);\nBEGIN { }",
                    1, 0); /* one warning for the feature, not one per use */
    expect_unstable("config = { unstable_map_decl = error }\n"
                    "let @a = hash(10); let @b = lruhash(10);\nBEGIN { }",
                    0, 2);
    expect_unstable("config = { unstable_macro = error }\n"
                    "macro one() { 1 }\nBEGIN { print(one()); }",
                    0, 1);
    /* A #define is C, not a macro of the language. */
    expect_unstable("#define TWO 2\n#define ADD(a, b) ((a) + (b))\n"
                    "config = { unstable_macro = error }\nBEGIN { print(ADD(TWO, 1)); }",
                    0, 0);
    expect_unstable("config = { unstable_addr = warn }\nBEGIN { $x = 1; $p = &$x; $q = &$x; }", 1,
                    0);
    expect_unstable("config = { unstable_addr = error }\nBEGIN { $x = 1; $p = &$x; }", 0, 1);
}

/* The settings the trace passes to the output (output_names). */
static struct output_names truncation = {.truncation_trailer = "..", .max_strlen = 64};

static const char *format_string(const struct type *type, const char *bytes)
{
    static struct strbuf out;
    strbuf_reset(&out);
    output_format_value(type, bytes, &truncation, &out);
    return strbuf_text(&out);
}

/* bpftrace's heuristic: str() filled its max_strlen buffer, so it was cut. */
static void test_truncation_trailer(void)
{
    struct arena arena;
    arena_init(&arena);
    char full[64], short_one[64] = "short";
    memset(full, 'a', 63);
    full[63] = '\0';
    const struct type *str64 = type_string(&arena, 64);
    truncation = (struct output_names){.truncation_trailer = "..", .max_strlen = 64};
    CHECK(strlen(format_string(str64, full)) == 65);
    CHECK_STR(format_string(str64, full) + 60, "aaa..");
    CHECK_STR(format_string(str64, short_one), "short");
    /* comm: 15 letters fill a 16-byte buffer, but nothing was cut. */
    CHECK_STR(format_string(type_string(&arena, 16), "systemd-journal"), "systemd-journal");
    /* str(p, 8): the length asked for the cut; no trailer (as bpftrace). */
    CHECK_STR(format_string(type_string(&arena, 8), "abcdefg"), "abcdefg");
    /* Without a NUL at all, a char array was cut: always a trailer. */
    CHECK_STR(format_string(type_string(&arena, 3), "abcdef"), "abc..");
    truncation = (struct output_names){.truncation_trailer = "[cut]", .max_strlen = 64};
    CHECK_STR(format_string(str64, full) + 60, "aaa[cut]");
    truncation = (struct output_names){.truncation_trailer = "", .max_strlen = 64};
    CHECK(strlen(format_string(str64, full)) == 63);
    truncation = (struct output_names){.truncation_trailer = "..", .max_strlen = 32};
    CHECK(strlen(format_string(type_string(&arena, 32), full + 32)) == 31 + 2);
    truncation = (struct output_names){.truncation_trailer = "..", .max_strlen = 64};
    arena_free(&arena);
}

/* print_maps_on_exit = false: print() shows a map, the exit does not. */
static void test_exit_maps(void)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    struct output *inner = output_text_new(out, stderr, (struct output_names){0});
    struct output *output = output_without_exit_maps(inner);
    CHECK(output != NULL);
    if (!output) {
        fclose(out);
        return;
    }
    int64_t value = 7;
    struct output_map map = {.name = "@n", .value = type_int(8, true)};
    struct output_map_entry entry = {.key = NULL, .value = &value};
    output->ops->map(output, &map, &entry, 1);
    output->ops->printf_text(output, "hi\n", 3);
    output->ops->end(output);
    output->ops->map(output, &map, &entry, 1);
    output_close(output);
    fclose(out);
    CHECK_STR(text, "@n: 7\nhi\n\n\n");
    free(text);
}

int main(void)
{
    test_documented_keys();
    test_bad_values();
    test_environment();
    test_unstable_features();
    test_truncation_trailer();
    test_exit_maps();
    return TEST_DONE();
}

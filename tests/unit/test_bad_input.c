/* Bad input found by tests/fuzz/fuzz-front.sh: each is an error at its place,
 * never a stack overflow or a silently truncated value. */
#include "sema_fixture.h"

#include <stdlib.h>

static const struct sema_options options = {.max_strlen = 64};

/* "BEGIN { @x = <prefix><repeat x count><suffix>; }" */
static char *repeated(const char *prefix, const char *repeat, int count, const char *suffix)
{
    size_t length = strlen(prefix) + strlen(repeat) * (size_t)count + strlen(suffix) + 32;
    char *text = malloc(length);
    if (!text)
        abort();
    char *at = text + sprintf(text, "BEGIN { @x = %s", prefix);
    for (int i = 0; i < count; i++)
        at += sprintf(at, "%s", repeat);
    sprintf(at, "%s; }", suffix);
    return text;
}

/* The parser refuses a tree too deep: 0 when it accepts the text, else the
 * nesting error's column (-1 for another error). */
static int nesting_error_column(const char *source)
{
    struct arena arena;
    struct diag diag;
    arena_init(&arena);
    diag_init(&diag, "test.bt", source);
    struct ast_program *program = front_parse(source, &arena, &diag);
    int column = 0;
    if (!program) {
        const struct diag_entry *entry = vec_get(&diag.entries, diag.entries.count - 1);
        column = strstr(entry->message, "nest more than 1000 deep") ? entry->loc.column : -1;
    }
    diag_free(&diag);
    arena_free(&arena);
    return column;
}

/* Left-associative chains grow the tree, not the parser's stack. */
static void test_deep_chains(void)
{
    static const struct {
        const char *prefix, *repeat, *suffix;
    } chains[] = {
        {"1", "+1", ""},
        {"curtask", "->parent", ""},
        {"@y", "[0]", ""},
        {"", "!", "1"},
    };
    for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
        char *shallow = repeated(chains[i].prefix, chains[i].repeat, 900, chains[i].suffix);
        char *deep = repeated(chains[i].prefix, chains[i].repeat, 5000, chains[i].suffix);
        CHECK(nesting_error_column(shallow) == 0);
        /* A chain is refused where it starts; prefix operators at the one
         * 1001 deep. */
        int expected = chains[i].prefix[0] ? 14 : 14 + 999;
        int column = nesting_error_column(deep);
        CHECK(column == expected);
        if (column != expected)
            fprintf(stderr, "  chain %zu: column %d\n", i, column);
        free(shallow);
        free(deep);
    }
}

static void test_nested_blocks(void)
{
    struct strbuf text = {0};
    strbuf_puts(&text, "BEGIN { ");
    for (int i = 0; i < 1200; i++)
        strbuf_puts(&text, "if (1) { ");
    for (int i = 0; i < 1200; i++)
        strbuf_puts(&text, "} ");
    strbuf_puts(&text, "}");
    CHECK(nesting_error_column(strbuf_text(&text)) > 0);
    strbuf_free(&text);
}

/* A value the parser accepts but the setting cannot hold: at the value. */
static void test_config_values(void)
{
    expect_error("config = { missing_probes = \"igonre\" } BEGIN { }", &options, 1, 29,
                 "invalid value for config key 'missing_probes'");
    expect_error("config = { missing_probes = 1 } BEGIN { }", &options, 1, 29,
                 "invalid value for config key 'missing_probes'");
    expect_accepted("config = { missing_probes = \"warn\" } BEGIN { }", &options);
}

/* string[N] past the cast limit was cut to 32 bits (string[2^32 + 8]
 * became string[8]); now it is refused where it is written. */
static void test_declared_string_sizes(void)
{
    expect_error("BEGIN { let $s: string[4294967304]; }", &options, 1, 17, "longer than 4096");
    expect_error("BEGIN { let $s: string[99999999999999]; }", &options, 1, 17, "longer than 4096");
    expect_error("fn f($a: string[4294967304]): int64 { return 1; } BEGIN { }", &options, 1, 10,
                 "longer than 4096");
    expect_accepted("BEGIN { let $s: string[4096]; }", &options);
}

int main(void)
{
    test_deep_chains();
    test_nested_blocks();
    test_config_values();
    test_declared_string_sizes();
    return TEST_DONE();
}

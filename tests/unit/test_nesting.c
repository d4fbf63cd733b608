/* The 1,000-deep limit is the parser's and the macro expander's own: any
 * caller of front_parse or ast_expand_macros (a test, a tool) gets the error
 * at its place, never a tree the recursive passes after them cannot walk. */
#include <stdlib.h>

#include "ast/nesting.h"
#include "base/strbuf.h"
#include "front/parse.h"
#include "test.h"

static const char too_deep[] = "expressions and statements nest more than 1000 deep here";

struct parsed {
    struct arena arena;
    struct diag diag;
    struct strbuf text;
    struct ast_program *program;
};

static void parse(struct parsed *p)
{
    arena_init(&p->arena);
    diag_init(&p->diag, "test.bt", strbuf_text(&p->text));
    p->program = front_parse(strbuf_text(&p->text), &p->arena, &p->diag);
}

static void release(struct parsed *p)
{
    diag_free(&p->diag);
    arena_free(&p->arena);
    strbuf_free(&p->text);
}

static void repeat(struct strbuf *text, const char *piece, int count)
{
    for (int i = 0; i < count; i++)
        strbuf_puts(text, piece);
}

/* Exactly one error, the nesting one, at line:column, with its hint. */
static void expect_nesting_error(const struct diag *diag, int line, int column)
{
    CHECK(diag->error_count == 1);
    if (diag->entries.count == 0)
        return;
    const struct diag_entry *entry = vec_get(&diag->entries, 0);
    CHECK(entry->severity == DIAG_ERROR);
    CHECK_STR(entry->message, too_deep);
    CHECK(entry->hint && strstr(entry->hint, "split the expression"));
    CHECK(entry->loc.line == line);
    CHECK(entry->loc.column == column);
    if (entry->loc.line != line || entry->loc.column != column)
        fprintf(stderr, "  at %d:%d, expected %d:%d\n", entry->loc.line, entry->loc.column, line,
                column);
}

/* A 5000-term chain in a probe: front_parse itself refuses it, where it starts. */
static void test_parser_refuses_deep_probe(void)
{
    struct parsed p = {0};
    strbuf_puts(&p.text, "BEGIN { @x = 1");
    repeat(&p.text, "+1", 5000);
    strbuf_puts(&p.text, "; }");
    parse(&p);
    CHECK(p.program == NULL);
    expect_nesting_error(&p.diag, 1, 14);
    release(&p);
}

/* Macro, function and function-like #define bodies are the script's too:
 * checked before expansion. */
static void test_parser_refuses_deep_bodies(void)
{
    static const char *const openings[] = {"macro m(x) {\n  1", "fn f(): int64 {\n  return 1",
                                           "#define DEEP(a) a"};
    static const char *const closings[] = {"\n}\nBEGIN { }", ";\n}\nBEGIN { }", "\nBEGIN { }"};
    static const int lines[] = {2, 2, 1};
    static const int columns[] = {3, 10, 17};
    for (size_t i = 0; i < sizeof(openings) / sizeof(openings[0]); i++) {
        struct parsed p = {0};
        strbuf_puts(&p.text, openings[i]);
        repeat(&p.text, "+1", 3000);
        strbuf_puts(&p.text, closings[i]);
        parse(&p);
        CHECK(p.program == NULL);
        expect_nesting_error(&p.diag, lines[i], columns[i]);
        release(&p);
    }
}

/* The check that a #define's parameters are expressions walks the body:
 * one 400,000 terms deep overflowed the stack there, inside front_parse. */
static void test_parser_does_not_walk_deep_define(void)
{
    struct parsed p = {0};
    strbuf_puts(&p.text, "#define DEEP(a) a");
    repeat(&p.text, "+1", 400000);
    strbuf_puts(&p.text, "\nBEGIN { }");
    parse(&p);
    CHECK(p.program == NULL);
    expect_nesting_error(&p.diag, 1, 17);
    release(&p);
}

/* Just under the limit parses. */
static void test_parser_accepts_shallow(void)
{
    struct parsed p = {0};
    strbuf_puts(&p.text, "BEGIN { @x = 1");
    repeat(&p.text, "+1", 900);
    strbuf_puts(&p.text, "; }");
    parse(&p);
    CHECK(p.program != NULL);
    CHECK(p.diag.error_count == 0);
    release(&p);
}

/* Parses p's text (which must parse), expands its macros and checks the
 * outcome: accepted, or the nesting error at 1:17 (where the body's chain
 * passes 1000 deep). Releases p. */
static void expect_expansion(struct parsed *p, bool accepted)
{
    parse(p);
    CHECK(p->program != NULL);
    if (p->program) {
        int status = ast_expand_macros(p->program, &p->arena, &p->diag);
        CHECK(accepted ? status == 0 && p->diag.error_count == 0 : status != 0);
        if (!accepted)
            expect_nesting_error(&p->diag, 1, 17);
    }
    release(p);
}

/* `deep(deep(1))`: each body is 600 deep and parses; the argument lands at
 * the bottom of the other copy, 1200 deep, which ast_expand_macros refuses.
 * The place is where the inner copy's chain passes 1000: in the body. */
static void test_expansion_refuses_deep_result(void)
{
    struct parsed p = {0};
    strbuf_puts(&p.text, "macro deep(x) { x");
    repeat(&p.text, "+1", 600);
    strbuf_puts(&p.text, " }\nBEGIN { @x = deep(deep(1)); }");
    expect_expansion(&p, false);
}

/* Nested 400 times, the expansion would be 360,000 deep: the expander used
 * to overflow the stack building it. It stops, and the check says where. */
static void test_expansion_stops_before_the_stack_runs_out(void)
{
    struct parsed p = {0};
    strbuf_puts(&p.text, "macro deep(x) { x");
    repeat(&p.text, "+1", 900);
    strbuf_puts(&p.text, " }\nBEGIN { @x = ");
    repeat(&p.text, "deep(", 400);
    strbuf_puts(&p.text, "1");
    repeat(&p.text, ")", 400);
    strbuf_puts(&p.text, "; }");
    expect_expansion(&p, false);
}

static void test_expansion_accepts_shallow_result(void)
{
    struct parsed p = {0};
    strbuf_puts(&p.text, "macro deep(x) { x");
    repeat(&p.text, "+1", 600);
    strbuf_puts(&p.text, " }\nBEGIN { @x = deep(1); @y = deep(2); }");
    expect_expansion(&p, true);
}

int main(void)
{
    test_parser_refuses_deep_probe();
    test_parser_refuses_deep_bodies();
    test_parser_does_not_walk_deep_define();
    test_parser_accepts_shallow();
    test_expansion_refuses_deep_result();
    test_expansion_stops_before_the_stack_runs_out();
    test_expansion_accepts_shallow_result();
    return TEST_DONE();
}

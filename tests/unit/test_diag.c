/* Diagnostics quote the offending source line with a caret under the place.
 * A short line is quoted whole; a very long one (a generated 24 KB one-liner)
 * shows only a window around the caret, so the message stays readable. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "test.h"

/* What diag_print writes for one error at `loc` in `source`. */
static char *render(const char *source, struct srcloc loc)
{
    struct diag diag;
    diag_init(&diag, "test", source);
    diag_error(&diag, loc, "boom");
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    diag_print(&diag, out);
    fclose(out);
    diag_free(&diag);
    return text;
}

/* `count` copies of "0123456789": column N holds digit (N - 1) % 10. */
static char *digits(size_t count)
{
    char *text = malloc(count * 10 + 1);
    for (size_t i = 0; i < count * 10; i++)
        text[i] = (char)('0' + i % 10);
    text[count * 10] = '\0';
    return text;
}

static char *repeat(char c, size_t count)
{
    char *text = malloc(count + 1);
    memset(text, c, count);
    text[count] = '\0';
    return text;
}

static void check_render(const char *source, struct srcloc loc, const char *expected)
{
    char *text = render(source, loc);
    CHECK_STR(text, expected);
    free(text);
}

static void test_short_lines_print_whole(void)
{
    check_render("BEGIN { x }\n", (struct srcloc){1, 9, 1},
                 "test:1:9: error: boom\n    BEGIN { x }\n            ^\n");
    check_render("a\n\tb  c d\n", (struct srcloc){2, 5, 3},
                 "test:2:5: error: boom\n    \tb  c d\n    \t   ^~~\n");
    /* The underline stops at the end of the line. */
    check_render("abc", (struct srcloc){1, 2, 10}, "test:1:2: error: boom\n    abc\n     ^~\n");

    /* 200 columns is still short: the whole line, caret far right. */
    char *line = digits(20);
    char *pad = repeat(' ', 149);
    char expected[512];
    snprintf(expected, sizeof(expected), "test:1:150: error: boom\n    %s\n    %s^\n", line, pad);
    check_render(line, (struct srcloc){1, 150, 1}, expected);
    free(line);
    free(pad);
}

/* Column 1000 of 24 KB: 80 columns either side, "..." where cut, caret and
 * underline under the same characters as in the full line. */
static void test_long_line_window_in_middle(void)
{
    char *line = digits(2400);
    char *pad = repeat(' ', 3 + 80);
    char shown[162];
    memcpy(shown, line + 919, 161);
    shown[161] = '\0';
    /* Columns 920, 1000 and 1080 all hold '9': the window is centred on the caret. */
    CHECK(shown[0] == '9' && shown[80] == '9' && shown[160] == '9');
    char expected[1024];
    snprintf(expected, sizeof(expected), "test:1:1000: error: boom\n    ...%s...\n    %s^~~~\n",
             shown, pad);
    check_render(line, (struct srcloc){1, 1000, 4}, expected);

    /* A span longer than the window is underlined up to its edge: 81 columns. */
    char *tildes = repeat('~', 80);
    snprintf(expected, sizeof(expected), "test:1:1000: error: boom\n    ...%s...\n    %s^%s\n",
             shown, pad, tildes);
    check_render(line, (struct srcloc){1, 1000, 5000}, expected);
    free(tildes);
    free(pad);
    free(line);
}

/* Near either end of a long line, only the far side is cut; the underline
 * stops at the end of the line (columns 290..300 here). */
static void test_long_line_window_at_edges(void)
{
    char *line = digits(30);
    char expected[1024];
    snprintf(expected, sizeof(expected), "test:1:5: error: boom\n    %.85s...\n        ^~\n", line);
    check_render(line, (struct srcloc){1, 5, 2}, expected);

    char *pad = repeat(' ', 3 + 80);
    snprintf(expected, sizeof(expected), "test:1:290: error: boom\n    ...%s\n    %s^~~~~~~~~~~\n",
             line + 209, pad);
    check_render(line, (struct srcloc){1, 290, 50}, expected);

    /* A place just past the end (an unexpected end of input) stays visible. */
    snprintf(expected, sizeof(expected), "test:1:301: error: boom\n    ...%s\n    %s^\n",
             line + 220, pad);
    check_render(line, (struct srcloc){1, 301, 1}, expected);
    free(pad);
    free(line);
}

/* Tabs inside the window are kept in the caret line; a cut never splits a
 * UTF-8 character (the window start moves past its continuation bytes). */
static void test_long_line_tabs_and_utf8(void)
{
    char line[400];
    memset(line, 'x', 399);
    line[399] = '\0';
    memcpy(line + 99, "\xc3\xa9", 2); /* é at bytes 99..100: the cut at 100 would split it */
    line[150] = '\t';
    /* Caret at column 181 (byte 180): the window would start at byte 100. */
    char *before_tab = repeat(' ', 3 + 49);
    char *after_tab = repeat(' ', 29);
    char expected[1024];
    snprintf(expected, sizeof(expected), "test:1:181: error: boom\n    ...%.160s...\n    %s\t%s^\n",
             line + 101, before_tab, after_tab);
    check_render(line, (struct srcloc){1, 181, 1}, expected);
    free(before_tab);
    free(after_tab);
}

int main(void)
{
    test_short_lines_print_whole();
    test_long_line_window_in_middle();
    test_long_line_window_at_edges();
    test_long_line_tabs_and_utf8();
    return TEST_DONE();
}

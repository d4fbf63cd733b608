/* A minimal unit-test harness: each tests/unit/test_*.c is one executable
 * that ctest runs; CHECK records failures without stopping the test. */
#ifndef SONDE_TESTS_UNIT_TEST_H
#define SONDE_TESTS_UNIT_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(condition)                                                                   \
    do {                                                                                   \
        test_checks++;                                                                     \
        if (!(condition)) {                                                                \
            test_failures++;                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition);  \
        }                                                                                  \
    } while (0)

#define CHECK_STR(actual, expected)                                                        \
    do {                                                                                   \
        const char *actual_text = (actual), *expected_text = (expected);                   \
        test_checks++;                                                                     \
        if (!actual_text || strcmp(actual_text, expected_text) != 0) {                     \
            test_failures++;                                                               \
            fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__,    \
                    expected_text, actual_text ? actual_text : "(null)");                  \
        }                                                                                  \
    } while (0)

/* Print the summary and give ctest the verdict. */
#define TEST_DONE()                                                                        \
    (printf("%d checks, %d failed\n", test_checks, test_failures), test_failures ? 1 : 0)

#endif

/* The place in an LLVM backend error (codegen_backend_place): the
 * diagnostic points into the script instead of quoting LLVM's prefix. */
#include <string.h>

#include "codegen/codegen_internal.h"
#include "test.h"

static void test_place_and_message(void)
{
    const char *message = NULL;
    struct srcloc place = codegen_backend_place(
        "prog.bt:3:14: in function probe0_0 i32 (ptr): Looks like the BPF stack limit is exceeded",
        &message);
    CHECK(place.line == 3 && place.column == 14);
    CHECK_STR(message, "Looks like the BPF stack limit is exceeded");
    /* -e programs: the file name is "-e", which has no digits to confuse. */
    place = codegen_backend_place("-e:1:9: in function sonde_sys_enter i32 (ptr): too many args",
                                  &message);
    CHECK(place.line == 1 && place.column == 9);
    CHECK_STR(message, "too many args");
    /* A path with numbers and colons before the place. */
    place = codegen_backend_place("/tmp/a:2/b12.bt:40:2: in function f i64 (ptr, ptr): x", &message);
    CHECK(place.line == 40 && place.column == 2);
    CHECK_STR(message, "x");
}

static void test_no_place(void)
{
    const char *message = NULL;
    const char *text = "Branch target out of insn range";
    struct srcloc place = codegen_backend_place(text, &message);
    CHECK(place.line == 0 && place.column == 0);
    CHECK(message == text);
    text = "in function probe0_0 i32 (ptr): no place before it";
    place = codegen_backend_place(text, &message);
    CHECK(place.line == 0);
    CHECK(message == text);
    text = "prog.bt:7: in function probe0_0 i32 (ptr): a line but no column";
    place = codegen_backend_place(text, &message);
    CHECK(place.line == 0);
}

int main(void)
{
    test_place_and_message();
    test_no_place();
    return TEST_DONE();
}

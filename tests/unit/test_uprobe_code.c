/* uprobe offsets and C++ names (src/probes/uprobe_boundary.c and
 * uprobe_cpp.c): which offsets into a function start an instruction, and
 * which C++ symbols a cpp: pattern matches. Reads this test's own code. */
#define _GNU_SOURCE
#include <elf.h>
#include <unistd.h>

#include "probes/probe.h"
#include "probes/uprobe_internal.h"
#include "test.h"

#if defined(__x86_64__)
/* Known code: a 3-byte lea at +0, a 10-byte movabs at +3, nop at +13, ret at +14. */
__asm__(".text\n"
        ".globl sonde_test_known_code\n"
        ".type sonde_test_known_code, @function\n"
        "sonde_test_known_code:\n"
        "    lea 1(%rdi), %eax\n"
        "    movabs $0x1122334455667788, %rdx\n"
        "    nop\n"
        "    ret\n"
        ".size sonde_test_known_code, . - sonde_test_known_code\n");
int sonde_test_known_code(int x);

static void test_x86_boundaries(struct arena *arena, const char *exe, const struct probe_elf *elf)
{
    /* Called, so that the linker keeps it (and it computes what it should). */
    CHECK(sonde_test_known_code(41) == 42);
    const struct probe_elf_symbol *code = probes_elf_find(elf, "sonde_test_known_code");
    CHECK(code && code->size == 15);
    if (!code)
        return;
    struct uprobe_boundary_check check;
    for (uint64_t offset = 0; offset < 15; offset++) {
        probes_uprobe_check_boundary(arena, exe, elf, code, offset, &check);
        bool starts = offset == 0 || offset == 3 || offset == 13 || offset == 14;
        CHECK(check.result == (starts ? UPROBE_BOUNDARY_OK : UPROBE_BOUNDARY_INSIDE));
    }
    probes_uprobe_check_boundary(arena, exe, elf, code, 7, &check);
    CHECK(check.before == 3 && check.after == 13);
    probes_uprobe_check_boundary(arena, exe, elf, code, 1, &check);
    CHECK(check.before == 0 && check.after == 3);
    /* A file that cannot be read there: not checked, and why. */
    probes_uprobe_check_boundary(arena, "/nonexistent", elf, code, 3, &check);
    CHECK(check.result == UPROBE_BOUNDARY_UNCHECKED && check.reason);
}
#endif

static void test_other_machines(struct arena *arena)
{
    struct probe_elf elf = {.machine = EM_AARCH64};
    struct probe_elf_symbol symbol = {.name = "f", .size = 64};
    struct uprobe_boundary_check check;
    probes_uprobe_check_boundary(arena, "/nonexistent", &elf, &symbol, 8, &check);
    CHECK(check.result == UPROBE_BOUNDARY_OK);
    probes_uprobe_check_boundary(arena, "/nonexistent", &elf, &symbol, 6, &check);
    CHECK(check.result == UPROBE_BOUNDARY_INSIDE && check.before == 4 && check.after == 8);
    elf.machine = EM_RISCV;
    probes_uprobe_check_boundary(arena, "/nonexistent", &elf, &symbol, 4, &check);
    CHECK(check.result == UPROBE_BOUNDARY_UNCHECKED);
    CHECK_STR(check.reason, "sonde cannot decode riscv code");
    probes_uprobe_check_boundary(arena, "/nonexistent", &elf, &symbol, 0, &check);
    CHECK(check.result == UPROBE_BOUNDARY_OK);
}

static void test_cpp_names(struct arena *arena)
{
    CHECK_STR(probes_uprobe_demangle(arena, "_ZN2ns1fEi"), "ns::f(int)");
    CHECK_STR(probes_uprobe_demangle(arena, "_ZNK5sonde7Counter3getEv"),
              "sonde::Counter::get() const");
    CHECK(probes_uprobe_demangle(arena, "main") == NULL);
    CHECK(probes_uprobe_demangle(arena, "_Znot a name") == NULL);
    const char *f = "_ZN2ns1fEi", *demangled = "ns::f(int)";
    CHECK(probes_uprobe_cpp_match("ns::f", f, demangled));
    CHECK(probes_uprobe_cpp_match("ns::*", f, demangled));
    CHECK(probes_uprobe_cpp_match("ns::f(int)", f, demangled));
    CHECK(probes_uprobe_cpp_match("ns::f(*)", f, demangled));
    CHECK(probes_uprobe_cpp_match("_ZN2ns1fEi", f, demangled));
    CHECK(!probes_uprobe_cpp_match("ns::f(long)", f, demangled));
    CHECK(!probes_uprobe_cpp_match("ns::", f, demangled));
    CHECK(!probes_uprobe_cpp_match("f", f, demangled));
    CHECK(probes_uprobe_cpp_match("sonde::Counter::get", "_ZNK5sonde7Counter3getEv",
                                  "sonde::Counter::get() const"));
    CHECK(probes_uprobe_cpp_match("main", "main", NULL));
    CHECK(!probes_uprobe_cpp_match("ns::*", "main", NULL));
}

int main(void)
{
    struct arena arena;
    arena_init(&arena);
    char exe[4096];
    ssize_t length = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    CHECK(length > 0);
    if (length > 0) {
        exe[length] = '\0';
        struct probe_elf elf;
        const char *error = NULL;
        CHECK(probes_elf_read(&arena, exe, &elf, &error) == 0);
        CHECK(elf.machine != 0);
#if defined(__x86_64__)
        CHECK(elf.machine == EM_X86_64);
        test_x86_boundaries(&arena, exe, &elf);
#endif
        probes_elf_free(&elf);
    }
    test_other_machines(&arena);
    test_cpp_names(&arena);
    arena_free(&arena);
    return TEST_DONE();
}

/* uaddr(): the symbols of a binary, and the arithmetic that finds them at
 * run time, on this test's own executable: where a global really is must
 * be its linked address, moved (in a PIE) by where a function really is
 * minus that function's linked address. The unit tests link without PIE
 * (sonde_core asks for it); tests/runtime/probes_uprobe.test covers PIEs. */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "probes/elf_symbols.h"
#include "probes/uaddr.h"
#include "test.h"

__attribute__((used)) volatile int uaddr_test_global = 42;
__attribute__((used)) volatile long uaddr_test_bss;

__attribute__((noinline, used)) int uaddr_test_function(int x)
{
    uaddr_test_bss = x;
    return x + uaddr_test_global;
}

static const char *own_path(struct arena *arena)
{
    char path[4096];
    ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
    if (length <= 0)
        return NULL;
    path[length] = '\0';
    return arena_strdup(arena, path);
}

/* e_type, straight from the ELF header. */
static int elf_type(const char *path)
{
    Elf64_Ehdr header;
    FILE *file = fopen(path, "rb");
    size_t got = file ? fread(&header, sizeof(header), 1, file) : 0;
    if (file)
        fclose(file);
    return got == 1 ? header.e_type : -1;
}

static void test_objects(struct arena *arena, const char *path)
{
    struct probe_elf elf;
    const char *error = NULL;
    CHECK(probes_elf_read(arena, path, &elf, &error) == 0);
    CHECK(elf.position_independent == (elf_type(path) == ET_DYN));
    const struct probe_elf_symbol *global = probes_elf_find_object(&elf, "uaddr_test_global");
    CHECK(global && global->size == sizeof(int));
    const struct probe_elf_symbol *bss = probes_elf_find_object(&elf, "uaddr_test_bss");
    CHECK(bss && bss->size == sizeof(long)); /* in .bss: no bytes in the file, still found */
    CHECK(probes_elf_find(&elf, "uaddr_test_global") == NULL); /* not a function */
    const struct probe_elf_symbol *function = probes_elf_find(&elf, "uaddr_test_function");
    uint64_t address = 0;
    CHECK(function && probes_elf_address_of_offset(&elf, function->file_offset, &address) &&
          address == function->address);
    probes_elf_free(&elf);
}

/* What a uprobe on uaddr_test_function would see, done by hand. */
static void test_run_time_address(struct arena *arena, const char *path)
{
    struct probe_elf elf;
    const char *error = NULL;
    CHECK(probes_elf_read(arena, path, &elf, &error) == 0);
    const struct probe_elf_symbol *function = probes_elf_find(&elf, "uaddr_test_function");
    CHECK(function != NULL);
    struct probe_instance instance = {.path = path, .offset = function ? function->file_offset : 0};
    probes_elf_free(&elf);

    struct probe_user_address found;
    const char *closest = NULL;
    CHECK(probes_user_address(arena, &instance, "uaddr_test_global", &found, &closest, &error) ==
          0);
    CHECK(found.symbol_size == sizeof(int));
    uint64_t fired_at = (uintptr_t)&uaddr_test_function;
    uint64_t bias = found.relocated ? fired_at - found.probe_address : 0;
    CHECK(found.symbol_address + bias == (uintptr_t)&uaddr_test_global);

    CHECK(probes_user_address(arena, &instance, "uaddr_test_globl", &found, &closest, &error) ==
          -ENOENT);
    CHECK_STR(closest, "uaddr_test_global");
    instance.path = "/nonexistent/binary";
    CHECK(probes_user_address(arena, &instance, "x", &found, &closest, &error) < 0 && error);
}

int main(void)
{
    struct arena arena;
    arena_init(&arena);
    const char *path = own_path(&arena);
    CHECK(path != NULL);
    if (path) {
        test_objects(&arena, path);
        test_run_time_address(&arena, path);
    }
    arena_free(&arena);
    return TEST_DONE();
}

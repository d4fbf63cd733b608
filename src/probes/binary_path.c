/* Finding the file behind a uprobe's binary name. */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probes/binary_path.h"
#include "probes/probes_internal.h"

static bool is_file(const char *path)
{
    struct stat status;
    return stat(path, &status) == 0 && S_ISREG(status.st_mode);
}

/* The ELF machine of a file (e_machine), or 0 when it is not ELF. */
static unsigned elf_machine(const char *path)
{
    unsigned char header[EI_NIDENT + 4];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t length = read(fd, header, sizeof(header));
    close(fd);
    if (length != (ssize_t)sizeof(header) || memcmp(header, ELFMAG, SELFMAG) != 0)
        return 0;
    return (unsigned)(header[EI_NIDENT + 2] | header[EI_NIDENT + 3] << 8); /* little-endian */
}

/* A library of ours: ld.so.cache also lists 32-bit and foreign ones. */
static bool is_native_library(const char *path)
{
    static unsigned native;
    if (!native)
        native = elf_machine("/proc/self/exe");
    return is_file(path) && elf_machine(path) == native;
}

/* "libc" names libc.so and libc.so.6; "libc.so.6" names only itself. */
static bool names_library(const char *name, const char *file)
{
    size_t length = strlen(name);
    if (strcmp(file, name) == 0)
        return true;
    if (strncmp(file, name, length) != 0 || strncmp(file + length, ".so", 3) != 0)
        return false;
    return file[length + 3] == '\0' || file[length + 3] == '.';
}

/* glibc's cache format ("glibc-ld.so.cache1.1"): a 48-byte header, then
 * 24-byte entries {int32 flags; u32 key, value; u32 osversion; u64 hwcap}
 * whose key (soname) and value (path) are offsets from the header. */
enum { CACHE_HEADER = 48, CACHE_ENTRY = 24 };
static const char cache_magic[] = "glibc-ld.so.cache1.1";

static uint32_t read_u32(const unsigned char *bytes)
{
    uint32_t value;
    memcpy(&value, bytes, sizeof(value));
    return value;
}

static const char *string_at(const unsigned char *base, size_t size, uint32_t offset)
{
    if (offset >= size || !memchr(base + offset, '\0', size - offset))
        return NULL;
    return (const char *)base + offset;
}

static const char *search_cache(struct arena *arena, const char *name, const unsigned char *data,
                                size_t size)
{
    const unsigned char *header = memmem(data, size, cache_magic, sizeof(cache_magic) - 1);
    if (!header || (size_t)(header - data) + CACHE_HEADER > size)
        return NULL;
    size_t available = size - (size_t)(header - data);
    uint32_t count = read_u32(header + 20);
    if (count > (available - CACHE_HEADER) / CACHE_ENTRY)
        return NULL;
    for (uint32_t i = 0; i < count; i++) {
        const unsigned char *entry = header + CACHE_HEADER + (size_t)i * CACHE_ENTRY;
        const char *key = string_at(header, available, read_u32(entry + 4));
        const char *path = string_at(header, available, read_u32(entry + 8));
        if (key && path && names_library(name, key) && is_native_library(path))
            return arena_strdup(arena, path);
    }
    return NULL;
}

const char *probes_library_from_cache(struct arena *arena, const char *name, const char *cache)
{
    FILE *file = fopen(cache, "rb");
    if (!file)
        return NULL;
    unsigned char *data = NULL;
    size_t size = 0, capacity = 0;
    for (;;) {
        if (size == capacity) {
            capacity = capacity ? capacity * 2 : 65536;
            unsigned char *grown = realloc(data, capacity);
            if (!grown)
                break;
            data = grown;
        }
        size_t got = fread(data + size, 1, capacity - size, file);
        if (got == 0)
            break;
        size += got;
    }
    fclose(file);
    const char *path = data ? search_cache(arena, name, data, size) : NULL;
    free(data);
    return path;
}

/* The usual library directories, when the cache does not know the name. */
static const char *search_directories(struct arena *arena, const char *name)
{
    static const char *const directories[] = {
        "/lib/x86_64-linux-gnu",
        "/usr/lib/x86_64-linux-gnu",
        "/lib/aarch64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/lib64",
        "/usr/lib64",
        "/lib",
        "/usr/lib",
        "/usr/local/lib",
    };
    struct vec found = {0};
    const char *result = NULL;
    for (size_t i = 0; i < sizeof(directories) / sizeof(directories[0]) && !result; i++) {
        DIR *dir = opendir(directories[i]);
        struct dirent *entry;
        while (dir && (entry = readdir(dir)) != NULL)
            if (names_library(name, entry->d_name))
                vec_push(&found, arena_printf(arena, "%s/%s", directories[i], entry->d_name));
        if (dir)
            closedir(dir);
        probes_sort_names(&found, 0);
        for (size_t j = 0; j < found.count && !result; j++)
            if (is_native_library(vec_get(&found, j)))
                result = vec_get(&found, j);
        found.count = 0;
    }
    vec_free(&found);
    return result;
}

static const char *search_path(struct arena *arena, const char *name)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const char *start = path; *start;) {
        size_t length = strcspn(start, ":");
        const char *candidate = arena_printf(arena, "%.*s/%s", (int)length, start, name);
        if (length && is_file(candidate) && access(candidate, X_OK) == 0)
            return candidate;
        start += length + (start[length] == ':');
    }
    return NULL;
}

void probes_process_objects(struct arena *arena, int pid, struct vec *out)
{
    char maps[64];
    snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
    FILE *file = fopen(maps, "r");
    char line[4096];
    size_t first = out->count;
    while (file && fgets(line, sizeof(line), file)) {
        char permissions[8] = "";
        int path_start = 0;
        if (sscanf(line, "%*s %7s %*s %*s %*s %n", permissions, &path_start) < 1 ||
            !strchr(permissions, 'x') || line[path_start] != '/')
            continue;
        line[strcspn(line, "\n")] = '\0';
        bool seen = false;
        for (size_t i = first; i < out->count && !seen; i++)
            seen = strcmp(vec_get(out, i), line + path_start) == 0;
        if (!seen)
            vec_push(out, arena_strdup(arena, line + path_start));
    }
    if (file)
        fclose(file);
}

/* A file the process maps whose name is `name`: its program or a library. */
static const char *search_process(struct arena *arena, const char *name, int pid)
{
    struct vec objects = {0};
    probes_process_objects(arena, pid, &objects);
    const char *result = NULL;
    for (size_t i = 0; i < objects.count && !result; i++) {
        const char *path = vec_get(&objects, i);
        const char *base = strrchr(path, '/') + 1;
        if (!names_library(name, base))
            continue;
        /* The process may live in another mount namespace. */
        result = is_file(path) ? path : arena_printf(arena, "/proc/%d/root%s", pid, path);
    }
    vec_free(&objects);
    return result;
}

const char *probes_resolve_binary(struct arena *arena, const char *name, int pid)
{
    if (strchr(name, '/'))
        return is_file(name) ? name : NULL;
    const char *found = pid > 0 ? search_process(arena, name, pid) : NULL;
    if (!found)
        found = search_path(arena, name);
    if (!found)
        found = probes_library_from_cache(arena, name, "/etc/ld.so.cache");
    if (!found)
        found = search_directories(arena, name);
    return found;
}

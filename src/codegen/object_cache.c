/* object_cache: see object_cache.h. An entry is one file named by the hex
 * key digest:
 *
 *     "SONDEOC1"  8 bytes   magic and format version
 *     size        8 bytes   object size, little endian
 *     key        32 bytes   the full key digest, checked against the lookup key
 *     check      32 bytes   digest of the object bytes, checked on every read
 *     object     size bytes
 *
 * so a file that was truncated, corrupted or written by another format is a
 * miss, never a wrong object. */
#define _GNU_SOURCE
#include "codegen/object_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <llvm-c/blake3.h>

#define MAGIC              "SONDEOC1"
#define HEADER_SIZE        (8 + 8 + 2 * OBJECT_CACHE_DIGEST_SIZE)
#define TEMP_PREFIX        ".tmp-"
#define STALE_TEMP_SECONDS 3600

static int fail(struct object_cache *cache, int err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct object_cache *cache, int err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(cache->problem, sizeof(cache->problem), format, args);
    va_end(args);
    return err;
}

void object_cache_hasher_init(struct object_cache_hasher *hasher)
{
    hasher->state = malloc(sizeof(llvm_blake3_hasher));
    if (!hasher->state)
        abort(); /* as everywhere in sonde: out of memory is not recoverable */
    llvm_blake3_hasher_init(hasher->state);
}

void object_cache_hasher_add(struct object_cache_hasher *hasher, const void *data, size_t size)
{
    uint64_t length = size;
    llvm_blake3_hasher_update(hasher->state, &length, sizeof(length));
    llvm_blake3_hasher_update(hasher->state, data, size);
}

void object_cache_hasher_add_string(struct object_cache_hasher *hasher, const char *text)
{
    object_cache_hasher_add(hasher, text, strlen(text));
}

void object_cache_hasher_finish(struct object_cache_hasher *hasher, struct object_cache_key *key)
{
    llvm_blake3_hasher_finalize(hasher->state, key->digest, sizeof(key->digest));
    free(hasher->state);
    hasher->state = NULL;
}

static void digest_of(const void *data, size_t size, uint8_t out[OBJECT_CACHE_DIGEST_SIZE])
{
    llvm_blake3_hasher hasher;
    llvm_blake3_hasher_init(&hasher);
    llvm_blake3_hasher_update(&hasher, data, size);
    llvm_blake3_hasher_finalize(&hasher, out, OBJECT_CACHE_DIGEST_SIZE);
}

void object_cache_entry_name(const struct object_cache_key *key, char name[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < OBJECT_CACHE_DIGEST_SIZE; i++) {
        name[2 * i] = hex[key->digest[i] >> 4];
        name[2 * i + 1] = hex[key->digest[i] & 15];
    }
    name[64] = '\0';
}

const char *object_cache_directory(char *buffer, size_t size, const char **why)
{
    const char *setting = getenv("SONDE_CACHE");
    if (setting && strcmp(setting, "0") == 0) {
        *why = "the object cache is off (SONDE_CACHE=0)";
        return NULL;
    }
    const char *explicit_dir = getenv("SONDE_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int length;
    if (explicit_dir && *explicit_dir)
        length = snprintf(buffer, size, "%s", explicit_dir);
    else if (xdg && xdg[0] == '/')
        length = snprintf(buffer, size, "%s/sonde", xdg);
    else if (home && home[0] == '/')
        length = snprintf(buffer, size, "%s/.cache/sonde", home);
    else {
        *why = "no object cache: neither SONDE_CACHE_DIR, XDG_CACHE_HOME nor HOME is set";
        return NULL;
    }
    if (length < 0 || (size_t)length >= size) {
        *why = "no object cache: its directory name is too long";
        return NULL;
    }
    return buffer;
}

/* mkdir -p with mode 0700 for what it creates; existing parents are kept. */
static int make_directories(char *path)
{
    for (char *slash = strchr(path + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        int err = mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -errno;
        *slash = '/';
        if (err)
            return err;
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

int object_cache_open(struct object_cache *cache, const char *path)
{
    *cache = (struct object_cache){
        .dir_fd = -1, .max_bytes = OBJECT_CACHE_MAX_BYTES, .max_entries = OBJECT_CACHE_MAX_ENTRIES};
    char *copy = strdup(path);
    if (!copy)
        abort();
    int err = make_directories(copy);
    free(copy);
    if (err)
        return fail(cache, err, "cannot create %s: %s", path, strerror(-err));
    /* Checked through the descriptor that every later access goes through,
     * so the directory cannot be swapped between the check and the use. */
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        return fail(cache, -err, "cannot open %s: %s", path, strerror(err));
    }
    struct stat status;
    if (fstat(fd, &status) != 0) {
        err = errno;
        err = fail(cache, -err, "cannot stat %s: %s", path, strerror(err));
    } else if (status.st_uid != geteuid()) {
        err = fail(cache, -EPERM, "%s is not owned by uid %u: not used", path, (unsigned)geteuid());
    } else if (status.st_mode & (S_IWGRP | S_IWOTH)) {
        err = fail(cache, -EPERM, "%s is writable by group or others (mode %03o): not used", path,
                   (unsigned)(status.st_mode & 0777));
    }
    if (err) {
        close(fd);
        return err;
    }
    cache->dir_fd = fd;
    return 0;
}

void object_cache_close(struct object_cache *cache)
{
    if (cache->dir_fd >= 0)
        close(cache->dir_fd);
    cache->dir_fd = -1;
}

static uint64_t read_le64(const uint8_t *bytes)
{
    uint64_t value = 0;
    for (int i = 7; i >= 0; i--)
        value = value << 8 | bytes[i];
    return value;
}

static void write_le64(uint8_t *bytes, uint64_t value)
{
    for (int i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(value >> (8 * i));
}

static bool read_exactly(int fd, void *buffer, size_t size)
{
    uint8_t *at = buffer;
    while (size > 0) {
        ssize_t got = read(fd, at, size);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false;
        at += got;
        size -= (size_t)got;
    }
    return true;
}

/* Reads and checks an open entry; 0 with *elf set, or -EBADMSG. */
static int read_entry(struct object_cache *cache, int fd, const char *name,
                      const struct object_cache_key *key, void **elf, size_t *size)
{
    struct stat status;
    if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_uid != geteuid() ||
        (status.st_mode & (S_IWGRP | S_IWOTH)))
        return fail(cache, -EPERM, "entry %s is not a private regular file", name);
    uint8_t header[HEADER_SIZE];
    if (status.st_size < HEADER_SIZE || !read_exactly(fd, header, HEADER_SIZE))
        return fail(cache, -EBADMSG, "entry %s is truncated", name);
    uint64_t object_size = read_le64(header + 8);
    if (memcmp(header, MAGIC, 8) != 0 || object_size != (uint64_t)status.st_size - HEADER_SIZE)
        return fail(cache, -EBADMSG, "entry %s is damaged (bad header or size)", name);
    if (memcmp(header + 16, key->digest, OBJECT_CACHE_DIGEST_SIZE) != 0)
        return fail(cache, -EBADMSG, "entry %s holds another key", name);
    void *bytes = malloc(object_size ? object_size : 1);
    if (!bytes)
        abort();
    uint8_t check[OBJECT_CACHE_DIGEST_SIZE];
    if (!read_exactly(fd, bytes, object_size)) {
        free(bytes);
        return fail(cache, -EBADMSG, "entry %s is truncated", name);
    }
    digest_of(bytes, object_size, check);
    if (memcmp(check, header + 16 + OBJECT_CACHE_DIGEST_SIZE, sizeof(check)) != 0) {
        free(bytes);
        return fail(cache, -EBADMSG, "entry %s is damaged (content digest differs)", name);
    }
    *elf = bytes;
    *size = object_size;
    return 0;
}

int object_cache_lookup(struct object_cache *cache, const struct object_cache_key *key, void **elf,
                        size_t *size)
{
    char name[65];
    object_cache_entry_name(key, name);
    int fd = openat(cache->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        return err == ENOENT ? fail(cache, -ENOENT, "no entry for this object")
                             : fail(cache, -err, "cannot open entry %s: %s", name, strerror(err));
    }
    int err = read_entry(cache, fd, name, key, elf, size);
    if (!err)
        futimens(fd, NULL); /* pruning drops the least recently used entries */
    close(fd);
    return err;
}

static bool write_exactly(int fd, const void *buffer, size_t size)
{
    const uint8_t *at = buffer;
    while (size > 0) {
        ssize_t written = write(fd, at, size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        at += written;
        size -= (size_t)written;
    }
    return true;
}

struct entry_age {
    char name[72];
    struct timespec used;
    off_t size;
};

static int by_age(const void *a, const void *b)
{
    const struct entry_age *x = a, *y = b;
    if (x->used.tv_sec != y->used.tv_sec)
        return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
    if (x->used.tv_nsec != y->used.tv_nsec)
        return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
    return strcmp(x->name, y->name);
}

static bool is_entry_name(const char *name)
{
    size_t length = strlen(name);
    return length == 64 && strspn(name, "0123456789abcdef") == 64;
}

/* Lists the entries (and drops stale temporary files of crashed runs). */
static size_t list_entries(struct object_cache *cache, struct entry_age **out, size_t *bytes)
{
    int fd = openat(cache->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        if (fd >= 0)
            close(fd);
        return 0;
    }
    size_t count = 0, capacity = 0;
    struct entry_age *entries = NULL;
    time_t now = time(NULL);
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        struct stat status;
        bool temporary = strncmp(entry->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0;
        if ((!temporary && !is_entry_name(entry->d_name)) ||
            fstatat(cache->dir_fd, entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (temporary) {
            if (now - status.st_mtime > STALE_TEMP_SECONDS)
                unlinkat(cache->dir_fd, entry->d_name, 0);
            continue;
        }
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 64;
            entries = realloc(entries, capacity * sizeof(*entries));
            if (!entries)
                abort();
        }
        snprintf(entries[count].name, sizeof(entries[count].name), "%s", entry->d_name);
        entries[count].used = status.st_mtim;
        entries[count].size = status.st_size;
        *bytes += (size_t)status.st_size;
        count++;
    }
    closedir(dir);
    *out = entries;
    return count;
}

/* Runs after a store only (a miss has just paid for LLVM, a directory scan
 * is small beside it). Drops the least recently used entries down to 3/4 of
 * the limits, so that a full cache is not scanned again at every store. */
static void prune(struct object_cache *cache)
{
    struct entry_age *entries = NULL;
    size_t bytes = 0;
    size_t count = list_entries(cache, &entries, &bytes);
    if (count <= cache->max_entries && bytes <= cache->max_bytes) {
        free(entries);
        return;
    }
    qsort(entries, count, sizeof(*entries), by_age);
    size_t keep_entries = cache->max_entries * 3 / 4, keep_bytes = cache->max_bytes / 4 * 3;
    for (size_t i = 0; i < count && (count - i > keep_entries || bytes > keep_bytes); i++) {
        if (unlinkat(cache->dir_fd, entries[i].name, 0) == 0)
            bytes -= (size_t)entries[i].size;
    }
    free(entries);
}

int object_cache_store(struct object_cache *cache, const struct object_cache_key *key,
                       const void *elf, size_t size)
{
    char name[65], temporary[96];
    object_cache_entry_name(key, name);
    snprintf(temporary, sizeof(temporary), TEMP_PREFIX "%d-%.16s", (int)getpid(), name);
    int fd = openat(cache->dir_fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0600);
    if (fd < 0) {
        int err = errno;
        return fail(cache, -err, "cannot create %s: %s", temporary, strerror(err));
    }
    uint8_t header[HEADER_SIZE];
    memcpy(header, MAGIC, 8);
    write_le64(header + 8, size);
    memcpy(header + 16, key->digest, OBJECT_CACHE_DIGEST_SIZE);
    digest_of(elf, size, header + 16 + OBJECT_CACHE_DIGEST_SIZE);
    bool written = write_exactly(fd, header, sizeof(header)) && write_exactly(fd, elf, size);
    int write_errno = errno;
    if (close(fd) != 0)
        written = false;
    /* The rename makes the entry appear whole or not at all. */
    if (!written || renameat(cache->dir_fd, temporary, cache->dir_fd, name) != 0) {
        int err = written ? errno : write_errno;
        unlinkat(cache->dir_fd, temporary, 0);
        return fail(cache, -(err ? err : EIO), "cannot write entry %s: %s", name,
                    strerror(err ? err : EIO));
    }
    prune(cache);
    return 0;
}

/* The object cache on disk: a stored object comes back byte for byte; a
 * missing, truncated, damaged or foreign entry is a miss, never a wrong
 * object; unsafe directories are refused; the size stays bounded. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codegen/object_cache.h"
#include "test.h"

static char root[] = "/tmp/sonde-object-cache-test.XXXXXX";

static struct object_cache_key key_of(const char *text)
{
    struct object_cache_hasher hasher;
    struct object_cache_key key;
    object_cache_hasher_init(&hasher);
    object_cache_hasher_add_string(&hasher, text);
    object_cache_hasher_finish(&hasher, &key);
    return key;
}

static char *path_in(const char *directory, const char *name)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", directory, name) < 0)
        abort();
    return path;
}

static char *entry_path(const char *directory, const struct object_cache_key *key)
{
    char name[65];
    object_cache_entry_name(key, name);
    return path_in(directory, name);
}

static void test_digest_frames_its_parts(void)
{
    struct object_cache_hasher a, b;
    struct object_cache_key ka, kb;
    object_cache_hasher_init(&a);
    object_cache_hasher_add_string(&a, "ab");
    object_cache_hasher_add_string(&a, "c");
    object_cache_hasher_finish(&a, &ka);
    object_cache_hasher_init(&b);
    object_cache_hasher_add_string(&b, "a");
    object_cache_hasher_add_string(&b, "bc");
    object_cache_hasher_finish(&b, &kb);
    CHECK(memcmp(ka.digest, kb.digest, sizeof(ka.digest)) != 0);
    struct object_cache_key again = key_of("ab");
    struct object_cache_key same = key_of("ab");
    CHECK(memcmp(again.digest, same.digest, sizeof(same.digest)) == 0);
}

static void test_store_then_lookup(const char *directory)
{
    struct object_cache cache;
    CHECK(object_cache_open(&cache, directory) == 0);
    struct object_cache_key key = key_of("module one");
    void *elf = NULL;
    size_t size = 0;
    CHECK(object_cache_lookup(&cache, &key, &elf, &size) == -ENOENT);
    const char object[] = "\177ELF pretend object bytes";
    CHECK(object_cache_store(&cache, &key, object, sizeof(object)) == 0);
    CHECK(object_cache_lookup(&cache, &key, &elf, &size) == 0);
    CHECK(size == sizeof(object) && elf && memcmp(elf, object, size) == 0);
    free(elf);
    struct object_cache_key other = key_of("module two");
    CHECK(object_cache_lookup(&cache, &other, &elf, &size) == -ENOENT);
    struct stat status;
    char *path = entry_path(directory, &key);
    CHECK(stat(path, &status) == 0 && (status.st_mode & 0777) == 0600);
    CHECK(stat(directory, &status) == 0 && (status.st_mode & 0777) == 0700);
    free(path);
    object_cache_close(&cache);
}

/* Overwrites `length` bytes at `offset`, or truncates there when data is NULL. */
static void damage(const char *path, off_t offset, const char *data, size_t length)
{
    int fd = open(path, O_WRONLY);
    CHECK(fd >= 0);
    if (data)
        CHECK(pwrite(fd, data, length, offset) == (ssize_t)length);
    else
        CHECK(ftruncate(fd, offset) == 0);
    close(fd);
}

static void test_damaged_entries_are_misses(const char *directory)
{
    struct object_cache cache;
    CHECK(object_cache_open(&cache, directory) == 0);
    char object[4096];
    for (size_t i = 0; i < sizeof(object); i++)
        object[i] = (char)(i * 7);
    struct object_cache_key key = key_of("damaged");
    char *path = entry_path(directory, &key);
    void *elf = NULL;
    size_t size = 0;

    CHECK(object_cache_store(&cache, &key, object, sizeof(object)) == 0);
    damage(path, 1000, "x", 1); /* one byte of the object */
    CHECK(object_cache_lookup(&cache, &key, &elf, &size) == -EBADMSG);
    CHECK(strstr(cache.problem, "damaged") != NULL);

    CHECK(object_cache_store(&cache, &key, object, sizeof(object)) == 0);
    damage(path, 2000, NULL, 0); /* truncated */
    CHECK(object_cache_lookup(&cache, &key, &elf, &size) == -EBADMSG);
    damage(path, 10, NULL, 0); /* shorter than the header */
    CHECK(object_cache_lookup(&cache, &key, &elf, &size) == -EBADMSG);
    CHECK(strstr(cache.problem, "truncated") != NULL);

    /* The entry of another key under this key's name: never returned. */
    struct object_cache_key other = key_of("other");
    CHECK(object_cache_store(&cache, &other, object, sizeof(object)) == 0);
    char *other_path = entry_path(directory, &other);
    CHECK(rename(other_path, path) == 0);
    CHECK(object_cache_lookup(&cache, &key, &elf, &size) == -EBADMSG);
    CHECK(strstr(cache.problem, "another key") != NULL);

    /* A store replaces a bad entry whole. */
    CHECK(object_cache_store(&cache, &key, object, sizeof(object)) == 0);
    CHECK(object_cache_lookup(&cache, &key, &elf, &size) == 0);
    CHECK(size == sizeof(object) && memcmp(elf, object, size) == 0);
    free(elf);

    /* An entry others may write is not trusted. */
    CHECK(chmod(path, 0666) == 0);
    CHECK(object_cache_lookup(&cache, &key, &elf, &size) == -EPERM);
    free(other_path);
    free(path);
    object_cache_close(&cache);
}

static void test_unsafe_directories_are_refused(void)
{
    struct object_cache cache;
    char *open_dir = path_in(root, "open");
    CHECK(mkdir(open_dir, 0700) == 0 && chmod(open_dir, 0777) == 0);
    CHECK(object_cache_open(&cache, open_dir) == -EPERM);
    CHECK(strstr(cache.problem, "writable by group or others") != NULL);
    CHECK(cache.dir_fd == -1);

    char *foreign = path_in(root, "foreign");
    CHECK(mkdir(foreign, 0700) == 0);
    if (geteuid() == 0 && chown(foreign, 65534, 65534) == 0) {
        CHECK(object_cache_open(&cache, foreign) == -EPERM);
        CHECK(strstr(cache.problem, "not owned") != NULL);
    }

    char *link = path_in(root, "link");
    char *real = path_in(root, "real");
    CHECK(mkdir(real, 0700) == 0 && symlink(real, link) == 0);
    CHECK(object_cache_open(&cache, link) != 0); /* O_NOFOLLOW */

    char *nested = path_in(root, "a/b/c");
    CHECK(object_cache_open(&cache, nested) == 0);
    object_cache_close(&cache);
    struct stat status;
    char *middle = path_in(root, "a/b");
    CHECK(stat(middle, &status) == 0 && (status.st_mode & 0777) == 0700);
    free(open_dir);
    free(foreign);
    free(link);
    free(real);
    free(nested);
    free(middle);
}

static size_t count_entries(const char *directory)
{
    size_t count = 0;
    char command[512];
    snprintf(command, sizeof(command), "ls -A '%s' | wc -l", directory);
    FILE *pipe = popen(command, "r");
    if (pipe) {
        if (fscanf(pipe, "%zu", &count) != 1)
            count = 0;
        pclose(pipe);
    }
    return count;
}

static void test_pruning_keeps_the_cache_bounded(void)
{
    char *directory = path_in(root, "bounded");
    struct object_cache cache;
    CHECK(object_cache_open(&cache, directory) == 0);
    cache.max_entries = 8;
    cache.max_bytes = 1 << 20;
    char object[100] = "object";
    for (int i = 0; i < 20; i++) {
        char text[32];
        snprintf(text, sizeof(text), "module %d", i);
        struct object_cache_key key = key_of(text);
        CHECK(object_cache_store(&cache, &key, object, sizeof(object)) == 0);
    }
    size_t entries = count_entries(directory);
    CHECK(entries >= 6 && entries <= 8);
    /* The newest entry survives the pruning. */
    struct object_cache_key newest = key_of("module 19");
    void *elf = NULL;
    size_t size = 0;
    CHECK(object_cache_lookup(&cache, &newest, &elf, &size) == 0);
    free(elf);

    cache.max_entries = 1000;
    cache.max_bytes = 1000; /* about 5 entries of 180 bytes */
    struct object_cache_key key = key_of("one more");
    CHECK(object_cache_store(&cache, &key, object, sizeof(object)) == 0);
    CHECK(count_entries(directory) <= 5);
    object_cache_close(&cache);
    free(directory);
}

static void test_directory_from_the_environment(void)
{
    char buffer[256];
    const char *why = NULL;
    setenv("SONDE_CACHE", "0", 1);
    CHECK(object_cache_directory(buffer, sizeof(buffer), &why) == NULL);
    CHECK(why && strstr(why, "SONDE_CACHE=0"));
    unsetenv("SONDE_CACHE");
    setenv("SONDE_CACHE_DIR", "/somewhere/cache", 1);
    CHECK_STR(object_cache_directory(buffer, sizeof(buffer), &why), "/somewhere/cache");
    unsetenv("SONDE_CACHE_DIR");
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    CHECK_STR(object_cache_directory(buffer, sizeof(buffer), &why), "/xdg/sonde");
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "/home/someone", 1);
    CHECK_STR(object_cache_directory(buffer, sizeof(buffer), &why), "/home/someone/.cache/sonde");
    unsetenv("HOME");
    CHECK(object_cache_directory(buffer, sizeof(buffer), &why) == NULL);
}

int main(void)
{
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    char *directory = path_in(root, "cache");
    test_digest_frames_its_parts();
    test_store_then_lookup(directory);
    test_damaged_entries_are_misses(directory);
    test_unsafe_directories_are_refused();
    test_pruning_keeps_the_cache_bounded();
    test_directory_from_the_environment();
    free(directory);
    char command[128];
    snprintf(command, sizeof(command), "rm -rf '%s'", root);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return TEST_DONE();
}

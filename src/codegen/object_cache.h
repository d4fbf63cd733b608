/* object_cache: compiled BPF objects on disk, keyed by a digest of everything
 * that determines them (the LLVM module before optimisation, the target, the
 * sonde build). A hit skips LLVM's optimisation and code generation, which
 * for a small script is most of the time to "attached".
 *
 * Every failure is a miss: the caller compiles as if there were no cache and
 * may show `problem` with -v. The directory must belong to the user and must
 * not be writable by anyone else; entries are written atomically (temporary
 * file + rename) and verified on read (key digest and content digest). */
#ifndef SONDE_CODEGEN_OBJECT_CACHE_H
#define SONDE_CODEGEN_OBJECT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OBJECT_CACHE_DIGEST_SIZE 32
#define OBJECT_CACHE_MAX_BYTES   (64u << 20)
#define OBJECT_CACHE_MAX_ENTRIES 512u

struct object_cache_key {
    uint8_t digest[OBJECT_CACHE_DIGEST_SIZE];
};

struct object_cache {
    int dir_fd;
    size_t max_bytes; /* pruning limits, OBJECT_CACHE_MAX_* unless a test lowers them */
    size_t max_entries;
    char problem[256]; /* why the last operation failed, for -v */
};

/* A digest over a sequence of byte strings (BLAKE3 from LLVM's C API). */
struct object_cache_hasher {
    void *state; /* llvm_blake3_hasher, kept opaque to callers */
};
void object_cache_hasher_init(struct object_cache_hasher *hasher);
/* Each part is framed by its length, so ("ab","c") and ("a","bc") differ. */
void object_cache_hasher_add(struct object_cache_hasher *hasher, const void *data, size_t size);
void object_cache_hasher_add_string(struct object_cache_hasher *hasher, const char *text);
void object_cache_hasher_finish(struct object_cache_hasher *hasher, struct object_cache_key *key);

/* The directory from the environment: $SONDE_CACHE_DIR, else
 * $XDG_CACHE_HOME/sonde, else $HOME/.cache/sonde. NULL when SONDE_CACHE=0 or
 * no directory can be named; `why` then says which. */
const char *object_cache_directory(char *buffer, size_t size, const char **why);

/* Opens `path`, creating it (and missing parents) with mode 0700. 0, or a
 * negative errno with cache->problem set. */
int object_cache_open(struct object_cache *cache, const char *path);
void object_cache_close(struct object_cache *cache);

/* 0 on a hit with *elf (malloc'd) and *size set; -ENOENT on a miss; another
 * negative errno (problem set) for an unusable entry, which is also a miss. */
int object_cache_lookup(struct object_cache *cache, const struct object_cache_key *key, void **elf,
                        size_t *size);
/* Stores the object, then prunes the oldest entries beyond the limits. */
int object_cache_store(struct object_cache *cache, const struct object_cache_key *key,
                       const void *elf, size_t size);

/* The entry's file name: 64 hex digits. */
void object_cache_entry_name(const struct object_cache_key *key, char name[65]);

#endif

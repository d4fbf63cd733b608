/* cgroup_path(): a cgroup id is the inode number of the cgroup's directory
 * in its hierarchy (kernfs hands out one number for both), so the path is
 * found by walking each mounted hierarchy for a directory with that inode.
 * The walk happens when the value is printed, as in bpftrace: an id that
 * was reused by then prints the new cgroup's path. */
#define _GNU_SOURCE
#include "output/cgroup_path.h"

#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { MAX_HIERARCHIES = 32 };

struct hierarchy {
    char name[NAME_MAX + 1]; /* "unified" for cgroup2, else the mount point's last part */
    char mount[PATH_MAX];    /* where it is mounted */
    bool unified;
};

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *text)
{
    char *to = text;
    for (const char *from = text; *from; to++) {
        if (from[0] == '\\' && from[1] >= '0' && from[1] <= '3' && from[2] && from[3]) {
            *to = (char)((from[1] - '0') * 64 + (from[2] - '0') * 8 + (from[3] - '0'));
            from += 4;
        } else {
            *to = *from++;
        }
    }
    *to = '\0';
}

/* A mountinfo line: "id parent dev root mountpoint options [tags...] - fstype source ...". */
static bool parse_mount(char *line, struct hierarchy *out)
{
    char *fields[5], *save = NULL, *word = strtok_r(line, " \n", &save);
    unsigned count = 0;
    for (; word && count < 5; word = strtok_r(NULL, " \n", &save))
        fields[count++] = word;
    while (word && strcmp(word, "-") != 0)
        word = strtok_r(NULL, " \n", &save);
    const char *fstype = word ? strtok_r(NULL, " \n", &save) : NULL;
    if (count < 5 || !fstype || (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0))
        return false;
    unescape(fields[4]);
    if (strlen(fields[4]) >= sizeof(out->mount))
        return false;
    strcpy(out->mount, fields[4]);
    out->unified = strcmp(fstype, "cgroup2") == 0;
    const char *slash = strrchr(out->mount, '/');
    snprintf(out->name, sizeof(out->name), "%s",
             out->unified ? "unified" : (slash ? slash + 1 : out->mount));
    return true;
}

static unsigned read_hierarchies(const char *mountinfo_path, struct hierarchy *out)
{
    FILE *file = fopen(mountinfo_path, "r");
    if (!file)
        return 0;
    unsigned count = 0;
    char *line = NULL;
    size_t capacity = 0;
    while (count < MAX_HIERARCHIES && getline(&line, &capacity, file) > 0)
        if (parse_mount(line, &out[count]))
            count++;
    free(line);
    fclose(file);
    return count;
}

/* Depth-first search under `path` (a buffer of PATH_MAX) for a directory
 * with inode `id`; on success `path` holds its path. readdir's d_ino is the
 * kernfs id, so no stat per entry is needed. */
static bool find_directory(char *path, uint64_t id)
{
    DIR *dir = opendir(path);
    if (!dir)
        return false;
    size_t length = strlen(path);
    bool found = false;
    struct dirent *entry;
    while (!found && (entry = readdir(dir))) {
        if (entry->d_type != DT_DIR || strcmp(entry->d_name, ".") == 0 ||
            strcmp(entry->d_name, "..") == 0)
            continue;
        if (length + 1 + strlen(entry->d_name) >= PATH_MAX)
            continue;
        path[length] = '/';
        strcpy(path + length + 1, entry->d_name);
        found = entry->d_ino == id || find_directory(path, id);
        if (!found)
            path[length] = '\0';
    }
    closedir(dir);
    return found;
}

/* Printing a path per event must not walk every hierarchy each time. A
 * found path stays valid while the directory still has that inode; an
 * absence is trusted for a second, since a new cgroup may take the id. */
struct lookup {
    char *mount;     /* the hierarchy's mount point */
    dev_t hierarchy; /* its device, which the directory must be on */
    uint64_t id;
    char *relative; /* NULL: not in this hierarchy */
    time_t when;
};

enum { LOOKUP_CACHE_SIZE = 64 };
static struct lookup lookups[LOOKUP_CACHE_SIZE];
static unsigned next_lookup;

static bool still_there(const struct hierarchy *hierarchy, const struct lookup *lookup)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof(path), "%s%s", hierarchy->mount, lookup->relative);
    return stat(path, &st) == 0 && (uint64_t)st.st_ino == lookup->id &&
           st.st_dev == lookup->hierarchy;
}

static struct lookup *cached_lookup(const struct hierarchy *hierarchy, dev_t device, uint64_t id)
{
    for (unsigned i = 0; i < LOOKUP_CACHE_SIZE; i++) {
        struct lookup *lookup = &lookups[i];
        if (lookup->when == 0 || lookup->hierarchy != device || lookup->id != id ||
            !lookup->mount || strcmp(lookup->mount, hierarchy->mount) != 0)
            continue;
        bool valid =
            lookup->relative ? still_there(hierarchy, lookup) : time(NULL) - lookup->when < 1;
        if (valid)
            return lookup;
        lookup->when = 0; /* stale: look again */
    }
    return NULL;
}

static void remember(const struct hierarchy *hierarchy, dev_t device, uint64_t id,
                     const char *relative)
{
    struct lookup *lookup = &lookups[next_lookup++ % LOOKUP_CACHE_SIZE];
    free(lookup->mount);
    free(lookup->relative);
    *lookup = (struct lookup){.mount = strdup(hierarchy->mount),
                              .hierarchy = device,
                              .id = id,
                              .relative = relative ? strdup(relative) : NULL,
                              .when = time(NULL)};
}

/* Appends the path of `id` relative to the hierarchy's mount point. */
static bool path_in_hierarchy(const struct hierarchy *hierarchy, uint64_t id, struct strbuf *out)
{
    struct stat root;
    if (stat(hierarchy->mount, &root) != 0)
        return false;
    if ((uint64_t)root.st_ino == id) {
        strbuf_putc(out, '/');
        return true;
    }
    const struct lookup *known = cached_lookup(hierarchy, root.st_dev, id);
    if (known) {
        if (known->relative)
            strbuf_puts(out, known->relative);
        return known->relative != NULL;
    }
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s", hierarchy->mount);
    bool found = find_directory(path, id);
    const char *relative = path + strlen(hierarchy->mount);
    remember(hierarchy, root.st_dev, id, found ? relative : NULL);
    if (found)
        strbuf_puts(out, relative);
    return found;
}

/* cgroup v2 first, then v1 by name, as bpftrace lists them. */
static int compare_hierarchies(const void *a, const void *b)
{
    const struct hierarchy *x = a, *y = b;
    if (x->unified != y->unified)
        return x->unified ? -1 : 1;
    if (x->unified)
        return 0;
    int by_name = strcmp(x->name, y->name);
    return by_name ? by_name : strcmp(x->mount, y->mount);
}

void output_cgroup_path_in(const char *mountinfo_path, uint64_t id, const char *filter,
                           struct strbuf *out)
{
    struct hierarchy hierarchies[MAX_HIERARCHIES];
    unsigned count = read_hierarchies(mountinfo_path, hierarchies);
    qsort(hierarchies, count, sizeof(hierarchies[0]), compare_hierarchies);
    bool first = true;
    for (unsigned i = 0; i < count; i++) {
        if (fnmatch(filter ? filter : "*", hierarchies[i].name, 0) != 0)
            continue;
        struct strbuf path = {0};
        if (path_in_hierarchy(&hierarchies[i], id, &path)) {
            strbuf_printf(out, "%s%s:%s", first ? "" : ",", hierarchies[i].name,
                          strbuf_text(&path));
            first = false;
        }
        strbuf_free(&path);
    }
}

void output_cgroup_path(uint64_t id, const char *filter, struct strbuf *out)
{
    output_cgroup_path_in("/proc/self/mountinfo", id, filter, out);
}

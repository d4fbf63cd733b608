/* C++ functions by their names as written in the source: `cpp:` attach
 * points (uprobe:BIN:cpp:"ns::f", uprobe:BIN:cpp:ns::*) match the
 * demangled symbol names, and `func` shows a C++ function demangled. */
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
#include "probes/uprobe_internal.h"

/* The Itanium C++ ABI's demangler, from the libstdc++ sonde links already
 * (LLVM needs it). */
extern char *__cxa_demangle(const char *mangled, char *buffer, size_t *length, int *status);

const char *probes_uprobe_demangle(struct arena *arena, const char *name)
{
    if (strncmp(name, "_Z", 2) != 0)
        return NULL;
    int status = 0;
    char *demangled = __cxa_demangle(name, NULL, NULL, &status);
    if (!demangled || status != 0) {
        free(demangled);
        return NULL;
    }
    const char *copy = arena_strdup(arena, demangled);
    free(demangled);
    return copy;
}

bool probes_uprobe_cpp_match(const char *pattern, const char *name, const char *demangled)
{
    if (probes_glob_match(pattern, name))
        return true;
    if (!demangled)
        return false;
    if (strchr(pattern, '('))
        return probes_glob_match(pattern, demangled);
    /* "ns::f(int) const" → "ns::f": the parameters start at the last '('. */
    const char *parameters = strrchr(demangled, '(');
    size_t length = parameters ? (size_t)(parameters - demangled) : strlen(demangled);
    char *bare = malloc(length + 1);
    if (!bare)
        return false;
    memcpy(bare, demangled, length);
    bare[length] = '\0';
    bool matched = probes_glob_match(pattern, bare);
    free(bare);
    return matched;
}

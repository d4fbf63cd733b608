/* C integer type names as they appear in tracepoint formats, C definitions
 * at the top of a script and casts, with their x86-64 (LP64) layout. One
 * table, so a name means the same everywhere. */
#include <string.h>

#include "types/type.h"

struct integer_name {
    const char *name;
    unsigned char size;
    bool is_signed;
};

static const struct integer_name integer_names[] = {
    /* The language's own names. */
    {"int8", 1, true}, {"int16", 2, true}, {"int32", 4, true}, {"int64", 8, true},
    {"uint8", 1, false}, {"uint16", 2, false}, {"uint32", 4, false}, {"uint64", 8, false},
    /* C. */
    {"char", 1, true}, {"signed char", 1, true}, {"unsigned char", 1, false},
    {"short", 2, true}, {"short int", 2, true}, {"signed short", 2, true},
    {"unsigned short", 2, false}, {"unsigned short int", 2, false},
    {"int", 4, true}, {"signed", 4, true}, {"signed int", 4, true},
    {"unsigned", 4, false}, {"unsigned int", 4, false}, {"uint", 4, false},
    {"long", 8, true}, {"long int", 8, true}, {"signed long", 8, true},
    {"unsigned long", 8, false}, {"unsigned long int", 8, false}, {"ulong", 8, false},
    {"long long", 8, true}, {"long long int", 8, true}, {"signed long long", 8, true},
    {"unsigned long long", 8, false}, {"unsigned long long int", 8, false},
    /* <stdint.h> and the kernel's short names. */
    {"int8_t", 1, true}, {"int16_t", 2, true}, {"int32_t", 4, true}, {"int64_t", 8, true},
    {"uint8_t", 1, false}, {"uint16_t", 2, false}, {"uint32_t", 4, false}, {"uint64_t", 8, false},
    {"u8", 1, false}, {"u16", 2, false}, {"u32", 4, false}, {"u64", 8, false},
    {"s8", 1, true}, {"s16", 2, true}, {"s32", 4, true}, {"s64", 8, true},
    {"__u8", 1, false}, {"__u16", 2, false}, {"__u32", 4, false}, {"__u64", 8, false},
    {"__s8", 1, true}, {"__s16", 2, true}, {"__s32", 4, true}, {"__s64", 8, true},
    {"__le16", 2, false}, {"__le32", 4, false}, {"__le64", 8, false},
    {"__be16", 2, false}, {"__be32", 4, false}, {"__be64", 8, false},
    /* Kernel and libc typedefs seen in tracepoint formats. */
    {"size_t", 8, false}, {"ssize_t", 8, true}, {"loff_t", 8, true}, {"off_t", 8, true},
    {"pid_t", 4, true}, {"tid_t", 4, false}, {"uid_t", 4, false}, {"gid_t", 4, false},
    {"qid_t", 4, false}, {"umode_t", 2, false}, {"mode_t", 4, false}, {"gfp_t", 4, false},
    {"dev_t", 4, false}, {"ino_t", 8, false}, {"sector_t", 8, false}, {"blkcnt_t", 8, false},
    {"clockid_t", 4, true}, {"timer_t", 4, true}, {"key_t", 4, true},
    {"key_serial_t", 4, true}, {"mqd_t", 4, true}, {"rwf_t", 4, true},
    {"time64_t", 8, true}, {"gva_t", 8, false},
};

const struct type *type_c_integer(const char *name)
{
    if (strcmp(name, "bool") == 0 || strcmp(name, "_Bool") == 0)
        return &type_bool;
    for (size_t i = 0; i < sizeof(integer_names) / sizeof(integer_names[0]); i++)
        if (strcmp(integer_names[i].name, name) == 0)
            return type_int(integer_names[i].size, integer_names[i].is_signed);
    return NULL;
}

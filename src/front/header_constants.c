/* header_constants.c: the #define constants of a few system headers.
 *
 * sonde does not read C headers: kernel types come from BTF. But BTF holds no
 * macros, and scripts written for bpftrace use a handful of them from the
 * headers they include (TASK_RUNNING from <linux/sched.h>, AF_INET from
 * <sys/socket.h>). Those values are part of the kernel's ABI, so a table
 * serves them. */
#include <string.h>

#include "front/front_internal.h"

static const struct front_header_constant task_states[] = {
    {"TASK_RUNNING", 0x0},    {"TASK_INTERRUPTIBLE", 0x1}, {"TASK_UNINTERRUPTIBLE", 0x2},
    {"__TASK_STOPPED", 0x4},  {"__TASK_TRACED", 0x8},      {"EXIT_DEAD", 0x10},
    {"EXIT_ZOMBIE", 0x20},    {"TASK_PARKED", 0x40},       {"TASK_DEAD", 0x80},
    {"TASK_WAKEKILL", 0x100}, {"TASK_WAKING", 0x200},      {"TASK_NOLOAD", 0x400},
    {"TASK_NEW", 0x800},      {"TASK_KILLABLE", 0x102},    {"TASK_STOPPED", 0x104},
    {"TASK_TRACED", 0x8},     {"TASK_IDLE", 0x402},        {NULL, 0},
};

static const struct front_header_constant address_families[] = {
    {"AF_UNSPEC", 0},   {"AF_UNIX", 1},    {"AF_LOCAL", 1},    {"AF_INET", 2},    {"AF_INET6", 10},
    {"AF_NETLINK", 16}, {"AF_PACKET", 17}, {"PF_UNSPEC", 0},   {"PF_UNIX", 1},    {"PF_LOCAL", 1},
    {"PF_INET", 2},     {"PF_INET6", 10},  {"PF_NETLINK", 16}, {"PF_PACKET", 17}, {NULL, 0},
};

static const struct {
    const char *header;
    const struct front_header_constant *constants;
} headers[] = {
    {"<linux/sched.h>", task_states},
    {"<sys/socket.h>", address_families},
    {"<linux/socket.h>", address_families},
    {"<net/sock.h>", address_families},
};

const struct front_header_constant *front_header_constants(const char *header)
{
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
        if (strcmp(headers[i].header, header) == 0)
            return headers[i].constants;
    return NULL;
}

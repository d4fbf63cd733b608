/* x86-64 `struct pt_regs` offsets, checked against the kernel's BTF once. */
#include <stdbool.h>
#include <string.h>

#include <bpf/btf.h>

#include "probes/kernel_btf.h"
#include "probes/registers.h"

struct register_slot {
    const char *name;
    int offset; /* the documented layout (arch/x86/include/asm/ptrace.h) */
};

/* Mutable: the offsets are replaced by the BTF's on first use. */
static struct register_slot registers[] = {
    {"r15", 0},     {"r14", 8},  {"r13", 16}, {"r12", 24},      {"bp", 32},  {"bx", 40},
    {"r11", 48},    {"r10", 56}, {"r9", 64},  {"r8", 72},       {"ax", 80},  {"cx", 88},
    {"dx", 96},     {"si", 104}, {"di", 112}, {"orig_ax", 120}, {"ip", 128}, {"cs", 136},
    {"flags", 144}, {"sp", 152}, {"ss", 160},
};
enum { REGISTER_COUNT = sizeof(registers) / sizeof(registers[0]) };

static void read_btf_layout(void)
{
    const struct btf *btf = probe_kernel_btf(NULL);
    if (!btf)
        return;
    int id = btf__find_by_name_kind(btf, "pt_regs", BTF_KIND_STRUCT);
    const struct btf_type *regs = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
    const struct btf_member *members = regs ? btf_members(regs) : NULL;
    for (unsigned m = 0; regs && m < btf_vlen(regs); m++) {
        const char *name = btf__name_by_offset(btf, members[m].name_off);
        for (size_t i = 0; name && i < REGISTER_COUNT; i++)
            if (strcmp(registers[i].name, name) == 0)
                registers[i].offset = (int)(btf_member_bit_offset(regs, m) / 8);
    }
}

int probe_register_offset(const char *name)
{
    /* The layout is a fact of the running kernel: look it up once. */
    static bool checked;
    if (!checked) {
        read_btf_layout();
        checked = true;
    }
    for (size_t i = 0; name && i < REGISTER_COUNT; i++)
        if (strcmp(registers[i].name, name) == 0)
            return registers[i].offset;
    return -1;
}

const char *probe_argument_register(int index)
{
    static const char *const arguments[PROBE_REGISTER_ARGUMENTS] = {"di", "si", "dx",
                                                                    "cx", "r8", "r9"};
    return index >= 0 && index < PROBE_REGISTER_ARGUMENTS ? arguments[index] : NULL;
}

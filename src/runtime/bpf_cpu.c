/* bpf_cpu: see bpf_cpu.h. v4 matters for long blocks: with v3 a branch over
 * more than 32,767 instructions cannot be encoded and the backend fails,
 * while v4 has `gotol`, a jump with a 32-bit offset. */
#include "runtime/bpf_cpu.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <unistd.h>

const char *runtime_bpf_cpu(void)
{
    /* The smallest program that only a v4 verifier accepts: `gotol +0`
     * (BPF_JMP32 | BPF_JA, the offset in imm), then `r0 = 0; exit`. Older
     * kernels reject opcode 0x06 as unknown. */
    const struct bpf_insn program[] = {
        {.code = BPF_JMP32 | BPF_JA, .imm = 0},
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT},
    };
    int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", program,
                           sizeof(program) / sizeof(program[0]), NULL);
    if (fd < 0)
        return "v3";
    close(fd);
    return "v4";
}

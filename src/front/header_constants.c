/* header_constants.c: the #define constants of the headers scripts include.
 *
 * sonde does not read C headers: kernel types come from BTF. But BTF holds no
 * macros, and scripts written for bpftrace use constants from the headers
 * they include: TASK_RUNNING and PF_KTHREAD from <linux/sched.h>, AF_INET
 * from <sys/socket.h>, EPERM from <errno.h>, O_CREAT from <linux/fcntl.h>.
 * Each header maps to the constants it (or a header it includes) defines.
 *
 * Where the values come from, for Linux 6.18 on x86-64:
 * - user-space ABI (errno, O_*, AT_*, S_IF*, signals, CLOCK_*, CLONE_*,
 *   SCHED_*, AF_*, SOCK_*): the UAPI and glibc headers, which the unit test
 *   test_header_constants.c compares against the build machine's headers;
 * - kernel-internal ones (TASK_* states, PF_* task flags, MAY_*, ERESTART*,
 *   O_LARGEFILE, NSEC_PER_*): include/linux/{sched,fs,errno,time64}.h of
 *   6.18, with CONFIG_LOCKDEP off as here; the task states match the
 *   `prev_state` flags in tracefs' sched/sched_switch/format. */
#include <string.h>

#include "front/front_internal.h"

/* include/linux/sched.h: task->__state values and their combinations. */
#define TASK_STATES                                                                                \
    {"TASK_RUNNING", 0x0}, {"TASK_INTERRUPTIBLE", 0x1}, {"TASK_UNINTERRUPTIBLE", 0x2},             \
        {"__TASK_STOPPED", 0x4}, {"__TASK_TRACED", 0x8}, {"EXIT_DEAD", 0x10},                      \
        {"EXIT_ZOMBIE", 0x20}, {"EXIT_TRACE", 0x30}, {"TASK_PARKED", 0x40}, {"TASK_DEAD", 0x80},   \
        {"TASK_WAKEKILL", 0x100}, {"TASK_WAKING", 0x200}, {"TASK_NOLOAD", 0x400},                  \
        {"TASK_NEW", 0x800}, {"TASK_RTLOCK_WAIT", 0x1000}, {"TASK_FREEZABLE", 0x2000},             \
        {"__TASK_FREEZABLE_UNSAFE", 0x0}, {"TASK_FROZEN", 0x8000}, {"TASK_STATE_MAX", 0x10000},    \
        {"TASK_ANY", 0xffff}, {"TASK_FREEZABLE_UNSAFE", 0x2000}, {"TASK_KILLABLE", 0x102},         \
        {"TASK_STOPPED", 0x104}, {"TASK_TRACED", 0x8}, {"TASK_IDLE", 0x402}, {"TASK_NORMAL", 0x3}, \
        {"TASK_REPORT", 0x7f}, {"TASK_REPORT_IDLE", 0x80}, {"TASK_REPORT_MAX", 0x100},             \
        {"TASK_COMM_LEN", 16},

/* include/linux/sched.h: task->flags (only the bits stable across recent kernels). */
#define TASK_FLAGS                                                                                 \
    {"PF_VCPU", 0x1}, {"PF_IDLE", 0x2}, {"PF_EXITING", 0x4}, {"PF_POSTCOREDUMP", 0x8},             \
        {"PF_IO_WORKER", 0x10}, {"PF_WQ_WORKER", 0x20}, {"PF_FORKNOEXEC", 0x40},                   \
        {"PF_MCE_PROCESS", 0x80}, {"PF_SUPERPRIV", 0x100}, {"PF_DUMPCORE", 0x200},                 \
        {"PF_SIGNALED", 0x400}, {"PF_MEMALLOC", 0x800}, {"PF_NPROC_EXCEEDED", 0x1000},             \
        {"PF_USED_MATH", 0x2000}, {"PF_USER_WORKER", 0x4000}, {"PF_NOFREEZE", 0x8000},             \
        {"PF_KSWAPD", 0x20000}, {"PF_MEMALLOC_NOFS", 0x40000}, {"PF_MEMALLOC_NOIO", 0x80000},      \
        {"PF_LOCAL_THROTTLE", 0x100000}, {"PF_KTHREAD", 0x200000}, {"PF_RANDOMIZE", 0x400000},     \
        {"PF_NO_SETAFFINITY", 0x4000000}, {"PF_MCE_EARLY", 0x8000000},                             \
        {"PF_MEMALLOC_PIN", 0x10000000}, {"PF_SUSPEND_TASK", 0x80000000},

/* include/uapi/linux/sched.h */
#define CLONE_FLAGS                                                                                \
    {"CSIGNAL", 0xff}, {"CLONE_VM", 0x100}, {"CLONE_FS", 0x200}, {"CLONE_FILES", 0x400},           \
        {"CLONE_SIGHAND", 0x800}, {"CLONE_PIDFD", 0x1000}, {"CLONE_PTRACE", 0x2000},               \
        {"CLONE_VFORK", 0x4000}, {"CLONE_PARENT", 0x8000}, {"CLONE_THREAD", 0x10000},              \
        {"CLONE_NEWNS", 0x20000}, {"CLONE_SYSVSEM", 0x40000}, {"CLONE_SETTLS", 0x80000},           \
        {"CLONE_PARENT_SETTID", 0x100000}, {"CLONE_CHILD_CLEARTID", 0x200000},                     \
        {"CLONE_DETACHED", 0x400000}, {"CLONE_UNTRACED", 0x800000},                                \
        {"CLONE_CHILD_SETTID", 0x1000000}, {"CLONE_NEWCGROUP", 0x2000000},                         \
        {"CLONE_NEWUTS", 0x4000000}, {"CLONE_NEWIPC", 0x8000000}, {"CLONE_NEWUSER", 0x10000000},   \
        {"CLONE_NEWPID", 0x20000000}, {"CLONE_NEWNET", 0x40000000}, {"CLONE_IO", 0x80000000},

#define SCHED_POLICIES                                                                             \
    {"SCHED_NORMAL", 0}, {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},                   \
        {"SCHED_BATCH", 3}, {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6}, {"SCHED_EXT", 7},            \
        {"SCHED_RESET_ON_FORK", 0x40000000},

/* include/uapi/asm-generic/errno-base.h and errno.h (x86-64 uses them). */
#define ERRNO_VALUES                                                                               \
    {"EPERM", 1}, {"ENOENT", 2}, {"ESRCH", 3}, {"EINTR", 4}, {"EIO", 5}, {"ENXIO", 6},             \
        {"E2BIG", 7}, {"ENOEXEC", 8}, {"EBADF", 9}, {"ECHILD", 10}, {"EAGAIN", 11},                \
        {"ENOMEM", 12}, {"EACCES", 13}, {"EFAULT", 14}, {"ENOTBLK", 15}, {"EBUSY", 16},            \
        {"EEXIST", 17}, {"EXDEV", 18}, {"ENODEV", 19}, {"ENOTDIR", 20}, {"EISDIR", 21},            \
        {"EINVAL", 22}, {"ENFILE", 23}, {"EMFILE", 24}, {"ENOTTY", 25}, {"ETXTBSY", 26},           \
        {"EFBIG", 27}, {"ENOSPC", 28}, {"ESPIPE", 29}, {"EROFS", 30}, {"EMLINK", 31},              \
        {"EPIPE", 32}, {"EDOM", 33}, {"ERANGE", 34}, {"EDEADLK", 35}, {"ENAMETOOLONG", 36},        \
        {"ENOLCK", 37}, {"ENOSYS", 38}, {"ENOTEMPTY", 39}, {"ELOOP", 40}, {"EWOULDBLOCK", 11},     \
        {"ENOMSG", 42}, {"EIDRM", 43}, {"ECHRNG", 44}, {"EL2NSYNC", 45}, {"EL3HLT", 46},           \
        {"EL3RST", 47}, {"ELNRNG", 48}, {"EUNATCH", 49}, {"ENOCSI", 50}, {"EL2HLT", 51},           \
        {"EBADE", 52}, {"EBADR", 53}, {"EXFULL", 54}, {"ENOANO", 55}, {"EBADRQC", 56},             \
        {"EBADSLT", 57}, {"EDEADLOCK", 35}, {"EBFONT", 59}, {"ENOSTR", 60}, {"ENODATA", 61},       \
        {"ETIME", 62}, {"ENOSR", 63}, {"ENONET", 64}, {"ENOPKG", 65}, {"EREMOTE", 66},             \
        {"ENOLINK", 67}, {"EADV", 68}, {"ESRMNT", 69}, {"ECOMM", 70}, {"EPROTO", 71},              \
        {"EMULTIHOP", 72}, {"EDOTDOT", 73}, {"EBADMSG", 74}, {"EOVERFLOW", 75}, {"ENOTUNIQ", 76},  \
        {"EBADFD", 77}, {"EREMCHG", 78}, {"ELIBACC", 79}, {"ELIBBAD", 80}, {"ELIBSCN", 81},        \
        {"ELIBMAX", 82}, {"ELIBEXEC", 83}, {"EILSEQ", 84}, {"ERESTART", 85}, {"ESTRPIPE", 86},     \
        {"EUSERS", 87}, {"ENOTSOCK", 88}, {"EDESTADDRREQ", 89}, {"EMSGSIZE", 90},                  \
        {"EPROTOTYPE", 91}, {"ENOPROTOOPT", 92}, {"EPROTONOSUPPORT", 93}, {"ESOCKTNOSUPPORT", 94}, \
        {"EOPNOTSUPP", 95}, {"ENOTSUP", 95}, {"EPFNOSUPPORT", 96}, {"EAFNOSUPPORT", 97},           \
        {"EADDRINUSE", 98}, {"EADDRNOTAVAIL", 99}, {"ENETDOWN", 100}, {"ENETUNREACH", 101},        \
        {"ENETRESET", 102}, {"ECONNABORTED", 103}, {"ECONNRESET", 104}, {"ENOBUFS", 105},          \
        {"EISCONN", 106}, {"ENOTCONN", 107}, {"ESHUTDOWN", 108}, {"ETOOMANYREFS", 109},            \
        {"ETIMEDOUT", 110}, {"ECONNREFUSED", 111}, {"EHOSTDOWN", 112}, {"EHOSTUNREACH", 113},      \
        {"EALREADY", 114}, {"EINPROGRESS", 115}, {"ESTALE", 116}, {"EUCLEAN", 117},                \
        {"ENOTNAM", 118}, {"ENAVAIL", 119}, {"EISNAM", 120}, {"EREMOTEIO", 121}, {"EDQUOT", 122},  \
        {"ENOMEDIUM", 123}, {"EMEDIUMTYPE", 124}, {"ECANCELED", 125}, {"ENOKEY", 126},             \
        {"EKEYEXPIRED", 127}, {"EKEYREVOKED", 128}, {"EKEYREJECTED", 129}, {"EOWNERDEAD", 130},    \
        {"ENOTRECOVERABLE", 131}, {"ERFKILL", 132}, {"EHWPOISON", 133},

/* include/linux/errno.h: codes that never reach user space, but do reach
 * probes (a syscall's return value seen at sys_exit). */
#define KERNEL_ERRNO_VALUES                                                                        \
    {"ERESTARTSYS", 512}, {"ERESTARTNOINTR", 513}, {"ERESTARTNOHAND", 514}, {"ENOIOCTLCMD", 515},  \
        {"ERESTART_RESTARTBLOCK", 516}, {"EPROBE_DEFER", 517}, {"EOPENSTALE", 518},                \
        {"ENOPARAM", 519}, {"EBADHANDLE", 521}, {"ENOTSYNC", 522}, {"EBADCOOKIE", 523},            \
        {"ENOTSUPP", 524}, {"ETOOSMALL", 525}, {"ESERVERFAULT", 526}, {"EBADTYPE", 527},           \
        {"EJUKEBOX", 528}, {"EIOCBQUEUED", 529}, {"ERECALLCONFLICT", 530}, {"ENOGRACE", 531},

/* include/uapi/asm-generic/fcntl.h and linux/fcntl.h. O_LARGEFILE is the
 * kernel's value: glibc defines it as 0 on 64-bit, but the kernel sets it in
 * every file's f_flags there. */
#define OPEN_FLAGS                                                                                 \
    {"O_ACCMODE", 3}, {"O_RDONLY", 0}, {"O_WRONLY", 1}, {"O_RDWR", 2}, {"O_CREAT", 0x40},          \
        {"O_EXCL", 0x80}, {"O_NOCTTY", 0x100}, {"O_TRUNC", 0x200}, {"O_APPEND", 0x400},            \
        {"O_NONBLOCK", 0x800}, {"O_NDELAY", 0x800}, {"O_DSYNC", 0x1000}, {"O_SYNC", 0x101000},     \
        {"O_DIRECT", 0x4000}, {"O_LARGEFILE", 0x8000}, {"O_DIRECTORY", 0x10000},                   \
        {"O_NOFOLLOW", 0x20000}, {"O_NOATIME", 0x40000}, {"O_CLOEXEC", 0x80000},                   \
        {"O_PATH", 0x200000}, {"O_TMPFILE", 0x410000}, {"AT_FDCWD", -100},                         \
        {"AT_SYMLINK_NOFOLLOW", 0x100}, {"AT_REMOVEDIR", 0x200}, {"AT_SYMLINK_FOLLOW", 0x400},     \
        {"AT_NO_AUTOMOUNT", 0x800}, {"AT_EMPTY_PATH", 0x1000},

/* include/uapi/linux/stat.h */
#define FILE_MODES                                                                                 \
    {"S_IFMT", 0xf000}, {"S_IFSOCK", 0xc000}, {"S_IFLNK", 0xa000}, {"S_IFREG", 0x8000},            \
        {"S_IFBLK", 0x6000}, {"S_IFDIR", 0x4000}, {"S_IFCHR", 0x2000}, {"S_IFIFO", 0x1000},        \
        {"S_ISUID", 0x800}, {"S_ISGID", 0x400}, {"S_ISVTX", 0x200}, {"S_IRWXU", 0x1c0},            \
        {"S_IRUSR", 0x100}, {"S_IWUSR", 0x80}, {"S_IXUSR", 0x40}, {"S_IRWXG", 0x38},               \
        {"S_IRGRP", 0x20}, {"S_IWGRP", 0x10}, {"S_IXGRP", 0x8}, {"S_IRWXO", 0x7},                  \
        {"S_IROTH", 0x4}, {"S_IWOTH", 0x2}, {"S_IXOTH", 0x1},

/* include/linux/fs.h: the mask of inode_permission() and friends. */
#define PERMISSION_MASKS                                                                           \
    {"MAY_EXEC", 0x1}, {"MAY_WRITE", 0x2}, {"MAY_READ", 0x4}, {"MAY_APPEND", 0x8},                 \
        {"MAY_ACCESS", 0x10}, {"MAY_OPEN", 0x20}, {"MAY_CHDIR", 0x40}, {"MAY_NOT_BLOCK", 0x80},

/* arch/x86/include/uapi/asm/signal.h */
#define SIGNALS                                                                                    \
    {"SIGHUP", 1}, {"SIGINT", 2}, {"SIGQUIT", 3}, {"SIGILL", 4}, {"SIGTRAP", 5}, {"SIGABRT", 6},   \
        {"SIGIOT", 6}, {"SIGBUS", 7}, {"SIGFPE", 8}, {"SIGKILL", 9}, {"SIGUSR1", 10},              \
        {"SIGSEGV", 11}, {"SIGUSR2", 12}, {"SIGPIPE", 13}, {"SIGALRM", 14}, {"SIGTERM", 15},       \
        {"SIGSTKFLT", 16}, {"SIGCHLD", 17}, {"SIGCONT", 18}, {"SIGSTOP", 19}, {"SIGTSTP", 20},     \
        {"SIGTTIN", 21}, {"SIGTTOU", 22}, {"SIGURG", 23}, {"SIGXCPU", 24}, {"SIGXFSZ", 25},        \
        {"SIGVTALRM", 26}, {"SIGPROF", 27}, {"SIGWINCH", 28}, {"SIGIO", 29}, {"SIGPOLL", 29},      \
        {"SIGPWR", 30}, {"SIGSYS", 31},

/* include/uapi/linux/time.h */
#define CLOCKS                                                                                     \
    {"CLOCK_REALTIME", 0}, {"CLOCK_MONOTONIC", 1}, {"CLOCK_PROCESS_CPUTIME_ID", 2},                \
        {"CLOCK_THREAD_CPUTIME_ID", 3}, {"CLOCK_MONOTONIC_RAW", 4}, {"CLOCK_REALTIME_COARSE", 5},  \
        {"CLOCK_MONOTONIC_COARSE", 6}, {"CLOCK_BOOTTIME", 7}, {"CLOCK_REALTIME_ALARM", 8},         \
        {"CLOCK_BOOTTIME_ALARM", 9}, {"CLOCK_TAI", 11},

/* include/vdso/time64.h, through linux/time64.h. */
#define TIME_UNITS                                                                                 \
    {"MSEC_PER_SEC", 1000}, {"USEC_PER_MSEC", 1000}, {"NSEC_PER_USEC", 1000},                      \
        {"NSEC_PER_MSEC", 1000000}, {"USEC_PER_SEC", 1000000}, {"NSEC_PER_SEC", 1000000000},       \
        {"PSEC_PER_SEC", 1000000000000}, {"FSEC_PER_SEC", 1000000000000000},

/* include/linux/socket.h */
#define ADDRESS_FAMILIES                                                                           \
    {"AF_UNSPEC", 0}, {"AF_UNIX", 1}, {"AF_LOCAL", 1}, {"AF_INET", 2}, {"AF_AX25", 3},             \
        {"AF_IPX", 4}, {"AF_APPLETALK", 5}, {"AF_NETROM", 6}, {"AF_BRIDGE", 7}, {"AF_ATMPVC", 8},  \
        {"AF_X25", 9}, {"AF_INET6", 10}, {"AF_ROSE", 11}, {"AF_DECnet", 12}, {"AF_NETBEUI", 13},   \
        {"AF_SECURITY", 14}, {"AF_KEY", 15}, {"AF_NETLINK", 16}, {"AF_ROUTE", 16},                 \
        {"AF_PACKET", 17}, {"AF_ASH", 18}, {"AF_ECONET", 19}, {"AF_ATMSVC", 20}, {"AF_RDS", 21},   \
        {"AF_SNA", 22}, {"AF_IRDA", 23}, {"AF_PPPOX", 24}, {"AF_WANPIPE", 25}, {"AF_LLC", 26},     \
        {"AF_IB", 27}, {"AF_MPLS", 28}, {"AF_CAN", 29}, {"AF_TIPC", 30}, {"AF_BLUETOOTH", 31},     \
        {"AF_IUCV", 32}, {"AF_RXRPC", 33}, {"AF_ISDN", 34}, {"AF_PHONET", 35},                     \
        {"AF_IEEE802154", 36}, {"AF_CAIF", 37}, {"AF_ALG", 38}, {"AF_NFC", 39}, {"AF_VSOCK", 40},  \
        {"AF_KCM", 41}, {"AF_QIPCRTR", 42}, {"AF_SMC", 43}, {"AF_XDP", 44}, {"AF_MCTP", 45},       \
        {"AF_MAX", 46}, {"PF_UNSPEC", 0}, {"PF_UNIX", 1}, {"PF_LOCAL", 1}, {"PF_INET", 2},         \
        {"PF_INET6", 10}, {"PF_NETLINK", 16}, {"PF_PACKET", 17},

/* include/linux/net.h (enum sock_type) and glibc's bits/socket_type.h. */
#define SOCKET_TYPES                                                                               \
    {"SOCK_STREAM", 1}, {"SOCK_DGRAM", 2}, {"SOCK_RAW", 3}, {"SOCK_RDM", 4},                       \
        {"SOCK_SEQPACKET", 5}, {"SOCK_DCCP", 6}, {"SOCK_PACKET", 10}, {"SOCK_NONBLOCK", 0x800},    \
        {"SOCK_CLOEXEC", 0x80000},

/* Every list above ends with a comma: a header's table is lists written one
 * after the other, then this. */
#define END_OF_TABLE {.name = NULL},

static const struct front_header_constant linux_sched[] = {
    TASK_STATES TASK_FLAGS CLONE_FLAGS SCHED_POLICIES END_OF_TABLE};
static const struct front_header_constant libc_sched[] = {CLONE_FLAGS SCHED_POLICIES END_OF_TABLE};
static const struct front_header_constant libc_errno[] = {ERRNO_VALUES END_OF_TABLE};
static const struct front_header_constant linux_errno[] = {
    ERRNO_VALUES KERNEL_ERRNO_VALUES END_OF_TABLE};
static const struct front_header_constant fcntl[] = {OPEN_FLAGS END_OF_TABLE};
static const struct front_header_constant linux_fs[] = {
    OPEN_FLAGS FILE_MODES PERMISSION_MASKS END_OF_TABLE};
static const struct front_header_constant stat[] = {FILE_MODES END_OF_TABLE};
static const struct front_header_constant signals[] = {SIGNALS END_OF_TABLE};
static const struct front_header_constant libc_time[] = {CLOCKS END_OF_TABLE};
static const struct front_header_constant linux_time[] = {CLOCKS TIME_UNITS END_OF_TABLE};
static const struct front_header_constant time_units[] = {TIME_UNITS END_OF_TABLE};
static const struct front_header_constant sockets[] = {ADDRESS_FAMILIES SOCKET_TYPES END_OF_TABLE};

static const struct {
    const char *header;
    const struct front_header_constant *constants;
} headers[] = {
    {"<linux/sched.h>", linux_sched},
    {"<sched.h>", libc_sched},
    {"<errno.h>", libc_errno},
    {"<linux/errno.h>", linux_errno},
    {"<asm-generic/errno.h>", libc_errno},
    {"<asm-generic/errno-base.h>", libc_errno},
    {"<fcntl.h>", fcntl},
    {"<linux/fcntl.h>", fcntl},
    {"<asm/fcntl.h>", fcntl},
    {"<asm-generic/fcntl.h>", fcntl},
    {"<linux/fs.h>", linux_fs},
    {"<sys/stat.h>", stat},
    {"<linux/stat.h>", stat},
    {"<signal.h>", signals},
    {"<linux/signal.h>", signals},
    {"<asm/signal.h>", signals},
    {"<time.h>", libc_time},
    {"<linux/time.h>", linux_time},
    {"<linux/time64.h>", time_units},
    {"<sys/socket.h>", sockets},
    {"<linux/socket.h>", sockets},
    {"<net/sock.h>", sockets},
    {"<linux/net.h>", sockets},
};

const struct front_header_constant *front_header_constants(const char *header)
{
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
        if (strcmp(headers[i].header, header) == 0)
            return headers[i].constants;
    return NULL;
}

/* The constants sonde serves for #include'd headers have the values the
 * build machine's own headers give them (the user-space ABI of the kernel),
 * and the kernel-internal ones agree with how the kernel combines them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "front/front_internal.h"
#include "test.h"

static bool lookup(const char *header, const char *name, long *value)
{
    for (const struct front_header_constant *c = front_header_constants(header); c && c->name;
         c++) {
        if (strcmp(c->name, name) == 0) {
            *value = c->value;
            return true;
        }
    }
    return false;
}

/* NAME must be in the header's table, with the host's value. */
#define CHECK_CONSTANT(header, name)                                                               \
    do {                                                                                           \
        long value = 0;                                                                            \
        bool found = lookup(header, #name, &value);                                                \
        CHECK(found);                                                                              \
        if (found && value != (long)(name))                                                        \
            fprintf(stderr, "  %s %s: sonde says %ld, the system %ld\n", header, #name, value,     \
                    (long)(name));                                                                 \
        CHECK(!found || value == (long)(name));                                                    \
    } while (0)

static long value_of(const char *header, const char *name)
{
    long value = -1;
    CHECK(lookup(header, name, &value));
    return value;
}

static void test_errno(void)
{
    static const char *const headers[] = {"<errno.h>", "<linux/errno.h>", "<asm-generic/errno.h>"};
    for (size_t i = 0; i < 3; i++) {
        const char *h = headers[i];
        CHECK_CONSTANT(h, EPERM);
        CHECK_CONSTANT(h, ENOENT);
        CHECK_CONSTANT(h, EINTR);
        CHECK_CONSTANT(h, EAGAIN);
        CHECK_CONSTANT(h, EWOULDBLOCK);
        CHECK_CONSTANT(h, EACCES);
        CHECK_CONSTANT(h, EEXIST);
        CHECK_CONSTANT(h, EINVAL);
        CHECK_CONSTANT(h, ENOSYS);
        CHECK_CONSTANT(h, ELOOP);
        CHECK_CONSTANT(h, EDEADLOCK);
        CHECK_CONSTANT(h, ENODATA);
        CHECK_CONSTANT(h, EOVERFLOW);
        CHECK_CONSTANT(h, EOPNOTSUPP);
        CHECK_CONSTANT(h, ENOTSUP);
        CHECK_CONSTANT(h, EADDRINUSE);
        CHECK_CONSTANT(h, ECONNREFUSED);
        CHECK_CONSTANT(h, ETIMEDOUT);
        CHECK_CONSTANT(h, EINPROGRESS);
        CHECK_CONSTANT(h, ECANCELED);
        CHECK_CONSTANT(h, ENOTRECOVERABLE);
        CHECK_CONSTANT(h, EHWPOISON);
    }
    CHECK(value_of("<linux/errno.h>", "ERESTARTSYS") == 512);
    CHECK(value_of("<linux/errno.h>", "ENOTSUPP") == 524);
    long ignored;
    CHECK(!lookup("<errno.h>", "ERESTARTSYS", &ignored)); /* never seen by user space */
}

static void test_files(void)
{
    static const char *const headers[] = {"<fcntl.h>", "<linux/fcntl.h>", "<linux/fs.h>"};
    for (size_t i = 0; i < 3; i++) {
        const char *h = headers[i];
        CHECK_CONSTANT(h, O_ACCMODE);
        CHECK_CONSTANT(h, O_RDONLY);
        CHECK_CONSTANT(h, O_WRONLY);
        CHECK_CONSTANT(h, O_RDWR);
        CHECK_CONSTANT(h, O_CREAT);
        CHECK_CONSTANT(h, O_EXCL);
        CHECK_CONSTANT(h, O_NOCTTY);
        CHECK_CONSTANT(h, O_TRUNC);
        CHECK_CONSTANT(h, O_APPEND);
        CHECK_CONSTANT(h, O_NONBLOCK);
        CHECK_CONSTANT(h, O_DSYNC);
        CHECK_CONSTANT(h, O_SYNC);
        CHECK_CONSTANT(h, O_DIRECT);
        CHECK_CONSTANT(h, O_DIRECTORY);
        CHECK_CONSTANT(h, O_NOFOLLOW);
        CHECK_CONSTANT(h, O_NOATIME);
        CHECK_CONSTANT(h, O_CLOEXEC);
        CHECK_CONSTANT(h, O_PATH);
        CHECK_CONSTANT(h, O_TMPFILE);
        CHECK_CONSTANT(h, AT_FDCWD);
        CHECK_CONSTANT(h, AT_SYMLINK_NOFOLLOW);
        CHECK_CONSTANT(h, AT_REMOVEDIR);
        CHECK_CONSTANT(h, AT_EMPTY_PATH);
        /* glibc says 0 on 64-bit; the kernel's f_flags carry 0100000. */
        CHECK(value_of(h, "O_LARGEFILE") == 0100000);
    }
    static const char *const mode_headers[] = {"<sys/stat.h>", "<linux/stat.h>", "<linux/fs.h>"};
    for (size_t i = 0; i < 3; i++) {
        const char *h = mode_headers[i];
        CHECK_CONSTANT(h, S_IFMT);
        CHECK_CONSTANT(h, S_IFSOCK);
        CHECK_CONSTANT(h, S_IFLNK);
        CHECK_CONSTANT(h, S_IFREG);
        CHECK_CONSTANT(h, S_IFBLK);
        CHECK_CONSTANT(h, S_IFDIR);
        CHECK_CONSTANT(h, S_IFCHR);
        CHECK_CONSTANT(h, S_IFIFO);
        CHECK_CONSTANT(h, S_ISUID);
        CHECK_CONSTANT(h, S_IRWXU);
        CHECK_CONSTANT(h, S_IWGRP);
        CHECK_CONSTANT(h, S_IXOTH);
    }
}

static void test_signals_and_clocks(void)
{
    static const char *const headers[] = {"<signal.h>", "<linux/signal.h>"};
    for (size_t i = 0; i < 2; i++) {
        const char *h = headers[i];
        CHECK_CONSTANT(h, SIGHUP);
        CHECK_CONSTANT(h, SIGINT);
        CHECK_CONSTANT(h, SIGABRT);
        CHECK_CONSTANT(h, SIGKILL);
        CHECK_CONSTANT(h, SIGUSR1);
        CHECK_CONSTANT(h, SIGSEGV);
        CHECK_CONSTANT(h, SIGUSR2);
        CHECK_CONSTANT(h, SIGPIPE);
        CHECK_CONSTANT(h, SIGTERM);
        CHECK_CONSTANT(h, SIGSTKFLT);
        CHECK_CONSTANT(h, SIGCHLD);
        CHECK_CONSTANT(h, SIGCONT);
        CHECK_CONSTANT(h, SIGSTOP);
        CHECK_CONSTANT(h, SIGURG);
        CHECK_CONSTANT(h, SIGWINCH);
        CHECK_CONSTANT(h, SIGIO);
        CHECK_CONSTANT(h, SIGPWR);
        CHECK_CONSTANT(h, SIGSYS);
    }
    static const char *const clock_headers[] = {"<time.h>", "<linux/time.h>"};
    for (size_t i = 0; i < 2; i++) {
        const char *h = clock_headers[i];
        CHECK_CONSTANT(h, CLOCK_REALTIME);
        CHECK_CONSTANT(h, CLOCK_MONOTONIC);
        CHECK_CONSTANT(h, CLOCK_MONOTONIC_RAW);
        CHECK_CONSTANT(h, CLOCK_BOOTTIME);
        CHECK_CONSTANT(h, CLOCK_TAI);
    }
    CHECK(value_of("<linux/time.h>", "NSEC_PER_SEC") == 1000000000L);
    CHECK(value_of("<linux/time64.h>", "USEC_PER_MSEC") == 1000L);
}

static void test_sched(void)
{
    const char *h = "<linux/sched.h>";
    CHECK_CONSTANT(h, CSIGNAL);
    CHECK_CONSTANT(h, CLONE_VM);
    CHECK_CONSTANT(h, CLONE_FILES);
    CHECK_CONSTANT(h, CLONE_PIDFD);
    CHECK_CONSTANT(h, CLONE_VFORK);
    CHECK_CONSTANT(h, CLONE_THREAD);
    CHECK_CONSTANT(h, CLONE_NEWNS);
    CHECK_CONSTANT(h, CLONE_SETTLS);
    CHECK_CONSTANT(h, CLONE_CHILD_SETTID);
    CHECK_CONSTANT(h, CLONE_NEWCGROUP);
    CHECK_CONSTANT(h, CLONE_NEWUSER);
    CHECK_CONSTANT(h, CLONE_NEWPID);
    CHECK_CONSTANT(h, CLONE_NEWNET);
    CHECK_CONSTANT(h, CLONE_IO);
    CHECK_CONSTANT(h, SCHED_NORMAL);
    CHECK_CONSTANT(h, SCHED_FIFO);
    CHECK_CONSTANT(h, SCHED_RR);
    CHECK_CONSTANT(h, SCHED_BATCH);
    CHECK_CONSTANT(h, SCHED_IDLE);
    CHECK_CONSTANT(h, SCHED_DEADLINE);
    CHECK_CONSTANT(h, SCHED_RESET_ON_FORK);
    /* Kernel-internal: the combinations the kernel defines from the bits. */
    CHECK(value_of(h, "TASK_RUNNING") == 0);
    CHECK(value_of(h, "TASK_KILLABLE") ==
          (value_of(h, "TASK_WAKEKILL") | value_of(h, "TASK_UNINTERRUPTIBLE")));
    CHECK(value_of(h, "TASK_STOPPED") ==
          (value_of(h, "TASK_WAKEKILL") | value_of(h, "__TASK_STOPPED")));
    CHECK(value_of(h, "TASK_IDLE") ==
          (value_of(h, "TASK_UNINTERRUPTIBLE") | value_of(h, "TASK_NOLOAD")));
    CHECK(value_of(h, "TASK_NORMAL") ==
          (value_of(h, "TASK_INTERRUPTIBLE") | value_of(h, "TASK_UNINTERRUPTIBLE")));
    CHECK(value_of(h, "TASK_REPORT_IDLE") == value_of(h, "TASK_REPORT") + 1);
    CHECK(value_of(h, "TASK_ANY") == value_of(h, "TASK_STATE_MAX") - 1);
    CHECK(value_of(h, "PF_KTHREAD") == 0x00200000);
    CHECK(value_of(h, "TASK_COMM_LEN") == 16);
}

static void test_sockets(void)
{
    static const char *const headers[] = {"<sys/socket.h>", "<linux/socket.h>", "<net/sock.h>"};
    for (size_t i = 0; i < 3; i++) {
        const char *h = headers[i];
        CHECK_CONSTANT(h, AF_UNSPEC);
        CHECK_CONSTANT(h, AF_UNIX);
        CHECK_CONSTANT(h, AF_INET);
        CHECK_CONSTANT(h, AF_INET6);
        CHECK_CONSTANT(h, AF_NETLINK);
        CHECK_CONSTANT(h, AF_PACKET);
        CHECK_CONSTANT(h, AF_BLUETOOTH);
        CHECK_CONSTANT(h, AF_VSOCK);
        CHECK_CONSTANT(h, AF_XDP);
        CHECK_CONSTANT(h, PF_INET6);
        CHECK_CONSTANT(h, SOCK_STREAM);
        CHECK_CONSTANT(h, SOCK_DGRAM);
        CHECK_CONSTANT(h, SOCK_RAW);
        CHECK_CONSTANT(h, SOCK_PACKET);
        CHECK_CONSTANT(h, SOCK_NONBLOCK);
        CHECK_CONSTANT(h, SOCK_CLOEXEC);
    }
}

/* A table with the same name twice would make one of them unreachable. */
static void test_no_duplicates(void)
{
    static const char *const headers[] = {"<linux/sched.h>", "<linux/errno.h>", "<linux/fs.h>",
                                          "<signal.h>",      "<linux/time.h>",  "<sys/socket.h>"};
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        const struct front_header_constant *table = front_header_constants(headers[i]);
        for (const struct front_header_constant *a = table; a && a->name; a++)
            for (const struct front_header_constant *b = a + 1; b->name; b++)
                if (strcmp(a->name, b->name) == 0) {
                    fprintf(stderr, "  %s: %s twice\n", headers[i], a->name);
                    CHECK(false);
                }
    }
    CHECK(front_header_constants("<linux/no_such_header.h>") == NULL);
}

int main(void)
{
    test_errno();
    test_files();
    test_signals_and_clocks();
    test_sched();
    test_sockets();
    test_no_duplicates();
    return TEST_DONE();
}

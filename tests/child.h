/* soupbench tests: run code that is expected to exit (sb_fail) in a child
 * process and capture what it says. Include after cmocka.h. */
#ifndef SB_TEST_CHILD_H
#define SB_TEST_CHILD_H

#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run fn(arg) in a child process (stdout discarded); its exit status (0 if
 * fn returns, -1 if it does not exit normally), its stderr in err[cap]. */
static inline int run_child(void (*fn)(void *), void *arg, char *err, size_t cap)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 2);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        fn(arg);
        fflush(stdout);
        fflush(stderr);
        _exit(0);
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fd[0], err + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    err[n] = '\0';
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif

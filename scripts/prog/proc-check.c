// SPDX-License-Identifier: GPL-2.0
/*
 * Exercise the basic process machinery a kernel must get right before any
 * other test means anything: fork, exec, pipes, signal delivery, wait
 * status.  Runs on the QEMU host and, later, inside lguest guests.
 * Prints one '# ' line per failed check and exits non-zero if any failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_CHILD_STATUS 42

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("# proc-check: %s failed (errno %d: %s)\n", what, errno,
		       strerror(errno));
		failures++;
	}
}

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void check_pipe_fork(void)
{
	static const char msg[] = "through the pipe";
	char buf[sizeof(msg)] = "";
	int fds[2], status;
	pid_t pid;

	check(pipe(fds) == 0, "pipe()");
	pid = fork();
	check(pid >= 0, "fork()");
	if (pid == 0) {
		close(fds[0]);
		_exit(write(fds[1], msg, sizeof(msg)) == sizeof(msg) ? 0 : 1);
	}
	close(fds[1]);
	check(read(fds[0], buf, sizeof(buf)) == sizeof(buf), "read from pipe");
	check(!memcmp(buf, msg, sizeof(msg)), "pipe content");
	close(fds[0]);
	check(waitpid(pid, &status, 0) == pid, "waitpid()");
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exit status");
}

static void check_exec(const char *self)
{
	int status;
	pid_t pid = fork();

	check(pid >= 0, "fork() for exec");
	if (pid == 0) {
		execl("/proc/self/exe", self, "--exec-child", (char *)NULL);
		_exit(127);
	}
	check(waitpid(pid, &status, 0) == pid, "waitpid() after exec");
	check(WIFEXITED(status) && WEXITSTATUS(status) == EXEC_CHILD_STATUS,
	      "exec of self");
}

static void check_signals(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int status;
	pid_t pid;

	check(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction()");
	check(kill(getpid(), SIGUSR1) == 0, "kill(self)");
	check(got_usr1, "SIGUSR1 delivery");

	pid = fork();
	check(pid >= 0, "fork() for SIGTERM");
	if (pid == 0) {
		for (;;)
			pause();
	}
	check(kill(pid, SIGTERM) == 0, "kill(child)");
	check(waitpid(pid, &status, 0) == pid, "waitpid() after SIGTERM");
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	      "child killed by SIGTERM");
}

static void check_personality(void)
{
	struct utsname u;

	check(sizeof(long) == 4, "32-bit process");
	check(uname(&u) == 0, "uname()");
	check(u.machine[0] == 'i' && !strcmp(u.machine + 2, "86"),
	      "i?86 machine");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--exec-child"))
		return EXEC_CHILD_STATUS;

	setvbuf(stdout, NULL, _IONBF, 0);
	check_personality();
	check_pipe_fork();
	check_exec(argv[0]);
	check_signals();
	return failures ? 1 : 0;
}

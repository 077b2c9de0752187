/*
 * daemon.c: the pieces of qgtm-daemon that are not its loop: the systemd
 * notification protocol (a datagram "READY=1" or "WATCHDOG=1" sent to the
 * AF_UNIX socket named by $NOTIFY_SOCKET, '@' meaning the abstract
 * namespace; sd_notify(3) without libsystemd), a child runner with a time
 * limit, and the daily cycle instant from the NYSE calendar.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

int
qgtm_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	size_t n;
	int fd, rc;

	if (path == NULL || *path == '\0')
		return 0;
	if ((path[0] != '/' && path[0] != '@') ||
	    (n = strlen(path)) >= sizeof sun.sun_path)
		return qgtm_seterr(QGTM_EX_CONFIG, "invalid NOTIFY_SOCKET '%s'",
		    path);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return qgtm_seterr_errno(QGTM_EX_OSERR, "cannot create socket");
	rc = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	close(fd);
	if (rc == -1)
		return qgtm_seterr_errno(QGTM_EX_OSERR,
		    "cannot notify '%s'", path);
	return 0;
}

/* In the child: stdin and stdout from and to /dev/null, its own process
 * group (so a pipeline dies whole), then argv. Never returns. */
static void __attribute__((noreturn))
child_exec(char *const argv[])
{
	int fd = open("/dev/null", O_RDWR);

	setpgid(0, 0);
	if (fd == -1 || dup2(fd, 0) == -1 || dup2(fd, 1) == -1)
		_exit(QGTM_EX_OSERR);
	if (fd > 1)
		close(fd);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	_exit(errno == ENOENT ? 127 : 126);
}

/* A wait status by execline's rule: signal N is 128+N, >= 128 is 128. */
static int
child_status(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st) >= 128 ? 128 : WEXITSTATUS(st);
}

int
qgtm_run_child(char *const argv[], int timeout_s, int (*tick)(void *),
    void *arg)
{
	const struct timespec slice = { 0, 100 * 1000 * 1000 };
	pid_t pid, w;
	int st, n;

	qgtm_otel_setenv();     /* the child continues our trace */
	if ((pid = fork()) == -1)
		return qgtm_seterr_errno(QGTM_EX_OSERR, "cannot fork");
	if (pid == 0)
		child_exec(argv);
	setpgid(pid, pid);
	for (n = 0; (w = waitpid(pid, &st, WNOHANG)) == 0; n++) {
		if (n % 10 == 9 && tick(arg) != 0)
			break;
		if (n >= timeout_s * 10) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			return qgtm_seterr(QGTM_EX_TEMPFAIL,
			    "'%s' timed out after %d s", argv[0], timeout_s);
		}
		nanosleep(&slice, NULL);
	}
	if (w == 0) {   /* tick asked to stop */
		kill(-pid, SIGTERM);
		waitpid(pid, &st, 0);
		return qgtm_seterr(QGTM_EX_TEMPFAIL, "'%s' stopped",
		    argv[0]);
	}
	if (w == -1)
		return qgtm_seterr_errno(QGTM_EX_OSERR, "cannot wait");
	return child_status(st);
}

time_t
qgtm_daemon_cycle_at(time_t now, long long delay_s)
{
	struct qgtm_date d = qgtm_ny_date(now);

	if (!qgtm_nyse_is_trading_day(d.year, d.month, d.day))
		return 0;
	return qgtm_nyse_close(d.year, d.month, d.day) + (time_t)delay_s;
}

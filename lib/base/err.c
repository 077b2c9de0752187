/*
 * err.c: program start-up, library error messages, and the single exit
 * path that checks stdout (git git.c, jq main.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"

const char *qgtm_progname = "qgtm";

static char errbuf[1024];
static int errcode = QGTM_EX_SOFTWARE;

/* Make sure fds 0-2 are open so a later open() never lands on them. */
static void
sanitize_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

void
qgtm_init(const char *argv0, int ignore_sigpipe)
{
	const char *slash = strrchr(argv0, '/');

	qgtm_progname = slash != NULL ? slash + 1 : argv0;
	sanitize_std_fds();
	signal(SIGPIPE, ignore_sigpipe ? SIG_IGN : SIG_DFL);
	setlocale(LC_NUMERIC, "C");
	setvbuf(stdout, NULL, _IOLBF, 0);
	qgtm_log_setup();
}

static int
vseterr(int code, int with_errno, const char *fmt, va_list ap)
{
	char raw[sizeof errbuf];
	int saved = errno;
	size_t len;

	vsnprintf(raw, sizeof raw, fmt, ap);
	if (with_errno) {
		len = strlen(raw);
		snprintf(raw + len, sizeof raw - len, ": %s", strerror(saved));
	}
	qgtm_redact(raw, errbuf, sizeof errbuf);
	errcode = code;
	errno = saved;
	return -1;
}

int
qgtm_seterr(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vseterr(code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int
qgtm_seterr_errno(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vseterr(code, 1, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
qgtm_errmsg(void)
{
	return errbuf;
}

int
qgtm_errcode(void)
{
	return errcode;
}

/* Print "prog: [prefix]message" to stderr with secrets redacted, and
 * control characters (from hostile input echoed back) shown as '?', so
 * the message stays one line and cannot steer a terminal. */
static void
vprint_diag(const char *prefix, const char *fmt, va_list ap)
{
	char raw[2048], clean[2048], *p;

	vsnprintf(raw, sizeof raw, fmt, ap);
	qgtm_redact(raw, clean, sizeof clean);
	for (p = clean; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fflush(stdout);
	fprintf(stderr, "%s: %s%s\n", qgtm_progname, prefix, clean);
}

static void (*die_hook)(void);

/* The tracer's hooks (net/otel.c), or NULL. */
static const struct qgtm_trace_hooks *trace_hooks;

void
qgtm_trace_hooks_set(const struct qgtm_trace_hooks *h)
{
	trace_hooks = h;
}

const struct qgtm_trace_hooks *
qgtm_trace_hooks(void)
{
	return trace_hooks;
}

void
qgtm_atdie(void (*fn)(void))
{
	die_hook = fn;
}

/*
 * A program that dies ends at once: stdout is flushed (vprint_diag), the
 * message printed, the qgtm_atdie() hook run, and _exit() skips the atexit
 * handlers. The memory a dying program still holds is the kernel's to
 * free; LeakSanitizer's exit check, which would report it depending on
 * what the compiler kept live, stays on every path that returns from main
 * through qgtm_exit().
 */
void
qgtm_die(int code, const char *fmt, ...)
{
	void (*hook)(void) = die_hook;
	va_list ap;

	va_start(ap, fmt);
	vprint_diag("", fmt, ap);
	va_end(ap);
	die_hook = NULL;        /* a hook that dies does not loop */
	if (trace_hooks != NULL)
		trace_hooks->finish(code);
	if (hook != NULL)
		hook();
	_exit(code);
}

void
qgtm_die_lib(void)
{
	qgtm_die(errcode, "%s", errbuf[0] != '\0' ? errbuf : "internal error");
}

void
qgtm_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_diag("warning: ", fmt, ap);
	va_end(ap);
}

int
qgtm_exit(int rc)
{
	int bad = ferror(stdout);

	if (fflush(stdout) != 0)
		bad = 1;
	if (fclose(stdout) != 0)
		bad = 1;
	if (bad) {
		fprintf(stderr, "%s: <stdout>: write error: %s\n", qgtm_progname,
		    errno != 0 ? strerror(errno) : "unknown error");
		rc = QGTM_EX_IOERR;
	}
	if (trace_hooks != NULL)
		trace_hooks->finish(rc);
	return rc;
}

void
qgtm_version(void)
{
	printf("%s %s\n", qgtm_progname, QGTM_VERSION);
}

/*
 * state.c: the state directory, atomic file replacement (git lockfile,
 * mblaze mdeliver), durable appends and flock locks with a timeout.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"

static char *state_dir;

const char *
qgtm_state_dir(void)
{
	return state_dir != NULL ? state_dir : "/var/lib/qgtm";
}

int
qgtm_state_init(const struct qgtm_cfg *cfg)
{
	const char *env = getenv("QGTM_STATE_DIR");
	const char *dir;

	dir = env != NULL && *env != '\0' ? env :
	    qgtm_cfg_str(cfg, "common.state_dir");
	free(state_dir);
	state_dir = qgtm_xstrdup(dir);
	return qgtm_mkdirs(state_dir, 0750);
}

int
qgtm_mkdirs(const char *dir, mode_t mode)
{
	char *p, *path = qgtm_xstrdup(dir);
	struct stat st;
	int rc = 0;
	char c;

	for (p = path + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(path, mode) == -1 && errno != EEXIST)
			rc = qgtm_seterr_errno(QGTM_EX_CANTCREAT,
			    "cannot create directory '%s'", path);
		else if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode))
			rc = qgtm_seterr(QGTM_EX_CANTCREAT,
			    "'%s' is not a directory", path);
		*p = c;
		if (c == '\0')
			break;
	}
	free(path);
	return rc;
}

char *
qgtm_state_path(const char *rel, int mkdirs)
{
	const char *dir = qgtm_state_dir();
	size_t dlen = strlen(dir), rlen = strlen(rel);
	char *path = qgtm_xmalloc(dlen + 1 + rlen + 1), *slash;

	memcpy(path, dir, dlen);        /* no printf: every store read asks */
	path[dlen] = '/';
	memcpy(path + dlen + 1, rel, rlen + 1);

	if (mkdirs && (slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		if (qgtm_mkdirs(path, 0750) == -1) {
			free(path);
			return NULL;
		}
		*slash = '/';
	}
	return path;
}

/* write(2), fsync(2) and rename(2) of the state paths, each failing when
 * QGTM_FAULT says so (lib/base/fault.c). */
static ssize_t
state_write(int fd, const void *p, size_t n)
{
	return qgtm_fault(QGTM_FAULT_WRITE) ? -1 : write(fd, p, n);
}

static int
state_fsync(int fd)
{
	return qgtm_fault(QGTM_FAULT_FSYNC) ? -1 : fsync(fd);
}

static int
state_rename(const char *from, const char *to)
{
	return qgtm_fault(QGTM_FAULT_RENAME) ? -1 : rename(from, to);
}

/* Write all n bytes to fd, counting those written in *done; -1 with errno
 * set on failure. */
static int
write_all(int fd, const char *p, size_t n, size_t *done)
{
	ssize_t w;

	*done = 0;
	while (n > 0) {
		w = state_write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
		*done += (size_t)w;
	}
	return 0;
}

/* fsync the directory holding path, so a rename survives a crash. */
static int
fsync_parent(const char *path)
{
	char *dir = qgtm_xstrdup(path), *slash = strrchr(dir, '/');
	int fd, rc;

	if (slash == NULL) {
		free(dir);
		dir = qgtm_xstrdup(".");
	} else {
		*slash = '\0';
		if (*dir == '\0') {
			free(dir);
			dir = qgtm_xstrdup("/");
		}
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = fd == -1 || state_fsync(fd) == -1 ? -1 : 0;
	if (fd != -1)
		close(fd);
	free(dir);
	return rc;
}

int
qgtm_write_atomic(const char *path, const void *p, size_t n)
{
	return qgtm_write_atomic_mode(path, p, n, 0640);
}

int
qgtm_write_atomic_mode(const char *path, const void *p, size_t n,
    mode_t mode)
{
	char *tmp = qgtm_xasprintf("%s.tmp.%ld", path, (long)getpid());
	size_t done;
	int fd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd != -1 && fchmod(fd, mode) == -1) {      /* past the umask */
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot chmod '%s'", tmp);
		close(fd);
		unlink(tmp);
		free(tmp);
		return rc;
	}
	if (fd == -1) {
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot create '%s'", tmp);
		free(tmp);
		return rc;
	}
	if (write_all(fd, p, n, &done) == -1 || state_fsync(fd) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'", tmp);
	if (close(fd) == -1 && rc == 0)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write '%s'", tmp);
	if (rc == 0 && state_rename(tmp, path) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot rename '%s' to '%s'",
		    tmp, path);
	if (rc == -1)
		unlink(tmp);
	else if (fsync_parent(path) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot sync directory of '%s'",
		    path);
	free(tmp);
	return rc;
}

/*
 * Undo a failed append of which done bytes reached fd: cut them off again
 * unless another writer appended after them, and remove a file this call
 * created that is left empty. Best effort: the error stands either way.
 */
static void
undo_append(const char *path, int fd, size_t done, int created)
{
	off_t end = lseek(fd, 0, SEEK_CUR);
	struct stat st;

	if (done > 0 && end >= (off_t)done && fstat(fd, &st) == 0 &&
	    st.st_size == end && ftruncate(fd, end - (off_t)done) == 0)
		fsync(fd);
	if (created && fstat(fd, &st) == 0 && st.st_size == 0)
		unlink(path);
}

int
qgtm_append_fsync(const char *path, const void *p, size_t n)
{
	int fd, rc = 0, created = access(path, F_OK) == -1;
	size_t done;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open '%s'", path);
	if (write_all(fd, p, n, &done) == -1 || state_fsync(fd) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot append to '%s'", path);
	/* A new file's directory entry must be durable too. */
	else if (created && fsync_parent(path) == -1)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR,
		    "cannot sync directory of '%s'", path);
	if (rc == -1)
		undo_append(path, fd, done, created);
	if (close(fd) == -1 && rc == 0)
		rc = qgtm_seterr_errno(QGTM_EX_IOERR, "cannot append to '%s'", path);
	return rc;
}

int
qgtm_lock(const char *path, int timeout_ms)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int fd, waited = 0;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open lock '%s'",
		    path);
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			qgtm_seterr_errno(QGTM_EX_IOERR, "cannot lock '%s'", path);
			close(fd);
			return -1;
		}
		if (waited >= timeout_ms) {
			close(fd);
			return qgtm_seterr(QGTM_EX_TEMPFAIL,
			    "lock '%s' is busy after %d ms", path, timeout_ms);
		}
		nanosleep(&pause, NULL);
		waited += 20;
	}
	return fd;
}

void
qgtm_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/* One entry of a tree being removed (callback of nftw). */
static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
qgtm_remove_tree(const char *dir)
{
	return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * ksdisk.c: what lets a safety act take effect on a full disk. The disk
 * reserve is a preallocated file under the state directory that a tier
 * change deletes when a write finds the disk full, so the change (and a
 * flatten after it) has room; it is made again once the disk has room.
 * The intent slot is a fixed-size preallocated file rewritten in place
 * (no new blocks, no rename): a tier change writes its intent there
 * before anything else, so a change that cannot be made durable still
 * makes every reader act as at least NO_NEW.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "risk/risk.h"

/* Preallocate n bytes of the new file path (mode 0640) and sync it. */
static int
prealloc(const char *path, off_t n)
{
	char *tmp = qgtm_xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	int rc = fd == -1 || posix_fallocate(fd, 0, n) != 0 ||
	    fsync(fd) == -1 ? -1 : 0;

	if (fd != -1)
		close(fd);
	if (rc == 0 && rename(tmp, path) == -1)
		rc = -1;
	if (rc == -1)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Free bytes for an unprivileged writer on the file system of path. */
static long long
free_bytes(const char *path)
{
	struct statvfs vfs;

	if (statvfs(path, &vfs) == -1)
		return -1;
	return (long long)vfs.f_bavail * (long long)vfs.f_frsize;
}

void
qgtm_ks_reserve(void)
{
	char *path = qgtm_state_path(QGTM_KS_RESERVE, 1), *dir;

	if (path == NULL)
		return;
	dir = qgtm_state_path("risk", 0);
	/* Never take the last room a flatten may need: only with plenty. */
	if (access(path, F_OK) == -1 && free_bytes(dir) >=
	    4 * QGTM_KS_RESERVE_BYTES && prealloc(path,
	    QGTM_KS_RESERVE_BYTES) == -1)
		qgtm_warn("cannot make the disk reserve '%s': %s", path,
		    strerror(errno));
	free(dir);
	free(path);
}

int
qgtm_ks_reserve_release(void)
{
	char *path = qgtm_state_path(QGTM_KS_RESERVE, 0);
	int rc = path != NULL && unlink(path) == 0;

	if (rc)
		qgtm_warn("%s; released the disk reserve", qgtm_errmsg());
	free(path);
	return rc;
}

/* Open the intent slot, made (preallocated) when missing; -1 on error. */
static int
slot_open(int flags)
{
	char *path = qgtm_state_path(QGTM_KS_INTENT, 1);
	int fd;

	if (path == NULL)
		return -1;
	if ((fd = open(path, flags | O_CLOEXEC)) == -1 && errno == ENOENT &&
	    (flags & O_ACCMODE) != O_RDONLY &&
	    prealloc(path, QGTM_KS_INTENT_BYTES) == 0)
		fd = open(path, flags | O_CLOEXEC);
	free(path);
	return fd;
}

/* Rewrite the slot in place with text padded by spaces; 0 or -1. */
static int
slot_write(const char *text)
{
	char buf[QGTM_KS_INTENT_BYTES];
	size_t n = strlen(text);
	int fd, rc;

	if (n >= sizeof buf)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "intent too long");
	memset(buf, ' ', sizeof buf);
	memcpy(buf, text, n);
	buf[sizeof buf - 1] = '\n';
	if ((fd = slot_open(O_WRONLY)) == -1)
		return qgtm_seterr_errno(QGTM_EX_IOERR, "cannot open the "
		    "intent slot");
	rc = pwrite(fd, buf, sizeof buf, 0) == (ssize_t)sizeof buf ? 0 : -1;
	if (rc == 0)
		fdatasync(fd);  /* the page cache already shows it to all */
	else
		qgtm_seterr_errno(QGTM_EX_IOERR, "cannot write the intent "
		    "slot");
	close(fd);
	return rc;
}

int
qgtm_ks_intent_set(json_t *intent)
{
	char *text = json_dumps(intent, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	if (text == NULL)
		return qgtm_seterr(QGTM_EX_SOFTWARE, "cannot serialize the "
		    "intent");
	rc = slot_write(text);
	free(text);
	return rc;
}

void
qgtm_ks_intent_clear(void)
{
	if (slot_write("{}") == -1)
		qgtm_warn("%s", qgtm_errmsg());
}

json_t *
qgtm_ks_intent_get(void)
{
	char buf[QGTM_KS_INTENT_BYTES + 1];
	json_t *obj;
	ssize_t n;
	int fd;

	if ((fd = slot_open(O_RDONLY)) == -1)
		return NULL;
	n = pread(fd, buf, QGTM_KS_INTENT_BYTES, 0);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	obj = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	if (obj != NULL && (!json_is_object(obj) || json_object_size(obj) ==
	    0)) {
		json_decref(obj);
		obj = NULL;
	}
	return obj;
}

int
qgtm_ks_prepare(void)
{
	int fd = slot_open(O_WRONLY);

	if (fd != -1)
		close(fd);
	qgtm_ks_reserve();
	return fd == -1 ? -1 : 0;
}

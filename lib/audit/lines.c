/*
 * lines.c: the chain's lines as verify's walk reads them, each with its
 * leaf hash and the checks that need no other line, read in chunks with
 * pread(2) and split with memchr(3): no allocation per line. Each line's
 * newline becomes a NUL in place, which is also the 0x00 that the next
 * line's leaf hash starts with (RFC 9162 2.1.1), so a leaf is one SHA-256
 * over bytes already in the buffer.
 *
 * With two threads, a producer reads chunk k + 1 while the caller walks
 * chunk k (a ring of NPIECE chunks under one mutex); the per-line work
 * of a chunk is cut into batches of BATCH lines that either thread
 * claims, the caller claiming the batch it needs next when nobody has.
 * The caller still takes every line in order and decides everything
 * from it, so what a walk reports does not depend on the thread count.
 * The producer calls nothing that sets the library's error state; it
 * hands a failed read's errno to the caller, after the lines before it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "audit/audit_int.h"

#define NPIECE 3
#define BATCH 64

/* A chunk of whole lines; buf[0] is 0 (the first line's leaf prefix). */
struct piece {
	char *buf;
	size_t cap, end;        /* allocated, used */
	size_t tail;            /* where a line continuing in the next starts */
	size_t nlines, lcap;
	size_t *at, *len;       /* each line's start in buf and length */
	unsigned char (*leaf)[32];
	char *local;            /* local_size bytes a line */
	unsigned char *done;    /* each batch's work is done */
	size_t nbatch, claimed; /* batches, those claimed (in order) */
	int torn;               /* the last line has no newline */
	int err;                /* errno of the read that failed after it */
	int last;               /* no piece follows */
	int full;               /* filled and not yet given back */
};

struct qgtm_lines {
	int fd;
	off_t pos, size;
	size_t chunk;
	qgtm_lines_fn fn;
	size_t local_size;
	struct piece p[NPIECE];
	int npiece;             /* 1: no thread */
	int c;                  /* the piece the caller reads */
	size_t i;               /* its next line */
	int started;            /* a piece was filled (the carry is valid) */
	struct qgtm_hasher h[2];        /* the caller's, the producer's */
	pthread_t thread;
	int threaded, stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Threads (0: automatic) and chunk size of the walks to come. */
static int walk_threads;
static size_t walk_chunk = 1 << 20;

void
qgtm_audit_set_walk(int threads, size_t chunk)
{
	walk_threads = threads;
	walk_chunk = chunk > 0 ? chunk : 1 << 20;
}

int
qgtm_audit_walk_threads(void)
{
	if (walk_threads > 0)
		return walk_threads > 1 ? 2 : 1;
	return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
}

void
qgtm_hasher_cat(struct qgtm_hasher *h, const void *a, size_t an,
    const void *b, size_t bn, unsigned char md[32])
{
	if (h == NULL)
		qgtm_sha256_cat(a, an, b, bn, md);
	/* OpenSSL fails here only when it cannot allocate (as crypto.c). */
	else if (!EVP_DigestInit_ex2(h->ctx, h->md, NULL) ||
	    !EVP_DigestUpdate(h->ctx, a, an) ||
	    !EVP_DigestUpdate(h->ctx, b, bn) ||
	    !EVP_DigestFinal_ex(h->ctx, md, NULL))
		qgtm_die(QGTM_EX_OSERR, "out of memory computing SHA-256");
}

/* Room for need bytes in p->buf and for one more line. */
static void
piece_room(struct qgtm_lines *r, struct piece *p, size_t need)
{
	if (need > p->cap) {
		p->cap = need;
		p->buf = qgtm_xrealloc(p->buf, p->cap);
	}
	if (p->nlines == p->lcap) {
		p->lcap = p->lcap ? 2 * p->lcap : 4096;
		p->at = qgtm_xrealloc(p->at, p->lcap * sizeof *p->at);
		p->len = qgtm_xrealloc(p->len, p->lcap * sizeof *p->len);
		p->leaf = qgtm_xrealloc(p->leaf, p->lcap * sizeof *p->leaf);
		p->local = qgtm_xrealloc(p->local, p->lcap * r->local_size);
		p->done = qgtm_xrealloc(p->done, p->lcap / BATCH + 1);
	}
}

/* Record the line at off..e of p (its end e gets a NUL). */
static void
piece_line(struct qgtm_lines *r, struct piece *p, size_t off, size_t e)
{
	piece_room(r, p, 0);
	p->at[p->nlines] = off;
	p->len[p->nlines++] = e - off;
	p->buf[e] = '\0';
}

/* Read into p after the end of prev (NULL: the first) at least one line. */
static void
fill(struct qgtm_lines *r, struct piece *p, const struct piece *prev)
{
	size_t carry = prev != NULL ? prev->end - prev->tail : 0, scan, want;
	const char *nl;
	ssize_t got;

	p->nlines = 0;
	p->torn = p->err = p->last = 0;
	piece_room(r, p, 1 + carry + r->chunk + 1);
	if (carry > 0)
		memmove(p->buf + 1, prev->buf + prev->tail, carry);
	p->buf[0] = '\0';
	p->end = 1 + carry;
	scan = 1;
	while (!p->last && p->nlines == 0) {
		want = r->size - r->pos < (off_t)r->chunk ?
		    (size_t)(r->size - r->pos) : r->chunk;
		piece_room(r, p, p->end + want + 1);
		got = want > 0 ? pread(r->fd, p->buf + p->end, want, r->pos) : 0;
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0) {
			p->err = got == -1 ? errno : 0;
			p->last = 1;
			break;
		}
		r->pos += got;
		p->end += (size_t)got;
		while ((nl = memchr(p->buf + scan, '\n', p->end - scan)) != NULL) {
			piece_line(r, p, scan, (size_t)(nl - p->buf));
			scan = (size_t)(nl - p->buf) + 1;
		}
		p->last = r->pos == r->size;
	}
	p->tail = scan;
	if (p->last && scan < p->end) {
		piece_line(r, p, scan, p->end);
		p->torn = 1;
		p->tail = p->end;
	}
	p->nbatch = (p->nlines + BATCH - 1) / BATCH;
	p->claimed = 0;
	memset(p->done, 0, p->nbatch);
}

/* The work of batch b of p: leaf hashes and fn, with the hasher h. */
static void
work(struct qgtm_lines *r, struct piece *p, size_t b, struct qgtm_hasher *h)
{
	size_t j, e = (b + 1) * BATCH < p->nlines ? (b + 1) * BATCH : p->nlines;

	for (j = b * BATCH; j < e; j++) {
		/* The byte before each line is 0 (see fill). */
		qgtm_hasher_cat(h, "", 0, p->buf + p->at[j] - 1, p->len[j] + 1,
		    p->leaf[j]);
		r->fn(h, p->buf + p->at[j], p->len[j],
		    p->local + j * r->local_size);
	}
}

static void
lock(struct qgtm_lines *r)
{
	if (r->threaded)
		pthread_mutex_lock(&r->mu);
}

static void
unlock(struct qgtm_lines *r)
{
	if (r->threaded)
		pthread_mutex_unlock(&r->mu);
}

/*
 * Do batches of p with h (r locked, as it is on return) until batch b
 * is done (b = nbatch: until none is left to claim), or the caller has
 * stopped reading.
 */
static void
share(struct qgtm_lines *r, struct piece *p, size_t b, struct qgtm_hasher *h)
{
	size_t x;

	while (!r->stop &&
	    (b < p->nbatch ? !p->done[b] : p->claimed < p->nbatch)) {
		if (p->claimed == p->nbatch) {  /* b is the other's */
			pthread_cond_wait(&r->cv, &r->mu);
			continue;
		}
		x = p->claimed++;
		unlock(r);
		work(r, p, x, h);
		lock(r);
		p->done[x] = 1;
		if (r->threaded)
			pthread_cond_broadcast(&r->cv);
	}
}

static void *
producer(void *arg)
{
	struct qgtm_lines *r = arg;
	struct piece *p;
	int k, last = 0;

	for (k = 0; !last; k = (k + 1) % NPIECE) {
		p = &r->p[k];
		lock(r);
		while (p->full && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		last = r->stop;
		unlock(r);
		if (last)
			break;
		fill(r, p, r->started ? &r->p[(k + NPIECE - 1) % NPIECE] :
		    NULL);
		r->started = 1;
		last = p->last;
		lock(r);
		p->full = 1;
		pthread_cond_broadcast(&r->cv);
		share(r, p, p->nbatch, &r->h[1]);
		last |= r->stop;
		unlock(r);
	}
	return NULL;
}

struct qgtm_lines *
qgtm_lines_start(int fd, off_t off, off_t size, qgtm_lines_fn fn,
    size_t local_size)
{
	struct qgtm_lines *r = qgtm_xcalloc(1, sizeof *r);
	int k;

	r->fd = fd;
	r->pos = off;
	r->size = size > off ? size : off;
	r->chunk = walk_chunk;
	r->fn = fn;
	r->local_size = local_size;
	r->npiece = 1;
	for (k = 0; k < 2; k++) {
		r->h[k].ctx = EVP_MD_CTX_new();
		r->h[k].md = EVP_MD_fetch(NULL, "SHA256", NULL);
		if (r->h[k].ctx == NULL || r->h[k].md == NULL) {
			qgtm_lines_stop(r);
			qgtm_seterr(QGTM_EX_OSERR, "cannot set up SHA-256");
			return NULL;
		}
	}
	/* A thread pays only past a few chunks, unless it is asked for. */
	if (qgtm_audit_walk_threads() > 1 && (walk_threads > 1 ||
	    r->size - off > 4 * (off_t)r->chunk)) {
		pthread_mutex_init(&r->mu, NULL);
		pthread_cond_init(&r->cv, NULL);
		r->npiece = NPIECE;
		r->threaded = pthread_create(&r->thread, NULL, producer,
		    r) == 0;
		if (!r->threaded) {     /* work on without it */
			pthread_mutex_destroy(&r->mu);
			pthread_cond_destroy(&r->cv);
			r->npiece = 1;
		}
	}
	return r;
}

/* Wait for the piece the caller reads (or fill it, without a thread). */
static struct piece *
take(struct qgtm_lines *r)
{
	struct piece *p = &r->p[r->c];

	if (!r->threaded) {
		if (!p->full)
			fill(r, p, r->started ? p : NULL);
		r->started = p->full = 1;
		return p;
	}
	lock(r);
	while (!p->full)
		pthread_cond_wait(&r->cv, &r->mu);
	unlock(r);
	return p;
}

/* Give the caller's piece back to be filled again. */
static void
give_back(struct qgtm_lines *r)
{
	lock(r);
	r->p[r->c].full = 0;
	if (r->threaded)
		pthread_cond_broadcast(&r->cv);
	unlock(r);
	r->c = (r->c + 1) % r->npiece;
	r->i = 0;
}

int
qgtm_lines_next(struct qgtm_lines *r, struct qgtm_line *l)
{
	struct piece *p;

	for (;;) {
		p = take(r);
		if (r->i < p->nlines) {
			if (r->i % BATCH == 0) {
				lock(r);
				share(r, p, r->i / BATCH, &r->h[0]);
				unlock(r);
			}
			l->p = p->buf + p->at[r->i];
			l->n = p->len[r->i];
			l->leaf = p->leaf[r->i];
			l->local = p->local + r->i * r->local_size;
			l->has_nl = !(p->torn && r->i + 1 == p->nlines);
			r->i++;
			return 1;
		}
		if (p->err != 0) {
			errno = p->err;
			return -1;
		}
		if (p->last)
			return 0;
		give_back(r);
	}
}

void
qgtm_lines_stop(struct qgtm_lines *r)
{
	int k;

	if (r == NULL)
		return;
	if (r->threaded) {
		lock(r);
		r->stop = 1;
		pthread_cond_broadcast(&r->cv);
		unlock(r);
		pthread_join(r->thread, NULL);
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
	}
	for (k = 0; k < NPIECE; k++) {
		free(r->p[k].buf);
		free(r->p[k].at);
		free(r->p[k].len);
		free(r->p[k].leaf);
		free(r->p[k].local);
		free(r->p[k].done);
	}
	for (k = 0; k < 2; k++) {
		EVP_MD_CTX_free(r->h[k].ctx);
		EVP_MD_free(r->h[k].md);
	}
	free(r);
}

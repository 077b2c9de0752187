/*
 * lines.c: the chain's lines as verify's walk reads them, each with its
 * leaf hash, read in chunks with pread(2) and split with memchr(3): no
 * allocation per line. Each line's newline becomes a NUL in place, which
 * is also the 0x00 that the next line's leaf hash starts with (RFC 9162
 * 2.1.1), so a leaf is one SHA-256 over bytes already in the buffer.
 *
 * With two threads, a producer reads and leaf-hashes chunk k + 1 while
 * the caller checks chunk k (a ring of NPIECE chunks under one mutex):
 * the caller still takes every line in order and decides everything, so
 * what a walk reports does not depend on the thread count. The producer
 * calls nothing that sets the library's error state; it hands a failed
 * read's errno to the caller, after the lines read before it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "audit/audit_int.h"

#define NPIECE 3

/* A chunk of whole lines; buf[0] is 0 (the first line's leaf prefix). */
struct piece {
	char *buf;
	size_t cap, end;        /* allocated, used */
	size_t tail;            /* where a line continuing in the next starts */
	size_t nlines, lcap;
	size_t *at, *len;       /* each line's start in buf and length */
	unsigned char (*leaf)[32];
	int torn;               /* the last line has no newline */
	int err;                /* errno of the read that failed after it */
	int last;               /* no piece follows */
	int full;               /* filled and not yet taken back */
};

struct qgtm_lines {
	int fd;
	off_t pos, size;
	size_t chunk;
	struct piece p[NPIECE];
	int npiece;             /* 1: no thread */
	int c;                  /* the piece the caller reads */
	size_t i;               /* its next line */
	int started;            /* a piece was filled (the carry is valid) */
	EVP_MD_CTX *ctx;        /* the producer's (EVP_MD fetched once) */
	EVP_MD *md;
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

/* Room for need bytes in p->buf and for one more line. */
static void
piece_room(struct piece *p, size_t need)
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
	}
}

/* Record the line at off..e of p (its end e gets a NUL). */
static void
piece_line(struct piece *p, size_t off, size_t e)
{
	piece_room(p, 0);
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
	piece_room(p, 1 + carry + r->chunk + 1);
	if (carry > 0)
		memmove(p->buf + 1, prev->buf + prev->tail, carry);
	p->buf[0] = '\0';
	p->end = 1 + carry;
	scan = 1;
	while (!p->last && p->nlines == 0) {
		want = r->size - r->pos < (off_t)r->chunk ?
		    (size_t)(r->size - r->pos) : r->chunk;
		piece_room(p, p->end + want + 1);
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
			piece_line(p, scan, (size_t)(nl - p->buf));
			scan = (size_t)(nl - p->buf) + 1;
		}
		p->last = r->pos == r->size;
	}
	p->tail = scan;
	if (p->last && scan < p->end) {
		piece_line(p, scan, p->end);
		p->torn = 1;
		p->tail = p->end;
	}
}

/* The leaf hashes of p's lines; on failure, keep only those before. */
static void
hash_leaves(struct qgtm_lines *r, struct piece *p)
{
	size_t j;

	for (j = 0; j < p->nlines; j++)
		/* The byte before each line is 0 (see fill). */
		if (!EVP_DigestInit_ex2(r->ctx, r->md, NULL) ||
		    !EVP_DigestUpdate(r->ctx, p->buf + p->at[j] - 1,
		    p->len[j] + 1) ||
		    !EVP_DigestFinal_ex(r->ctx, p->leaf[j], NULL)) {
			p->nlines = j;
			p->err = ENOMEM;
			p->last = 1;
			return;
		}
}

/* Fill the piece k (after the one before it) and hash its leaves. */
static void
produce(struct qgtm_lines *r, int k)
{
	fill(r, &r->p[k], r->started ? &r->p[(k + r->npiece - 1) %
	    r->npiece] : NULL);
	r->started = 1;
	hash_leaves(r, &r->p[k]);
}

static void *
producer(void *arg)
{
	struct qgtm_lines *r = arg;
	int k, last = 0;

	for (k = 0; !last; k = (k + 1) % NPIECE) {
		pthread_mutex_lock(&r->mu);
		while (r->p[k].full && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		last = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (last)
			break;
		produce(r, k);
		last = r->p[k].last;
		pthread_mutex_lock(&r->mu);
		r->p[k].full = 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

struct qgtm_lines *
qgtm_lines_start(int fd, off_t off, off_t size)
{
	struct qgtm_lines *r = qgtm_xcalloc(1, sizeof *r);

	r->fd = fd;
	r->pos = off;
	r->size = size > off ? size : off;
	r->chunk = walk_chunk;
	r->npiece = 1;
	r->ctx = EVP_MD_CTX_new();
	r->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (r->ctx == NULL || r->md == NULL) {
		qgtm_lines_stop(r);
		qgtm_seterr(QGTM_EX_OSERR, "cannot set up SHA-256");
		return NULL;
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

/* Wait for the piece the caller reads (or make it, without a thread). */
static struct piece *
take(struct qgtm_lines *r)
{
	struct piece *p = &r->p[r->c];

	if (!r->threaded) {
		if (!p->full)
			produce(r, r->c);
		p->full = 1;
		return p;
	}
	pthread_mutex_lock(&r->mu);
	while (!p->full)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	return p;
}

/* Give the caller's piece back to be filled again. */
static void
give_back(struct qgtm_lines *r)
{
	if (r->threaded)
		pthread_mutex_lock(&r->mu);
	r->p[r->c].full = 0;
	if (r->threaded) {
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
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
			l->p = p->buf + p->at[r->i];
			l->n = p->len[r->i];
			l->leaf = p->leaf[r->i];
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
		pthread_mutex_lock(&r->mu);
		r->stop = 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
	}
	for (k = 0; k < NPIECE; k++) {
		free(r->p[k].buf);
		free(r->p[k].at);
		free(r->p[k].len);
		free(r->p[k].leaf);
	}
	EVP_MD_CTX_free(r->ctx);
	EVP_MD_free(r->md);
	free(r);
}

/* openloop: a fixed-rate (open-loop) HTTP/1.1 load generator for python -m bench.
 *
 * Why C: the driver shares the 2 cores with the server it measures. The Python driver in
 * bench/load.py costs ~100 us of CPU per request (0.3 of a core at 3 000 req/s);
 * this one costs a few us, like wrk. Same method as bench/load.py open_loop (and wrk2):
 * request i is due at t0 + i/rate; whichever of the C keep-alive connections is free
 * sends the next due request; when all are busy it waits, and the wait counts, because
 * latency is measured from the due time (or from the send, if that was earlier).
 *
 * usage: openloop HOST PORT RATE SECONDS CONNS REQUEST_FILE EXPECT [EXPECT2]
 * A response counts as ok when its status is 200 and its head+body contain EXPECT (and
 * EXPECT2 if given). Prints one JSON object: counts and latency percentiles in ms.
 * Content-Length responses only (what uvicorn sends for wikigate's complete bodies).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ 65536

typedef struct {
    int fd, busy;
    double due, sent;
    size_t have;
    char buf[BUFSZ];
} conn_t;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static struct sockaddr_in addr;

static int open_conn(int ep, conn_t *c) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    if (fd < 0) return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { close(fd); return -1; }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    c->fd = fd; c->busy = 0; c->have = 0;
    return 0;
}

/* 1 complete (ok or bad), 0 incomplete, -1 malformed */
static int complete(conn_t *c, size_t *total) {
    char *end = memmem(c->buf, c->have, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t hlen = end - c->buf + 4;
    long clen = 0;
    for (char *p = c->buf; p < end; p++) {
        if ((*p == 'c' || *p == 'C') && strncasecmp(p, "content-length:", 15) == 0) {
            clen = strtol(p + 15, NULL, 10);
            break;
        }
    }
    if (hlen + clen > BUFSZ) return -1;
    if (c->have < hlen + (size_t)clen) return 0;
    *total = hlen + clen;
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: openloop HOST PORT RATE SECONDS CONNS REQUEST_FILE EXPECT [EXPECT2]\n");
        return 2;
    }
    double rate = atof(argv[3]), dur = atof(argv[4]);
    int nconn = atoi(argv[5]);
    const char *expect = argv[7], *expect2 = argc > 8 ? argv[8] : NULL;
    FILE *f = fopen(argv[6], "rb");
    if (!f) { perror("request file"); return 2; }
    static char req[BUFSZ];
    size_t reqlen = fread(req, 1, sizeof req, f);
    fclose(f);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &addr.sin_addr);

    long n = (long)(rate * dur);
    double *lat = malloc(sizeof(double) * (n + 1));
    double *lsent = malloc(sizeof(double) * (n + 1)); /* from the actual send: the server's part */
    conn_t *conns = calloc(nconn, sizeof(conn_t));
    int ep = epoll_create1(0);
    for (int i = 0; i < nconn; i++)
        if (open_conn(ep, &conns[i]) < 0) { perror("connect"); return 2; }
    long next = 0, ok = 0, errors = 0, done = 0, reopen = 0;
    double maxlag = 0, t0 = now() + 0.05;
    struct epoll_event evs[256];
    while (done < n) {
        double t = now();
        /* dispatch every due request to a free connection */
        for (int i = 0; i < nconn && next < n; i++) {
            conn_t *c = &conns[i];
            if (c->busy || c->fd < 0) continue;
            double due = t0 + next / rate;
            /* epoll waits in whole ms: a request due within 1 ms goes now (timed from its
             * actual send) rather than spinning the CPU until its due time */
            if (due > t + 0.001) break;
            if (write(c->fd, req, reqlen) != (ssize_t)reqlen) {
                close(c->fd); c->fd = -1; errors++; done++; next++;
                if (open_conn(ep, c) == 0) reopen++;
                continue;
            }
            c->busy = 1; c->due = due; c->sent = now(); c->have = 0;
            if (c->sent - due > maxlag) maxlag = c->sent - due;
            next++;
        }
        int timeout = 0;
        if (next < n) {
            int anyfree = 0;
            for (int i = 0; i < nconn; i++) if (!conns[i].busy && conns[i].fd >= 0) { anyfree = 1; break; }
            if (anyfree) {
                double wait = t0 + next / rate - now();
                timeout = wait > 0.001 ? (int)(wait * 1000) : 1;
            } else timeout = 1000;
        } else timeout = 1000;
        if (now() > t0 + dur + 60) break; /* a minute past the end: give up on the rest */
        int k = epoll_wait(ep, evs, 256, timeout);
        for (int e = 0; e < k; e++) {
            conn_t *c = evs[e].data.ptr;
            ssize_t r = read(c->fd, c->buf + c->have, BUFSZ - c->have);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN) continue;
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd); c->fd = -1;
                if (c->busy) { errors++; done++; }
                if (open_conn(ep, c) == 0) reopen++;
                continue;
            }
            c->have += r;
            size_t total = 0;
            int st = complete(c, &total);
            if (st == 0) continue;
            double end = now();
            int good = st == 1 && c->have >= 12 && memcmp(c->buf + 9, "200", 3) == 0;
            if (good) {
                c->buf[total < BUFSZ ? total : BUFSZ - 1] = 0;
                good = memmem(c->buf, total, expect, strlen(expect)) != NULL &&
                       (!expect2 || memmem(c->buf, total, expect2, strlen(expect2)) != NULL);
            }
            if (good) { lsent[ok] = end - c->sent; lat[ok++] = end - (c->due < c->sent ? c->due : c->sent); }
            else errors++;
            done++;
            c->busy = 0; c->have = 0;
        }
    }
    double elapsed = now() - t0;
    qsort(lat, ok, sizeof(double), cmpd);
    qsort(lsent, ok, sizeof(double), cmpd);
    double p99s = ok ? lsent[(long)(0.99 * ok + 0.999999) - 1] * 1000 : -1;
#define PCT(q) (ok ? lat[(long)((q) / 100.0 * ok + 0.999999) - 1 < 0 ? 0 : (long)((q) / 100.0 * ok + 0.999999) - 1] * 1000 : -1)
    double sum = 0;
    for (long i = 0; i < ok; i++) sum += lat[i];
    printf("{\"rate_offered\": %.1f, \"rate_achieved\": %.1f, \"requests\": %ld, \"ok\": %ld, \"errors\": %ld, "
           "\"duration_s\": %.3f, \"p50_ms\": %.2f, \"p90_ms\": %.2f, \"p99_ms\": %.2f, \"p999_ms\": %.2f, "
           "\"max_ms\": %.2f, \"mean_ms\": %.2f, \"connections\": %d, \"reconnects\": %ld, "
           "\"driver_max_lag_ms\": %.2f, \"p99_from_send_ms\": %.2f, \"driver\": \"openloop.c\"}\n",
           rate, ok / elapsed, n, ok, errors + (n - done), elapsed, PCT(50), PCT(90), PCT(99), PCT(99.9),
           ok ? lat[ok - 1] * 1000 : -1, ok ? sum / ok * 1000 : -1, nconn, reopen, maxlag * 1000, p99s);
    return 0;
}

/*
 * idle.c - hold many idle SMTP connections open after EHLO
 *
 * SYNOPSIS
 *	idle [-n count] [-c parallel] [-H name] [-t seconds] host port
 *
 * DESCRIPTION
 *	The client side of the memory-per-idle-connection measurement of
 *	spec-gateway.md §17 (bench/relay.sh). Opens count connections
 *	(10,000) to host:port, at most parallel (200) of them still in the
 *	greeting or EHLO at a time, reads each greeting, sends "EHLO name"
 *	(bench.test) and reads the whole EHLO reply. When every connection
 *	has its 250 it prints "ready N" on standard output and then holds
 *	them, sending nothing, until SIGTERM or SIGINT; a connection the
 *	server closes while held is counted. It raises its own limit of
 *	open files to what count needs (up to the hard limit).
 *
 * DIAGNOSTICS
 *	Exit 0 after "ready N" and a signal; 1 when a connection failed or
 *	was refused before its 250, or the -t deadline (120 s) passed first;
 *	2 for bad usage. The last line on standard error gives the counts:
 *	"idle: ready R failed F closed-while-held C".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum state { CONNECTING, GREETING, EHLO, READY, DEAD };

struct conn {
	int fd;
	enum state st;
	unsigned short len;	/* octets of an unfinished line in buf */
	char buf[512];
};

static volatile sig_atomic_t stop;

/* on_signal - ask the hold loop to end */
static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* usage - print the synopsis and exit 2 */
static void
usage(void)
{
	fprintf(stderr, "usage: idle [-n count] [-c parallel] [-H name] "
	    "[-t seconds] host port\n");
	exit(2);
}

/* raise_nofile - allow at least want open files, or fail */
static int
raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max < want) {
		rl.rlim_max = want;	/* works as root */
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return 0;
		fprintf(stderr, "idle: open-file limit: hard limit too low "
		    "for %lu connections (ulimit -Hn)\n", (unsigned long)want);
		return -1;
	}
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* start - begin a non-blocking connect; 0 or -1 */
static int
start(int ep, struct conn *c, const struct sockaddr_in *sa)
{
	struct epoll_event ev;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		perror("idle: socket");
		return -1;
	}
	c->st = CONNECTING;
	c->len = 0;
	if (connect(c->fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 &&
	    errno != EINPROGRESS) {
		perror("idle: connect");
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.ptr = c;
	return epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
}

/*
 * reply_done - consume input lines; 1 when a final reply line (code and
 * a blank) arrived, 0 when more is needed, -1 on an unexpected reply
 */
static int
reply_done(struct conn *c)
{
	char *p = c->buf, *end = c->buf + c->len, *nl;
	int done = 0;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (nl - p < 4 || p[0] != '2')
			return -1;
		if (p[3] == ' ' || p[3] == '\r')
			done = 1;
		p = nl + 1;
	}
	if (p == c->buf && c->len == sizeof(c->buf))
		return -1;	/* a line longer than the buffer */
	memmove(c->buf, p, (size_t)(end - p));
	c->len = (unsigned short)(end - p);
	return done;
}

/* step - advance one connection on an event; 1 when it became READY */
static int
step(int ep, struct conn *c, const char *ehlo, size_t ehlolen)
{
	struct epoll_event ev;
	ssize_t n;
	int r, err = 0;
	socklen_t elen = sizeof(err);

	if (c->st == CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 ||
		    err != 0) {
			fprintf(stderr, "idle: connect: %s\n", strerror(err));
			return -1;
		}
		c->st = GREETING;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
			return -1;
		return 0;
	}
	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		if (c->st == READY)
			return -2;	/* closed by the server while held */
		fprintf(stderr, "idle: connection closed before the EHLO reply\n");
		return -1;
	}
	if (c->st == READY) {
		c->len = 0;	/* a 421 or the like: ignore until the close */
		return 0;
	}
	c->len = (unsigned short)(c->len + n);
	r = reply_done(c);
	if (r < 0) {
		fprintf(stderr, "idle: unexpected reply: %.*s\n",
		    (int)c->len, c->buf);
		return -1;
	}
	if (r == 0)
		return 0;
	if (c->st == GREETING) {
		if (write(c->fd, ehlo, ehlolen) != (ssize_t)ehlolen) {
			perror("idle: write");
			return -1;
		}
		c->st = EHLO;
		return 0;
	}
	c->st = READY;
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "parallel", required_argument, NULL, 'c' },
		{ "helo", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct sockaddr_in sa;
	struct epoll_event evs[256];
	struct sigaction sact;
	struct conn *conns;
	const char *helo = "bench.test";
	char ehlo[300];
	long count = 10000, parallel = 200, timeout = 120;
	long started = 0, ready = 0, failed = 0, closed = 0, inflight = 0;
	int ep, ch, i, n;
	time_t deadline;

	while ((ch = getopt_long(argc, argv, "n:c:H:t:", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 'c': parallel = strtol(optarg, NULL, 10); break;
		case 'H': helo = optarg; break;
		case 't': timeout = strtol(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || count < 1 || parallel < 1 || timeout < 1)
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)strtol(argv[optind + 1], NULL, 10));
	if (inet_pton(AF_INET, argv[optind], &sa.sin_addr) != 1)
		usage();
	n = snprintf(ehlo, sizeof(ehlo), "EHLO %s\r\n", helo);
	if (n < 0 || (size_t)n >= sizeof(ehlo))
		usage();
	if (raise_nofile((rlim_t)count + 64) < 0)
		return 1;
	conns = calloc((size_t)count, sizeof(*conns));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (conns == NULL || ep < 0) {
		perror("idle");
		return 1;
	}
	memset(&sact, 0, sizeof(sact));
	sact.sa_handler = on_signal;
	sigaction(SIGTERM, &sact, NULL);
	sigaction(SIGINT, &sact, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* phase 1: open them all, a bounded number in the handshake at once */
	deadline = time(NULL) + timeout;
	while (ready < count && failed == 0 && !stop) {
		while (started < count && inflight < parallel) {
			if (start(ep, &conns[started], &sa) < 0) {
				failed++;
				break;
			}
			started++;
			inflight++;
		}
		if (time(NULL) > deadline) {
			fprintf(stderr, "idle: %ld s passed with %ld of %ld "
			    "ready\n", timeout, ready, count);
			failed++;
			break;
		}
		n = epoll_wait(ep, evs, 256, 1000);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			int r = step(ep, c, ehlo, strlen(ehlo));

			if (r == 1) {
				ready++;
				inflight--;
			} else if (r == -2) {
				closed++;
				ready--;
				c->st = DEAD;
				close(c->fd);
			} else if (r < 0) {
				failed++;
				c->st = DEAD;
				close(c->fd);
			}
		}
	}
	if (failed == 0 && !stop) {
		printf("ready %ld\n", ready);
		fflush(stdout);
	}

	/* phase 2: hold them, noticing closes, until a signal */
	while (failed == 0 && !stop) {
		n = epoll_wait(ep, evs, 256, 1000);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c->st == DEAD)
				continue;
			if (step(ep, c, ehlo, strlen(ehlo)) == -2) {
				closed++;
				c->st = DEAD;
				close(c->fd);
			}
		}
	}
	fprintf(stderr, "idle: ready %ld failed %ld closed-while-held %ld\n",
	    ready, failed, closed);
	return failed != 0;
}

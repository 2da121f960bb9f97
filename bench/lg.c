// SPDX-License-Identifier: GPL-2.0
/*
 * lg: the load generator and test server of svcnet's benchmarks.
 *
 *   lg serve PORT [THREADS]
 *	TCP server on PORT (IPv4 and IPv6): each connection reads requests of
 *	one byte and answers each with one byte, until EOF; a first byte 'B'
 *	makes it a sink instead (bulk: read and discard until EOF).
 *   lg conn ADDR PORT THREADS SECONDS [MAX]
 *	new connections per second: connect, one request, close (RST-free:
 *	the client closes after the answer), in THREADS threads for SECONDS
 *	(or MAX connections in all). ADDR may be a list (a,b,c): the
 *	connections (and rr's threads) take its addresses in turn.
 *   lg rr ADDR PORT THREADS SECONDS
 *	requests per second on one persistent connection per thread.
 *   lg bulk ADDR PORT SECONDS
 *	one stream's throughput, bytes per second.
 *   lg tlsserve PORT CERT KEY
 *	TLS 1.2 server on PORT (OpenSSL), a sink: after the handshake it reads
 *	the records and discards them undecrypted until EOF, so that the
 *	receiver costs the same whoever encrypted.
 *   lg tlsbulk ADDR PORT SECONDS
 *	one TLS 1.2 stream's throughput (AES128-GCM, the cipher of TLS device
 *	offload), with kTLS enabled (SSL_OP_ENABLE_KTLS): the kernel, or the
 *	device the route leads to, encrypts. "ktls_send" in the output says
 *	whether kTLS was in use.
 *   lg inject IFNAME DMAC DADDR DPORT COUNT [FIRST]
 *	COUNT IPv4 UDP packets out of IFNAME to the Ethernet address DMAC (a
 *	packet socket, so they enter the peer of a veth as received), each from another client: sources
 *	10.200.0.0/16, ports 1024-64999, to DADDR:DPORT; the first is client
 *	number FIRST (default 0). Idle flows by the million, for the memory
 *	measure.
 *
 * Prints one JSON object: {"mode", "threads", "seconds", "count",
 * "errors", "rate", "cpu_seconds", "cpu_ns_per_byte"} (rate: per second;
 * bulk: bytes per second; CPU: busy time of the whole machine meanwhile).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAX_TARGETS 8

/* ADDR may list addresses (a,b,c): connections take them in turn */
static struct sockaddr_storage targets[MAX_TARGETS];
static socklen_t target_lens[MAX_TARGETS];
static unsigned int n_targets;
static atomic_uint next_target;
static atomic_bool stop;
static atomic_ulong total, errors;
static unsigned long max_count;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int connect_target(void)
{
	unsigned int i = atomic_fetch_add(&next_target, 1) % n_targets;
	int fd = socket(targets[i].ss_family, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&targets[i], target_lens[i])) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool request(int fd)
{
	char c = 'x';

	return write(fd, &c, 1) == 1 && read(fd, &c, 1) == 1;
}

static bool count_one(void)
{
	unsigned long n = atomic_fetch_add(&total, 1) + 1;

	if (max_count && n >= max_count)
		atomic_store(&stop, true);
	return !atomic_load(&stop);
}

static void *conn_worker(void *arg)
{
	while (!atomic_load(&stop)) {
		int fd = connect_target();

		if (fd < 0 || !request(fd)) {
			atomic_fetch_add(&errors, 1);
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		if (!count_one())
			break;
	}
	return NULL;
}

static void *rr_worker(void *arg)
{
	int fd = connect_target();

	if (fd < 0) {
		atomic_fetch_add(&errors, 1);
		return NULL;
	}
	while (!atomic_load(&stop)) {
		if (!request(fd)) {
			atomic_fetch_add(&errors, 1);
			break;
		}
		count_one();
	}
	close(fd);
	return NULL;
}

static void *bulk_worker(void *arg)
{
	static char buf[1 << 16];
	int fd = connect_target();
	ssize_t n;

	if (fd < 0) {
		atomic_fetch_add(&errors, 1);
		return NULL;
	}
	buf[0] = 'B';
	while (!atomic_load(&stop)) {
		n = write(fd, buf, sizeof(buf));
		if (n <= 0) {
			atomic_fetch_add(&errors, 1);
			break;
		}
		atomic_fetch_add(&total, n);
	}
	close(fd);
	return NULL;
}

static void *serve_conn(void *arg)
{
	int fd = (int)(long)arg;
	char buf[1 << 16];
	bool sink = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (!sink && buf[0] == 'B')
			sink = true;
		if (!sink && write(fd, buf, 1) != 1)
			break;
	}
	close(fd);
	return NULL;
}

/* A TCP socket listening on @port, IPv4 and IPv6. */
static int listen_on(int port, int backlog)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port) };
	int fd = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, backlog))
		die("bind/listen");
	return fd;
}

static void __attribute__((noreturn)) serve(int port)
{
	int fd = listen_on(port, 4096), one = 1;
	pthread_attr_t attr;
	pthread_t t;
	long c;

	printf("serving %d\n", port);
	fflush(stdout);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 18);
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&t, &attr, serve_conn, (void *)c))
			close(c);
	}
}

static unsigned short ip_csum(const void *p, size_t len)
{
	const unsigned short *w = p;
	unsigned long sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* IPv4 UDP packets from ever new sources, sent in batches of 64. */
static int inject(const char *ifname, const char *dmac, const char *daddr,
		  int dport, unsigned long count, unsigned long first)
{
	enum { BATCH = 64, PORTS = 64000 - 1024 };
	struct {
		struct iphdr ip;
		struct udphdr udp;
		char data[4];
	} __attribute__((packed)) pkt[BATCH];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IP),
				  .sll_halen = ETH_ALEN };
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	unsigned long i = 0, sent = 0;
	double start = now();
	struct in_addr d;
	int fd, k, n;

	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0)
		die("socket");
	ll.sll_ifindex = if_nametoindex(ifname);
	if (!ll.sll_ifindex || inet_pton(AF_INET, daddr, &d) != 1 ||
	    sscanf(dmac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &ll.sll_addr[0],
		   &ll.sll_addr[1], &ll.sll_addr[2], &ll.sll_addr[3],
		   &ll.sll_addr[4], &ll.sll_addr[5]) != 6)
		return 2;
	memset(pkt, 0, sizeof(pkt));
	memset(msg, 0, sizeof(msg));
	count += first;
	i = first;
	while (i < count) {
		n = count - i < BATCH ? count - i : BATCH;
		for (k = 0; k < n; k++, i++) {
			pkt[k].ip.version = 4;
			pkt[k].ip.ihl = 5;
			pkt[k].ip.ttl = 64;
			pkt[k].ip.protocol = IPPROTO_UDP;
			pkt[k].ip.tot_len = htons(sizeof(pkt[k]));
			pkt[k].ip.saddr = htonl((10u << 24 | 200u << 16) +
						i / PORTS);
			pkt[k].ip.daddr = d.s_addr;
			pkt[k].ip.check = 0;
			pkt[k].ip.check = ip_csum(&pkt[k].ip, sizeof(pkt[k].ip));
			pkt[k].udp.source = htons(1024 + i % PORTS);
			pkt[k].udp.dest = htons(dport);
			pkt[k].udp.len = htons(sizeof(pkt[k]) - sizeof(pkt[k].ip));
			iov[k].iov_base = &pkt[k];
			iov[k].iov_len = sizeof(pkt[k]);
			msg[k].msg_hdr.msg_iov = &iov[k];
			msg[k].msg_hdr.msg_iovlen = 1;
			msg[k].msg_hdr.msg_name = &ll;
			msg[k].msg_hdr.msg_namelen = sizeof(ll);
		}
		for (k = 0; k < n;) {
			int r = sendmmsg(fd, msg + k, n - k, 0);

			if (r < 0 && errno == ENOBUFS) {
				usleep(1000);
				continue;
			}
			if (r < 0)
				die("sendmmsg");
			k += r;
			sent += r;
		}
	}
	printf("{\"mode\": \"inject\", \"count\": %lu, \"seconds\": %.3f}\n",
	       sent, now() - start);
	return 0;
}

static void *tls_conn(void *arg)
{
	SSL *ssl = arg;
	char buf[1 << 16];

	/* a sink: after the handshake, the records are read, not decrypted */
	if (SSL_accept(ssl) == 1)
		while (read(SSL_get_fd(ssl), buf, sizeof(buf)) > 0)
			;
	close(SSL_get_fd(ssl));
	SSL_free(ssl);
	return NULL;
}

static void __attribute__((noreturn)) tlsserve(int port, const char *cert,
					       const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	pthread_attr_t attr;
	pthread_t t;
	SSL *ssl;
	int fd, c;

	if (!ctx)
		die("SSL_CTX_new");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		exit(1);
	}
	fd = listen_on(port, 128);
	printf("serving TLS %d\n", port);
	fflush(stdout);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, c);
		if (pthread_create(&t, &attr, tls_conn, ssl)) {
			SSL_free(ssl);
			close(c);
		}
	}
}

/* busy CPU time of the whole machine, in seconds (all but idle, iowait) */
static double cpu_busy(void)
{
	unsigned long long v[10] = { 0 }, busy = 0;
	FILE *f = fopen("/proc/stat", "r");
	int i;

	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			 &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			 &v[7]) != 8)
		die("/proc/stat");
	fclose(f);
	for (i = 0; i < 8; i++)
		if (i != 3 && i != 4)
			busy += v[i];
	return busy / (double)sysconf(_SC_CLK_TCK);
}

static int tlsbulk(double secs)
{
	static char buf[1 << 14];
	double start, took, cpu;
	unsigned long total = 0;
	SSL_CTX *ctx;
	int fd, n;
	SSL *ssl;

	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256");
	SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	fd = connect_target();
	if (fd < 0)
		die("connect");
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	memset(buf, 'x', sizeof(buf));
	cpu = cpu_busy();
	start = now();
	while (now() - start < secs) {
		n = SSL_write(ssl, buf, sizeof(buf));
		if (n <= 0) {
			ERR_print_errors_fp(stderr);
			return 1;
		}
		total += n;
	}
	took = now() - start;
	cpu = cpu_busy() - cpu;
	printf("{\"mode\": \"tlsbulk\", \"ktls_send\": %d, \"seconds\": %.3f, \"count\": %lu, \"errors\": 0, \"rate\": %.1f, \"cpu_seconds\": %.2f, \"cpu_ns_per_byte\": %.3f}\n",
	       (int)BIO_get_ktls_send(SSL_get_wbio(ssl)), took, total,
	       total / took, cpu, total ? cpu * 1e9 / total : 0);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	return 0;
}

static void resolve(const char *addr, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	char *list = strdup(addr), *save = NULL, *a;
	struct addrinfo *res;

	for (a = strtok_r(list, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		if (n_targets == MAX_TARGETS)
			die("too many addresses");
		if (getaddrinfo(a, port, &hints, &res))
			die("getaddrinfo");
		memcpy(&targets[n_targets], res->ai_addr, res->ai_addrlen);
		target_lens[n_targets++] = res->ai_addrlen;
		freeaddrinfo(res);
	}
	free(list);
	if (!n_targets)
		die("no address");
}

int main(int argc, char **argv)
{
	void *(*worker)(void *);
	unsigned int i, threads;
	double secs, start, took, cpu;
	pthread_t *t;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && !strcmp(argv[1], "serve"))
		serve(atoi(argv[2]));
	if (argc >= 5 && !strcmp(argv[1], "tlsserve"))
		tlsserve(atoi(argv[2]), argv[3], argv[4]);
	if (argc >= 5 && !strcmp(argv[1], "tlsbulk")) {
		resolve(argv[2], argv[3]);
		return tlsbulk(atof(argv[4]));
	}
	if (argc >= 7 && !strcmp(argv[1], "inject"))
		return inject(argv[2], argv[3], argv[4], atoi(argv[5]),
			      strtoul(argv[6], NULL, 10),
			      argc >= 8 ? strtoul(argv[7], NULL, 10) : 0);
	if (argc >= 6 && !strcmp(argv[1], "conn"))
		worker = conn_worker;
	else if (argc >= 6 && !strcmp(argv[1], "rr"))
		worker = rr_worker;
	else if (argc >= 5 && !strcmp(argv[1], "bulk"))
		worker = bulk_worker;
	else {
		fprintf(stderr, "usage: lg serve PORT | lg conn|rr ADDR PORT THREADS SECONDS [MAX] | lg bulk ADDR PORT SECONDS | lg tlsserve PORT CERT KEY | lg tlsbulk ADDR PORT SECONDS | lg inject IFNAME DMAC DADDR DPORT COUNT [FIRST]\n");
		return 2;
	}
	resolve(argv[2], argv[3]);
	threads = worker == bulk_worker ? 1 : atoi(argv[4]);
	secs = atof(argv[worker == bulk_worker ? 4 : 5]);
	if (argc >= 7)
		max_count = strtoul(argv[6], NULL, 10);
	if (!threads || secs <= 0)
		return 2;
	t = calloc(threads, sizeof(*t));
	cpu = cpu_busy();
	start = now();
	for (i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, worker, NULL))
			die("pthread_create");
	while (!atomic_load(&stop) && now() - start < secs)
		usleep(10000);
	atomic_store(&stop, true);
	took = now() - start;
	cpu = cpu_busy() - cpu;
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("{\"mode\": \"%s\", \"threads\": %u, \"seconds\": %.3f, \"count\": %lu, \"errors\": %lu, \"rate\": %.1f, \"cpu_seconds\": %.2f, \"cpu_ns_per_byte\": %.3f}\n",
	       argv[1], threads, took, atomic_load(&total),
	       atomic_load(&errors), atomic_load(&total) / took, cpu,
	       atomic_load(&total) ? cpu * 1e9 / atomic_load(&total) : 0);
	free(t);
	return 0;
}

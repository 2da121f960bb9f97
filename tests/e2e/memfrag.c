// SPDX-License-Identifier: GPL-2.0
/*
 * memfrag: fragments the machine's free memory, for the e2e suites.
 *
 *   memfrag LEAVE_MB READY_FILE [ORDER]
 *
 * Takes all free memory but LEAVE_MB in order-0 pages (transparent huge
 * pages off), touching two mappings in turn so that neighbouring pages go
 * to each, then gives the second mapping back: what is free afterwards is
 * mostly single pages between pages still held, which no allocation of
 * more than one page can use. What stayed free in larger blocks (LEAVE_MB,
 * and what reclaim freed meanwhile) is then soaked up with pipe buffers:
 * the kernel serves such unmovable pages from the largest free blocks
 * first, and they cannot be migrated. Writes READY_FILE when the free
 * blocks of 2^ORDER pages or more (ORDER 3 unless given) hold less than
 * 1 MiB (zone DMA aside, which pipes do not reach), and holds the memory
 * until killed. The caller keeps compaction from undoing it (see ktls.sh:
 * vm.extfrag_threshold, vm.compaction_proactiveness).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long meminfo_kb(const char *key)
{
	size_t klen = strlen(key);
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			kb = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/*
 * Pages free in blocks of @min_order or more, over every zone but DMA (its
 * 16 MiB, kept for allocations that need them, cannot be soaked up).
 */
static long high_order_free(int min_order)
{
	char line[512];
	long pages = 0;
	FILE *f;

	f = fopen("/proc/buddyinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		int order = 0;
		long n;

		if (!p)
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		if (!strncmp(p, "DMA ", 4))
			continue;
		while (*p && *p != ' ')	/* the zone's name */
			p++;
		for (;;) {
			char *end;

			n = strtol(p, &end, 10);
			if (end == p)
				break;
			if (order >= min_order)
				pages += n << order;
			order++;
			p = end;
		}
	}
	fclose(f);
	return pages;
}

/* Fill pipes with @pages pages; they are never read. */
static int soak(long pages)
{
	static char buf[4096];

	while (pages > 0) {
		int fd[2], i;

		if (pipe2(fd, O_NONBLOCK)) {
			perror("memfrag: pipe2");
			return -1;
		}
		fcntl(fd[1], F_SETPIPE_SZ, 1 << 20);
		for (i = 0; i < 256 && pages > 0; i++, pages--)
			if (write(fd[1], buf, sizeof(buf)) != sizeof(buf))
				break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE), free_kb, leave_kb, high = -1;
	size_t len, off;
	int i, order = 3;
	char *mem[2];
	FILE *f;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: memfrag LEAVE_MB READY_FILE [ORDER]\n");
		return 2;
	}
	if (argc == 4)
		order = atoi(argv[3]);
	if (order < 1 || order > 10) {
		fprintf(stderr, "memfrag: ORDER is 1 to 10\n");
		return 2;
	}
	leave_kb = atol(argv[1]) * 1024;
	free_kb = meminfo_kb("MemFree");
	if (free_kb <= leave_kb) {
		fprintf(stderr, "memfrag: %ld kB free, nothing to take\n",
			free_kb);
		return 1;
	}
	/* two mappings, touched in turn: neighbouring pages go to each */
	len = (size_t)(free_kb - leave_kb) * 512;
	len -= len % page;
	for (i = 0; i < 2; i++) {
		mem[i] = mmap(NULL, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			      -1, 0);
		if (mem[i] == MAP_FAILED) {
			perror("memfrag: mmap");
			return 1;
		}
		/* EINVAL: a kernel without transparent huge pages */
		if (madvise(mem[i], len, MADV_NOHUGEPAGE) && errno != EINVAL) {
			perror("memfrag: madvise(MADV_NOHUGEPAGE)");
			return 1;
		}
	}
	for (off = 0; off < len; off += page) {
		mem[0][off] = 1;
		mem[1][off] = 1;
	}
	/* the second gives its pages back, in one call */
	if (munmap(mem[1], len)) {
		perror("memfrag: munmap");
		return 1;
	}
	for (i = 0; i < 20; i++) {
		high = high_order_free(order);
		if (high < 0 || high * page < (1 << 20))
			break;
		if (soak(high + high / 8))
			return 1;
	}
	printf("memfrag: held %zu kB of %ld kB free, gave back every other page; %ld kB free in blocks of %d pages or more\n",
	       len / 1024, free_kb, high * page / 1024, 1 << order);
	fflush(stdout);
	if (high < 0 || high * page >= (1 << 20)) {
		fprintf(stderr, "memfrag: could not fragment the free memory\n");
		return 1;
	}
	f = fopen(argv[2], "w");
	if (!f || fclose(f)) {
		perror("memfrag: ready file");
		return 1;
	}
	for (;;)
		pause();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: the counters. A device's (packets, bytes, drops by reason,
 * fragments) and those of services and backends (connections, packets and
 * bytes each way), per CPU, summed when read. Services' and backends'
 * counters come in shared per-CPU blocks (struct svcnet_stats_pool), so
 * that 10,000 services do not make 10,000 per-CPU allocations. And the
 * kTLS offload counters of devices and services.
 */

#include <linux/slab.h>

#include "svcnet.h"

void svcnet_stats_read(struct svcnet_pcpu_stats __percpu *pcpu,
		       struct svcnet_stats *out)
{
	int cpu, i;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct svcnet_pcpu_stats *s = per_cpu_ptr(pcpu, cpu);
		struct svcnet_stats snap;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			snap.tx_packets = u64_stats_read(&s->tx_packets);
			snap.tx_bytes = u64_stats_read(&s->tx_bytes);
			snap.rx_packets = u64_stats_read(&s->rx_packets);
			snap.rx_bytes = u64_stats_read(&s->rx_bytes);
			snap.fragments = u64_stats_read(&s->fragments);
			snap.fast_path = u64_stats_read(&s->fast_path);
			for (i = 0; i < __SVCNET_DROP_MAX; i++)
				snap.drops[i] = u64_stats_read(&s->drops[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		out->tx_packets += snap.tx_packets;
		out->tx_bytes += snap.tx_bytes;
		out->rx_packets += snap.rx_packets;
		out->rx_bytes += snap.rx_bytes;
		out->fragments += snap.fragments;
		out->fast_path += snap.fast_path;
		for (i = 0; i < __SVCNET_DROP_MAX; i++)
			out->drops[i] += snap.drops[i];
	}
}

void svcnet_stats_drop(struct svcnet_dev *sd, enum svcnet_drop_reason reason)
{
	struct svcnet_pcpu_stats *s = get_cpu_ptr(sd->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drops[reason]);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(sd->stats);
}

/* A fragment went into reassembly (see SVCNET_A_STATS_FRAGMENTS). */
void svcnet_stats_fragment(struct svcnet_dev *sd)
{
	struct svcnet_pcpu_stats *s = get_cpu_ptr(sd->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->fragments);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(sd->stats);
}

/* @fast: a transmit by the fast path, counted as svc0's and as its own */
static void svcnet_stats_add(struct svcnet_dev *sd, bool tx, bool fast,
			     unsigned int len)
{
	struct svcnet_pcpu_stats *s = get_cpu_ptr(sd->stats);

	u64_stats_update_begin(&s->syncp);
	if (tx) {
		u64_stats_inc(&s->tx_packets);
		u64_stats_add(&s->tx_bytes, len);
		if (fast)
			u64_stats_inc(&s->fast_path);
	} else {
		u64_stats_inc(&s->rx_packets);
		u64_stats_add(&s->rx_bytes, len);
	}
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(sd->stats);
}

void svcnet_stats_tx(struct svcnet_dev *sd, unsigned int len)
{
	svcnet_stats_add(sd, true, false, len);
}

/* A packet balanced by the fast path: counted as svc0's transmit too. */
void svcnet_stats_tx_fast(struct svcnet_dev *sd, unsigned int len)
{
	svcnet_stats_add(sd, true, true, len);
}

void svcnet_stats_rx(struct svcnet_dev *sd, unsigned int len)
{
	svcnet_stats_add(sd, false, false, len);
}

void svcnet_lbstats_read(struct svcnet_pcpu_lbstats __percpu *pcpu,
			 struct svcnet_lbstats *out)
{
	int cpu;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct svcnet_pcpu_lbstats *s = per_cpu_ptr(pcpu, cpu);
		struct svcnet_lbstats snap;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			snap.conns = u64_stats_read(&s->conns);
			snap.pkts_in = u64_stats_read(&s->pkts_in);
			snap.bytes_in = u64_stats_read(&s->bytes_in);
			snap.pkts_out = u64_stats_read(&s->pkts_out);
			snap.bytes_out = u64_stats_read(&s->bytes_out);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		out->conns += snap.conns;
		out->pkts_in += snap.pkts_in;
		out->bytes_in += snap.bytes_in;
		out->pkts_out += snap.pkts_out;
		out->bytes_out += snap.bytes_out;
	}
}

void svcnet_stats_block_put(struct svcnet_stats_block *blk)
{
	if (blk && refcount_dec_and_test(&blk->ref)) {
		free_percpu(blk->base);
		kfree(blk);
	}
}

static struct svcnet_stats_block *svcnet_stats_block_alloc(u32 size)
{
	struct svcnet_stats_block *blk;
	int cpu;
	u32 i;

	blk = kzalloc(sizeof(*blk), GFP_KERNEL_ACCOUNT);
	if (!blk)
		return NULL;
	blk->base = __alloc_percpu_gfp(size * sizeof(*blk->base),
				       __alignof__(*blk->base),
				       GFP_KERNEL_ACCOUNT);
	if (!blk->base) {
		kfree(blk);
		return NULL;
	}
	for_each_possible_cpu(cpu)
		for (i = 0; i < size; i++)
			u64_stats_init(&per_cpu_ptr(blk->base + i, cpu)->syncp);
	blk->size = size;
	refcount_set(&blk->ref, 1);
	return blk;
}

/*
 * Zeroed counters for a new service or backend from @pool, which makes a
 * block twice the size of the last one (up to SVCNET_STATS_BLOCK) when
 * its block is used up; the block of the slot goes to *@blk, referenced.
 */
struct svcnet_pcpu_lbstats __percpu *
svcnet_lbstats_alloc(struct svcnet_stats_pool *pool,
		     struct svcnet_stats_block **blk)
{
	struct svcnet_stats_block *cur = pool->blk;

	if (!cur || cur->used == cur->size) {
		cur = svcnet_stats_block_alloc(clamp_t(u32, pool->next_size, 1,
						       SVCNET_STATS_BLOCK));
		if (!cur)
			return NULL;
		svcnet_stats_block_put(pool->blk);
		pool->blk = cur;
		pool->next_size = cur->size * 2;
	}
	refcount_inc(&cur->ref);
	*blk = cur;
	return cur->base + cur->used++;
}

/* The pool gives up its block: slots not handed out go with it. */
void svcnet_stats_pool_release(struct svcnet_stats_pool *pool)
{
	svcnet_stats_block_put(pool->blk);
	pool->blk = NULL;
	pool->next_size = 0;
}

void svcnet_lbstats_conn(struct svcnet_pcpu_lbstats __percpu *pcpu)
{
	struct svcnet_pcpu_lbstats *s = get_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->conns);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(pcpu);
}

/* One packet of @len bytes, client to backend if @in, else back. */
void svcnet_lbstats_add(struct svcnet_pcpu_lbstats __percpu *pcpu, bool in,
			unsigned int len)
{
	struct svcnet_pcpu_lbstats *s = get_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	if (in) {
		u64_stats_inc(&s->pkts_in);
		u64_stats_add(&s->bytes_in, len);
	} else {
		u64_stats_inc(&s->pkts_out);
		u64_stats_add(&s->bytes_out, len);
	}
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(pcpu);
}

#if SVCNET_TLS_OFFLOAD

void svcnet_tls_count(struct svcnet_pcpu_tls_stats __percpu *pcpu,
		      u32 records, u32 bytes, bool drop)
{
	struct svcnet_pcpu_tls_stats *s = get_cpu_ptr(pcpu);

	u64_stats_update_begin(&s->syncp);
	if (drop) {
		u64_stats_inc(&s->drops);
	} else {
		u64_stats_add(&s->records, records);
		u64_stats_add(&s->bytes, bytes);
	}
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(pcpu);
}

void svcnet_tls_stats_read(struct svcnet_tls_counters *c,
			   struct svcnet_tls_stats *out)
{
	struct svcnet_pcpu_tls_stats __percpu *pcpu = READ_ONCE(c->pcpu);
	int cpu;

	memset(out, 0, sizeof(*out));
	out->added = atomic64_read(&c->added);
	out->removed = atomic64_read(&c->removed);
	if (!pcpu)
		return;
	for_each_possible_cpu(cpu) {
		const struct svcnet_pcpu_tls_stats *s = per_cpu_ptr(pcpu, cpu);
		u64 records, bytes, drops;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			records = u64_stats_read(&s->records);
			bytes = u64_stats_read(&s->bytes);
			drops = u64_stats_read(&s->drops);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		out->records += records;
		out->bytes += bytes;
		out->drops += drops;
	}
}

/* Per-CPU kTLS counters, charged to the caller's memory cgroup. */
static struct svcnet_pcpu_tls_stats __percpu *svcnet_tls_pcpu_alloc(void)
{
	struct svcnet_pcpu_tls_stats __percpu *pcpu;
	int cpu;

	pcpu = alloc_percpu_gfp(struct svcnet_pcpu_tls_stats,
				GFP_KERNEL_ACCOUNT);
	if (pcpu)
		for_each_possible_cpu(cpu)
			u64_stats_init(&per_cpu_ptr(pcpu, cpu)->syncp);
	return pcpu;
}

int svcnet_tls_counters_init(struct svcnet_tls_counters *c)
{
	atomic64_set(&c->added, 0);
	atomic64_set(&c->removed, 0);
	c->pcpu = svcnet_tls_pcpu_alloc();
	return c->pcpu ? 0 : -ENOMEM;
}

void svcnet_tls_counters_free(struct svcnet_tls_counters *c)
{
	free_percpu(c->pcpu);
	c->pcpu = NULL;
}

/*
 * A service's per-CPU counters are made when its first socket offloads
 * (most services never see one); zeroed counters need nothing until then.
 */
int svcnet_tls_counters_use(struct svcnet_tls_counters *c)
{
	struct svcnet_pcpu_tls_stats __percpu *pcpu;

	if (READ_ONCE(c->pcpu))
		return 0;
	pcpu = svcnet_tls_pcpu_alloc();
	if (!pcpu)
		return -ENOMEM;
	/* another socket of the service may have made them meanwhile */
	if (cmpxchg(&c->pcpu, NULL, pcpu))
		free_percpu(pcpu);
	return 0;
}

#else /* !SVCNET_TLS_OFFLOAD */

void svcnet_tls_stats_read(struct svcnet_tls_counters *c,
			   struct svcnet_tls_stats *out)
{
	memset(out, 0, sizeof(*out));
}

int svcnet_tls_counters_init(struct svcnet_tls_counters *c)
{
	return 0;
}

void svcnet_tls_counters_free(struct svcnet_tls_counters *c)
{
}

#endif

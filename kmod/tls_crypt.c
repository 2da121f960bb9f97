// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: encryption of the TLS 1.2 AES-GCM records in a packet of a kTLS
 * socket that offloads to svcnet (tls.c decides which packets).
 *
 * The plaintext pages belong to TCP, which keeps them for retransmission:
 * the ciphertext goes to a new packet, whose headers are a copy and whose
 * payload lives in order-0 pages, so that no allocation of more than a
 * page is needed however large the (GSO) packet; the rest of the work
 * (scatterlists, the AEAD request) is done in the CPU's own work area,
 * made when the first socket offloads. A packet may start in the
 * middle of a record: GCM encrypts from the record's start, so the
 * record's earlier bytes, which net/tls keeps with the record, are
 * encrypted too, into scratch pages, and thrown away. A packet may end in
 * the middle of a record: its ciphertext so far is exact, the tag is not
 * and is thrown away (it is sent with the packet that holds it).
 */

#include <crypto/aead.h>
#include <crypto/scatterwalk.h>
#include <linux/highmem.h>
#include <linux/tcp.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tls.h>

#include "svcnet.h"

#if SVCNET_TLS_OFFLOAD

#define SVCNET_TLS_PREPEND	(TLS_HEADER_SIZE + 8)	/* header, explicit IV */
#define SVCNET_TLS_MAX_RECORD	(SVCNET_TLS_PREPEND + TLS_MAX_PAYLOAD_SIZE + \
				 TLS_TAG_SIZE)
/* the bytes of a record before the packet, encrypted only to be dropped */
#define SVCNET_TLS_PREFIX_PAGES	DIV_ROUND_UP(SVCNET_TLS_MAX_RECORD, PAGE_SIZE)
/* a TCP packet: its head and frags; a record: its frags */
#define SVCNET_TLS_SG_IN	(2 * MAX_SKB_FRAGS + 1)
#define SVCNET_TLS_SG_OUT	(SVCNET_TLS_PREFIX_PAGES + MAX_SKB_FRAGS + 1)

/* Everything one packet's encryption needs: a CPU's work area. */
struct svcnet_tls_work {
	struct scatterlist in[SVCNET_TLS_SG_IN];
	struct scatterlist out[SVCNET_TLS_SG_OUT];
	struct scatterlist rec_in[2], rec_out[2];	/* AAD, then payload */
	struct scatterlist fwd_in[2], fwd_out[2];
	struct page *prefix[SVCNET_TLS_PREFIX_PAGES];	/* scratch */
	unsigned int n_record_pages;
	/* from here on cleared after each packet */
	u8 hdr[SVCNET_TLS_PREPEND];
	u8 aad[TLS_AAD_SPACE_SIZE];
	u8 iv[12];					/* salt, explicit IV */
	u8 tag[TLS_TAG_SIZE];	/* where a tag the packet does not hold goes */
	struct aead_request req;	/* followed by the algorithm's context */
};

/*
 * One work area per CPU: a packet is encrypted from start to end with
 * bottom halves off, so the CPU's area serves every socket, and sending
 * allocates nothing larger than a page. (An area per packet, a few KiB
 * from kmalloc, needs two contiguous pages where the allocator pads its
 * objects, as KASAN's does: memory fragmented into single pages has none,
 * and the packet would be lost.) The areas are made when the first socket
 * offloads, sized for the larger AEAD request of its algorithm and the one
 * net/tls instantiates (tls.c), and kept until the module unloads; a later
 * socket whose AEAD needs more is not offloaded (svcnet_tls_crypt_prepare()).
 */
static DEFINE_PER_CPU(struct svcnet_tls_work *, svcnet_tls_area);
static DEFINE_MUTEX(svcnet_tls_area_lock);
static bool svcnet_tls_areas;		/* made; written under the mutex */
static unsigned int svcnet_tls_area_reqsize;

static void svcnet_tls_area_free(struct svcnet_tls_work *w)
{
	unsigned int i;

	if (!w)
		return;
	for (i = 0; i < SVCNET_TLS_PREFIX_PAGES; i++)
		if (w->prefix[i])
			__free_page(w->prefix[i]);
	kfree_sensitive(w);
}

static struct svcnet_tls_work *svcnet_tls_area_alloc(int cpu,
						     unsigned int reqsize)
{
	struct svcnet_tls_work *w;
	unsigned int i;

	w = kzalloc_node(sizeof(*w) + reqsize, GFP_KERNEL, cpu_to_node(cpu));
	if (!w)
		return NULL;
	for (i = 0; i < SVCNET_TLS_PREFIX_PAGES; i++) {
		w->prefix[i] = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL,
						0);
		if (!w->prefix[i]) {
			svcnet_tls_area_free(w);
			return NULL;
		}
	}
	return w;
}

static void svcnet_tls_areas_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		svcnet_tls_area_free(per_cpu(svcnet_tls_area, cpu));
		per_cpu(svcnet_tls_area, cpu) = NULL;
	}
}

/*
 * Ready the work areas for a socket offloading with @aead (at least
 * @reqsize bytes of request, net/tls's algorithm's): 0, or -ENOMEM, or
 * -EOPNOTSUPP where the areas made for earlier sockets are too small.
 */
int svcnet_tls_crypt_prepare(struct crypto_aead *aead, unsigned int reqsize)
{
	int cpu, err = 0;

	mutex_lock(&svcnet_tls_area_lock);
	if (svcnet_tls_areas)
		goto out;
	reqsize = max(reqsize, crypto_aead_reqsize(aead));
	for_each_possible_cpu(cpu) {
		struct svcnet_tls_work *w = svcnet_tls_area_alloc(cpu, reqsize);

		if (!w) {
			svcnet_tls_areas_free();
			err = -ENOMEM;
			goto unlock;
		}
		per_cpu(svcnet_tls_area, cpu) = w;
	}
	svcnet_tls_area_reqsize = reqsize;
	/* before any packet of the socket, which net/tls publishes later */
	smp_store_release(&svcnet_tls_areas, true);
out:
	if (crypto_aead_reqsize(aead) > svcnet_tls_area_reqsize)
		err = -EOPNOTSUPP;
unlock:
	mutex_unlock(&svcnet_tls_area_lock);
	return err;
}

/* At unload, with no device left. */
void svcnet_tls_crypt_uninit(void)
{
	if (!svcnet_tls_areas)
		return;
	svcnet_tls_areas_free();
	svcnet_tls_areas = false;
	svcnet_tls_area_reqsize = 0;
}

static const u8 *svcnet_tls_salt(struct tls_context *ctx)
{
	switch (ctx->crypto_send.info.cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		return ctx->crypto_send.aes_gcm_128.salt;
	case TLS_CIPHER_AES_GCM_256:
		return ctx->crypto_send.aes_gcm_256.salt;
	}
	return NULL;
}

/*
 * The input: the bytes of the packet's first record before the packet
 * (@sync of them, from the record's own pages, referenced until the end),
 * then the packet's payload. Returns the first record's sequence number
 * through @rcd_sn; -ENOENT when the payload predates offload entirely
 * (sent in plaintext before the socket turned kTLS on).
 */
static int svcnet_tls_input(struct svcnet_tls_work *w, struct sk_buff *skb,
			    struct tls_offload_context_tx *octx, u32 *sync,
			    u64 *rcd_sn)
{
	unsigned int off = skb_tcp_all_headers(skb);
	unsigned int len = skb->len - off;
	u32 seq = ntohl(tcp_hdr(skb)->seq);
	struct tls_record_info *rec;
	unsigned long flags;
	int i, err = 0;
	s32 before;

	sg_init_table(w->in, SVCNET_TLS_SG_IN);
	spin_lock_irqsave(&octx->lock, flags);
	rec = tls_get_record(octx, seq, rcd_sn);
	if (!rec) {
		err = -EINVAL;
		goto unlock;
	}
	before = seq - tls_record_start_seq(rec);
	if (before < 0) {
		/* only the start marker begins after the packet */
		err = tls_record_is_start_marker(rec) && len <= -before ?
		      -ENOENT : -EINVAL;
		goto unlock;
	}
	if (before > SVCNET_TLS_MAX_RECORD) {
		err = -EINVAL;
		goto unlock;
	}
	*sync = before;
	for (i = 0; before > 0 && i < rec->num_frags; i++) {
		skb_frag_t *frag = &rec->frags[i];
		u32 n = min_t(u32, before, skb_frag_size(frag));

		__skb_frag_ref(frag);
		sg_set_page(&w->in[i], skb_frag_page(frag), n,
			    skb_frag_off(frag));
		w->n_record_pages = i + 1;
		before -= n;
	}
	if (before > 0)
		err = -EINVAL;
unlock:
	spin_unlock_irqrestore(&octx->lock, flags);
	if (err)
		return err;
	if (skb_has_frag_list(skb) ||
	    skb_to_sgvec(skb, &w->in[w->n_record_pages], off, len) < 0)
		return -EINVAL;
	return 0;
}

/*
 * The output: the area's scratch pages for the first record's bytes
 * before the packet, @nskb's payload pages, and room for a tag past the
 * packet.
 */
static void svcnet_tls_output(struct svcnet_tls_work *w, struct sk_buff *nskb,
			      u32 sync)
{
	unsigned int i, n = 0;

	sg_init_table(w->out, SVCNET_TLS_SG_OUT);
	for (i = 0; sync; i++) {
		u32 len = min_t(u32, sync, PAGE_SIZE);

		sg_set_page(&w->out[n++], w->prefix[i], len, 0);
		sync -= len;
	}
	for (i = 0; i < skb_shinfo(nskb)->nr_frags; i++) {
		skb_frag_t *frag = &skb_shinfo(nskb)->frags[i];

		sg_set_page(&w->out[n++], skb_frag_page(frag),
			    skb_frag_size(frag), skb_frag_off(frag));
	}
	sg_set_buf(&w->out[n++], w->tag, sizeof(w->tag));
	sg_mark_end(&w->out[n - 1]);
}

/* AAD and record input/output for the record at byte @off of the input. */
static void svcnet_tls_record_sg(struct svcnet_tls_work *w, unsigned int off)
{
	struct scatterlist *src, *dst;

	src = scatterwalk_ffwd(w->fwd_in, w->in, off);
	dst = scatterwalk_ffwd(w->fwd_out, w->out, off);
	sg_init_table(w->rec_in, 2);
	sg_set_buf(&w->rec_in[0], w->aad, sizeof(w->aad));
	sg_chain(w->rec_in, 2, src);
	sg_init_table(w->rec_out, 2);
	sg_set_buf(&w->rec_out[0], w->aad, sizeof(w->aad));
	sg_chain(w->rec_out, 2, dst);
}

/*
 * Encrypt the records in the @total bytes of input, the first starting at
 * byte 0 with sequence number @rcd_sn; the packet's own bytes start at
 * @sync. Counts in @records the records that end within the packet.
 */
static int svcnet_tls_records(struct svcnet_tls_work *w,
			      struct tls_context *ctx, u64 rcd_sn,
			      u32 sync, u32 total, u32 *records)
{
	const u8 *salt = svcnet_tls_salt(ctx);
	unsigned int off = 0;

	if (!salt)
		return -EINVAL;
	memcpy(w->iv, salt, 4);
	while (off < total) {
		u32 avail = total - off, n = min_t(u32, avail, sizeof(w->hdr));
		u32 plen, end, clen;
		__be64 sn;
		int err;

		/* header and explicit IV are sent as they are */
		scatterwalk_map_and_copy(w->hdr, w->in, off, n, 0);
		scatterwalk_map_and_copy(w->hdr, w->out, off, n, 1);
		if (avail <= sizeof(w->hdr))
			break;
		plen = get_unaligned_be16(&w->hdr[3]);
		if (plen < 8 + TLS_TAG_SIZE ||
		    plen > SVCNET_TLS_MAX_RECORD - TLS_HEADER_SIZE)
			return -EINVAL;
		plen -= 8 + TLS_TAG_SIZE;
		end = off + sizeof(w->hdr) + plen + TLS_TAG_SIZE;
		clen = min(plen, avail - (u32)sizeof(w->hdr));

		sn = cpu_to_be64(rcd_sn);
		memcpy(w->aad, &sn, sizeof(sn));
		w->aad[8] = w->hdr[0];
		w->aad[9] = TLS_1_2_VERSION_MAJOR;
		w->aad[10] = TLS_1_2_VERSION_MINOR;
		put_unaligned_be16(plen, &w->aad[11]);
		memcpy(w->iv + 4, &w->hdr[TLS_HEADER_SIZE], 8);

		svcnet_tls_record_sg(w, off + sizeof(w->hdr));
		aead_request_set_ad(&w->req, sizeof(w->aad));
		aead_request_set_crypt(&w->req, w->rec_in, w->rec_out, clen,
				       w->iv);
		err = crypto_aead_encrypt(&w->req);
		if (err)
			return err;
		if (end <= total && end > sync)
			(*records)++;
		off = end;
		rcd_sn++;
	}
	return 0;
}

/* A copy of @skb's headers, with room for @len bytes of payload in pages. */
static struct sk_buff *svcnet_tls_copy_head(struct sk_buff *skb,
					    unsigned int hlen, unsigned int len)
{
	struct sk_buff *nskb;
	unsigned int i;

	nskb = alloc_skb(skb_headroom(skb) + hlen, GFP_ATOMIC | __GFP_NOWARN);
	if (!nskb)
		return NULL;
	skb_reserve(nskb, skb_headroom(skb));
	skb_put(nskb, hlen);
	if (skb_copy_bits(skb, 0, nskb->data, hlen))
		goto err;
	for (i = 0; len; i++) {
		u32 n = min_t(u32, len, PAGE_SIZE);
		struct page *page;

		if (i == MAX_SKB_FRAGS)
			goto err;
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
		if (!page)
			goto err;
		skb_fill_page_desc(nskb, i, page, 0, n);
		nskb->len += n;
		nskb->data_len += n;
		nskb->truesize += PAGE_SIZE;
		len -= n;
	}
	/* same headroom, same header offsets: they copy as they are */
	skb_copy_header(nskb, skb);
	nskb->decrypted = 0;
	return nskb;
err:
	kfree_skb(nskb);
	return NULL;
}

/* The TCP checksum of a packet whose stack left it to be completed. */
static void svcnet_tls_csum(struct sk_buff *skb)
{
	unsigned int len = skb->len - skb_transport_offset(skb);
	struct tcphdr *th = tcp_hdr(skb);

	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return;
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	if (skb->protocol == htons(ETH_P_IPV6))
		th->check = ~csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
					     &ipv6_hdr(skb)->daddr, len,
					     IPPROTO_TCP, 0);
	else
		th->check = ~csum_tcpudp_magic(ip_hdr(skb)->saddr,
					       ip_hdr(skb)->daddr, len,
					       IPPROTO_TCP, 0);
}

/* Done with the area: the record pages go back, the secrets are wiped. */
static void svcnet_tls_work_done(struct svcnet_tls_work *w,
				 struct crypto_aead *aead)
{
	unsigned int i;

	for (i = 0; i < w->n_record_pages; i++)
		put_page(sg_page(&w->in[i]));
	w->n_record_pages = 0;
	memzero_explicit(w->hdr, (u8 *)(&w->req + 1) - w->hdr +
			 crypto_aead_reqsize(aead));
}

/*
 * The encrypted copy of @skb, a packet of a socket prepared for
 * (svcnet_tls_crypt_prepare()); @skb itself where it has nothing to
 * encrypt; NULL on failure.
 */
struct sk_buff *svcnet_tls_encrypt(struct tls_context *ctx,
				   struct sk_buff *skb, u32 *records)
{
	struct tls_offload_context_tx *octx = tls_offload_ctx_tx(ctx);
	unsigned int hlen = skb_tcp_all_headers(skb);
	unsigned int len = skb->len - hlen;
	struct crypto_aead *aead = octx->aead_send;
	struct sk_buff *nskb = NULL;
	struct svcnet_tls_work *w;
	u32 sync = 0;
	u64 rcd_sn;
	int err;

	*records = 0;
	if (!len)
		return skb;
	/* never, for a socket svcnet_tls_crypt_prepare() accepted */
	if (unlikely(!smp_load_acquire(&svcnet_tls_areas) ||
		     crypto_aead_reqsize(aead) > svcnet_tls_area_reqsize))
		return NULL;
	local_bh_disable();
	w = this_cpu_read(svcnet_tls_area);
	aead_request_set_tfm(&w->req, aead);
	err = svcnet_tls_input(w, skb, octx, &sync, &rcd_sn);
	if (err == -ENOENT) {
		nskb = skb;		/* plaintext from before kTLS */
		goto out;
	}
	if (err)
		goto out;
	nskb = svcnet_tls_copy_head(skb, hlen, len);
	if (!nskb)
		goto out;
	svcnet_tls_output(w, nskb, sync);
	if (svcnet_tls_records(w, ctx, rcd_sn, sync, sync + len, records)) {
		kfree_skb(nskb);
		nskb = NULL;
		goto out;
	}
	svcnet_tls_csum(nskb);
out:
	svcnet_tls_work_done(w, aead);
	local_bh_enable();
	return nskb;
}

#endif

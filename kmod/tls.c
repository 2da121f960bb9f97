// SPDX-License-Identifier: GPL-2.0
/*
 * svcnet: kTLS TX device offload. A kTLS socket whose route leads into an
 * svcnet device may hand its records to the device in plaintext (TLS 1.2,
 * AES-GCM-128/256, as net/tls offers to devices); the device encrypts them
 * in its transmit path, before balancing (tls_crypt.c: into a new packet
 * of order-0 pages, never touching the pages TCP keeps for retransmission).
 *
 * A packet of a kTLS socket leaves svc0 without the socket and with
 * skb->decrypted clear: it leaves by another device, whose transmit
 * validation would otherwise encrypt it a second time (or drop it as
 * plaintext without a socket).
 */

#include <crypto/aead.h>
#include <linux/tcp.h>
#include <net/tls.h>

#include "svcnet.h"

#if SVCNET_TLS_OFFLOAD

/*
 * net/tls encrypts offloaded records with a synchronous "gcm(aes)", which
 * it allocates when a socket turns offload on; if the algorithm has not
 * been instantiated yet (its modules not loaded), that first allocation
 * can fail and the socket silently stays in software. Instantiate it once
 * here and keep it while the module is loaded (its requests' size is what
 * the encryption's work areas hold at least, tls_crypt.c).
 */
static struct crypto_aead *svcnet_tls_gcm;

/* The per-socket state net/tls keeps for the device. */
struct svcnet_tls_sock {
	struct svcnet_service *svc;	/* holds a reference */
};

static struct svcnet_tls_sock *svcnet_tls_sock(struct tls_context *ctx)
{
	BUILD_BUG_ON(sizeof(struct svcnet_tls_sock) > TLS_DRIVER_STATE_SIZE_TX);
	return __tls_driver_ctx(ctx, TLS_OFFLOAD_CTX_DIR_TX);
}

/* The service a socket talks to through @sd, with a reference. */
static struct svcnet_service *svcnet_tls_service(struct svcnet_dev *sd,
						 struct sock *sk)
{
	struct svcnet_service *svc;
	struct svcnet_svc_key key;

	memset(&key, 0, sizeof(key));
	key.family = sk->sk_family;
	key.proto = IPPROTO_TCP;
	key.port = inet_sk(sk)->inet_dport;
	if (sk->sk_family == AF_INET)
		key.addr.ip = sk->sk_daddr;
	else
		key.addr.in6 = sk->sk_v6_daddr;
	rcu_read_lock();
	svc = svcnet_service_lookup(sd, &key);
	if (svc && (!READ_ONCE(svc->tls_offload) ||
		    !refcount_inc_not_zero(&svc->ref)))
		svc = NULL;
	rcu_read_unlock();
	return svc;
}

/*
 * net/tls offers a socket's TX records. Accepted for TLS 1.2 AES-GCM to a
 * service that allows it; a refusal makes the socket encrypt in software.
 */
static int svcnet_tls_dev_add(struct net_device *dev, struct sock *sk,
			      enum tls_offload_ctx_dir direction,
			      struct tls_crypto_info *info, u32 tcp_sn)
{
	struct svcnet_dev *sd = netdev_priv(dev);
	struct tls_offload_context_tx *octx;
	struct svcnet_service *svc;
	int err;

	if (direction != TLS_OFFLOAD_CTX_DIR_TX ||
	    info->version != TLS_1_2_VERSION ||
	    (info->cipher_type != TLS_CIPHER_AES_GCM_128 &&
	     info->cipher_type != TLS_CIPHER_AES_GCM_256))
		return -EOPNOTSUPP;
	svc = svcnet_tls_service(sd, sk);
	if (!svc)
		return -EOPNOTSUPP;
	octx = tls_offload_ctx_tx(tls_get_ctx(sk));
	err = svcnet_tls_crypt_prepare(octx->aead_send, svcnet_tls_gcm ?
				       crypto_aead_reqsize(svcnet_tls_gcm) : 0);
	if (!err)
		err = svcnet_tls_counters_use(&svc->tls);
	if (err) {
		svcnet_service_put(svc);
		return err;
	}
	svcnet_tls_sock(tls_get_ctx(sk))->svc = svc;
	atomic64_inc(&sd->tls.added);
	atomic64_inc(&svc->tls.added);
	return 0;
}

static void svcnet_tls_dev_del(struct net_device *dev, struct tls_context *ctx,
			       enum tls_offload_ctx_dir direction)
{
	struct svcnet_tls_sock *ts = svcnet_tls_sock(ctx);
	struct svcnet_dev *sd = netdev_priv(dev);

	if (direction != TLS_OFFLOAD_CTX_DIR_TX || !ts->svc)
		return;
	atomic64_inc(&sd->tls.removed);
	atomic64_inc(&ts->svc->tls.removed);
	svcnet_service_put(ts->svc);
	ts->svc = NULL;
}

/* Only a receive side asks for resynchronization; TX never does here. */
static int svcnet_tls_dev_resync(struct net_device *dev, struct sock *sk,
				 u32 seq, u8 *rcd_sn,
				 enum tls_offload_ctx_dir direction)
{
	return -EOPNOTSUPP;
}

static const struct tlsdev_ops svcnet_tlsdev_ops = {
	.tls_dev_add = svcnet_tls_dev_add,
	.tls_dev_del = svcnet_tls_dev_del,
	.tls_dev_resync = svcnet_tls_dev_resync,
};

/*
 * The encrypted copy leaves by another device, without the socket: that
 * device would encrypt it again for a socket that offloads to us. The
 * socket's claim on its memory, by which TCP keeps what it queues below
 * itself small (TCP small queues), stays with the plaintext packet, kept
 * until the copy is freed. The claim ends early where the copy is replaced
 * on its way (segmented for a device without TSO, orphaned by netem or on
 * receive), as a GSO packet's would without its TCP destructor.
 *
 * The destructor is svcnet's code, so each held copy holds the module;
 * while the module unloads, none is held any more. (Like every module that
 * sets an skb destructor, this leaves the few instructions after
 * module_put() to the unload's RCU grace period.)
 */
static void svcnet_tls_release(struct sk_buff *nskb)
{
	consume_skb(skb_shinfo(nskb)->destructor_arg);
	module_put(THIS_MODULE);
}

static void svcnet_tls_hold(struct sk_buff *nskb, struct sk_buff *skb)
{
	if (!try_module_get(THIS_MODULE)) {
		consume_skb(skb);
		return;
	}
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb_shinfo(nskb)->destructor_arg = skb;
	nskb->destructor = svcnet_tls_release;
}

/*
 * A packet of a kTLS socket, at the device: encrypt it if the socket
 * offloads to this device, then detach it from the socket. Returns the
 * packet to balance, or NULL when it was dropped (and counted).
 */
struct sk_buff *svcnet_tls_xmit(struct svcnet_dev *sd, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	struct tls_context *ctx;
	struct svcnet_tls_sock *ts;
	struct sk_buff *nskb;
	u32 payload, records;

	if (!skb->decrypted || !tls_is_sk_tx_device_offloaded(sk))
		goto orphan;
	ctx = tls_get_ctx(sk);
	if (rcu_access_pointer(ctx->netdev) != sd->dev)
		goto orphan;
	ts = svcnet_tls_sock(ctx);
	payload = skb->len - skb_tcp_all_headers(skb);
	nskb = svcnet_tls_encrypt(ctx, skb, &records);
	if (!nskb) {
		svcnet_tls_count(sd->tls.pcpu, 0, 0, true);
		if (ts->svc)
			svcnet_tls_count(ts->svc->tls.pcpu, 0, 0, true);
		kfree_skb(skb);
		return NULL;
	}
	if (nskb == skb)	/* nothing to encrypt */
		goto orphan;
	svcnet_tls_count(sd->tls.pcpu, records, payload, false);
	if (ts->svc)
		svcnet_tls_count(ts->svc->tls.pcpu, records, payload, false);
	svcnet_tls_hold(nskb, skb);
	return nskb;
orphan:
	skb_orphan(skb);
	skb->decrypted = 0;
	return skb;
}

/* see svcnet_tls_gcm */
void svcnet_tls_init(void)
{
	struct crypto_aead *tfm = crypto_alloc_aead("gcm(aes)", 0,
						    CRYPTO_ALG_ASYNC);

	if (IS_ERR(tfm)) {
		pr_warn("no synchronous gcm(aes) (%ld): kTLS sockets may not offload\n",
			PTR_ERR(tfm));
		return;
	}
	svcnet_tls_gcm = tfm;
}

void svcnet_tls_uninit(void)
{
	svcnet_tls_crypt_uninit();
	if (svcnet_tls_gcm)
		crypto_free_aead(svcnet_tls_gcm);
	svcnet_tls_gcm = NULL;
}

void svcnet_tls_setup(struct net_device *dev)
{
	dev->tlsdev_ops = &svcnet_tlsdev_ops;
	dev->hw_features |= NETIF_F_HW_TLS_TX;
	dev->features |= NETIF_F_HW_TLS_TX;
}

#else /* !SVCNET_TLS_OFFLOAD */

void svcnet_tls_init(void)
{
}

void svcnet_tls_uninit(void)
{
}

void svcnet_tls_setup(struct net_device *dev)
{
}

#endif

/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * svcnet: an in-kernel service load balancer shaped as a network device.
 *
 * This header is the contract between the svcnet kernel module and user
 * space. It is driven over generic netlink, family SVCNET_GENL_NAME
 * ("svcnet"), version SVCNET_GENL_VERSION. The family is network namespace
 * aware: every request acts on the namespace of the netlink socket that
 * sends it, and never sees devices of another namespace.
 *
 * Devices
 * -------
 *
 * Devices are created and removed with rtnetlink, as for any other link
 * kind:
 *
 *    ip link add svc0 type svcnet
 *    ip link del svc0
 *
 * An svcnet device has no link-layer header (IFLA_ADDRESS is refused with
 * EINVAL), no ARP and no queue, and cannot be moved to another network
 * namespace (IFLA_NET_NS_PID and IFLA_NET_NS_FD are refused with EINVAL);
 * create it where it is used.
 * Deleting its namespace or unloading the module deletes it.
 *
 * Validation
 * ----------
 *
 * Every attribute is validated strictly against the policy of its command:
 * unknown attributes, attributes of the wrong length and trailing data are
 * refused with EINVAL, and the extended ack names the offending attribute
 * (NLMSGERR_ATTR_OFFS) with a message. A request that is refused changes
 * nothing.
 *
 * Permissions
 * -----------
 *
 * Commands that change state require CAP_NET_ADMIN in the user namespace
 * that owns the network namespace (GENL_UNS_ADMIN_PERM); without it they
 * fail with EPERM. Commands that only read are open to every user.
 *
 * Dumps
 * -----
 *
 * Dumps may span several messages. Each namespace keeps a generation
 * number that changes whenever its svcnet configuration changes; a dump
 * that ran while it changed carries NLM_F_DUMP_INTR in its messages, and
 * user space should restart it.
 *
 * Commands
 * --------
 *
 * SVCNET_CMD_DEV_GET
 *    Read svcnet devices.
 *
 *    Request (do): exactly one of
 *      SVCNET_A_IFINDEX: NLA_U32, the device's ifindex
 *      SVCNET_A_IFNAME: NLA_NUL_STRING, at most IFNAMSIZ - 1 bytes
 *    Request (dump, NLM_F_DUMP): no attributes; lists every svcnet device
 *    of the namespace, in creation order.
 *
 *    Reply, one message per device, command SVCNET_CMD_DEV_GET:
 *      SVCNET_A_IFINDEX: NLA_U32
 *      SVCNET_A_IFNAME: NLA_NUL_STRING
 *      SVCNET_A_GENERATION: NLA_U32, the namespace's generation number
 *      SVCNET_A_STATS: NLA_NESTED, device counters since creation
 *        SVCNET_A_STATS_TX_PACKETS: NLA_U64, packets balanced out
 *        SVCNET_A_STATS_TX_BYTES: NLA_U64
 *        SVCNET_A_STATS_RX_PACKETS: NLA_U64, replies translated back
 *        SVCNET_A_STATS_RX_BYTES: NLA_U64
 *        SVCNET_A_STATS_DROPS: NLA_NESTED, one NLA_U64 per drop reason,
 *          the attribute type being the reason (enum svcnet_drop_reason);
 *          reasons unknown to user space may appear and must be skipped;
 *          type 0 (SVCNET_DROP_UNSPEC) is alignment padding
 *
 *    Errors:
 *      EINVAL   neither or both of SVCNET_A_IFINDEX and SVCNET_A_IFNAME
 *      ENODEV   no such device in the namespace
 *      EOPNOTSUPP the device exists but is not an svcnet device
 *
 * Userspace tool: svcnet(8).
 */

#ifndef _UAPI_LINUX_SVCNET_H
#define _UAPI_LINUX_SVCNET_H

#define SVCNET_GENL_NAME "svcnet"
#define SVCNET_GENL_VERSION 1

enum svcnet_cmd {
	SVCNET_CMD_UNSPEC,
	SVCNET_CMD_DEV_GET,
	__SVCNET_CMD_MAX
};

#define SVCNET_CMD_MAX (__SVCNET_CMD_MAX - 1)

enum svcnet_attr {
	SVCNET_A_UNSPEC,
	SVCNET_A_IFINDEX,
	SVCNET_A_IFNAME,
	SVCNET_A_GENERATION,
	SVCNET_A_STATS,
	__SVCNET_A_MAX
};

#define SVCNET_A_MAX (__SVCNET_A_MAX - 1)

enum svcnet_stats_attr {
	SVCNET_A_STATS_UNSPEC,
	SVCNET_A_STATS_TX_PACKETS,
	SVCNET_A_STATS_TX_BYTES,
	SVCNET_A_STATS_RX_PACKETS,
	SVCNET_A_STATS_RX_BYTES,
	SVCNET_A_STATS_DROPS,
	SVCNET_A_STATS_PAD,
	__SVCNET_A_STATS_MAX
};

#define SVCNET_A_STATS_MAX (__SVCNET_A_STATS_MAX - 1)

/**
 * enum svcnet_drop_reason - why the device dropped a packet
 * @SVCNET_DROP_UNSPEC: not used
 * @SVCNET_DROP_NO_SERVICE: the packet matched no service of the device
 * @SVCNET_DROP_MALFORMED: headers truncated or inconsistent
 * @SVCNET_DROP_PROTO: neither IPv4 nor IPv6
 */
enum svcnet_drop_reason {
	SVCNET_DROP_UNSPEC,
	SVCNET_DROP_NO_SERVICE,
	SVCNET_DROP_MALFORMED,
	SVCNET_DROP_PROTO,
	__SVCNET_DROP_MAX
};

#define SVCNET_DROP_MAX (__SVCNET_DROP_MAX - 1)

#endif /* _UAPI_LINUX_SVCNET_H */

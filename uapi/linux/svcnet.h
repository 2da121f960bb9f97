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
 * (NLMSGERR_ATTR_OFFS) with a message. An attribute given twice in one
 * nest, at any level of any request (dump filters included), is refused
 * with EINVAL and the message "attribute given twice", naming the second
 * (a dump's error carries the message only: 6.1 sends no offset there);
 * the one exception is SVCNET_A_SERVICE at the top of SVCNET_CMD_APPLY,
 * which lists services. A request that is refused changes nothing.
 *
 * Permissions
 * -----------
 *
 * Commands that change state require CAP_NET_ADMIN in the user namespace
 * that owns the network namespace (GENL_UNS_ADMIN_PERM); without it they
 * fail with EPERM. So do the reads that expose other users' traffic, as
 * with conntrack and IPVS: SVCNET_CMD_FLOW_GET, and joining the events
 * group (EPERM from NETLINK_ADD_MEMBERSHIP). The other reads
 * (SVCNET_CMD_DEV_GET, SERVICE_GET, CONFIG_GET) show configuration and
 * counters only, and are open to every user.
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
 *      SVCNET_A_FAST_PATH: NLA_U8, the fast path's mode (enum
 *        svcnet_fast_path, see "Fast path")
 *      SVCNET_A_HASH_KEY: NLA_BINARY, SVCNET_HASH_KEY_LEN bytes, the key
 *        of the device's consistent hashing (see "Balancer fleets"); only
 *        to a requester with CAP_NET_ADMIN in the namespace's user
 *        namespace
 *      SVCNET_A_STATS: NLA_NESTED, device counters since creation
 *        SVCNET_A_STATS_TX_PACKETS: NLA_U64, packets balanced out
 *        SVCNET_A_STATS_TX_BYTES: NLA_U64
 *        SVCNET_A_STATS_RX_PACKETS: NLA_U64, replies translated back
 *        SVCNET_A_STATS_RX_BYTES: NLA_U64
 *        SVCNET_A_STATS_DROPS: NLA_NESTED, one NLA_U64 per drop reason,
 *          the attribute type being the reason (enum svcnet_drop_reason);
 *          reasons unknown to user space may appear and must be skipped;
 *          type 0 (SVCNET_DROP_UNSPEC) is alignment padding
 *        SVCNET_A_STATS_TLS: NLA_NESTED, kTLS offload counters (enum
 *          svcnet_tls_stats_attr; see "kTLS offload")
 *        SVCNET_A_STATS_FRAGMENTS: NLA_U64, IP fragments taken into
 *          reassembly and not counted otherwise: every fragment that does
 *          not complete its datagram. A completed datagram is balanced or
 *          dropped as one packet; a fragment reassembly refuses (overlap,
 *          too long, out of memory) is a SVCNET_DROP_FRAGMENT drop; one
 *          whose datagram never completes expires in the kernel's queue
 *          (net.ipv4.ipfrag_time, net.netfilter.nf_conntrack_frag6_timeout)
 *        SVCNET_A_STATS_FAST_PATH: NLA_U64, of the packets balanced out,
 *          those the fast path translated (see "Fast path")
 *
 *    Errors:
 *      EINVAL   neither or both of SVCNET_A_IFINDEX and SVCNET_A_IFNAME
 *      ENODEV   no such device in the namespace
 *      EOPNOTSUPP the device exists but is not an svcnet device
 *
 * SVCNET_CMD_DEV_SET (admin)
 *    Change a device's settings. Request: the device (SVCNET_A_IFINDEX or
 *    SVCNET_A_IFNAME, as for DEV_GET) and
 *      SVCNET_A_FAST_PATH: NLA_U8, enum svcnet_fast_path: the fast path
 *        off, on (when the device is created), direct or notrack
 *      SVCNET_A_HASH_KEY: NLA_BINARY, exactly SVCNET_HASH_KEY_LEN bytes
 *        (two little-endian 64-bit words): the key of the flow hash of
 *        the device's maglev and sh services (see "Balancer fleets"); new
 *        flows hash with it, flows that exist keep their backends
 *    A change moves the generation number; it sends no event. Errors: as
 *    DEV_GET (ENODEV also for a device deleted meanwhile); EINVAL no
 *    setting given, a key of another length; ERANGE a value out of range.
 *    SVCNET_A_FAST_PATH in any other request is refused (EINVAL), and so
 *    is SVCNET_A_HASH_KEY but in APPLY.
 *
 * Services and backends
 * ---------------------
 *
 * A service belongs to one svcnet device and is named by its key: an
 * address (IPv4 or IPv6), a port and a protocol (TCP or UDP). Packets that
 * routing sends into the device and that match a service key are balanced
 * to one of the service's backends: the destination address and port are
 * rewritten (DNAT) and the packet is routed on. Replies from the backend
 * are rewritten back to the service address and port when they enter the
 * host (a netfilter hook at NF_INET_PRE_ROUTING, priority
 * SVCNET_NF_PRIORITY, before connection tracking), so clients only ever
 * see the service address. The client's address is kept: a backend must
 * route its replies back through the host that balanced the request.
 *
 * A backend is an address of the service's family, a port and a weight
 * (0..65535). A backend of weight 0 receives no new flows; its existing
 * flows go on. Removing a backend removes its flows too: the next datagram
 * of a UDP flow is balanced to another backend, the next segment of a TCP
 * connection is answered with a reset. To let connections finish, drain
 * the backend first (SVCNET_A_BE_DRAIN): it takes no new flows, a new SYN
 * on one of its flows (port reuse) is balanced elsewhere, and the kernel
 * removes it when its last open flow (not closing with FIN or RST) ends or
 * the deadline passes, whichever comes first.
 *
 * Forwarding methods (SVCNET_A_SVC_FORWARD, enum svcnet_forward): with
 * SVCNET_FORWARD_NAT (the default) a backend sees the client's address and
 * must send its replies back through this host (its route to the client
 * leads here). With SVCNET_FORWARD_SNAT every new flow is also source
 * NATed, to the address this host sends from towards the backend (as its
 * route chooses it; no route or no address: SVCNET_DROP_NO_ROUTE, never
 * the client's own address) and a port of the namespace's source NAT
 * range (SVCNET_A_CFG_SNAT_PORT_MIN and _MAX, default 61000 to 65535):
 * the replies come back here whatever the backend's routes, and are
 * translated back to the client as from the service. A backend at an
 * address of this host needs no such translation and gets none. A port is
 * free towards a backend when no flow uses it towards that backend (and
 * at most eight flows share one); up to 64 ports of the range, from a
 * random one on, are tried. When none is free, up to 64 are tried again,
 * from another random one on, and one whose flow to that backend is not
 * yet assured may be taken too, the flow evicted (counted in
 * SVCNET_A_CFG_FLOWS_EVICTED), as conntrack's early drop does: a flood of
 * spoofed flows cannot hold the ports. If none can be, the packet is
 * dropped (SVCNET_DROP_NO_PORT). The range's ports are not reserved
 * against this host's own sockets: keep it out of the ephemeral ports
 * (net.ipv4.ip_local_port_range) and reserve it
 * (net.ipv4.ip_local_reserved_ports). Established source NATed flows
 * take the fast path (see "Fast path").
 *
 * With SVCNET_FORWARD_TUNNEL (direct server return) the packet keeps the
 * client's and the service's addresses and ports and is encapsulated to
 * the backend: in an outer IPv4 header (protocol 4, IPIP) for an IPv4
 * service, an outer IPv6 header (protocol 41, IPv6 in IPv6) for an IPv6
 * one, from the address this host sends from towards the backend. The
 * backend decapsulates it (an ipip or ip6tnl device), holds the service
 * address on a local device and answers the client directly: its replies
 * do not come back through this host, and nothing translates them. A
 * tunnel service's backends must have the service's port (EINVAL). A
 * packet that would not fit the path to the backend once encapsulated
 * (the MTU of the route to it, less the outer header) is answered with
 * ICMP fragmentation needed (IPv4 with DF) or packet too big (IPv6),
 * naming the MTU left for it, and dropped (SVCNET_DROP_TOO_BIG); an IPv4
 * packet without DF, or a datagram the device reassembled, is sent in
 * fragments of the outer packet; one longer than an outer packet can be is
 * dropped (SVCNET_DROP_TOO_BIG). A backend reached through this host
 * itself is refused as a loop (SVCNET_DROP_LOOP). Errors of the path to
 * the backend about the outer packets (fragmentation needed, packet too
 * big) teach the route to the backend its MTU (IPv4: unless
 * net.ipv4.ip_no_pmtu_disc is set) if they quote, inside the outer packet
 * to a backend, the TCP or UDP ports of a tunnel flow to that backend:
 * anyone may send errors, and the route serves every packet to that
 * address. An IPv4 router that quotes only 8 bytes of the outer packet
 * (RFC 792's least, where RFC 1812 asks for as much as fits in 576)
 * teaches nothing. Tunnel flows see no reply:
 * a TCP flow is established by the client's ACK at the sequence number
 * after its SYN and is never assured, so a full table may evict it; a
 * segment of a tunnel service with ACK and without RST that matches no
 * flow is picked up whatever the scheduler (see "Balancer fleets"), on
 * the same backend with maglev or sh. Replies of the backend that do pass
 * this host are not translated. Established tunnel flows take the fast
 * path (see "Fast path"); conntrack on this host sees only their client's
 * side.
 *
 * Hairpin and port clashes: when the client of a new flow is the backend
 * chosen for it (same address), the flow is also source NATed, to the
 * address this host sends from towards the backend and a port of the
 * source NAT range (by default 61000 to 65535, above Linux's default
 * ephemeral ports), so that the backend's
 * replies come back through the host and reach the client from the
 * service address. A backend that is an address of this host needs no
 * such translation. Likewise, when a client's address and port already
 * reach a backend through another service (one source port used towards
 * two services that share a backend), the new flow keeps the client's
 * address but gets a port from that range, so that the backend's replies
 * to the two connections differ; so does a new flow whose client address
 * and port have eight flows already (one client port used towards many
 * services), which keeps every flow's lookup short. Such flows are listed
 * with their SVCNET_A_FLOW_SNAT_ADDR and _PORT; ICMP errors about them are
 * translated both ways like any other. When no port of the range is free
 * for the reply tuple, the packet is dropped (SVCNET_DROP_NO_PORT).
 *
 * The device never routes by itself: user space adds a route for the
 * service address to the device (svcnet(8) does this with route protocol
 * SVCNET_RTPROT). Packets that reach the device and match no service are
 * answered at once with an ICMP destination unreachable (port unreachable)
 * and counted as SVCNET_DROP_NO_SERVICE.
 *
 * Schedulers (enum svcnet_sched) pick the backend of a new flow
 * (SVCNET_SCHED_UNSPEC is refused):
 *   SVCNET_SCHED_RR      round robin over backends of non-zero weight
 *   SVCNET_SCHED_WRR     weighted round robin: over every sum-of-weights
 *                        new flows, each backend gets exactly its weight,
 *                        interleaved
 *   SVCNET_SCHED_LC      weighted least connections: fewest active flows
 *                        per unit of weight
 *   SVCNET_SCHED_RANDOM  random, in proportion to weight
 *   SVCNET_SCHED_MAGLEV  Maglev consistent hashing of the flow's addresses,
 *                        ports and protocol; table size
 *                        SVCNET_A_SVC_MAGLEV_SIZE, a prime between 251 and
 *                        131071 (default 65537); weights other than 0 are
 *                        not used
 *   SVCNET_SCHED_SH      source hashing: Maglev consistent hashing of the
 *                        client address only, so a client keeps its backend
 *
 * Balancer fleets
 * ---------------
 *
 * Several balancers behind a router that spreads flows over them (ECMP)
 * agree on every flow of a maglev or sh service when they have the same
 * backends and the same key. The Maglev table is built from each backend's
 * address and port, with the backends in the order of their hashes (never
 * in the order they were added), and flows are hashed into it with the
 * device's key (SVCNET_A_HASH_KEY): nothing depends on the host or the
 * boot. A device's key is random when it is created, so that an outsider
 * cannot aim flows at one backend; balancers of one fleet share theirs
 * (DEV_SET, or APPLY with the services). A TCP segment other than a
 * SYN, with ACK and without RST, that matches no flow of such a service
 * (a connection that the router moved here from another balancer) is
 * balanced by the hash like a new flow and gets a flow, which is picked up
 * in its middle
 * (SVCNET_A_FLOW_PICKUP): it is established, and assured, by the first
 * segment of the backend that acknowledges within the client's window;
 * until then it expires as a flow in SYN state. Services with session
 * affinity or SVCNET_FORWARD_SNAT, whose backend depends on more than the
 * hash, and other schedulers answer such a segment with a reset (as one
 * whose new flow cannot be created).
 *
 * Flows
 * -----
 *
 * Each namespace has one flow table. A flow is created by the first packet
 * of a connection (a TCP SYN, or any UDP datagram) and keeps the
 * connection on its backend. TCP packets that match no flow and are not a
 * SYN are dropped (SVCNET_DROP_NO_FLOW) and answered with a TCP reset,
 * except for services of the consistent-hash schedulers (see "Balancer
 * fleets").
 * Flows expire after a timeout that depends on their state (enum
 * svcnet_flow_state) and that SVCNET_CMD_CONFIG_SET configures; an expired
 * flow is removed within a second while the table holds up to 4096 flows,
 * within 8 seconds when it holds more (the table is collected a slice at a
 * time). When the table holds SVCNET_A_CFG_FLOW_MAX flows, a new flow
 * takes the place of the oldest flow not yet assured (flows are kept in
 * order of creation per CPU; of the oldest of each, the one idle longest),
 * counted in SVCNET_A_CFG_FLOWS_EVICTED; when the oldest few of every CPU
 * are all assured, the new flow is dropped and counted
 * (SVCNET_DROP_FLOW_LIMIT).
 * A flow is assured, and never evicted, once it is established both
 * ways: a TCP flow when its handshake completed in sequence (the
 * backend's SYN-ACK acknowledged the client's SYN, the client's ACK
 * acknowledged the SYN-ACK), a UDP flow when a reply was seen and the flow
 * still carries packets two seconds after its first (a query and its
 * answer are not assured). Spoofed SYNs
 * and datagrams from spoofed sources, even answered ones, make room for
 * new flows and never push out established ones.
 *
 * TCP flows follow each side's sequence numbers and advertised window
 * (with window scaling): a FIN counts only within the receiving side's
 * window (at least 64 KiB), a RST only at exactly the sender's next
 * sequence number, as a TCP endpoint judges them (RFC 9293, RFC 5961);
 * any other is still balanced but changes neither the flow's state nor a
 * draining backend's open connections. A UDP flow from a spoofed source
 * that keeps sending from one address and port for two seconds becomes
 * assured, as under conntrack; one datagram, answered or not, does not.
 *
 * Service key (in requests and replies), nested in SVCNET_A_SERVICE:
 *   SVCNET_A_SVC_ADDR: NLA_BINARY, 4 bytes (IPv4) or 16 bytes (IPv6),
 *     network byte order; a unicast address: unspecified, multicast,
 *     IPv4's limited broadcast and 0.0.0.0/8, IPv6 link-local and
 *     IPv4-mapped addresses are refused (EINVAL, "not a unicast address")
 *   SVCNET_A_SVC_PORT: NLA_U16, host byte order, 1..65535
 *   SVCNET_A_SVC_PROTO: NLA_U8, IPPROTO_TCP or IPPROTO_UDP
 *
 * Backend (in requests and replies), nested in SVCNET_A_BACKEND:
 *   SVCNET_A_BE_ADDR: NLA_BINARY, 4 or 16 bytes, the service's family; a
 *     unicast address, as SVCNET_A_SVC_ADDR
 *   SVCNET_A_BE_PORT: NLA_U16, host byte order, 1..65535
 *   SVCNET_A_BE_WEIGHT: NLA_U16, default 1
 *   SVCNET_A_BE_LOCAL: NLA_U8, 1 if the backend runs on this node (for
 *     SVCNET_POLICY_LOCAL), default 0; BACKEND_SET may change it alone
 *   SVCNET_A_BE_DRAIN: NLA_U32, in SVCNET_CMD_BACKEND_SET: drain with this
 *     deadline in seconds, 1..SVCNET_TIMEOUT_MAX; in replies: present while
 *     the backend drains, the seconds left
 *
 * Load-balancing counters (SVCNET_A_SVC_STATS, SVCNET_A_BE_STATS), nested:
 *   SVCNET_A_LB_STATS_CONNS: NLA_U64, flows created
 *   SVCNET_A_LB_STATS_ACTIVE: NLA_U32, flows now in the flow table
 *   SVCNET_A_LB_STATS_CLOSING: NLA_U32, of them, those whose connection is
 *     closing (TCP: a FIN or RST was seen) and that wait out their timeout;
 *     the others are open: a TCP connection being set up or established, a
 *     UDP flow (ipvsadm's ActiveConn counts established TCP only). Absent
 *     from modules that predate it.
 *   SVCNET_A_LB_STATS_PKTS_IN, SVCNET_A_LB_STATS_BYTES_IN: NLA_U64,
 *     client to backend
 *   SVCNET_A_LB_STATS_PKTS_OUT, SVCNET_A_LB_STATS_BYTES_OUT: NLA_U64,
 *     backend to client
 *
 * Every service command names the device with SVCNET_A_IFINDEX or
 * SVCNET_A_IFNAME (errors as for SVCNET_CMD_DEV_GET).
 *
 * SVCNET_CMD_SERVICE_NEW (admin)
 *    Add a service. SVCNET_A_SERVICE holds the key and optionally
 *    SVCNET_A_SVC_SCHED (NLA_U8, enum svcnet_sched, default
 *    SVCNET_SCHED_RR), SVCNET_A_SVC_MAGLEV_SIZE (NLA_U32) and session
 *    affinity: SVCNET_A_SVC_AFFINITY (NLA_U32, seconds,
 *    0..SVCNET_TIMEOUT_MAX, default 0: none) sends a client's new flows to
 *    the backend of its previous flow if that was less than this long ago
 *    and the backend takes new flows (not removed, draining or of weight
 *    0); clients are the same when their addresses agree on the first
 *    SVCNET_A_SVC_AFFINITY_PREFIX bits (NLA_U8, at most 32 for IPv4 and
 *    128 for IPv6, the default). Traffic policy: SVCNET_A_SVC_POLICY
 *    (NLA_U8, enum svcnet_policy, default SVCNET_POLICY_CLUSTER), and
 *    SVCNET_A_SVC_SOURCES (NLA_NESTED, at most SVCNET_MAX_SOURCES entries,
 *    each an NLA_NESTED of type 0 with SVCNET_A_SRC_ADDR, 4 or 16 bytes of
 *    the service's family, and SVCNET_A_SRC_PREFIX, NLA_U8): when not
 *    empty, only clients within one of the prefixes may open new flows
 *    (others: SVCNET_DROP_SOURCE); an empty nest in SERVICE_SET allows
 *    every client again. How packets reach the backends:
 *    SVCNET_A_SVC_FORWARD (NLA_U8, enum svcnet_forward, default
 *    SVCNET_FORWARD_NAT). Existing flows are not affected by changes.
 *    SVCNET_A_SVC_BACKENDS gives the service's first backends (see "Backend
 *    sets").
 *    Errors: EEXIST the device has this service already; EINVAL bad or
 *    missing attribute; ENOSPC the device has SVCNET_MAX_SERVICES services;
 *    ESTALE (SVCNET_A_GENERATION).
 *
 * SVCNET_CMD_SERVICE_SET (admin)
 *    Change the settings of a service (the attributes of SERVICE_NEW);
 *    settings not given are kept; existing flows keep their backends.
 *    Changing the affinity forgets the clients remembered. With
 *    SVCNET_A_SVC_BACKENDS, the request replaces the service's whole
 *    backend set, atomically: see "Backend sets" below.
 *    Errors: ENOENT no such service; EINVAL; ESTALE (SVCNET_A_GENERATION).
 *
 * Backend sets
 * ------------
 *
 * SERVICE_NEW, SERVICE_SET and APPLY may carry, in SVCNET_A_SERVICE, the
 * service's complete list of backends: SVCNET_A_SVC_BACKENDS, a nest of
 * entries of type 0, each holding SVCNET_A_BE_ADDR, SVCNET_A_BE_PORT and
 * optionally SVCNET_A_BE_WEIGHT (default 1), SVCNET_A_BE_LOCAL (default 0)
 * and SVCNET_A_BE_DRAIN (the backend drains, with this deadline in
 * seconds; a backend draining already keeps its deadline; without it a
 * drain ends). The list's order is the order of round robin. Backends in
 * the list that the service has keep their state, counters and flows;
 * backends it has that the list lacks are removed as by BACKEND_DEL, their
 * flows with them; the others are added. A backend listed twice is
 * refused (EINVAL). Such a request is a transaction: it is checked and
 * everything it needs is allocated before anything changes, so it applies
 * whole or not at all, and one that changes nothing sends no event and
 * leaves the generation number as it was.
 *
 * SVCNET_A_GENERATION (NLA_U32) in the request of SERVICE_NEW, SERVICE_SET
 * or APPLY makes it conditional: it is refused with ESTALE, changing
 * nothing, unless the namespace's generation number is still this one
 * (as read from a dump or an event).
 *
 * SVCNET_CMD_APPLY (admin)
 *    Make the services of the device exactly those of the request: any
 *    number of SVCNET_A_SERVICE attributes at the top level of the message,
 *    each with the key, the settings (defaults for those not given, as in
 *    SERVICE_NEW) and SVCNET_A_SVC_BACKENDS, the complete backend set (none
 *    if absent). Services of the device the request does not name are
 *    removed with their flows; the others are added or changed, as
 *    "Backend sets" describes. An attribute is at most 64 KiB: a service
 *    whose backends do not fit in one continues in the SVCNET_A_SERVICE
 *    attributes that follow it with the same key, which hold the key and
 *    SVCNET_A_SVC_BACKENDS only. SVCNET_A_HASH_KEY at the top level sets
 *    the device's key as DEV_SET does, in the same transaction. The whole
 *    request is one transaction; a large one needs a large socket send
 *    buffer (SO_SNDBUF).
 *    Errors: EINVAL bad attribute, a service or a backend listed twice;
 *    ENOSPC more than SVCNET_MAX_SERVICES services or SVCNET_MAX_BACKENDS
 *    backends in a service; ESTALE (SVCNET_A_GENERATION); ENOMEM.
 *
 * SVCNET_CMD_SERVICE_DEL (admin)
 *    Remove a service, its backends and its flows. Errors: ENOENT; EINVAL.
 *
 * SVCNET_CMD_SERVICE_GET
 *    Request (do): the device and the service key. Request (dump): the
 *    device, or nothing for every svcnet device of the namespace.
 *    Reply, per service: SVCNET_A_IFINDEX, SVCNET_A_IFNAME,
 *    SVCNET_A_GENERATION and SVCNET_A_SERVICE holding the key,
 *    SVCNET_A_SVC_SCHED, SVCNET_A_SVC_MAGLEV_SIZE, SVCNET_A_SVC_AFFINITY,
 *    SVCNET_A_SVC_AFFINITY_PREFIX, SVCNET_A_SVC_POLICY,
 *    SVCNET_A_SVC_FORWARD,
 *    SVCNET_A_SVC_SOURCES (when set), SVCNET_A_SVC_TLS_OFFLOAD,
 *    SVCNET_A_SVC_STATS, SVCNET_A_SVC_TLS_STATS (with CONFIG_TLS_DEVICE)
 *    and SVCNET_A_SVC_BACKENDS, a nest of backends (each an NLA_NESTED of
 *    type 0 holding SVCNET_A_BE_ADDR, _PORT, _WEIGHT, _LOCAL, _DRAIN while
 *    draining, and SVCNET_A_BE_STATS). In a
 *    dump, a service with more backends than fit in one message is
 *    continued in further messages with the same key; user space merges
 *    them. The do request answers with the first SVCNET_MAX_BACKENDS_DO
 *    backends only.
 *
 * SVCNET_CMD_BACKEND_NEW (admin)
 *    Add SVCNET_A_BACKEND to the service SVCNET_A_SERVICE.
 *    Errors: EEXIST a backend with this address and port exists; ENOENT no
 *    such service; EINVAL (family differs from the service's); ENOSPC the
 *    service has SVCNET_MAX_BACKENDS backends.
 *
 * SVCNET_CMD_BACKEND_SET (admin)
 *    Change the weight of a backend (which ends a drain), or drain it
 *    (SVCNET_A_BE_DRAIN; not together with a weight). Errors: ENOENT;
 *    EINVAL.
 *
 * SVCNET_CMD_BACKEND_DEL (admin)
 *    Remove a backend and its flows. Errors: ENOENT; EINVAL.
 *
 * SVCNET_CMD_FLOW_GET
 *    Request (dump only): optionally the device (SVCNET_A_IFINDEX or
 *    SVCNET_A_IFNAME). Reply, per flow, SVCNET_A_IFINDEX and SVCNET_A_FLOW:
 *      SVCNET_A_FLOW_PROTO: NLA_U8
 *      SVCNET_A_FLOW_CLIENT_ADDR, SVCNET_A_FLOW_SVC_ADDR,
 *      SVCNET_A_FLOW_BE_ADDR: NLA_BINARY, 4 or 16 bytes
 *      SVCNET_A_FLOW_CLIENT_PORT, SVCNET_A_FLOW_SVC_PORT,
 *      SVCNET_A_FLOW_BE_PORT: NLA_U16, host byte order
 *      SVCNET_A_FLOW_STATE: NLA_U8, enum svcnet_flow_state
 *      SVCNET_A_FLOW_EXPIRES: NLA_U32, milliseconds until expiry
 *      SVCNET_A_FLOW_SNAT_ADDR: NLA_BINARY, SVCNET_A_FLOW_SNAT_PORT:
 *        NLA_U16, present for a source NATed flow (hairpin, port clash):
 *        the source the backend sees
 *      SVCNET_A_FLOW_ASSURED: NLA_FLAG, present once the flow is
 *        established both ways (see "Flows"): it is never evicted
 *      SVCNET_A_FLOW_PICKUP: NLA_FLAG, present for a TCP flow created by
 *        a segment other than a SYN (see "Balancer fleets")
 *      SVCNET_A_FLOW_TUNNEL: NLA_FLAG, present for a flow sent to its
 *        backend in a tunnel (SVCNET_FORWARD_TUNNEL)
 *      SVCNET_A_FLOW_DIRECT: NLA_FLAG, present while the flow's packets
 *        take the direct path, past conntrack and FORWARD (the device's
 *        SVCNET_FAST_PATH_DIRECT: up to 10 s after FORWARD last accepted
 *        one of them)
 *      SVCNET_A_FLOW_NOTRACK: NLA_FLAG, present for a flow conntrack
 *        never sees (the device's SVCNET_FAST_PATH_NOTRACK, see there)
 *    The flow table changes under a dump without NLM_F_DUMP_INTR; a dump is
 *    a snapshot of each flow it lists, and may list a flow twice when the
 *    table is resized meanwhile.
 *
 * SVCNET_CMD_FLOW_DEL (admin)
 *    Remove one flow, named by SVCNET_A_FLOW with SVCNET_A_FLOW_PROTO and
 *    the client and service addresses and ports. Errors: ENOENT; EINVAL.
 *
 * SVCNET_CMD_FLOW_FLUSH (admin)
 *    Remove flows: every flow of the namespace, or of the device given, or
 *    of the service given (device and SVCNET_A_SERVICE key).
 *    Errors: ENOENT no such service; EINVAL.
 *
 * SVCNET_CMD_CONFIG_GET
 *    Reply: SVCNET_A_CONFIG, nested:
 *      SVCNET_A_CFG_FLOW_MAX: NLA_U32, most flows in the table,
 *        1..SVCNET_FLOW_MAX_LIMIT, default SVCNET_FLOW_MAX_DEFAULT
 *      SVCNET_A_CFG_FLOW_COUNT: NLA_U32, flows now (read-only)
 *      SVCNET_A_CFG_AFFINITY_COUNT: NLA_U32, clients remembered for
 *        session affinity now (read-only; at most SVCNET_A_CFG_FLOW_MAX)
 *      SVCNET_A_CFG_FLOWS_EVICTED: NLA_U64, flows in SYN state removed
 *        to make room for new flows in a full table (read-only)
 *      SVCNET_A_CFG_TIMEOUT_TCP_SYN, SVCNET_A_CFG_TIMEOUT_TCP_EST,
 *      SVCNET_A_CFG_TIMEOUT_TCP_FIN, SVCNET_A_CFG_TIMEOUT_TCP_CLOSE,
 *      SVCNET_A_CFG_TIMEOUT_UDP: NLA_U32, seconds, 1..SVCNET_TIMEOUT_MAX;
 *        defaults 30, 900, 120, 10 and 300
 *      SVCNET_A_CFG_SNAT_PORT_MIN, SVCNET_A_CFG_SNAT_PORT_MAX: NLA_U32,
 *        1..65535, the ports of source NATed flows (SVCNET_FORWARD_SNAT,
 *        hairpin, port clashes), default SVCNET_SNAT_PORT_MIN_DEFAULT to
 *        SVCNET_SNAT_PORT_MAX_DEFAULT; keep them out of the host's
 *        ephemeral ports (net.ipv4.ip_local_port_range)
 *
 * SVCNET_CMD_CONFIG_SET (admin)
 *    Set any of the writable attributes of SVCNET_A_CONFIG. New timeouts
 *    apply from each flow's next packet. Lowering SVCNET_A_CFG_FLOW_MAX
 *    below the number of flows removes none; it stops new flows until the
 *    table is below the limit. A new source NAT range applies to new
 *    flows. Errors: EINVAL (also a range whose minimum, given or kept,
 *    is above its maximum: nothing changes).
 *
 * Events
 * ------
 *
 * Members of the multicast group SVCNET_GENL_MCGRP_EVENTS ("events")
 * receive one message per change of the namespace's configuration, with
 * the command that made it (events caused by the kernel itself carry the
 * command they amount to):
 *   SVCNET_CMD_SERVICE_NEW, _SET, _DEL: SVCNET_A_IFINDEX, SVCNET_A_IFNAME,
 *     SVCNET_A_GENERATION and SVCNET_A_SERVICE (key, scheduler, table size)
 *   SVCNET_CMD_BACKEND_NEW, _SET, _DEL: the same and SVCNET_A_BACKEND
 *     (address, port, weight, and SVCNET_A_BE_DRAIN when draining: a
 *     BACKEND_SET with it reports a drain); a BACKEND_DEL at the end of a
 *     drain comes from the kernel
 *   SVCNET_CMD_FLOW_FLUSH: SVCNET_A_IFINDEX and SVCNET_A_IFNAME if the
 *     flush named a device, SVCNET_A_SERVICE if it named a service
 * Every change is a transaction (SERVICE_NEW, SERVICE_SET, APPLY; each of
 * BACKEND_NEW, _SET and _DEL, and the end of a drain, is one of its
 * service alone): it reports each service and backend it adds, changes or
 * removes, and nothing else (a request that changes nothing sends none).
 * SVCNET_CMD_SERVICE_DEL, SVCNET_CMD_BACKEND_DEL and SVCNET_CMD_FLOW_FLUSH
 * carry SVCNET_A_PURGED (NLA_U32), the number of flows removed. Deleting a
 * device reports the deletion of each of its services.
 *
 * Removing a service or a backend (by request, by a transaction, at the
 * end of a drain, with its device or namespace) takes its flows out of use
 * at once: no lookup finds them, the next TCP segment of one is answered
 * with a reset, the next UDP datagram balanced anew. Their memory is freed
 * just after, outside the RTNL lock, in one walk of the flow table however
 * many services and backends went (a device of 10,000 services and
 * 200,000 flows is deleted in about half a second); SVCNET_A_CFG_FLOW_COUNT
 * and flow dumps leave them out meanwhile.
 *
 * Fast path
 * ---------
 *
 * The first packet of a flow is routed into the device and balanced in its
 * transmit. Later packets of flows of forwarded clients (other hosts,
 * containers: packets that enter by NF_INET_PRE_ROUTING) take a fast path:
 * a hook at NF_INET_PRE_ROUTING, priority SVCNET_NF_PRIORITY_FORWARD
 * (after conntrack), rewrites their destination to the flow's backend, and
 * the kernel routes and forwards them there, as after a DNAT rule. The
 * chains that see a packet, and with which destination:
 *   fast path (forwarded, not a flow's first packet): PREROUTING before
 *     SVCNET_NF_PRIORITY_FORWARD the service address, after it the
 *     backend's; FORWARD and POSTROUTING once, the backend's address
 *   fast path of a flow with a source NAT (forward snat, hairpin, port
 *     clash) or in a tunnel (forward tunnel), whose packets leave as this
 *     host's own: PREROUTING up to SVCNET_NF_PRIORITY_FORWARD and FORWARD
 *     with the service address and the device as output, as forwarded
 *     into it (the TTL decremented once); then OUTPUT and POSTROUTING with
 *     the backend's address (or as the tunnel's outer packet)
 *   fast path in direct mode (SVCNET_FAST_PATH_DIRECT, below), source NAT
 *     or tunnel, within 10 seconds of a packet FORWARD accepted:
 *     PREROUTING up to SVCNET_NF_PRIORITY with the service address; then
 *     OUTPUT and POSTROUTING with the backend's address, untracked
 *   notrack mode (SVCNET_FAST_PATH_NOTRACK, below), source NAT or tunnel:
 *     as in direct mode, untracked from PREROUTING at SVCNET_NF_PRIORITY
 *     on, except that a packet that may not go directly passes every
 *     PREROUTING hook with the service address before FORWARD; a flow's
 *     first packet: PREROUTING and FORWARD with the service
 *     address (the device as output), then OUTPUT and POSTROUTING with the
 *     backend's address (or as the tunnel's outer packet), untracked
 *   through the device (a flow's first packet, host sockets, and whatever
 *     the fast path leaves to it): PREROUTING, FORWARD (for forwarded
 *     clients) and POSTROUTING with the service address and the device as
 *     output; then OUTPUT and POSTROUTING again with the backend's address
 * Connection tracking sees both the same: client -> service as the
 * original direction, service -> client as the reply.
 * Packets the fast path leaves to the device: TCP SYNs without ACK, other
 * protocols than TCP and UDP, IPsec (policies, or a packet that was
 * IPsec), a connection conntrack has just made (the flow's own expired or
 * was deleted there: NAT decides a new connection's mappings in later
 * hooks, which see it through the device as they saw the flow's first
 * packet), packets that routing would not send into the device, and flows
 * whose service's route into the device or whose backend's route changed
 * since its last packet through the device; where routes may depend on
 * more than the destination (policy routing rules, IPv6 source routes, a
 * TOS) each packet is routed in full. For flows with a source NAT or in a
 * tunnel also IP options, IPv6 extension headers, a TTL that expires at
 * this host, packets larger than the device's MTU, reassembled datagrams
 * and forwarding switched off (through the device, forwarding answers or
 * drops them). The device's
 * counters, those of services and backends count every packet either way;
 * SVCNET_A_STATS_FAST_PATH counts those of the fast path.
 * SVCNET_CMD_DEV_SET turns it off or on per device (on when a device is
 * created); packets under way finish the path they began.
 *
 * Direct (SVCNET_FAST_PATH_DIRECT), for the flows whose packets leave as
 * this host's own (a source NAT, a tunnel), as an nftables flowtable does
 * for forwarded connections: a packet of such a flow that FORWARD accepts
 * (on its way into the device or on the fast path), its TCP connection
 * established, lets the flow's packets of the next 10 seconds be taken at
 * the reverse-NAT hook (SVCNET_NF_PRIORITY, before conntrack) and sent to
 * the backend as the fast path sends them, untracked (conntrack's NOTRACK
 * state in OUTPUT and POSTROUTING; a tunnel's outer packet is tracked as
 * this host's own). They skip every later PRE_ROUTING hook (conntrack and
 * its accounting, mangle: marks set there are not set, nat, filter), every
 * FORWARD hook and, where only destinations choose routes, the input route
 * lookup with its source checks (rp_filter, martians: the kept route into
 * the device, valid while the routes are as they were, stands for them);
 * where policy rules, IPv6 source routes or a TOS may choose, each packet
 * is routed in full as on the fast path, but before mangle: only packets
 * without a mark and without DSCP go directly, and only once a packet
 * FORWARD accepted had neither. After the 10 seconds the next packet takes
 * the fast path again, through conntrack and FORWARD, and opens the next
 * 10 if FORWARD accepts it: a rule added to FORWARD reaches the flow
 * within 10 seconds, and conntrack sees its connection at least as often
 * (besides its first packets and, source NATed, its replies); rules that
 * count packets (limit, quota, counters, LOG) see one per 10 seconds of a
 * busy flow. Since conntrack then sees only some of the client's segments,
 * a TCP connection is tracked liberally from the first such packet on
 * (IP_CT_TCP_FLAG_BE_LIBERAL, as under a flowtable). Not taken directly,
 * as under a flowtable: a packet on its way into the device without a
 * connection in conntrack (a copy by TEE, a redirect by tc: forwarding did
 * not take it there), a connection with a conntrack helper, sequence
 * adjustment or conntrack's own NAT, a source NATed TCP connection
 * conntrack does not see established, TCP segments with SYN, FIN or RST or
 * without ACK, a connection closing, and whatever the fast path leaves to
 * the device. Flows without a source NAT keep the fast path of a DNAT rule
 * (FORWARD sees each packet).
 *
 * Notrack (SVCNET_FAST_PATH_NOTRACK): direct, and the source NATed and
 * tunnelled flows of forwarded clients (services whose SVCNET_A_SVC_FORWARD
 * is snat or tunnel) are svcnet's alone: conntrack never sees them, as
 * IPVS's connections with net.ipv4.vs.conntrack=0; the flow table's states
 * and timeouts are the only ones they have. The reverse-NAT hook (before
 * conntrack) marks their packets untracked (conntrack's NOTRACK state,
 * "ct state untracked" to rules): a flow's first packet (a TCP SYN or a
 * datagram to the address and port of such a service of the device;
 * decided before routing, so one that routing sends elsewhere goes there
 * untracked), the packets of a flow so made that come in by
 * the device its last packet through the device came in by, its replies
 * (a tunnel's too, where this host routes them), ICMP errors about its
 * packets or replies that pass this host, and a tunnel's outer packets;
 * not the ICMP errors this host sends about them (conntrack finds them
 * INVALID in OUTPUT). Every PRE_ROUTING hook (up to priority INT_MAX - 2)
 * sees a first packet; after the last (SVCNET_NF_PRIORITY_FIRST) it is
 * routed as the input path routes it and, if forwarding sends it into the
 * device, FORWARD's hook is run with the device as output and the packet
 * handed to the device's transmit (no POSTROUTING with the device as
 * output, no queueing discipline, packet taps nor egress hooks of the
 * device; a packet FORWARD queued (NFQUEUE) goes the usual way once let
 * through). Later packets take the direct path as in direct mode,
 * untracked; one that may not go directly takes the fast path after every
 * PREROUTING hook (not after conntrack's). Conntrack's own checks
 * (checksums, TCP windows) and what depends on it (connlimit, its table's
 * limit) do not apply to these flows; svcnet's flow limit does. A flow
 * made in notrack mode is tracked again, mid-stream, once the device
 * leaves it.
 *
 * kTLS offload
 * ------------
 *
 * On kernels with CONFIG_TLS_DEVICE an svcnet device offers kTLS TX
 * offload (feature NETIF_F_HW_TLS_TX, "tls-hw-tx-offload" in ethtool, on
 * by default): a kTLS socket of this host whose route to a service address
 * leads into the device, using TLS 1.2 with AES-GCM-128 or AES-GCM-256,
 * hands its records to the device in plaintext, and the device encrypts
 * them before balancing. TLS 1.3, other ciphers, the receive direction,
 * services with SVCNET_A_SVC_TLS_OFFLOAD 0 and sockets to addresses that
 * are no service of the device stay with kTLS's software encryption.
 * Turning the feature off or the device down moves offloaded sockets to
 * software encryption. Counters per device (SVCNET_A_STATS_TLS, and
 * ethtool -S) and per service (SVCNET_A_SVC_TLS_STATS, within
 * SVCNET_A_SERVICE in SERVICE_GET replies).
 *
 * SVCNET_A_SVC_TLS_OFFLOAD (NLA_U8, 0 or 1, default 1) in SERVICE_NEW,
 * SERVICE_SET and APPLY: whether kTLS sockets to the service may offload
 * to the device; it applies to sockets that enable kTLS afterwards.
 *
 * Userspace tool: svcnet(8).
 */

#ifndef _UAPI_LINUX_SVCNET_H
#define _UAPI_LINUX_SVCNET_H

#define SVCNET_GENL_NAME "svcnet"
#define SVCNET_GENL_VERSION 1
/* multicast group of configuration events */
#define SVCNET_GENL_MCGRP_EVENTS "events"

/* route protocol (rtm_protocol) of the routes svcnet(8) adds */
#define SVCNET_RTPROT 83
/* netfilter priority of the reverse-NAT hook: before conntrack (-200) */
#define SVCNET_NF_PRIORITY (-250)
/*
 * netfilter priority of the fast path's hook at NF_INET_PRE_ROUTING: after
 * conntrack (-200) and mangle (-150), before destination NAT (-100)
 */
#define SVCNET_NF_PRIORITY_FORWARD (-110)
/*
 * netfilter priority of the hook at NF_INET_PRE_ROUTING that takes the
 * first packet of a flow conntrack never sees (SVCNET_FAST_PATH_NOTRACK)
 * to the device: after every other (INT_MAX - 1)
 */
#define SVCNET_NF_PRIORITY_FIRST 2147483646

/* SVCNET_A_FAST_PATH: the fast path's mode (see "Fast path") */
enum svcnet_fast_path {
	SVCNET_FAST_PATH_OFF,		/* every packet through the device */
	SVCNET_FAST_PATH_ON,		/* established flows, via FORWARD */
	SVCNET_FAST_PATH_DIRECT,	/* and, between visits, without it */
	SVCNET_FAST_PATH_NOTRACK,	/* direct, never seen by conntrack */
	__SVCNET_FAST_PATH_MAX,
};

#define SVCNET_FAST_PATH_MAX (__SVCNET_FAST_PATH_MAX - 1)

#define SVCNET_MAX_SERVICES 65536
#define SVCNET_MAX_BACKENDS 65535
#define SVCNET_MAX_BACKENDS_DO 64
#define SVCNET_FLOW_MAX_DEFAULT 262144
#define SVCNET_FLOW_MAX_LIMIT 16777216
#define SVCNET_TIMEOUT_MAX 864000
#define SVCNET_SNAT_PORT_MIN_DEFAULT 61000
#define SVCNET_SNAT_PORT_MAX_DEFAULT 65535
/* bytes of SVCNET_A_HASH_KEY */
#define SVCNET_HASH_KEY_LEN 16

enum svcnet_cmd {
	SVCNET_CMD_UNSPEC,
	SVCNET_CMD_DEV_GET,
	SVCNET_CMD_SERVICE_NEW,
	SVCNET_CMD_SERVICE_SET,
	SVCNET_CMD_SERVICE_DEL,
	SVCNET_CMD_SERVICE_GET,
	SVCNET_CMD_BACKEND_NEW,
	SVCNET_CMD_BACKEND_SET,
	SVCNET_CMD_BACKEND_DEL,
	SVCNET_CMD_FLOW_GET,
	SVCNET_CMD_FLOW_DEL,
	SVCNET_CMD_FLOW_FLUSH,
	SVCNET_CMD_CONFIG_GET,
	SVCNET_CMD_CONFIG_SET,
	SVCNET_CMD_APPLY,
	SVCNET_CMD_DEV_SET,
	__SVCNET_CMD_MAX
};

#define SVCNET_CMD_MAX (__SVCNET_CMD_MAX - 1)

enum svcnet_attr {
	SVCNET_A_UNSPEC,
	SVCNET_A_IFINDEX,
	SVCNET_A_IFNAME,
	SVCNET_A_GENERATION,
	SVCNET_A_STATS,
	SVCNET_A_SERVICE,
	SVCNET_A_BACKEND,
	SVCNET_A_FLOW,
	SVCNET_A_CONFIG,
	SVCNET_A_PURGED,
	SVCNET_A_FAST_PATH,
	SVCNET_A_HASH_KEY,
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
	SVCNET_A_STATS_TLS,
	SVCNET_A_STATS_FRAGMENTS,
	SVCNET_A_STATS_FAST_PATH,
	__SVCNET_A_STATS_MAX
};

#define SVCNET_A_STATS_MAX (__SVCNET_A_STATS_MAX - 1)

/**
 * enum svcnet_drop_reason - why the device dropped a packet
 * @SVCNET_DROP_UNSPEC: not used
 * @SVCNET_DROP_NO_SERVICE: the packet matched no service of the device
 * @SVCNET_DROP_MALFORMED: headers truncated or inconsistent
 * @SVCNET_DROP_PROTO: neither IPv4 nor IPv6
 * @SVCNET_DROP_NO_BACKEND: the service has no backend of non-zero weight
 *	(answered with ICMP unreachable)
 * @SVCNET_DROP_FLOW_LIMIT: the flow table is full (or out of memory)
 * @SVCNET_DROP_NO_ROUTE: no route to the backend
 * @SVCNET_DROP_LOOP: the route to the backend leads into an svcnet device
 * @SVCNET_DROP_NO_FLOW: a TCP segment other than SYN matched no flow
 *	(answered with a TCP reset)
 * @SVCNET_DROP_FRAGMENT: an IP fragment reassembly refused (overlapping,
 *	past 64 KiB, a length that lies, out of memory)
 * @SVCNET_DROP_SOURCE: a new flow from a client outside the service's
 *	allowed sources (answered with ICMP administratively prohibited)
 * @SVCNET_DROP_NO_PORT: a new flow that needs a source port of its own
 *	(see Hairpin and port clashes) found none free (answered with ICMP
 *	unreachable)
 * @SVCNET_DROP_TOO_BIG: a packet of a tunnel flow that would not fit the
 *	path to the backend once encapsulated, and may not be fragmented
 *	(answered with ICMP fragmentation needed or packet too big)
 */
enum svcnet_drop_reason {
	SVCNET_DROP_UNSPEC,
	SVCNET_DROP_NO_SERVICE,
	SVCNET_DROP_MALFORMED,
	SVCNET_DROP_PROTO,
	SVCNET_DROP_NO_BACKEND,
	SVCNET_DROP_FLOW_LIMIT,
	SVCNET_DROP_NO_ROUTE,
	SVCNET_DROP_LOOP,
	SVCNET_DROP_NO_FLOW,
	SVCNET_DROP_FRAGMENT,
	SVCNET_DROP_SOURCE,
	SVCNET_DROP_NO_PORT,
	SVCNET_DROP_TOO_BIG,
	__SVCNET_DROP_MAX
};

#define SVCNET_DROP_MAX (__SVCNET_DROP_MAX - 1)

enum svcnet_sched {
	SVCNET_SCHED_UNSPEC,
	SVCNET_SCHED_RR,
	SVCNET_SCHED_WRR,
	SVCNET_SCHED_LC,
	SVCNET_SCHED_RANDOM,
	SVCNET_SCHED_MAGLEV,
	SVCNET_SCHED_SH,
	__SVCNET_SCHED_MAX
};

#define SVCNET_SCHED_MAX (__SVCNET_SCHED_MAX - 1)

enum svcnet_svc_attr {
	SVCNET_A_SVC_UNSPEC,
	SVCNET_A_SVC_ADDR,
	SVCNET_A_SVC_PORT,
	SVCNET_A_SVC_PROTO,
	SVCNET_A_SVC_SCHED,
	SVCNET_A_SVC_MAGLEV_SIZE,
	SVCNET_A_SVC_STATS,
	SVCNET_A_SVC_BACKENDS,
	SVCNET_A_SVC_AFFINITY,
	SVCNET_A_SVC_AFFINITY_PREFIX,
	SVCNET_A_SVC_POLICY,
	SVCNET_A_SVC_SOURCES,
	SVCNET_A_SVC_TLS_OFFLOAD,
	SVCNET_A_SVC_TLS_STATS,
	SVCNET_A_SVC_FORWARD,
	__SVCNET_A_SVC_MAX
};

#define SVCNET_A_SVC_MAX (__SVCNET_A_SVC_MAX - 1)

enum svcnet_be_attr {
	SVCNET_A_BE_UNSPEC,
	SVCNET_A_BE_ADDR,
	SVCNET_A_BE_PORT,
	SVCNET_A_BE_WEIGHT,
	SVCNET_A_BE_STATS,
	SVCNET_A_BE_DRAIN,
	SVCNET_A_BE_LOCAL,
	__SVCNET_A_BE_MAX
};

#define SVCNET_A_BE_MAX (__SVCNET_A_BE_MAX - 1)

enum svcnet_lb_stats_attr {
	SVCNET_A_LB_STATS_UNSPEC,
	SVCNET_A_LB_STATS_CONNS,
	SVCNET_A_LB_STATS_ACTIVE,
	SVCNET_A_LB_STATS_PKTS_IN,
	SVCNET_A_LB_STATS_BYTES_IN,
	SVCNET_A_LB_STATS_PKTS_OUT,
	SVCNET_A_LB_STATS_BYTES_OUT,
	SVCNET_A_LB_STATS_PAD,
	SVCNET_A_LB_STATS_CLOSING,
	__SVCNET_A_LB_STATS_MAX
};

#define SVCNET_A_LB_STATS_MAX (__SVCNET_A_LB_STATS_MAX - 1)

/*
 * kTLS TX offload counters, nested in SVCNET_A_STATS_TLS and
 * SVCNET_A_SVC_TLS_STATS; all NLA_U64
 */
enum svcnet_tls_stats_attr {
	SVCNET_A_TLS_STATS_UNSPEC,
	SVCNET_A_TLS_STATS_ADDED,	/* sockets that offloaded TX */
	SVCNET_A_TLS_STATS_REMOVED,	/* of them, those released */
	SVCNET_A_TLS_STATS_RECORDS,	/* records encrypted (retransmits too) */
	SVCNET_A_TLS_STATS_BYTES,	/* record payload bytes encrypted */
	SVCNET_A_TLS_STATS_DROPS,	/* packets dropped: encryption failed */
	SVCNET_A_TLS_STATS_PAD,
	__SVCNET_A_TLS_STATS_MAX
};

#define SVCNET_A_TLS_STATS_MAX (__SVCNET_A_TLS_STATS_MAX - 1)

/**
 * enum svcnet_policy - which backends a service's new flows may use
 * @SVCNET_POLICY_UNSPEC: not used
 * @SVCNET_POLICY_CLUSTER: every backend (the default)
 * @SVCNET_POLICY_LOCAL: only backends marked local (SVCNET_A_BE_LOCAL);
 *	without one, new flows are refused as with no backend
 */
enum svcnet_policy {
	SVCNET_POLICY_UNSPEC,
	SVCNET_POLICY_CLUSTER,
	SVCNET_POLICY_LOCAL,
	__SVCNET_POLICY_MAX
};

#define SVCNET_POLICY_MAX (__SVCNET_POLICY_MAX - 1)

/**
 * enum svcnet_forward - how a service's packets reach its backends
 * @SVCNET_FORWARD_UNSPEC: not used
 * @SVCNET_FORWARD_NAT: destination NAT; the backend sees the client and
 *	answers through this host (the default)
 * @SVCNET_FORWARD_SNAT: destination and source NAT; the backend sees this
 *	host's address and a port of the source NAT range
 * @SVCNET_FORWARD_TUNNEL: direct server return; the packet, unchanged, is
 *	encapsulated to the backend, which answers the client directly
 */
enum svcnet_forward {
	SVCNET_FORWARD_UNSPEC,
	SVCNET_FORWARD_NAT,
	SVCNET_FORWARD_SNAT,
	SVCNET_FORWARD_TUNNEL,
	__SVCNET_FORWARD_MAX
};

#define SVCNET_FORWARD_MAX (__SVCNET_FORWARD_MAX - 1)

/* an allowed source prefix, an entry of SVCNET_A_SVC_SOURCES */
enum svcnet_src_attr {
	SVCNET_A_SRC_UNSPEC,
	SVCNET_A_SRC_ADDR,
	SVCNET_A_SRC_PREFIX,
	__SVCNET_A_SRC_MAX
};

#define SVCNET_A_SRC_MAX (__SVCNET_A_SRC_MAX - 1)

#define SVCNET_MAX_SOURCES 64

/**
 * enum svcnet_flow_state - state of a flow, which sets its timeout
 * @SVCNET_FLOW_UNSPEC: not used
 * @SVCNET_FLOW_TCP_SYN: a TCP SYN was balanced, the handshake is not
 *	complete (the client has not acknowledged the SYN-ACK yet)
 * @SVCNET_FLOW_TCP_EST: the handshake completed in sequence
 * @SVCNET_FLOW_TCP_FIN: a FIN within the window, from either side
 * @SVCNET_FLOW_TCP_CLOSE: a RST within the window (or refusing the SYN); a
 *	new SYN replaces the flow
 * @SVCNET_FLOW_UDP: a UDP flow
 */
enum svcnet_flow_state {
	SVCNET_FLOW_UNSPEC,
	SVCNET_FLOW_TCP_SYN,
	SVCNET_FLOW_TCP_EST,
	SVCNET_FLOW_TCP_FIN,
	SVCNET_FLOW_TCP_CLOSE,
	SVCNET_FLOW_UDP,
	__SVCNET_FLOW_STATE_MAX
};

#define SVCNET_FLOW_STATE_MAX (__SVCNET_FLOW_STATE_MAX - 1)

enum svcnet_flow_attr {
	SVCNET_A_FLOW_UNSPEC,
	SVCNET_A_FLOW_PROTO,
	SVCNET_A_FLOW_CLIENT_ADDR,
	SVCNET_A_FLOW_CLIENT_PORT,
	SVCNET_A_FLOW_SVC_ADDR,
	SVCNET_A_FLOW_SVC_PORT,
	SVCNET_A_FLOW_BE_ADDR,
	SVCNET_A_FLOW_BE_PORT,
	SVCNET_A_FLOW_STATE,
	SVCNET_A_FLOW_EXPIRES,
	SVCNET_A_FLOW_SNAT_ADDR,
	SVCNET_A_FLOW_SNAT_PORT,
	SVCNET_A_FLOW_ASSURED,
	SVCNET_A_FLOW_PICKUP,
	SVCNET_A_FLOW_TUNNEL,
	SVCNET_A_FLOW_DIRECT,
	SVCNET_A_FLOW_NOTRACK,
	__SVCNET_A_FLOW_MAX
};

#define SVCNET_A_FLOW_MAX (__SVCNET_A_FLOW_MAX - 1)

enum svcnet_cfg_attr {
	SVCNET_A_CFG_UNSPEC,
	SVCNET_A_CFG_FLOW_MAX,
	SVCNET_A_CFG_FLOW_COUNT,
	SVCNET_A_CFG_TIMEOUT_TCP_SYN,
	SVCNET_A_CFG_TIMEOUT_TCP_EST,
	SVCNET_A_CFG_TIMEOUT_TCP_FIN,
	SVCNET_A_CFG_TIMEOUT_TCP_CLOSE,
	SVCNET_A_CFG_TIMEOUT_UDP,
	SVCNET_A_CFG_AFFINITY_COUNT,
	SVCNET_A_CFG_FLOWS_EVICTED,
	SVCNET_A_CFG_SNAT_PORT_MIN,
	SVCNET_A_CFG_SNAT_PORT_MAX,
	__SVCNET_A_CFG_MAX
};

#define SVCNET_A_CFG_MAX (__SVCNET_A_CFG_MAX - 1)

#endif /* _UAPI_LINUX_SVCNET_H */

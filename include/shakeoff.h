/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one header shared by the BPF programs and userspace: map values,
 * statistics, constants. Only __u* types, so it compiles on both sides
 * (BPF gets them from vmlinux.h, userspace from <linux/types.h>).
 */
#ifndef SHAKEOFF_H
#define SHAKEOFF_H

/*
 * Statistics: one per-CPU array indexed by enum so_stat. The X-macro keeps
 * the index, the JSON name and the description in one place.
 *   X(ENUM, json_name, description)
 * The drop reasons are counters of their own (every drop has a name) and
 * their sum is reported as dropped_malformed.
 */
#define SO_STATS(X)                                                                        \
	X(SYN_RECV, syn_recv, "SYNs to protected ports")                                   \
	X(SYNACK_SENT, synack_sent, "SYN-ACKs sent by XDP")                                \
	X(SYNACK_RETRANS, synack_retrans, "SYN-ACKs retransmitted by the daemon")          \
	X(ACK_VALID, ack_valid, "handshake-completing ACKs that validated")                \
	X(ACK_INVALID, ack_invalid, "ACKs without a socket or a valid cookie (dropped)")   \
	X(ESTABLISHED, established, "ACKs passed because the kernel has the socket")       \
	X(HANDOFF_OK, handoff_ok, "validated ACKs turned into kernel sockets")             \
	X(HANDOFF_FAIL, handoff_fail, "validated ACKs the handoff could not place")         \
	X(COOKIE_FALLBACK, cookie_fallback, "SYNs answered statelessly above the backlog") \
	X(SYN_PASSED, syn_passed, "SYNs left to the kernel (no key, no room to answer)")  \
	X(SYN_KNOWN, syn_known, "SYNs for a tracked connection, left to the kernel")      \
	X(SYN_REPEAT, syn_repeat, "retransmitted SYNs answered from their entry")         \
	X(ACK_VIA_STATE, ack_via_state, "valid ACKs matched in the half-open table")      \
	X(PASSED, passed, "frames passed to the kernel")                                   \
	X(EVENTS_LOST, events_lost, "events the ring buffer had no room for")             \
	X(EXPIRED_HALF_OPEN, expired_half_open, "half-open entries expired")               \
	X(TIME_WAIT_EXPIRED, time_wait_expired, "TIME_WAIT entries expired")               \
	X(FLOW_IDLE_EXPIRED, flow_idle_expired, "idle flow entries expired")               \
	X(DROP_FRAGMENT, drop_fragment, "IP fragments to a protected port")                \
	X(DROP_HDRLEN, drop_hdrlen, "inconsistent IP or TCP header lengths")               \
	X(DROP_FLAGS, drop_flags, "SYN with RST or FIN")                                   \
	X(DROP_EXTHDRS, drop_exthdrs, "IPv6 extension chain longer than we walk")

#define SO_STAT_ENUM(e, name, desc) SO_STAT_##e,
enum so_stat { SO_STATS(SO_STAT_ENUM) SO_STAT_MAX };
#undef SO_STAT_ENUM
#define SO_STAT_DROP_FIRST SO_STAT_DROP_FRAGMENT /* drop reasons run to the end */
/* Written by the daemon alone (in CPU 0's slot), never by the programs. */
#define SO_STAT_DAEMON(i)                                                        \
	((i) == SO_STAT_SYNACK_RETRANS || (i) == SO_STAT_EXPIRED_HALF_OPEN ||     \
	 (i) == SO_STAT_TIME_WAIT_EXPIRED || (i) == SO_STAT_FLOW_IDLE_EXPIRED)

/* What the server's own stack accepts (mirrors its sysctls); we never offer more. */
enum so_feature {
	SO_F_WSCALE = 1 << 0, /* net.ipv4.tcp_window_scaling */
	SO_F_SACK = 1 << 1,   /* net.ipv4.tcp_sack */
	SO_F_TS = 1 << 2,     /* net.ipv4.tcp_timestamps */
	SO_F_ECN = 1 << 3,    /* net.ipv4.tcp_ecn != 0 */
};

#define SO_PORT_BITMAP_BYTES (65536 / 8)

/* so_config[0]: written by the daemon, read on every packet. */
struct so_config {
	__u16 mss4;    /* largest MSS we advertise in an IPv4 SYN-ACK */
	__u16 mss6;    /* ... and in an IPv6 one */
	__u16 window;  /* SYN-ACK window (never scaled, RFC 7323 2.2) */
	__u8 wscale;   /* the window scale we advertise: the server's rcv_wscale */
	__u8 ttl;      /* TTL / hop limit of our SYN-ACKs */
	__u8 features; /* enum so_feature */
	__u8 stateful; /* keep half-open entries (0: --stateless) */
	__u8 fallback; /* backlog above its high-water mark: cookies only */
	__u8 pad;
	__u32 halfopen_buckets; /* so_halfopen holds this many sets of SO_HALFOPEN_WAYS */
	__u32 hash_seed;        /* keys the half-open table's bucket hash */
	__u64 halfopen_life_ns; /* how long a half-open entry lives (retries' total) */
	__u8 ports[SO_PORT_BITMAP_BYTES]; /* bit p set: destination port p protected */
};

/*
 * Cookie keys. Time is cut into slots of 2^SO_SLOT_SHIFT ns of CLOCK_TAI
 * (68.7 s); a cookie made in slot t is accepted in slots t and t+1, so it
 * lives 68.7 to 137 s. The key for slot t sits at index t % SO_NKEYS with the
 * slot it belongs to; the daemon keeps slots t-1 .. t+2 installed, writing
 * ahead so that a live key is never overwritten. A key whose slot does not
 * match is not used (the daemon is gone: SYNs are left to the kernel).
 */
#define SO_SLOT_SHIFT 36
#define SO_NKEYS 4
struct so_key {
	__u64 slot;
	__u64 k[2]; /* SipHash key */
};

/* Window scale value meaning "option absent". */
#define SO_WSCALE_NONE 15
#define SO_WSCALE_MAX 14 /* RFC 7323 2.3 */

#define SO_VLAN_MAX 2 /* 802.1Q and 802.1ad tags we parse and keep */

/*
 * A connection as the client sent it, and the key of so_flows. Addresses
 * and ports in network order; IPv4 uses saddr[0]/daddr[0]. Unused bytes are
 * zero (they are hashed).
 */
struct so_tuple {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport;
	__u16 dport;
	__u8 v6;
	__u8 pad[3];
};

/* A SYN's TCP options, as parsed; values in host order. */
struct so_tcpopts {
	__u16 mss;    /* 0: no MSS option */
	__u8 wscale;  /* SO_WSCALE_NONE: no window scale option */
	__u8 sack_ok;
	__u8 ts_ok;
	__u8 pad[3];
	__u32 tsval;
	__u32 tsecr;
};

#define SO_SYNACK_OPT_WORDS 5 /* MSS 4 + SACK-perm/TS 12 + WS 4 bytes */

/* Everything the TCP header of one SYN-ACK is made of (include/pkt.h). */
struct so_synack {
	__u16 sport;  /* ours (the SYN's destination port), network order */
	__u16 dport;  /* network order */
	__u32 seq;    /* our ISN, the cookie; host order */
	__u32 ack;    /* client ISN + 1; host order */
	__u16 window; /* host order */
	__u8 ece;     /* agree to ECN */
	__u8 nopts;   /* option words used */
	__u32 opts[SO_SYNACK_OPT_WORDS]; /* wire bytes */
};

/*
 * Connection states (DESIGN.md section 3). SYN_RECV entries live in
 * so_halfopen, the others in so_flows: a SYN flood can fill the first and
 * never touch the second, which only validated handshakes enter.
 */
enum so_state {
	SO_FREE = 0,
	SO_SYN_RECV,
	SO_ESTABLISHED,
	SO_CLOSING,   /* one side has sent FIN */
	SO_TIME_WAIT, /* both have, or a RST: kept for 2*MSL */
};

/*
 * so_halfopen: a fixed array of sets of SO_HALFOPEN_WAYS entries; a
 * SYN's tuple picks the set. When a set is full, a new SYN takes the oldest
 * entry's place: safe, because every ISN is a cookie and that handshake
 * still validates (it only loses its SYN-ACK retransmission). Written only
 * by the data plane, under a seqlock; the daemon reads it through mmap.
 */
#define SO_HALFOPEN_WAYS 4
struct so_halfopen {
	__u32 seq;           /* odd while the data plane writes the entry */
	__u8 state;          /* SO_FREE or SO_SYN_RECV */
	__u8 data;           /* the cookie's option bits */
	__u8 nvlan;          /* VLAN tags between the MACs and L3 */
	__u8 ttl;            /* of the SYN-ACK */
	__u64 first_ns;      /* first SYN-ACK, CLOCK_MONOTONIC */
	struct so_tuple t;   /* as the client sent it */
	struct so_synack sa; /* the SYN-ACK as sent: retransmissions are identical */
	__u8 mac_client[6];
	__u8 mac_server[6];
	__u32 vlan[SO_VLAN_MAX]; /* the tags' wire bytes (TPID, TCI), outermost first */
	__u8 pad[16];
};

/* so_flows values, keyed by struct so_tuple. */
#define SO_FIN_CLIENT 1
#define SO_FIN_SERVER 2
struct so_flow {
	__u8 state;     /* SO_ESTABLISHED, SO_CLOSING or SO_TIME_WAIT */
	__u8 fin;       /* SO_FIN_*: who has closed */
	__u8 pad[6];
	__u64 since_ns; /* entered this state, CLOCK_MONOTONIC */
	__u64 seen_ns;  /* last segment, to the second (CLOCK_MONOTONIC_COARSE) */
};

/* An ESTABLISHED or CLOSING flow silent this long is forgotten (the kernel
 * keeps the socket; its next segment takes the socket-lookup path). */
#define SO_FLOW_IDLE_S 300

/* The backlog: above HIGH% of so_halfopen in use, no new entries (cookies
 * only) until it drains below LOW%. */
#define SO_BACKLOG_HIGH_PCT 90
#define SO_BACKLOG_LOW_PCT 50

/* so_events records, from the data plane (handshakes) and the daemon. */
enum so_event_type {
	SO_EV_HANDSHAKE = 1, /* a handshake completed and was handed off */
	SO_EV_EXPIRED,       /* a half-open entry ran out of SYN-ACK retries */
	SO_EV_BACKLOG,       /* the backlog switched mode (via: 1 cookies only, 0 state) */
	SO_EV_LOST,          /* count events were lost on the way to this reader */
};
#define SO_VIA_COOKIE 0
#define SO_VIA_STATE 1
struct so_event {
	__u64 time_ns;     /* CLOCK_MONOTONIC */
	struct so_tuple t;
	__u32 rtt_us;      /* handshake: last SYN-ACK to ACK; 0 unknown */
	__u32 count;       /* BACKLOG: entries in use; LOST: events lost */
	__u32 slot;        /* HANDSHAKE via state: its so_halfopen index ... */
	__u32 slot_seq;    /* ... and that entry's seqlock count */
	__u16 mss;
	__u8 type;
	__u8 via;          /* SO_VIA_* (HANDSHAKE), 1 cookies only / 0 state (BACKLOG) */
	__u8 snd_wscale;
	__u8 features;     /* enum so_feature */
	__u8 retrans;      /* SYN-ACK retransmissions before it completed */
	__u8 pad;
};

/* so_rtt[0]: handshake RTT percentiles, published by the daemon. */
struct so_rtt {
	__u64 samples;
	__u32 p50_us;
	__u32 p90_us;
	__u32 p99_us;
	__u32 pad;
};

/*
 * XDP -> TC metadata for a validated handshake ACK, in front of the frame
 * (bpf_xdp_adjust_meta). Everything bpf_sk_assign_tcp_reqsk needs.
 */
#define SO_META_MAGIC 0x50ff5e7dU
struct so_meta {
	__u32 magic;
	__u32 tsval;      /* the ACK's TSval (rcv_tsval) */
	__u32 tsecr;      /* the ACK's TSecr: our SYN-ACK TSval (rcv_tsecr) */
	__u16 mss;        /* the client's MSS from the cookie */
	__u8 snd_wscale;  /* the client's window scale, SO_WSCALE_NONE if none */
	__u8 rcv_wscale;  /* the window scale we advertised */
	__u8 features;    /* enum so_feature negotiated for this connection */
	__u8 pad;
	__u16 l4_off;     /* TCP header offset from the L3 header (options, extensions) */
};

/* so_status[0]: what the daemon is doing, for `shakeoff status` and detach. */
#define SO_PORTS_STR_MAX 256
struct so_status {
	__u32 ifindex;
	__u32 pid;           /* the daemon */
	__u64 started;       /* unix time, seconds */
	__u8 xdp_mode;       /* enum xdp_attach_mode */
	__u8 qdisc_created;  /* the clsact qdisc is ours to remove */
	__u8 pad[6];
	char ports[SO_PORTS_STR_MAX]; /* --ports as given */
};

_Static_assert(sizeof(struct so_halfopen) == 128, "half-open entries: two cache lines");
_Static_assert(sizeof(struct so_meta) % 4 == 0 && sizeof(struct so_meta) <= 32,
	       "XDP metadata: a multiple of 4 bytes, at most 32");

#endif /* SHAKEOFF_H */

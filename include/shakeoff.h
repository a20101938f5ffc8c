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
	X(PASSED, passed, "frames passed to the kernel")                                   \
	X(EXPIRED_HALF_OPEN, expired_half_open, "half-open entries expired")               \
	X(TIME_WAIT_EXPIRED, time_wait_expired, "TIME_WAIT entries expired")               \
	X(DROP_FRAGMENT, drop_fragment, "IP fragments to a protected port")                \
	X(DROP_HDRLEN, drop_hdrlen, "inconsistent IP or TCP header lengths")               \
	X(DROP_FLAGS, drop_flags, "SYN with RST or FIN")                                   \
	X(DROP_EXTHDRS, drop_exthdrs, "IPv6 extension chain longer than we walk")

#define SO_STAT_ENUM(e, name, desc) SO_STAT_##e,
enum so_stat { SO_STATS(SO_STAT_ENUM) SO_STAT_MAX };
#undef SO_STAT_ENUM
#define SO_STAT_DROP_FIRST SO_STAT_DROP_FRAGMENT /* drop reasons run to the end */

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
	__u8 pad[7];
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

_Static_assert(sizeof(struct so_meta) % 4 == 0 && sizeof(struct so_meta) <= 32,
	       "XDP metadata: a multiple of 4 bytes, at most 32");

#endif /* SHAKEOFF_H */

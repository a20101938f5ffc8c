/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one header shared by the BPF programs and userspace: map values,
 * statistics, constants. Only __u* types and struct bpf_spin_lock, so it
 * compiles on both sides (BPF gets them from vmlinux.h, userspace from the
 * uapi headers).
 */
#ifndef SHAKEOFF_H
#define SHAKEOFF_H

#ifndef __bpf__
#include <linux/types.h>
#include <linux/bpf.h> /* struct bpf_spin_lock */
#endif

/* Loops over a handful of words in the shared headers, unrolled for the verifier's sake. */
#ifdef __clang__
#define SO_UNROLL _Pragma("unroll")
#else
#define SO_UNROLL _Pragma("GCC unroll 8")
#endif

/*
 * The data plane's counters: one struct per CPU (so_stats[0]), looked up
 * once per packet, every field named for `bpftool map dump`. The X-macros
 * keep the field, its JSON name and its description in one place:
 *   X(name, description)
 * The drop reasons are counters of their own (every drop has a name);
 * `stats` reports their sum as dropped_malformed.
 */
#define SO_STATS(X)                                                                           \
	X(syn_recv, "SYNs to protected ports")                                                \
	X(synack_sent, "SYN-ACKs sent by XDP")                                                \
	X(syn_repeat, "retransmitted SYNs answered from their entry")                         \
	X(cookie_fallback, "SYNs answered without state above the backlog")                   \
	X(syn_known, "SYNs for a connection the kernel has, left to it")                      \
	X(syn_passed, "SYNs left to the kernel (no key: the daemon is gone)")                 \
	X(synack_ratelimited, "SYNs not answered: their prefix was over --synack-rate")       \
	X(halfopen_evicted, "live half-open entries a full set gave up to a newer SYN")       \
	X(flow_evicted, "flows a full set gave up to a newer one")                            \
	X(ack_valid, "handshake-completing ACKs that validated")                              \
	X(ack_via_state, "valid ACKs matched in the half-open table")                         \
	X(ack_invalid, "ACKs without a flow, an entry, a socket or a valid cookie (dropped)") \
	X(established, "segments passed because the connection is known")                     \
	X(handoff_ok, "validated ACKs turned into kernel sockets")                            \
	X(handoff_fail, "validated ACKs the handoff could not place")                         \
	X(passed, "segments to protected ports passed to the kernel")                         \
	X(forwarded_xdp, "segments a front forwarded itself (--forward-xdp)")                 \
	X(events_lost, "handshake events the ring buffer had no room for")

#define SO_DROPS(X)                                                  \
	X(drop_fragment, "IP fragments to a protected port")         \
	X(drop_hdrlen, "inconsistent IP or TCP header lengths")      \
	X(drop_flags, "SYN with RST or FIN")                         \
	X(drop_csum, "SYN with a wrong IPv4 header or TCP checksum") \
	X(drop_exthdrs, "IPv6 extension chain longer than we walk")

#define SO_COUNTER_FIELD(name, desc) __u64 name;
struct so_counters {
	SO_STATS(SO_COUNTER_FIELD)
	SO_DROPS(SO_COUNTER_FIELD)
};

/*
 * What the daemon counts and measures (so_daemon[0]), published under the
 * map's spin lock in one update, so a reader never sees a gauge and the
 * counter that explains it from two different moments.
 */
#define SO_DAEMON_STATS(X)                                                  \
	X(synack_retrans, "SYN-ACKs retransmitted by the daemon")           \
	X(retrans_ratelimited, "retransmissions withheld by --synack-rate") \
	X(expired_half_open, "half-open entries that ran out of retries")   \
	X(time_wait_expired, "TIME_WAIT entries expired after 2*MSL")       \
	X(flow_idle_expired, "idle flow entries expired")

struct so_daemon {
	struct bpf_spin_lock lock;
	__u32 half_open; /* live half-open entries at the last scan */
	__u64 flows;	 /* so_flows entries at the last sweep */
	__u64 scan_ns;	 /* CLOCK_MONOTONIC of that scan */
	SO_DAEMON_STATS(SO_COUNTER_FIELD)
};

/* What the server's own stack accepts (mirrors its sysctls); we never offer more. */
enum so_feature {
	SO_F_WSCALE = 1 << 0, /* net.ipv4.tcp_window_scaling */
	SO_F_SACK = 1 << 1,   /* net.ipv4.tcp_sack */
	SO_F_TS = 1 << 2,     /* net.ipv4.tcp_timestamps */
	SO_F_ECN = 1 << 3,    /* net.ipv4.tcp_ecn != 0 */
};

/* The backlog's mode (DESIGN.md section 3). */
enum so_backlog {
	SO_BACKLOG_STATE = 0, /* half-open entries kept for new SYNs */
	SO_BACKLOG_COOKIES,   /* above the high-water mark: cookies only until it drains */
	SO_BACKLOG_STATELESS, /* --stateless: cookies only, always */
};

#define SO_PORT_BITMAP_BYTES (65536 / 8)

/* so_config[0]: written by the daemon, read on every packet. */
struct so_config {
	__u16 mss4;	      /* largest MSS we advertise in an IPv4 SYN-ACK */
	__u16 mss6;	      /* ... and in an IPv6 one */
	__u16 window;	      /* SYN-ACK window (never scaled, RFC 7323 2.2) */
	__u8 wscale;	      /* the window scale we advertise: the server's rcv_wscale */
	__u8 ttl;	      /* TTL / hop limit of our SYN-ACKs */
	__u8 features;	      /* enum so_feature */
	__u8 backlog;	      /* enum so_backlog */
	__u8 events;	      /* someone reads `shakeoff events`: report handshakes */
	__u8 flowmark_gen;    /* which generation of so_flowmark a SYN consults */
	__u32 halfopen_sets;  /* so_halfopen holds this many sets of SO_HALFOPEN_WAYS */
	__u32 flow_sets;      /* so_flows holds this many sets of SO_FLOW_WAYS */
	__u32 flowmark_words; /* so_flowmark's words (a power of two) */
	__u8 time_wait;	      /* the kernel keeps TIME_WAIT sockets (tcp_max_tw_buckets > 0) */
	__u8 slot_shift;      /* cookie key slots last 2^slot_shift ns (below) */
	__u8 front;	      /* run --front: so_protect, not ports[], says what is ours */
	__u8 front_redirect;  /* --forward-xdp: XDP_REDIRECT to the interfaces in so_tx */
	__u8 pad[4];
	__u64 hash_seed;	/* keys the set and flow-mark hashes */
	__u64 tai_off_ns;	/* CLOCK_TAI - CLOCK_MONOTONIC: cookie slots are TAI */
	__u64 halfopen_life_ns; /* how long a half-open entry lives (retries' total) */
	__u64 netns_cookie;	/* our network namespace, for the close hook */
	__u64 budget_refill;	/* --synack-rate (include/budget.h): tokens per tick; 0: off */
	__u64 budget_burst;	/* a bucket's most: one second's worth */
	__u32 budget_mask4;	/* a v4 source's prefix: the address ANDed with this */
	__u32 budget_mask6[4];	/* ... and a v6 one's */
	__u8 ports[SO_PORT_BITMAP_BYTES]; /* bit p: port p protected and listened on */
};

/*
 * Cookie keys. Time is cut into slots of 2^slot_shift ns of CLOCK_TAI
 * (default 2^36: 68.7 s); a cookie made in slot t is accepted in slots t and
 * t+1, so it lives 68.7 to 137 s. The key for slot t sits at index
 * t % SO_NKEYS with the slot it belongs to; the daemon keeps slots t-1 .. t+2
 * installed, writing ahead so that a live key is never overwritten. A key
 * whose slot does not match is not used (the daemon is gone: SYNs are left
 * to the kernel).
 */
#define SO_SLOT_SHIFT_DEFAULT 36
/* --slot-shift's range: the daemon installs keys every second, so a slot
 * must last longer than that (2^31 ns: 2.1 s, for tests). */
#define SO_SLOT_SHIFT_MIN 31
#define SO_SLOT_SHIFT_MAX 40
#define SO_NKEYS	  4
struct so_key {
	__u64 slot;
	__u64 k[2]; /* SipHash key */
};

/* Our TSval clock: CLOCK_MONOTONIC_COARSE >> SO_TS_SHIFT, a 1.048576 ms tick
 * (RFC 7323 allows 1 ms to 1 s), so the SYN path needs no division. */
#define SO_TS_SHIFT 20

/* Window scale value meaning "option absent". */
#define SO_WSCALE_NONE 15
#define SO_WSCALE_MAX  14 /* RFC 7323 2.3 */

#define SO_VLAN_MAX 2 /* 802.1Q and 802.1ad tags we parse and keep */

/*
 * A connection's addresses and ports as the client sent them, in network
 * order; IPv4 uses saddr[0]/daddr[0] and leaves the rest zero (it is
 * hashed and compared). Shared by the flow key and the half-open entry.
 */
#define SO_TUPLE_ADDRS  \
	__u32 saddr[4]; \
	__u32 daddr[4]; \
	__u16 sport;    \
	__u16 dport;
#define SO_TUPLE_ADDR_WORDS 9

/* A connection, as the data plane passes it around. */
struct so_tuple {
	SO_TUPLE_ADDRS
	__u8 v6;
	__u8 pad[3];
};

/* A SYN's TCP options, as parsed; values in host order. */
struct so_tcpopts {
	__u16 mss;   /* 0: no MSS option */
	__u8 wscale; /* SO_WSCALE_NONE: no window scale option */
	__u8 sack_ok;
	__u8 ts_ok;
	__u8 pad[3];
	__u32 tsval;
	__u32 tsecr;
};

/*
 * so_halfopen: a fixed array of sets of SO_HALFOPEN_WAYS entries; a SYN's
 * tuple picks the set. When a set is full, a new SYN takes the oldest
 * entry's place: safe, because every ISN is a cookie and that handshake
 * still validates (it only loses its SYN-ACK retransmission). Written only
 * by the data plane, under a seqlock; the daemon reads it through mmap.
 *
 * 64 bytes: the entry keeps what the SYN-ACK is made of (include/synack.h
 * builds it from the entry, in XDP and for the daemon's retransmissions),
 * not the SYN-ACK itself; retransmissions go out through the kernel's
 * routing (a raw IP socket), so no MACs or VLAN tags are kept; and the
 * retransmission schedule follows from `born` alone, so the daemon keeps
 * nothing per entry.
 */
#define SO_HALFOPEN_WAYS 4
/* 1 MiB: a SYN's walk of its set stays in a core's L2 cache (a miss costs a
 * stateful SYN a third again), and 8 times the kernel's tcp_max_syn_backlog. */
#define SO_HALFOPEN_DEFAULT 16384
#define SO_BORN_SHIFT	    10 /* `born` ticks: CLOCK_MONOTONIC ns >> 10 (1.024 us) */
enum so_halfopen_flag {
	SO_HO_LIVE = 1 << 0, /* SYN_RECV: the entry is in use */
	SO_HO_V6 = 1 << 1,
	SO_HO_TS = 1 << 2,    /* the SYN-ACK carries timestamps */
	SO_HO_ECN = 1 << 3,   /* ... and agrees to ECN */
	SO_HO_TIMED = 1 << 4, /* born is from the precise clock: an RTT sample */
};

/*
 * One SYN in 2^SO_RTT_SAMPLE_SHIFT (picked by its cookie hash) is timed on
 * the precise clock, whose read costs a SYN about a fifth of its time on a
 * KVM guest; the rest are born on the coarse clock (a jiffy). The RTT
 * histogram holds the timed handshakes only.
 */
#define SO_RTT_SAMPLE_SHIFT 4
struct so_halfopen {
	__u32 seq;  /* odd while the data plane writes the entry */
	__u32 born; /* the first SYN-ACK, in SO_BORN_SHIFT ticks (wraps in 73 min) */
	SO_TUPLE_ADDRS
	__u32 isn;   /* our ISN: the cookie */
	__u32 cisn;  /* the client's ISN */
	__u32 tsval; /* our TSval (SO_HO_TS) */
	__u32 tsecr; /* the client's TSval, echoed */
	__u16 mss;   /* the MSS we advertise, 0: no MSS option */
	__u8 copts;  /* the cookie's option bits (include/cookie.h) */
	__u8 flags;  /* enum so_halfopen_flag */
};

/*
 * An entry the data plane may reuse is past its life by this much: the
 * daemon scans every 100 ms, so it sees every expiry before the slot goes.
 */
#define SO_HALFOPEN_GRACE_NS 1000000000ULL

/*
 * so_flows: the connections shakeoff knows, a fixed array of sets of
 * SO_FLOW_WAYS entries (the tuple picks the set), like so_halfopen: a lookup
 * is a hash and one set, an insert a few stores, and neither takes a lock. A
 * new flow takes a free way, else the set's least recently seen
 * (flow_evicted: its next segment finds the kernel's socket and brings it
 * back). Written by the data plane (include/flowtable.h); the daemon reads
 * it through mmap, and frees expired entries with a compare-and-swap on
 * their first word, which any change of the data plane's makes fail.
 */
#define SO_FIN_CLIENT 1
#define SO_FIN_SERVER 2
enum so_state {
	SO_ESTABLISHED = 1,
	SO_CLOSING,   /* one side has sent FIN */
	SO_TIME_WAIT, /* both have, or a RST: kept while the kernel's TIME_WAIT socket is */
};
#define SO_FLOW_WAYS	   4
#define SO_FLOWS_DEFAULT   131072 /* 8 MiB */
#define SO_FLOW_TICK_SHIFT 20	  /* flow times: CLOCK_MONOTONIC ns >> 20 (1.05 ms), 32 bits */
struct so_flow {
	__u32 seq;  /* bumped by every placement (odd while it is written) */
	__u8 state; /* enum so_state; 0: free */
	__u8 fin;   /* SO_FIN_*: who has closed */
	__u8 v6;
	/* A segment since the daemon's last sweep: the data plane sets it, with
	 * no clock to read; the sweep moves `seen` on and clears it. In the first
	 * word, so the daemon's compare-and-swap fails on a flow just touched. */
	__u8 touched;
	SO_TUPLE_ADDRS
	__u32 since; /* entered this state, in SO_FLOW_TICK_SHIFT ticks */
	__u32 seen;  /* the last segment, to the daemon's sweep (a second) */
	__u8 pad2[12];
};

/*
 * so_flowroom: which ways of each so_flows set may hold a flow, 4 bits a set
 * (bit w: way w), SO_FLOWROOM_SETS sets a 64-bit word. A clear bit promises
 * a free way, so a new flow is written there without its set being read (a
 * random set of a large table: a cache and TLB miss). Bits are set before a
 * way is written, by the data plane and by the daemon's seeding; nothing
 * clears them but a walk of the set, which clears the bits of the free ways
 * it saw when it finds its set's bits all set. A set bit over a free way
 * (the daemon freed it, the kernel's socket went) only costs that walk. Two
 * CPUs in one set at once can leave a bit clear over a flow one of them just
 * placed, which a later flow may then take unread: an eviction, not counted,
 * as two CPUs taking the same free way always could.
 */
#define SO_FLOWROOM_SETS 16

/*
 * An ESTABLISHED or CLOSING flow silent this long is forgotten (--flow-idle).
 * Locally the kernel keeps the socket, and the flow's next segment finds it
 * and comes back; a front has no socket to ask and drops that segment, so a
 * front waits as long as RFC 5382 (REQ-5) asks of a NAT: 2 h 4 min, past
 * TCP keepalive's default 2 h. Flow times are 32-bit ticks, compared signed:
 * 26 days at most, and a day is plenty.
 */
#define SO_FLOW_IDLE_S	     300
#define SO_FRONT_FLOW_IDLE_S 7440
#define SO_FLOW_IDLE_MIN_S   2 /* idle tracking is to about a second */
#define SO_FLOW_IDLE_MAX_S   86400

/*
 * A TIME_WAIT entry stands for the kernel's TIME_WAIT socket (the others go
 * when their socket closes): it lasts 2*MSL, and never less than that
 * socket, whose life is Linux's fixed TCP_TIMEWAIT_LEN. Shorter, a client
 * reusing its port would get our SYN-ACK and a handoff the TIME_WAIT
 * socket swallows.
 */
#define SO_KERNEL_TIME_WAIT_S 60

/* so_flowmark: bits per flow-table entry (in each generation), so a SYN of
 * a new tuple meets a set bit (and pays for a so_flows lookup) at most once
 * in 8. */
#define SO_FLOWMARK_BITS_PER_FLOW 8

/* The backlog: above HIGH% of so_halfopen in use, no new entries (cookies
 * only) until it drains below LOW%. */
#define SO_BACKLOG_HIGH_PCT 90
#define SO_BACKLOG_LOW_PCT  50

/*
 * Handshake RTTs, SYN-ACK to ACK, in 1.024 us units (SO_BORN_SHIFT): a
 * per-CPU histogram kept by the data plane (so_rtt[0]) of the timed
 * handshakes (SO_HO_TIMED), four buckets per power of two (include/rtt.h),
 * up to about a second.
 */
#define SO_RTT_BUCKETS 80
struct so_rtt {
	__u64 bucket[SO_RTT_BUCKETS];
	__u64 sum_ns; /* of the RTTs counted: Prometheus' histogram _sum */
};

/* so_events records, from the data plane (handshakes) and the daemon. */
enum so_event_type {
	SO_EV_HANDSHAKE = 1, /* a handshake completed and was handed off */
	SO_EV_EXPIRED,	     /* half-open entries ran out of SYN-ACK retries */
	SO_EV_BACKLOG,	     /* the backlog switched mode */
	SO_EV_LOST,	     /* count events were lost on the way to this reader */
};
#define SO_VIA_COOKIE 0
#define SO_VIA_STATE  1
struct so_event {
	__u64 time_ns;	   /* CLOCK_MONOTONIC */
	struct so_tuple t; /* HANDSHAKE, EXPIRED (all zero: an aggregate of `count`) */
	__u32 age_us;	   /* HANDSHAKE via state: first SYN-ACK to the ACK */
	__u32 rtt_us;	   /* HANDSHAKE: SYN-ACK to ACK (to the us if timed, else to a
			    * jiffy); 0 unknown (after a retransmission) */
	__u32 count;	   /* EXPIRED, LOST: how many; BACKLOG: half-open entries in use */
	__u16 mss;
	__u8 type; /* enum so_event_type */
	__u8 via;  /* HANDSHAKE: SO_VIA_* */
	__u8 mode; /* BACKLOG: the enum so_backlog switched to */
	__u8 snd_wscale;
	__u8 features; /* enum so_feature negotiated */
	__u8 retrans;  /* SYN-ACK retransmissions before it completed */
	__u8 timed;    /* HANDSHAKE: rtt_us is to the microsecond (SO_HO_TIMED) */
	__u8 pad[7];
};

/* Wake the daemon only when the ring holds this much (it drains every
 * 100 ms anyway): a wakeup per handshake costs more than the handshake. */
#define SO_EVENTS_RING_BYTES (1 << 20)
#define SO_EVENTS_WAKE_BYTES (SO_EVENTS_RING_BYTES / 8)

/*
 * XDP -> TC metadata for a validated handshake ACK, in front of the frame
 * (bpf_xdp_adjust_meta). Everything bpf_sk_assign_tcp_reqsk needs.
 */
#define SO_META_MAGIC 0x50ff5e7dU
struct so_meta {
	__u32 magic;
	__u32 tsval;	 /* the ACK's TSval (rcv_tsval) */
	__u32 tsecr;	 /* the ACK's TSecr: our SYN-ACK TSval (rcv_tsecr) */
	__u16 mss;	 /* the client's MSS from the cookie */
	__u8 snd_wscale; /* the client's window scale, SO_WSCALE_NONE if none */
	__u8 rcv_wscale; /* the window scale we advertised */
	__u8 features;	 /* enum so_feature negotiated for this connection */
	__u8 pad;
	__u16 l4_off; /* TCP header offset from the L3 header (options, extensions) */
};

/* How shakeoff_tc is attached. */
enum so_tc_mode {
	SO_TC_TCX = 1, /* a tcx link (Linux >= 6.6) */
	SO_TC_CLSACT,  /* a filter on the clsact qdisc */
};

/* so_status[0]: what the daemon is doing, for `shakeoff status` and detach. */
#define SO_PORTS_STR_MAX 256
/*
 * so_protect (run --front): the destinations a front answers SYNs for, an
 * LPM trie of prefixes. IPv4 addresses are IPv4-mapped (::ffff:a.b.c.d),
 * so a /24 is a prefix length of 96 + 24; the value is the ports bitmap.
 */
#define SO_PROTECT_MAX 256
#define SO_TX_MAX      64 /* so_tx: the interfaces --forward-xdp may name */
struct so_protect_key {
	__u32 prefixlen;
	__u32 addr[4]; /* network order */
};
struct so_protect {
	__u8 ports[SO_PORT_BITMAP_BYTES];
};

/* What a daemon does on its interface. */
enum so_role {
	SO_ROLE_LOCAL,	 /* shakeoff run: XDP answers SYNs for local listeners */
	SO_ROLE_BACKEND, /* shakeoff backend: TC turns a front's cookies into sockets */
	SO_ROLE_FRONT,	 /* shakeoff run --front: XDP answers for servers behind us */
};

struct so_status {
	__u32 ifindex;
	__u32 pid;	    /* the daemon */
	__u64 started;	    /* unix time, seconds */
	__u8 xdp_mode;	    /* enum xdp_attach_mode */
	__u8 tc_mode;	    /* enum so_tc_mode */
	__u8 qdisc_created; /* the clsact qdisc is ours to remove */
	__u8 role;	    /* enum so_role */
	__u8 pad[4];
	char ports[SO_PORTS_STR_MAX]; /* --ports as given */
};

_Static_assert(sizeof(struct so_halfopen) == 64, "half-open entries: one cache line");
_Static_assert(sizeof(struct so_flow) == 64, "flow entries: one cache line");
_Static_assert(sizeof(struct so_meta) % 4 == 0 && sizeof(struct so_meta) <= 32,
	       "XDP metadata: a multiple of 4 bytes, at most 32");

#endif /* SHAKEOFF_H */

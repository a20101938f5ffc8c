# SPDX-License-Identifier: GPL-2.0
# The command line of shakeoff, in one place. scripts/gencli.py makes of it
# the parsers' option tables and --help texts (.output/cli.[ch]), the man
# page shakeoff(8) and the bash completion. Counters come from
# include/shakeoff.h, so they are named once too.
#
# An option: (long name, ARG or None, getopt value, help text). The value is
# what the command's parser switches on; every option is long-only (-h and
# the global -v are the only short ones).

SUMMARY = "TCP handshake offload and SYN-flood shield on XDP"

DESCRIPTION = """\
shakeoff answers TCP SYNs to protected ports from XDP, at the network
driver: each SYN gets a SYN-ACK whose sequence number is a SYN cookie, sent
straight back (XDP_TX). Only a client that completes the handshake reaches
the server: a TC program turns its ACK into a real kernel socket on the
listener, so accept() returns a normal connection and the server's TCP stack
never sees a SYN. Like the kernel, shakeoff keeps half-open connections and
retransmits their SYN-ACKs; under a flood it keeps no state and answers with
cookies only, so its memory never grows."""

COMMANDS = [
    {
        "name": "run",
        "args": "IFACE --ports LIST [options]",
        "summary": "attach to an interface and shield its ports (foreground)",
        "help": """\
Answer TCP SYNs to the ports in LIST on IFACE from XDP and hand only
completed handshakes to the local listeners. Stays in the foreground;
SIGINT or SIGTERM detaches everything, SIGHUP reloads --config.""",
        "options": [
            ("ports", "LIST", "p", "ports to shield: 80,443,8000-8100"),
            ("mode", "MODE", "m", "native (default, in the driver) or skb (generic XDP)"),
            ("tc-mode", "MODE", "T",
             "tcx (default: a link, Linux >= 6.6) or clsact (a filter on the clsact "
             "qdisc), for the handoff at TC ingress"),
            ("stateless", None, "S",
             "SYN cookies only: no half-open entries, no SYN-ACK retransmission"),
            ("max-half-open", "N", "H",
             "the backlog: half-open entries (default 16384); above 90% in use, new "
             "SYNs get cookies only until below 50%"),
            ("max-flows", "N", "F", "connections tracked (default 131072)"),
            ("synack-retries", "N", "R",
             "SYN-ACK retransmissions, 1 s doubling (default 5: a half-open entry "
             "lives 63 s, as in the kernel)"),
            ("synack-rate", "N", "r",
             "at most N SYN-ACKs per second (first answers and retransmissions) to "
             "any one source prefix; default 0: no budget"),
            ("synack-prefix", "V4,V6", "P",
             "the prefix lengths of --synack-rate (default 24,64)"),
            ("msl", "SECONDS", "M", "TIME_WAIT lasts 2*MSL (default 30)"),
            ("flow-idle", "SECONDS", "I",
             "forget a connection silent this long (default 300; with --front 7440, "
             "2 h 4 min, past TCP keepalive's 2 h: a front drops what it has forgotten, "
             "while locally the kernel's socket brings it back; 2-86400)"),
            ("mss", "N", "s", "largest MSS to advertise (default: from the MTU)"),
            ("key-file", "PATH", "k",
             "cookie master key, 32 hex digits, mode 600, shared by hosts behind one "
             "address (default: random at start); lines after it may set 'wscale N', "
             "'slot-shift N' and 'features [wscale] [sack] [ts] [ecn]' for every host "
             "sharing it"),
            ("slot-shift", "N", "K",
             "cookie keys change every 2^N ns (default 36: 68.7 s; 31-40); hosts "
             "sharing a key file must agree. Short slots are for tests: a cookie "
             "lives 1-2 slots"),
            ("replace", None, "X",
             "detach another XDP program attached alone to IFACE (without it, "
             "shakeoff refuses and names it)"),
            ("metrics-listen", "ADDR:PORT", "L",
             "serve Prometheus metrics at http://ADDR:PORT/metrics (a numeric "
             "address: 127.0.0.1:9464, [::]:9464)"),
            ("metrics-file", "PATH", "W",
             "write them to PATH every second, atomically (node_exporter's textfile "
             "collector: PATH ends in .prom)"),
            ("front", None, "f",
             "front mode: answer SYNs for servers behind this host (a router or load "
             "balancer), forward validated handshakes; --protect says for which, and "
             "--key-file (with its wscale) is shared with their shakeoff backend"),
            ("protect", "PREFIX[:PORTS]", "A",
             "with --front, a destination to shield: 10.0.1.0/24:80,443, "
             "2001:db8::/64:443, [2001:db8::1]:22, or a prefix alone with --ports; "
             "repeat it for more"),
            ("forward-xdp", "IFACES", "O",
             "with --front, forward validated traffic to these interfaces (a comma-"
             "separated list) with XDP_REDIRECT where the route and neighbour resolve, "
             "instead of through the kernel; their drivers must take XDP frames (a "
             "veth's peer needs an XDP program)"),
            ("config", "PATH", "c",
             "read options from PATH, one 'name value' (or 'name') a line, # "
             "comments; the command line wins. SIGHUP reloads it: ports and "
             "--synack-rate/--synack-prefix apply at once, state kept"),
        ],
    },
    {
        "name": "backend",
        "args": "IFACE --ports LIST --key-file PATH [options]",
        "summary": "on a server behind a front: turn the front's cookies into sockets",
        "help": """\
On a server whose SYNs a front answers with cookies of a shared key (a
router or load balancer, or another host running shakeoff run with the
same --key-file): at TC ingress, an ACK to a port in LIST that finds only a
listener must carry a valid cookie, and then becomes a connection on that
listener; the others are dropped (ack_invalid). No XDP program. Stays in
the foreground like run.""",
        "options": [
            ("ports", "LIST", "p", "the listening ports behind the front: 80,443"),
            ("key-file", "PATH", "k", "the front's cookie master key (32 hex digits, mode 600)"),
            ("slot-shift", "N", "K", "as the front's --slot-shift (default 36)"),
            ("tc-mode", "MODE", "T", "tcx (default) or clsact"),
            ("metrics-listen", "ADDR:PORT", "L", "serve Prometheus metrics, as run does"),
            ("metrics-file", "PATH", "W", "write them to PATH every second, as run does"),
        ],
    },
    {
        "name": "status",
        "args": "[IFACE] [--json]",
        "summary": "what is attached where",
        "help": """\
Where shakeoff is attached, in which mode, since when, for which ports,
and what its maps hold and cost. All interfaces without IFACE.""",
        "options": [
            ("json", None, "j", "one JSON object (an array without IFACE)"),
        ],
    },
    {
        "name": "stats",
        "args": "IFACE [--json|--prometheus] [--watch SECONDS]",
        "summary": "counters of an interface",
        "help": """\
Counters of the shakeoff on IFACE (any process can read them).""",
        "options": [
            ("json", None, "j", "one JSON object (per interval with --watch)"),
            ("prometheus", None, "P", "Prometheus' text exposition format"),
            ("watch", "SECONDS", "w",
             "print again every SECONDS, with rates, until interrupted"),
        ],
    },
    {
        "name": "top",
        "args": "IFACE [--interval SECONDS]",
        "summary": "a live view: rates, gauges, RTT (80x24)",
        "help": """\
One screen refreshed in place: rates per second of SYNs, SYN-ACKs,
handshakes and drops, the half-open and flow gauges, the backlog's mode and
the handshake RTT percentiles. q or Ctrl-C quits.""",
        "options": [
            ("interval", "SECONDS", "i", "refresh every SECONDS (default 1)"),
        ],
    },
    {
        "name": "events",
        "args": "IFACE [--json]",
        "summary": "stream handshakes, expiries and backlog switches",
        "help": """\
Stream the daemon's events until interrupted: completed handshakes (with
RTT and options), expired half-open entries, backlog mode switches.""",
        "options": [
            ("json", None, "j", "one JSON object a line"),
        ],
    },
    {
        "name": "detach",
        "args": "IFACE",
        "summary": "stop the daemon, or remove what a crashed one left behind",
        "help": """\
Stop the shakeoff daemon on IFACE, or remove what one that died left
behind: the XDP program, the TC link or filter, the close hook, the pinned
maps.""",
        "options": [],
    },
]

# Values an option takes, for the completion.
CHOICES = {"mode": ["native", "skb"], "tc-mode": ["tcx", "clsact"]}

GAUGES = [
    ("half_open", "live half-open entries (at the daemon's last scan)"),
    ("flows", "connections tracked"),
    ("backlog", "state, cookies (above the high-water mark) or stateless"),
    ("rtt_p50_us, rtt_p90_us, rtt_p99_us",
     "handshake RTT percentiles (SYN-ACK to ACK, bucket tops) over rtt_samples handshakes"),
]

FILES = [
    ("/sys/fs/bpf/shakeoff/IFACE/",
     "the maps, pinned with BTF for bpftool (IFACE@NETNS-INODE outside the initial "
     "network namespace)"),
    ("/etc/shakeoff/IFACE.conf", "options of the shakeoff@IFACE.service unit (--config)"),
    ("shakeoff@.service", "the systemd unit: one instance per interface"),
]

EXIT_STATUS = [
    ("0", "success"),
    ("1", "a runtime failure: the kernel refused, shakeoff is not attached, ..."),
    ("2", "a usage error: an unknown option, a bad value"),
]

EXAMPLES = [
    ("Shield a web server's ports in the foreground:",
     "shakeoff run eth0 --ports 80,443"),
    ("Counters, and rates every second:",
     "shakeoff stats eth0\nshakeoff stats eth0 --watch 1"),
    ("Handshakes as JSON lines:", "shakeoff events eth0 --json"),
    ("Two servers behind one address, sharing the cookie key:",
     "head -c16 /dev/urandom | od -An -tx1 | tr -d ' \\\\n' > /etc/shakeoff/key\n"
     "chmod 600 /etc/shakeoff/key\n"
     "shakeoff run eth0 --ports 443 --key-file /etc/shakeoff/key"),
    ("As a service, scraped by Prometheus:",
     "echo 'ports 80,443' > /etc/shakeoff/eth0.conf\n"
     "echo 'metrics-listen 127.0.0.1:9464' >> /etc/shakeoff/eth0.conf\n"
     "systemctl enable --now shakeoff@eth0"),
    ("In a network namespace:",
     "ip netns exec web shakeoff run veth0 --ports 80 &\n"
     "ip netns exec web shakeoff stats veth0"),
    ("Clean up after a crash:", "shakeoff detach eth0"),
]

SEE_ALSO = "bpftool(8), xdp-loader(8), ip-netns(8), systemd.service(5), tcp(7)"

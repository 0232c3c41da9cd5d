#!/usr/bin/env python3
"""Checks a kernel MPTCP capture against its scenario and describes it for manifest.json.

  check_capture.py check SCENARIO FILE.pcap --entry OUT.json [--prefix ADDR=PREFIX ...]
                  [--name NAME] [--server-side] [--pair OTHER] [--same-traffic-as OTHER.pcap]
      Reads FILE with tshark, verifies the scenario's expectations (prints every failure, exit 1)
      and writes the capture's manifest entry (computed from the capture) to OUT.json. NAME: file
      name without .pcap (default SCENARIO); --server-side: captured in the server namespace;
      --pair: the other vantage point's file name; --same-traffic-as: check that both files hold
      exactly the same packets.
  check_capture.py manifest MANIFEST.json ENTRY.json... [--order "S1 S2 ..."]
      Merges the entries into MANIFEST.json (entries of other scenarios already there are kept).

Needs tshark (4.x). Everything in an entry except "description", "requiredSubtypes" and the
prefixes comes from tshark's dissection of the capture.
"""
import argparse
import datetime
import json
import os
import platform
import struct
import subprocess
import sys
from collections import Counter, OrderedDict, defaultdict

SUBTYPES = ["MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR", "REMOVE_ADDR", "MP_PRIO", "MP_FAIL",
            "MP_FASTCLOSE", "MP_TCPRST"]
SUB = {name: i for i, name in enumerate(SUBTYPES)}
SIGNAL_PORT = 10100
SERVICE4, SERVICE6 = "192.0.2.1", "2001:db8::1"

# Scenario -> (description, required subtypes, expected MPTCP connections (tshark mptcp.stream)).
SCENARIOS = OrderedDict([
    ("join-3paths", ("Client opens MPTCP on path 1 and joins from paths 2 and 3 (subflow endpoints); "
                     "echoed data spread over the paths (1 and 2 shaped); clean close with DATA_FIN.",
                     ["MP_CAPABLE", "MP_JOIN", "DSS"], 1)),
    ("addaddr-server-v4", ("Server announces 192.0.2.2 (signal endpoint); client echoes it and joins "
                           "it over path 2.", ["MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR"], 1)),
    ("addaddr-server-port", ("Server announces 192.0.2.2 port %d (signal endpoint with port); the "
                             "client joins that address and port over path 2." % SIGNAL_PORT,
                             ["MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR"], 1)),
    ("addaddr-client-v4", ("Client announces 203.0.113.2 (signal endpoint on the client); the server "
                           "echoes it and its PM tries a join to 203.0.113.2 from 192.0.2.66, which "
                           "the client (no listener there) refuses with a plain RST.",
                           ["MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR"], 1)),
    ("addaddr-v6", ("IPv6 only: connection to 2001:db8::1, server announces 2001:db8::2, client "
                    "joins it over path 2.", ["MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR"], 1)),
    ("remove-addr", ("Client joins from path 2 (data on both paths), then deletes that endpoint: "
                     "REMOVE_ADDR, the subflow closes, the transfer continues on path 1.",
                     ["MP_CAPABLE", "MP_JOIN", "DSS", "REMOVE_ADDR"], 1)),
    ("mp-prio", ("Client joins from path 2, then marks that endpoint backup on the live "
                 "connection: MP_PRIO with B=1.", ["MP_CAPABLE", "MP_JOIN", "DSS", "MP_PRIO"], 1)),
    ("fastclose", ("Client joins from path 2, then closes abortively (SO_LINGER 0): RST with "
                   "MP_FASTCLOSE + MP_TCPRST on both subflows.",
                   ["MP_CAPABLE", "MP_JOIN", "DSS", "MP_FASTCLOSE", "MP_TCPRST"], 1)),
    ("checksum", ("net.mptcp.checksum_enabled=1 on both ends: MP_CAPABLE with A=1, DSS with "
                  "checksums, a join from path 2.", ["MP_CAPABLE", "MP_JOIN", "DSS"], 1)),
    ("strip-joins", ("A router strips option 30 on path 2 only: the join's SYN/ACK arrives without "
                     "MP_JOIN, the client resets it (MP_TCPRST), the connection carries on over path 1.",
                     ["MP_CAPABLE", "MP_JOIN", "DSS", "MP_TCPRST"], 1)),
    ("strip-all", ("A router strips option 30 from every segment: only the client's SYN carries "
                   "MP_CAPABLE, the connection falls back to plain TCP, the data still arrives.",
                   ["MP_CAPABLE"], 0)),
    ("many-connections", ("20 sequential short MPTCP connections, each joined from path 2, echoed "
                          "data, clean close.", ["MP_CAPABLE", "MP_JOIN", "DSS"], 20)),
    ("mobility", ("One connection of a mobile client, data flowing throughout: starts on path 1; "
                  "path 2 appears (join); path 1 goes away (REMOVE_ADDR id 0, subflow closed, link "
                  "down); path 3 appears (join); path 2 goes away (REMOVE_ADDR, link down); ends on "
                  "path 3 with DATA_FIN.", ["MP_CAPABLE", "MP_JOIN", "DSS", "REMOVE_ADDR"], 1)),
    ("ipv6-3paths", ("IPv6 only: joins from paths 2 and 3 to 2001:db8::1; the server announces "
                     "2001:db8::2 and the client joins it over path 1; then the server withdraws "
                     "2001:db8::2 and the client path 3 (REMOVE_ADDR both ways); clean close.",
                     ["MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR", "REMOVE_ADDR"], 1)),
    ("strip-mixed", ("6 connections, alternately to server ports 10000 and 10001, each with a join "
                     "from path 2; the router strips option 30 on path 2 for ports 10001-10009 only: "
                     "3 joins succeed, 3 fail (client MP_TCPRST), all connections stay MPTCP.",
                     ["MP_CAPABLE", "MP_JOIN", "DSS", "MP_TCPRST"], 6)),
    ("two-vantage", ("The same traffic recorded at two points at once: in the client namespace "
                     "(two-vantage-client.pcap) and in the server namespace (two-vantage-server.pcap). "
                     "One connection, a join from path 2, and the server's ADD_ADDR 192.0.2.2 joined "
                     "over path 3.", ["MP_CAPABLE", "MP_JOIN", "DSS", "ADD_ADDR"], 1)),
    ("many-connections-large", ("200 short sequential MPTCP connections in batches: 70 joined from "
                                "path 2, 70 from path 3, 40 without a join, and 20 over IPv6 (10 "
                                "joined from path 2). Tiny payloads. Made in CI only, not committed.",
                                ["MP_CAPABLE", "MP_JOIN", "DSS"], 200)),
])
# Scenarios whose capture is not committed to tests/fixtures/kernel (too large); CI makes them.
CI_ONLY = {"many-connections-large"}
# many-connections-large: (IP version, interface of the join or None, connections) per batch,
# run twice; make-captures.sh runs the same batches.
LARGE_BATCH_TOTALS = {"joinIf3V4": 70, "joinIf4V4": 70, "noJoinV4": 40, "joinIf3V6": 10, "noJoinV6": 10}

FIELDS = ["frame.number", "sll.ifindex", "sll.pkttype", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.len", "tcp.option_kind",
          "tcp.options.mptcp.subtype", "mptcp.stream", "tcp.options.mptcp.backup.flag",
          "tcp.options.mptcp.checksumreq.flags", "tcp.options.mptcp.checksum",
          "tcp.options.mptcp.ipv4", "tcp.options.mptcp.ipv6", "tcp.options.mptcp.port",
          "tcp.options.mptcp.echo", "tcp.options.mptcp.datafin.flag", "tcp.checksum.status",
          "tcp.options.mptcp.addrid", "frame.protocols", "frame.len", "frame.cap_len", "tcp.options",
          "tcp.checksum", "tcp.checksum_calculated", "frame.time_relative", "tcp.seq_raw", "tcp.ack_raw"]

SYN, ACK, RST, FIN = 0x02, 0x10, 0x04, 0x01
OUTGOING = 4  # sll.pkttype of packets the client sent


def mptcp_options(hexstr):
    """Raw MPTCP options (kind 30) of a segment, from tshark's tcp.options bytes."""
    try:
        b = bytes.fromhex(hexstr.replace(":", ""))
    except ValueError:
        return []
    out, i = [], 0
    while i < len(b):
        kind = b[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(b) or b[i + 1] < 2:
            break
        ln = b[i + 1]
        if kind == 30:
            out.append(b[i:i + ln])
        i += ln
    return out


def dss_has_checksum(opt):
    """True when a DSS option (raw bytes) carries a mapping with a checksum (RFC 8684 3.3)."""
    if len(opt) < 4 or opt[2] >> 4 != 2:
        return False
    flags = opt[3]
    if not flags & 0x04:  # M: no mapping, no checksum
        return False
    n = 4
    if flags & 0x01:
        n += 8 if flags & 0x02 else 4
    n += (8 if flags & 0x08 else 4) + 4 + 2
    return len(opt) == n + 2


class Pkt:
    def __init__(self, row, server_side=False):
        v = dict(zip(FIELDS, row))

        def lst(name):
            return [x for x in v[name].split("|") if x != ""] if v[name] else []

        def num(x, default=None):
            return int(x, 0) if x else default

        self.no = int(v["frame.number"])
        self.ifindex = num(v["sll.ifindex"])
        # out: sent by the client. In a capture taken in the server namespace, "outgoing" means
        # sent by the server.
        self.out = (num(v["sll.pkttype"]) == OUTGOING) != server_side
        self.time = float(v["frame.time_relative"] or 0)
        self.addrid = [int(x, 0) for x in lst("tcp.options.mptcp.addrid")]
        self.key = (v["ip.src"], v["ip.dst"], v["ipv6.src"], v["ipv6.dst"], v["tcp.srcport"],
                    v["tcp.dstport"], v["tcp.seq_raw"], v["tcp.ack_raw"], v["tcp.flags"], v["tcp.len"],
                    v["tcp.options"])
        self.v6 = bool(v["ipv6.src"])
        self.src = v["ipv6.src"] or v["ip.src"]
        self.dst = v["ipv6.dst"] or v["ip.dst"]
        self.stream = num(v["tcp.stream"])
        self.sport, self.dport = num(v["tcp.srcport"]), num(v["tcp.dstport"])
        self.flags = num(v["tcp.flags"], 0)
        self.len = num(v["tcp.len"], 0)
        self.kinds = [int(x) for x in lst("tcp.option_kind")]
        self.subtypes = [int(x) for x in lst("tcp.options.mptcp.subtype")]
        ms = lst("mptcp.stream")
        self.mstream = int(ms[0]) if ms else None
        self.backup = [int(x, 0) for x in lst("tcp.options.mptcp.backup.flag")]
        self.csumreq = [int(x, 0) for x in lst("tcp.options.mptcp.checksumreq.flags")]
        self.dss_csum = lst("tcp.options.mptcp.checksum")
        self.aa4 = lst("tcp.options.mptcp.ipv4")
        self.aa6 = lst("tcp.options.mptcp.ipv6")
        self.aaport = [int(x) for x in lst("tcp.options.mptcp.port")]
        self.echo = [int(x, 0) for x in lst("tcp.options.mptcp.echo")]
        self.datafin = [int(x, 0) for x in lst("tcp.options.mptcp.datafin.flag")]
        # tshark 4.0 calls a checksum field of 0xffff "Bad" when it computes 0x0000, but both are
        # one's-complement zero (RFC 1624) and the kernel does send 0xffff now and then.
        self.csum_ok = v["tcp.checksum.status"] == "1" or (
            num(v["tcp.checksum"]) == 0xFFFF and num(v["tcp.checksum_calculated"]) == 0)
        self.protocols = v["frame.protocols"]
        self.truncated = v["frame.len"] != v["frame.cap_len"]
        self.mptcp_opts = mptcp_options(v["tcp.options"])
        self.client = self.src if self.out else self.dst
        self.server = self.dst if self.out else self.src

    def has(self, name):
        return SUB[name] in self.subtypes

    def syn_only(self):
        return self.flags & (SYN | ACK) == SYN

    def synack(self):
        return self.flags & (SYN | ACK) == SYN | ACK


def read_packets(path, server_side=False):
    cmd = ["tshark", "-n", "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "mptcp.analyze_mptcp:TRUE",
           "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|", "-E", "quote=n"]
    for f in FIELDS:
        cmd += ["-e", f]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("check_capture: tshark failed on %s: %s" % (path, res.stderr.strip()))
    return [Pkt(line.split("\t"), server_side) for line in res.stdout.splitlines() if line.strip()]


def link_type(path):
    """Link type of a pcap file (global header), e.g. 276 = LINUX_SLL2."""
    with open(path, "rb") as f:
        hdr = f.read(24)
    if len(hdr) < 24:
        return None
    order = "<" if hdr[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    return struct.unpack(order + "I", hdr[20:24])[0] & 0x0FFFFFFF


class Analysis:
    def __init__(self, pkts):
        self.pkts = pkts
        self.by_stream = defaultdict(list)
        for p in pkts:
            if p.stream is not None:
                self.by_stream[p.stream].append(p)
        # Classify each TCP stream (subflow) by its first SYN.
        self.kind = {}
        for s, ps in self.by_stream.items():
            syn = next((p for p in ps if p.syn_only()), None)
            if syn is None:
                self.kind[s] = "nosyn"
            elif syn.has("MP_CAPABLE"):
                self.kind[s] = "capable"
            elif syn.has("MP_JOIN"):
                self.kind[s] = "join"
            else:
                self.kind[s] = "plain"
        self.joins = [s for s, k in self.kind.items() if k == "join"]
        self.joins_ok = [s for s in self.joins
                         if any(p.synack() and p.has("MP_JOIN") for p in self.by_stream[s])]
        self.joins_failed = [s for s in self.joins if s not in self.joins_ok]
        self.capable = [s for s, k in self.kind.items() if k == "capable"]
        self.fallback = [s for s in self.capable
                         if any(p.synack() for p in self.by_stream[s])
                         and not any(p.synack() and p.has("MP_CAPABLE") for p in self.by_stream[s])]
        self.mconns = defaultdict(set)
        for p in pkts:
            if p.mstream is not None and p.stream is not None:
                self.mconns[p.mstream].add(p.stream)
        # Paths: interface index -> client addresses seen there.
        self.if_addrs = defaultdict(set)
        for p in pkts:
            self.if_addrs[p.ifindex].add(p.client)
        self.observed = sorted({t for p in pkts for t in p.subtypes})

    def subtype_packets(self):
        out = OrderedDict()
        for i, name in enumerate(SUBTYPES):
            n = sum(1 for p in self.pkts if i in p.subtypes)
            if n:
                out[name] = n
        return out


def check(scenario, a, errors, server_side=False, other=None):
    """Appends to ERRORS what the capture A (an Analysis) lacks for SCENARIO. SERVER_SIDE: A was
    taken in the server namespace; OTHER: the Analysis of the client-side capture of the same
    traffic (two-vantage)."""
    def need(cond, msg):
        if not cond:
            errors.append(msg)

    desc, required, nconn = SCENARIOS[scenario]
    pkts = a.pkts
    need(len(pkts) > 0, "capture is empty")
    need(all("tcp" in p.protocols.split(":") for p in pkts), "non-TCP packets in the capture")
    need(not any(p.truncated for p in pkts), "truncated packets (snap length)")
    bad = [p.no for p in pkts if not p.csum_ok]
    need(not bad, "TCP checksum not good in frames %s" % bad[:10])
    for name in required:
        need(SUB[name] in a.observed, "required subtype %s absent" % name)
    # One client address per interface index and one interface per client address (in the client
    # namespace: this confirms the policy routing; the server sees every path on one interface).
    for ifx, addrs in ({} if server_side else a.if_addrs).items():
        for fam in (4, 6):
            same = [x for x in addrs if (":" in x) == (fam == 6)]
            need(len(same) <= 1, "interface %s carries several client addresses %s" % (ifx, sorted(same)))
    seen = defaultdict(set)
    for ifx, addrs in ({} if server_side else a.if_addrs).items():
        for ad in addrs:
            seen[ad].add(ifx)
    for ad, ifs in seen.items():
        need(len(ifs) == 1, "client address %s seen on several interfaces %s" % (ad, sorted(ifs)))
    if nconn is not None:
        need(len(a.mconns) == nconn, "%d MPTCP connections (mptcp.stream), expected %d"
             % (len(a.mconns), nconn))
    need(any(p.len > 0 and p.out for p in pkts) and any(p.len > 0 and not p.out for p in pkts),
         "no payload in both directions")
    ifs = set(a.if_addrs)
    clean = scenario not in ("fastclose",)
    if clean and scenario != "strip-all":
        need(any(1 in p.datafin and p.out for p in pkts) and any(1 in p.datafin and not p.out for p in pkts),
             "no DATA_FIN in both directions")

    def established_join_to(addr, port, ifindex):
        for s in a.joins_ok:
            p0 = a.by_stream[s][0]
            if p0.server == addr and (port is None or p0.dport == port) and p0.ifindex == ifindex:
                return True
        return False

    if scenario == "join-3paths":
        need(ifs == {2, 3, 4}, "interfaces %s, expected {2,3,4}" % ifs)
        need(sorted(len(v) for v in a.mconns.values()) == [3], "subflows per connection %s, expected [3]"
             % [len(v) for v in a.mconns.values()])
        need(len(a.joins_ok) == 2 and not a.joins_failed, "joins ok %d failed %d, expected 2/0"
             % (len(a.joins_ok), len(a.joins_failed)))
        data_ifs = {p.ifindex for p in pkts if p.len > 0}
        need(len(data_ifs) >= 2, "payload on interfaces %s only, expected at least 2" % sorted(data_ifs))
    elif scenario in ("addaddr-server-v4", "addaddr-server-port", "addaddr-v6"):
        v6 = scenario == "addaddr-v6"
        addr = "2001:db8::2" if v6 else "192.0.2.2"
        port = SIGNAL_PORT if scenario == "addaddr-server-port" else None
        ann = [p for p in pkts if not p.out and p.has("ADD_ADDR") and 0 in p.echo
               and addr in (p.aa6 if v6 else p.aa4)]
        need(ann, "no ADD_ADDR announcing %s from the server" % addr)
        if port is not None:
            need(any(port in p.aaport for p in ann), "ADD_ADDR without port %d" % port)
        else:
            need(not any(p.aaport for p in ann), "unexpected port in ADD_ADDR")
        need(any(p.out and p.has("ADD_ADDR") and 1 in p.echo for p in pkts), "client sent no ADD_ADDR echo")
        need(established_join_to(addr, port or 10000, 3), "no established join to %s port %s on interface 3"
             % (addr, port or 10000))
        need(len(a.joins_ok) == 1, "%d established joins, expected 1" % len(a.joins_ok))
        if v6:
            need(all(p.v6 for p in pkts), "IPv4 packets in the IPv6 scenario")
    elif scenario == "addaddr-client-v4":
        need(any(p.out and p.has("ADD_ADDR") and 0 in p.echo and "203.0.113.2" in p.aa4 for p in pkts),
             "client sent no ADD_ADDR for 203.0.113.2")
        need(any(not p.out and p.has("ADD_ADDR") and 1 in p.echo for p in pkts), "server sent no echo")
        # The server's PM answers the announcement with a join towards it; the client has no
        # listener on that address and port, so TCP refuses it.
        need(len(a.joins) == 1 and len(a.joins_failed) == 1, "expected one failed join, got %d/%d"
             % (len(a.joins), len(a.joins_failed)))
        for s in a.joins:
            js = a.by_stream[s]
            need(not js[0].out and js[0].dst == "203.0.113.2" and js[0].ifindex == 3,
                 "the join is not the server's towards 203.0.113.2 on interface 3")
            need(any(p.out and p.flags & RST for p in js), "the client did not refuse the join")
    elif scenario == "remove-addr":
        rm = [p for p in pkts if p.has("REMOVE_ADDR")]
        need(rm and rm[0].out, "the first REMOVE_ADDR is not the client's")
        need(len(a.joins_ok) == 1, "%d established joins, expected 1" % len(a.joins_ok))
        if rm:
            need(any(p.ifindex == 3 and p.len > 0 for p in pkts if p.no < rm[0].no),
                 "no data on interface 3 before REMOVE_ADDR")
            after = [p for p in pkts if p.no > rm[-1].no and p.len > 0]
            need(after, "no data after REMOVE_ADDR")
            need(all(p.ifindex == 2 for p in after), "data after REMOVE_ADDR not only on interface 2")
            join_s = a.joins_ok[0] if a.joins_ok else None
            if join_s is not None:
                need(any(p.flags & (FIN | RST) for p in a.by_stream[join_s] if p.no >= rm[0].no),
                     "the joined subflow was not closed after REMOVE_ADDR")
    elif scenario == "mp-prio":
        prio = [p for p in pkts if p.has("MP_PRIO")]
        need(any(p.out and 1 in p.backup and not p.has("MP_JOIN") for p in prio), "no MP_PRIO with B=1 from the client")
    elif scenario == "fastclose":
        rst = [p for p in pkts if p.out and p.flags & RST and p.has("MP_FASTCLOSE") and p.has("MP_TCPRST")]
        need({p.ifindex for p in rst} == {2, 3}, "RST+MP_FASTCLOSE+MP_TCPRST on interfaces %s, expected {2,3}"
             % sorted({p.ifindex for p in rst}))
        need(len({p.stream for p in rst}) == 2, "fastclose RSTs on %d subflows, expected 2" % len({p.stream for p in rst}))
    elif scenario == "checksum":
        syn = [p for p in pkts if p.out and p.syn_only() and p.has("MP_CAPABLE")]
        need(syn and 1 in syn[0].csumreq, "client's MP_CAPABLE SYN without A (checksum required) flag")
        synack = [p for p in pkts if p.synack() and p.has("MP_CAPABLE")]
        need(synack and 1 in synack[0].csumreq, "server's MP_CAPABLE SYN/ACK without A flag")
        # tshark 4.0 shows the checksum of some DSS options only, so read the raw option bytes.
        maps = [o for p in pkts for o in p.mptcp_opts if len(o) > 3 and o[2] >> 4 == 2 and o[3] & 0x04]
        need(maps and all(dss_has_checksum(o) for o in maps), "DSS mappings without checksum")
        need(len(a.joins_ok) == 1, "%d established joins, expected 1" % len(a.joins_ok))
    elif scenario == "strip-joins":
        need(len(a.joins_failed) == 1 and not a.joins_ok, "joins ok %d failed %d, expected 0/1"
             % (len(a.joins_ok), len(a.joins_failed)))
        if a.joins_failed:
            js = a.by_stream[a.joins_failed[0]]
            need(js[0].ifindex == 3, "failed join not on interface 3")
            need(any(p.out and p.flags & RST for p in js), "client did not reset the failed join")
            after = [p for p in pkts if p.no > js[-1].no and p.len > 0]
            need(after and all(p.ifindex == 2 for p in after), "no data on interface 2 after the failed join")
        need(not a.fallback, "connection fell back")
    elif scenario == "strip-all":
        need(len(a.fallback) == 1, "%d fallen-back connections, expected 1" % len(a.fallback))
        opt30 = [p for p in pkts if 30 in p.kinds]
        need(opt30 and all(p.out and p.syn_only() for p in opt30),
             "option 30 in frames other than the client's SYN: %s" % [p.no for p in opt30 if not p.syn_only()][:10])
        need(not a.joins, "join attempted after fallback")
    elif scenario == "many-connections":
        sizes = sorted(len(v) for v in a.mconns.values())
        need(sizes == [2] * 20, "subflows per connection %s, expected 20 x 2" % sizes)
        need(len(a.joins_ok) == 20 and not a.joins_failed, "joins ok %d failed %d, expected 20/0"
             % (len(a.joins_ok), len(a.joins_failed)))
        need(ifs == {2, 3}, "interfaces %s, expected {2,3}" % ifs)
    elif scenario == "mobility":
        a1, a2, a3 = "198.51.100.2", "203.0.113.2", "192.0.2.130"
        need(ifs == {2, 3, 4}, "interfaces %s, expected {2,3,4}" % ifs)
        need(len(a.joins_ok) == 2 and not a.joins_failed, "joins ok %d failed %d, expected 2/0"
             % (len(a.joins_ok), len(a.joins_failed)))
        first, last = {}, {}
        for p in pkts:
            first.setdefault(p.client, p.no)
            last[p.client] = p.no
        if {a1, a2, a3} <= set(first):
            need(first[a1] < first[a2] < last[a1] < first[a3] < last[a2] < last[a3],
                 "client addresses not seen in the order 1, 1+2, 2, 2+3, 3: first %s last %s"
                 % (first, last))
        else:
            need(False, "client addresses seen: %s" % sorted(first))
        rm = [p for p in pkts if p.has("REMOVE_ADDR")]
        need(rm and all(p.out for p in rm), "REMOVE_ADDR missing or not only from the client")
        need({0, 2} <= {i for p in rm for i in p.addrid}, "REMOVE_ADDR ids %s, expected 0 and 2"
             % sorted({i for p in rm for i in p.addrid}))
        data = [p for p in pkts if p.len > 0]
        need({p.ifindex for p in data} == {2, 3, 4}, "payload on interfaces %s, expected {2,3,4}"
             % sorted({p.ifindex for p in data}))
        # Data keeps flowing once each path is gone: after path 1's last packet, on 2 and 3 only;
        # after path 2's last packet, on 3 only.
        # While two paths are up (paths 1+2, then 2+3), both carry payload.
        if {a1, a2, a3} <= set(first):
            for lo, hi, want in ((first[a2], last[a1], {2, 3}), (first[a3], last[a2], {3, 4})):
                got = {p.ifindex for p in data if lo <= p.no <= hi}
                need(got == want, "payload on interfaces %s while paths %s were up" % (sorted(got), sorted(want)))
        for gone, rest in ((a1, {3, 4}), (a2, {4})):
            if gone in last:
                after = [p for p in data if p.no > last[gone]]
                need(after and {p.ifindex for p in after} <= rest, "payload after %s left: interfaces %s"
                     % (gone, sorted({p.ifindex for p in after})))
        for ifx in (2, 3):
            streams = {p.stream for p in pkts if p.ifindex == ifx}
            need(streams and all(any(p.flags & (FIN | RST) for p in a.by_stream[st]) for st in streams),
                 "a subflow on interface %d was not closed" % ifx)
    elif scenario == "ipv6-3paths":
        need(all(p.v6 for p in pkts), "IPv4 packets in the IPv6 scenario")
        need(ifs == {2, 3, 4}, "interfaces %s, expected {2,3,4}" % ifs)
        need(len(a.joins_ok) == 3 and not a.joins_failed, "joins ok %d failed %d, expected 3/0"
             % (len(a.joins_ok), len(a.joins_failed)))
        need(any(not p.out and p.has("ADD_ADDR") and 0 in p.echo and "2001:db8::2" in p.aa6 for p in pkts),
             "no ADD_ADDR announcing 2001:db8::2 from the server")
        need(any(p.out and p.has("ADD_ADDR") and 1 in p.echo for p in pkts), "client sent no ADD_ADDR echo")
        need(established_join_to("2001:db8::2", 10000, 2), "no established join to 2001:db8::2 on interface 2")
        for ifx in (3, 4):
            need(any(a.by_stream[st][0].ifindex == ifx and a.by_stream[st][0].server == SERVICE6
                     for st in a.joins_ok), "no established join to %s on interface %d" % (SERVICE6, ifx))
        data_ifs = {p.ifindex for p in pkts if p.len > 0}
        need(len(data_ifs) >= 2, "payload on interfaces %s only, expected at least 2" % sorted(data_ifs))
        rm_s = [p for p in pkts if not p.out and p.has("REMOVE_ADDR")]
        rm_c = [p for p in pkts if p.out and p.has("REMOVE_ADDR")]
        need(rm_s, "no REMOVE_ADDR from the server")
        need(rm_c, "no REMOVE_ADDR from the client")
        if rm_s and rm_c:
            to2 = [st for st in a.joins_ok if a.by_stream[st][0].server == "2001:db8::2"]
            need(to2 and all(any(p.flags & (FIN | RST) for p in a.by_stream[st] if p.no > rm_s[0].no)
                             for st in to2), "the subflow to 2001:db8::2 was not closed after REMOVE_ADDR")
            on4 = {p.stream for p in pkts if p.ifindex == 4}
            need(all(any(p.flags & (FIN | RST) for p in a.by_stream[st] if p.no > rm_c[0].no) for st in on4),
                 "the subflow on interface 4 was not closed after the client's REMOVE_ADDR")
            after = [p for p in pkts if p.no > max(rm_s[-1].no, rm_c[-1].no) and p.len > 0]
            need(after, "no data after both REMOVE_ADDRs")
            need(all(p.ifindex in (2, 3) and p.server == SERVICE6 for p in after),
                 "data after REMOVE_ADDR on a withdrawn path or address")
    elif scenario == "strip-mixed":
        ok_ports = sorted(a.by_stream[st][0].dport for st in a.joins_ok)
        bad_ports = sorted(a.by_stream[st][0].dport for st in a.joins_failed)
        need(ok_ports == [10000] * 3, "established joins to ports %s, expected 3 x 10000" % ok_ports)
        need(bad_ports == [10001] * 3, "failed joins to ports %s, expected 3 x 10001" % bad_ports)
        need(all(a.by_stream[st][0].ifindex == 3 for st in a.joins), "a join not on interface 3")
        for st in a.joins_failed:
            need(any(p.out and p.flags & RST and p.has("MP_TCPRST") for p in a.by_stream[st]),
                 "failed join (stream %d) not reset by the client with MP_TCPRST" % st)
        need(not a.fallback, "a connection fell back")
        caps = sorted(a.by_stream[st][0].dport for st in a.capable)
        need(caps == [10000, 10000, 10000, 10001, 10001, 10001], "MP_CAPABLE connections to ports %s" % caps)
    elif scenario == "two-vantage":
        need(len(a.joins_ok) == 2 and not a.joins_failed, "joins ok %d failed %d, expected 2/0"
             % (len(a.joins_ok), len(a.joins_failed)))
        need(any(not p.out and p.has("ADD_ADDR") and 0 in p.echo and "192.0.2.2" in p.aa4 for p in pkts),
             "no ADD_ADDR announcing 192.0.2.2 from the server")
        need({a.by_stream[st][0].server for st in a.joins_ok} == {SERVICE4, "192.0.2.2"},
             "joins to %s, expected 192.0.2.1 and 192.0.2.2" % sorted({a.by_stream[st][0].server for st in a.joins_ok}))
        need({p.client for p in pkts} == {"198.51.100.2", "203.0.113.2", "192.0.2.130"},
             "client addresses %s" % sorted({p.client for p in pkts}))
        if not server_side:
            need(ifs == {2, 3, 4}, "interfaces %s, expected {2,3,4}" % ifs)
            data_ifs = {p.ifindex for p in pkts if p.len > 0}
            need(len(data_ifs) >= 2, "payload on interfaces %s only, expected at least 2" % sorted(data_ifs))
        else:
            need(ifs == {10}, "server-side capture on interfaces %s, expected {10} (s0)" % sorted(ifs))
        if other is not None:
            mine, theirs = Counter(p.key for p in pkts), Counter(p.key for p in other.pkts)
            need(mine == theirs, "not the same packets as the client-side capture: %d only here, %d only there"
                 % (sum((mine - theirs).values()), sum((theirs - mine).values())))
            need(all(p.out == q.out for p, q in zip(sorted(pkts, key=lambda x: x.key),
                                                       sorted(other.pkts, key=lambda x: x.key))),
                 "directions differ between the two vantage points")
    elif scenario == "many-connections-large":
        need(not a.joins_failed, "%d failed joins" % len(a.joins_failed))
        need(not a.fallback, "%d connections fell back" % len(a.fallback))
        joined = defaultdict(set)  # mptcp.stream -> interfaces of its joins
        for st in a.joins_ok:
            ms = {p.mstream for p in a.by_stream[st] if p.mstream is not None}
            for m in ms:
                joined[m].add(a.by_stream[st][0].ifindex)
        tally = Counter()
        for m, streams in a.mconns.items():
            v = "v6" if any(a.by_stream[st][0].v6 for st in streams) else "v4"
            j = joined.get(m, set())
            need(len(j) <= 1, "connection %d joined on several interfaces %s" % (m, sorted(j)))
            tally[("joinIf%d" % min(j) if j else "noJoin") + v.upper()] += 1
        need(dict(tally) == LARGE_BATCH_TOTALS, "connections by kind %s, expected %s"
             % (dict(tally), LARGE_BATCH_TOTALS))


def timeline(a):
    """Client addresses in the order they were first seen, with first/last time (s) and interface."""
    seen = OrderedDict()
    for p in a.pkts:
        d = seen.setdefault(p.client, OrderedDict([("clientAddress", p.client), ("ifindex", p.ifindex),
                                                   ("firstSeen", p.time), ("lastSeen", p.time)]))
        d["lastSeen"] = p.time
    for d in seen.values():
        d["firstSeen"], d["lastSeen"] = round(d["firstSeen"], 3), round(d["lastSeen"], 3)
    return list(seen.values())


def entry(scenario, path, a, prefixes, name=None, server_side=False, pair=None):
    desc, required, _ = SCENARIOS[scenario]
    # One path per client interface and client address seen on it (an interface carries one
    # address per IP version); in a server-side capture all have the server's interface index.
    groups, first = defaultdict(list), {}
    for p in a.pkts:
        groups[(p.ifindex, p.client)].append(p)
        first.setdefault((p.ifindex, p.client), p.no)
    paths = []
    for k in sorted(groups, key=lambda k: (k[0] if k[0] is not None else -1, first[k])):
        ps = groups[k]
        d = OrderedDict([("ifindex", k[0]), ("clientAddress", k[1]), ("prefix", prefixes.get(k[1]))])
        d["payloadBytesSent"] = sum(p.len for p in ps if p.out)
        d["payloadBytesReceived"] = sum(p.len for p in ps if not p.out)
        paths.append(d)
    fam = {6 if p.v6 else 4 for p in a.pkts}
    e = OrderedDict()
    e["file"] = (name or scenario) + ".pcap"
    e["scenario"] = scenario
    e["description"] = desc
    if pair:
        e["vantageOf"] = scenario
        e["vantage"] = "server" if server_side else "client"
        e["sameTrafficAs"] = pair + ".pcap"
    if scenario in CI_ONLY:
        e["ciOnly"] = True
    lt = link_type(path)
    e["linkType"] = {276: "LINUX_SLL2", 113: "LINUX_SLL", 1: "EN10MB"}.get(lt, str(lt))
    e["packets"] = len(a.pkts)
    e["ipVersions"] = sorted(fam)
    e["paths"] = paths
    e["serverAddresses"] = sorted({p.server for p in a.pkts})
    if scenario == "mobility":
        e["addressTimeline"] = timeline(a)
    e["requiredSubtypes"] = required
    e["observedSubtypes"] = [SUBTYPES[i] if i < len(SUBTYPES) else str(i) for i in a.observed]
    e["subtypePackets"] = a.subtype_packets()
    e["tcpStreams"] = len(a.by_stream)
    e["mptcpConnections"] = len(a.mconns)
    e["subflowsPerConnection"] = [len(a.mconns[k]) for k in sorted(a.mconns)]
    e["joinsAttempted"] = len(a.joins)
    e["failedJoins"] = len(a.joins_failed)
    e["fallback"] = bool(a.fallback)
    return e


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("scenario", choices=list(SCENARIOS))
    c.add_argument("pcap")
    c.add_argument("--entry", required=True)
    c.add_argument("--prefix", action="append", default=[])
    c.add_argument("--name", help="file name without .pcap (default: the scenario)")
    c.add_argument("--server-side", action="store_true", help="captured in the server namespace")
    c.add_argument("--pair", help="file name (without .pcap) of the other vantage point's capture")
    c.add_argument("--same-traffic-as", help="check that the capture holds exactly this pcap's packets")
    m = sub.add_parser("manifest")
    m.add_argument("manifest")
    m.add_argument("entries", nargs="+")
    m.add_argument("--order", default=" ".join(SCENARIOS))
    args = ap.parse_args()

    if args.cmd == "check":
        a = Analysis(read_packets(args.pcap, args.server_side))
        other = Analysis(read_packets(args.same_traffic_as)) if args.same_traffic_as else None
        errors = []
        check(args.scenario, a, errors, args.server_side, other)
        prefixes = dict(x.split("=", 1) for x in args.prefix)
        with open(args.entry, "w") as f:
            json.dump(entry(args.scenario, args.pcap, a, prefixes, args.name, args.server_side, args.pair),
                      f, indent=2)
        for e in errors:
            print("check_capture: %s: %s" % (args.scenario, e), file=sys.stderr)
        sys.exit(1 if errors else 0)

    new = {}
    for path in args.entries:
        with open(path) as f:
            e = json.load(f, object_pairs_hook=OrderedDict)
        new[e["file"]] = e
    old = {}
    if os.path.exists(args.manifest):
        with open(args.manifest) as f:
            old = {e["file"]: e for e in json.load(f, object_pairs_hook=OrderedDict).get("captures", [])}
        here = os.path.dirname(os.path.abspath(args.manifest))
        old = {k: e for k, e in old.items() if os.path.exists(os.path.join(here, e["file"]))}
    old.update(new)
    order = args.order.split()
    caps = sorted(old.values(), key=lambda e: (order.index(e["scenario"]) if e["scenario"] in order else 99,
                                               e["scenario"], e["file"]))
    tv = subprocess.run(["dpkg-query", "-W", "-f=tshark ${Version}", "tshark"], capture_output=True,
                        text=True).stdout.splitlines()
    man = OrderedDict()
    man["generator"] = "scripts/kernel-captures/make-captures.sh"
    man["kernel"] = platform.release()
    man["tshark"] = tv[0] if tv else None
    man["generated"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    man["subtypeNames"] = SUBTYPES
    man["captures"] = caps
    with open(args.manifest, "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()

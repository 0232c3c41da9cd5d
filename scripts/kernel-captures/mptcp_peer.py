#!/usr/bin/env python3
"""MPTCP peers for make-captures.sh: an echo server and a client driven by a list of steps.

server:  mptcp_peer.py server --port P[,P2...] [--ready FILE]
    Listens on the wildcard address (IPv6 socket, dual-stack) of each port with IPPROTO_MPTCP and
    echoes every byte back on each accepted connection; at EOF it closes its side too. Runs until
    SIGTERM. Prints one line per connection: "accept N mptcp=0|1 <peer>" and "done N <bytes>|reset".

client:  mptcp_peer.py client --connect ADDR --port P[,P2...] [--conns N] [--ctl DIR] [--chunk B] STEP...
    Opens N connections one after the other (connection i goes to the i-th port of the list,
    cyclically) and runs the steps on each:
      estab:K[:T]     wait (bounded, T s, default 10) until exactly K subflows are ESTABLISHED
                      (getsockopt SOL_MPTCP/MPTCP_TCPINFO)
      xchg:B          send B bytes of a fixed text pattern (in --chunk sized writes, back to
                      back) and read the B echoed bytes back
      pace:N:B:MS     N exchanges of B bytes each (as xchg), MS milliseconds apart (data that keeps
                      flowing for about N*MS ms)
      mibdelta:NAME:K[:T]  wait (bounded, T s, default 10) until counter MPTcpExt NAME of this
                      network namespace has grown by at least K since this connection was opened
      mptcp:0|1       check getsockopt(SOL_TCP, TCP_IS_MPTCP) (0 = fell back to plain TCP)
      sync:NAME       create DIR/NAME.ready, then wait (bounded, 15 s) for DIR/NAME.go
      close:clean     shutdown(SHUT_WR) (DATA_FIN), read to EOF, close
      close:abort     SO_LINGER {1,0} and close (MP_FASTCLOSE)
    A step written @PORT:STEP runs only on the connections to PORT.
    Exits non-zero with a message on the first failure.
"""
import argparse
import ctypes
import os
import signal
import socket
import struct
import sys
import threading
import time

IPPROTO_MPTCP = 262
SOL_MPTCP = 284
MPTCP_TCPINFO = 2
TCP_IS_MPTCP = 43
TCP_ESTABLISHED = 1

_libc = ctypes.CDLL(None, use_errno=True)


def log(*args):
    print(*args, flush=True)


def established_subflows(sock):
    """Number of the connection's subflows in state ESTABLISHED, via MPTCP_TCPINFO."""
    size_user = 8  # only tcpi_state (first byte) is needed
    max_sf = 16
    hdr = struct.pack("IIII", 16, 0, 0, size_user)
    buf = ctypes.create_string_buffer(hdr + b"\0" * (size_user * max_sf), 16 + size_user * max_sf)
    optlen = ctypes.c_uint32(len(buf))
    rc = _libc.getsockopt(sock.fileno(), SOL_MPTCP, MPTCP_TCPINFO, buf, ctypes.byref(optlen))
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, "getsockopt(MPTCP_TCPINFO): " + os.strerror(err))
    _, num, size_kernel, size_user_ret = struct.unpack_from("IIII", buf.raw, 0)
    step = size_user_ret or size_user
    count = 0
    for i in range(min(num, max_sf)):
        if buf.raw[16 + i * step] == TCP_ESTABLISHED:
            count += 1
    return count


def mib(name):
    """Counter MPTcpExt NAME of this process's network namespace (0 when absent)."""
    with open("/proc/self/net/netstat") as f:
        lines = f.read().splitlines()
    for hdr, val in zip(lines[::2], lines[1::2]):
        if hdr.startswith("MPTcpExt:"):
            d = dict(zip(hdr.split()[1:], val.split()[1:]))
            return int(d.get(name, 0))
    return 0


def pattern(conn, nbytes, start):
    """Deterministic payload: lines 'mptcp-privacy cCC oOOOOOOO\\n' (28 bytes each)."""
    out = bytearray()
    line = start // 28
    while len(out) < (start % 28) + nbytes:
        out += b"mptcp-privacy c%02d o%08d\n" % (conn % 100, line * 28)
        line += 1
    skip = start % 28
    return bytes(out[skip:skip + nbytes])


def recv_exact(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise RuntimeError("connection closed after %d of %d echoed bytes" % (len(data), n))
        data += chunk
    return bytes(data)


# ---- server -------------------------------------------------------------------------------------
def serve_one(conn, peer, idx):
    try:
        is_mptcp = conn.getsockopt(socket.IPPROTO_TCP, TCP_IS_MPTCP)
    except OSError:
        is_mptcp = -1
    log("accept %d mptcp=%d %s" % (idx, is_mptcp, peer[0]))
    total = 0
    try:
        conn.settimeout(30)
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
            total += len(data)
        conn.shutdown(socket.SHUT_WR)
        # Wait for the peer's close so our FIN/DATA_FIN is acknowledged before we close.
        while conn.recv(65536):
            pass
        log("done %d %d" % (idx, total))
    except (ConnectionError, OSError, socket.timeout) as e:
        log("done %d reset (%s) after %d" % (idx, type(e).__name__, total))
    finally:
        conn.close()


def run_server(args):
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    listeners = []
    for port in args.ports:
        ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, IPPROTO_MPTCP)
        ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("::", port))
        ls.listen(256)
        listeners.append(ls)
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("listening\n")
    log("listening on port(s) %s" % ",".join(map(str, args.ports)))
    lock = threading.Lock()
    counter = [0]

    def accept_loop(ls):
        while True:
            conn, peer = ls.accept()
            with lock:
                idx = counter[0]
                counter[0] += 1
            threading.Thread(target=serve_one, args=(conn, peer, idx), daemon=True).start()

    for ls in listeners[1:]:
        threading.Thread(target=accept_loop, args=(ls,), daemon=True).start()
    accept_loop(listeners[0])


# ---- client -------------------------------------------------------------------------------------
def wait_file(path, timeout):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise RuntimeError("timeout (%ss) waiting for %s" % (timeout, path))
        time.sleep(0.02)


def exchange(sock, conn_idx, n, sent, chunk):
    data = pattern(conn_idx, n, sent)
    for off in range(0, n, chunk):
        sock.sendall(data[off:off + chunk])
    back = recv_exact(sock, n)
    if back != data:
        raise RuntimeError("conn %d: echoed data differs" % conn_idx)


def run_steps(sock, conn_idx, port, steps, ctl, chunk, mib0):
    sent = 0
    for step in steps:
        if step.startswith("@"):
            only, _, step = step[1:].partition(":")
            if int(only) != port:
                continue
        op, _, arg = step.partition(":")
        if op == "estab":
            want, _, t = arg.partition(":")
            want, t = int(want), float(t or 10)
            deadline = time.monotonic() + t
            while True:
                have = established_subflows(sock)
                if have == want:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("conn %d: %d established subflows, wanted %d (after %ss)"
                                       % (conn_idx, have, want, t))
                time.sleep(0.01)
            log("conn %d: %d subflows established" % (conn_idx, have))
        elif op == "xchg":
            n = int(arg)
            exchange(sock, conn_idx, n, sent, chunk)
            sent += n
            log("conn %d: exchanged %d bytes" % (conn_idx, n))
        elif op == "pace":
            count, n, ms = (int(x) for x in arg.split(":"))
            for k in range(min(count, 1000)):
                if k:
                    time.sleep(ms / 1000.0)
                exchange(sock, conn_idx, n, sent, chunk)
                sent += n
            log("conn %d: exchanged %d x %d bytes, %d ms apart" % (conn_idx, count, n, ms))
        elif op == "mibdelta":
            name, want, t = (arg.split(":") + ["10"])[:3]
            want, t = int(want), float(t)
            deadline = time.monotonic() + t
            while mib(name) - mib0.get(name, 0) < want:
                if time.monotonic() > deadline:
                    raise RuntimeError("conn %d: MPTcpExt %s grew by %d, wanted %d (after %ss)"
                                       % (conn_idx, name, mib(name) - mib0.get(name, 0), want, t))
                time.sleep(0.01)
            log("conn %d: MPTcpExt %s grew by %d" % (conn_idx, name, mib(name) - mib0.get(name, 0)))
        elif op == "mptcp":
            v = sock.getsockopt(socket.IPPROTO_TCP, TCP_IS_MPTCP)
            if v != int(arg):
                raise RuntimeError("conn %d: TCP_IS_MPTCP=%d, wanted %s" % (conn_idx, v, arg))
            log("conn %d: TCP_IS_MPTCP=%d" % (conn_idx, v))
        elif op == "sync":
            if not ctl:
                raise RuntimeError("sync needs --ctl")
            open(os.path.join(ctl, arg + ".ready"), "w").close()
            wait_file(os.path.join(ctl, arg + ".go"), 15)
            log("conn %d: sync %s passed" % (conn_idx, arg))
        elif op == "close":
            if arg == "clean":
                sock.shutdown(socket.SHUT_WR)
                if sock.recv(1):
                    raise RuntimeError("conn %d: unexpected data after shutdown" % conn_idx)
                sock.close()
            elif arg == "abort":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
            else:
                raise RuntimeError("bad close mode " + arg)
            log("conn %d: closed (%s)" % (conn_idx, arg))
            return
        else:
            raise RuntimeError("unknown step " + step)
    sock.close()


def run_client(args):
    family = socket.AF_INET6 if ":" in args.connect else socket.AF_INET
    # Counters named by mibdelta steps: read when each connection is opened.
    names = sorted({st.split("mibdelta:", 1)[1].split(":")[0] for st in args.steps if "mibdelta:" in st})
    for i in range(args.conns):
        port = args.ports[i % len(args.ports)]
        mib0 = {n: mib(n) for n in names}
        sock = socket.socket(family, socket.SOCK_STREAM, IPPROTO_MPTCP)
        sock.settimeout(10)
        sock.connect((args.connect, port))
        log("conn %d: connected from %s port %d to port %d"
            % (i, sock.getsockname()[0], sock.getsockname()[1], port))
        run_steps(sock, i, port, args.steps, args.ctl, args.chunk, mib0)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--port", required=True, help="port or comma-separated ports")
    s.add_argument("--ready")
    c = sub.add_parser("client")
    c.add_argument("--connect", required=True)
    c.add_argument("--port", required=True, help="port or comma-separated ports (used in turn)")
    c.add_argument("--conns", type=int, default=1)
    c.add_argument("--ctl")
    c.add_argument("--chunk", type=int, default=1 << 20, help="xchg writes B bytes per send call")
    c.add_argument("steps", nargs="+")
    args = p.parse_args()
    args.ports = [int(x) for x in args.port.split(",")]
    try:
        if args.mode == "server":
            run_server(args)
        else:
            run_client(args)
    except Exception as e:  # noqa: BLE001 - report any failure as one line and a non-zero exit
        print("mptcp_peer %s: FAILED: %s" % (args.mode, e), file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()

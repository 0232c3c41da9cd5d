#!/usr/bin/env python3
"""The Linux kernel's end of bench/interop-goodput.sh's rows against our stack (IPPROTO_MPTCP sockets).

sink ADDR PORT:        accept one connection, read to its end, print the goodput in Mbit/s
                       (bytes over the time from the first byte to the end).
send ADDR PORT BYTES:  connect, send BYTES zeros, wait until the peer acknowledged them at the data
                       level (SIOCOUTQ reaches 0), print the goodput in Mbit/s (bytes over the time
                       from the connection's start to that acknowledgement).
Every wait is bounded (120 s).
"""
import fcntl
import socket
import struct
import sys
import termios
import time

IPPROTO_MPTCP = 262
LIMIT = 120.0


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def sink(addr, port):
    listener = socket.socket(family(addr), socket.SOCK_STREAM, IPPROTO_MPTCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((addr, port))
    listener.listen(1)
    listener.settimeout(LIMIT)
    conn, _ = listener.accept()
    conn.settimeout(LIMIT)
    total, first = 0, None
    buf = bytearray(1 << 20)
    while True:
        n = conn.recv_into(buf)
        if n == 0:
            break
        if first is None:
            first = time.monotonic()
        total += n
    end = time.monotonic()
    print("%.1f" % (total * 8 / (end - first) / 1e6 if first and end > first else 0.0))


def send(addr, port, nbytes):
    for attempt in range(100):  # the listener may still be starting: at most 10 s
        s = socket.socket(family(addr), socket.SOCK_STREAM, IPPROTO_MPTCP)
        s.settimeout(LIMIT)
        start = time.monotonic()
        try:
            s.connect((addr, port))
            break
        except (ConnectionRefusedError, ConnectionResetError):
            s.close()
            time.sleep(0.1)
    else:
        sys.exit("send: nobody listens on %s port %d" % (addr, port))
    chunk = bytes(1 << 20)
    left = nbytes
    while left > 0:
        left -= s.send(chunk[:min(left, len(chunk))])
    deadline = start + LIMIT
    while time.monotonic() < deadline:
        outq = struct.unpack('i', fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b'\0\0\0\0'))[0]
        if outq == 0:
            break
        time.sleep(0.001)
    end = time.monotonic()
    s.shutdown(socket.SHUT_WR)
    print("%.1f" % (nbytes * 8 / (end - start) / 1e6))
    s.close()


def size(text):
    units = {'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'sink':
        sink(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == 'send':
        send(sys.argv[2], int(sys.argv[3]), size(sys.argv[4]))
    else:
        sys.exit(__doc__)

#!/usr/bin/env python3
"""Holds every packet of an NFQUEUE for DELAY_MS, then accepts it: added latency
where the kernel has no sch_netem (test/netns-faults.test.ts).

Usage: nfqueue-delay.py QUEUE_NUM DELAY_MS   (run inside the network namespace
whose iptables rule sends packets to the queue: nfnetlink is per namespace).

Speaks nfnetlink_queue directly over an AF_NETLINK socket (standard library
only; the protocol is linux/netfilter/nfnetlink_queue.h). Packets are only
delayed, never reordered or dropped: each verdict is NF_ACCEPT, issued DELAY_MS
after the packet arrived, in arrival order. Prints "ready" once bound.
"""
import select
import socket
import struct
import sys
import time
from collections import deque

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NF_ACCEPT = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
SOL_NETLINK, NETLINK_NO_ENOBUFS = 270, 5


def align4(n):
    return (n + 3) & ~3


def attr(kind, payload):
    a = struct.pack("=HH", 4 + len(payload), kind) + payload
    return a + b"\0" * (align4(len(a)) - len(a))


def message(kind, queue, attrs, flags=NLM_F_REQUEST):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(queue)) + b"".join(attrs)
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, 0, 0) + body


def configure(sock, queue, attrs):
    """Sends one config message and raises if the kernel's ack carries an error."""
    sock.send(message(NFQNL_MSG_CONFIG, queue, attrs, NLM_F_REQUEST | NLM_F_ACK))
    data = sock.recv(65536)
    _, kind, _, _, _ = struct.unpack_from("=IHHII", data)
    if kind == NLMSG_ERROR:
        (err,) = struct.unpack_from("=i", data, 16)
        if err != 0:
            raise OSError(-err, "nfqueue config refused")


def packet_ids(data):
    """The packet ids of every NFQNL_MSG_PACKET in one recv buffer."""
    off = 0
    while off + 16 <= len(data):
        length, kind, _, _, _ = struct.unpack_from("=IHHII", data, off)
        if length < 16:
            return
        if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            a = off + 20
            while a + 4 <= off + length:
                alen, atype = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if atype & 0x7FFF == NFQA_PACKET_HDR:
                    yield struct.unpack_from(">I", data, a + 4)[0]
                a += align4(alen)
        off += align4(length)


def main():
    queue, delay = int(sys.argv[1]), int(sys.argv[2]) / 1000.0
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
    sock.bind((0, 0))
    configure(sock, queue, [attr(NFQA_CFG_CMD, struct.pack(">BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET))])
    configure(sock, queue, [attr(NFQA_CFG_PARAMS, struct.pack(">IB", 0, NFQNL_COPY_META)), attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack(">I", 65536))])
    print("ready", flush=True)
    held = deque()  # (due, packet id), in arrival order
    while True:
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, pid = held.popleft()
            sock.send(message(NFQNL_MSG_VERDICT, queue, [attr(NFQA_VERDICT_HDR, struct.pack(">II", NF_ACCEPT, pid))]))
        timeout = max(0.0, held[0][0] - now) if held else None
        if select.select([sock], [], [], timeout)[0]:
            data = sock.recv(1 << 20)
            arrived = time.monotonic()
            for pid in packet_ids(data):
                held.append((arrived + delay, pid))


if __name__ == "__main__":
    main()

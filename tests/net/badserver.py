#!/usr/bin/python3
"""Misbehaving servers for healthd's scenario tests (stdlib only).

    badserver.py MODE ADDR PORT [SECS]

TCP modes (one thread per connection, until the peer goes away):
  silent     accepts, reads and discards, never sends a byte
  slow       reads an HTTP request, waits SECS (default 5), answers 200 "OK"
  flood      sends an endless line of bytes (no line break ever)
  floodbody  sends an HTTP 200 header, then an endless body
  status500  answers any HTTP request with 500
  wrongbody  answers any HTTP request with 200 and the body "nope"
  reset      closes every connection with a RST once the client has sent
             something, or 0.2 s after accept if it sends nothing (so the
             client always sees its connection established, then reset)
  resetnow   the RST at once after accept: the client may see it while it is
             still completing its connect
  badbanner  SMTP greeting "554 no"; 221 to QUIT, 503 to anything else
  baresmtp   SMTP replies as bare codes, "220", "250", "221", lines ending
             in a bare LF
  hangup     reads what the client sends, then closes without a byte
UDP mode:
  dnsgarbage answers every datagram twice: random bytes, then a DNS
             response header carrying the wrong query id
"""

import os
import select
import socket
import struct
import sys
import threading
import time

HTTP_MODES = ("slow", "status500", "wrongbody", "floodbody")
TCP_MODES = ("silent", "flood", "reset", "resetnow", "badbanner", "baresmtp", "hangup") + HTTP_MODES
UDP_MODES = ("dnsgarbage",)


def usage():
    sys.stderr.write("usage: badserver.py MODE ADDR PORT [SECS]\n  modes: %s\n"
                     % " ".join(TCP_MODES + UDP_MODES))
    sys.exit(2)


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def read_request(conn, limit=65536):
    """Reads up to the end of an HTTP request head; returns what was read."""
    data = b""
    while b"\r\n\r\n" not in data and b"\n\n" not in data and len(data) < limit:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def http_reply(conn, status, body):
    head = ("HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (status, len(body)))
    conn.sendall(head.encode() + body)


def drain(conn):
    while conn.recv(65536):
        pass


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def serve_conn(mode, conn, secs):
    try:
        if mode == "reset":
            select.select([conn], [], [], 0.2)
            reset(conn)
            return
        if mode == "silent":
            drain(conn)
        elif mode == "slow":
            read_request(conn)
            time.sleep(secs)
            http_reply(conn, "200 OK", b"OK")
        elif mode == "status500":
            read_request(conn)
            http_reply(conn, "500 Internal Server Error", b"error")
        elif mode == "wrongbody":
            read_request(conn)
            http_reply(conn, "200 OK", b"nope")
        elif mode == "flood":
            chunk = b"A" * 65536
            while True:
                conn.sendall(chunk)
        elif mode == "floodbody":
            read_request(conn)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         b"Connection: close\r\n\r\n")
            chunk = b"x" * 65536
            while True:
                conn.sendall(chunk)
        elif mode == "hangup":
            conn.recv(4096)
        elif mode == "baresmtp":
            conn.sendall(b"220\n")
            for line in conn.makefile("rb"):
                if line.strip().upper() == b"QUIT":
                    conn.sendall(b"221\n")
                    return
                conn.sendall(b"250\n")
        elif mode == "badbanner":
            conn.sendall(b"554 no\r\n")
            buf = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.strip().upper() == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        return
                    conn.sendall(b"503 no\r\n")
    except OSError:
        pass
    finally:
        conn.close()


def serve_tcp(mode, addr, port, secs):
    lsock = socket.socket(family_of(addr), socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((addr, port))
    lsock.listen(1024)
    while True:
        conn, _ = lsock.accept()
        if mode == "resetnow":
            reset(conn)
            continue
        threading.Thread(target=serve_conn, args=(mode, conn, secs),
                         daemon=True).start()


def serve_dnsgarbage(addr, port):
    sock = socket.socket(family_of(addr), socket.SOCK_DGRAM)
    sock.bind((addr, port))
    while True:
        query, peer = sock.recvfrom(65536)
        try:
            sock.sendto(os.urandom(12 + len(query) % 64), peer)
            qid = struct.unpack("!H", query[:2])[0] if len(query) >= 2 else 0
            # QR=1, RCODE=0, one question and one answer claimed, none sent.
            header = struct.pack("!HHHHHH", qid ^ 0x5a5a, 0x8180, 1, 1, 0, 0)
            sock.sendto(header + query[12:] + os.urandom(16), peer)
        except OSError:
            pass


def main(argv):
    if len(argv) not in (4, 5):
        usage()
    mode, addr, port = argv[1], argv[2], argv[3]
    try:
        port = int(port)
        secs = float(argv[4]) if len(argv) == 5 else 5.0
    except ValueError:
        usage()
    if mode in UDP_MODES:
        serve_dnsgarbage(addr, port)
    elif mode in TCP_MODES:
        serve_tcp(mode, addr, port, secs)
    else:
        usage()


if __name__ == "__main__":
    try:
        main(sys.argv)
    except KeyboardInterrupt:
        pass

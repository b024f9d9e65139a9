#!/usr/bin/python3
"""An Autobahn-style RFC 6455 conformance suite for the /echo endpoint.

  conformance.py ADDR [NAME|-NAME]...
                                  run every case against ws://ADDR/echo, or
                                  only the NAMEs given, or all but -NAMEs

The client is raw on purpose: the handshake is written by hand and every
frame is built byte by byte with its mask, so cases can send what a library
client refuses to (reserved bits and opcodes, unmasked or fragmented control
frames, invalid UTF-8, bad close codes). Each case prints one line:

  ok SECTION.N DESCRIPTION
  not ok SECTION.N DESCRIPTION: WHAT WAS SEEN
  todo SECTION.N DESCRIPTION: WHAT WAS SEEN | WHY (a known server defect)

and the last line is "cases N". Cases are grouped as Autobahn's sections
are: 1 framing, 2 pings and pongs, 3 reserved bits, 4 opcodes,
5 fragmentation, 6 UTF-8, 7 close handling. A failing case expects the
exact close code and then the server closing TCP. Loopback only; every
wait is bounded (a few seconds at most).
"""
import base64
import hashlib
import os
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
WAIT = 2.0	# seconds a reply or a TCP close may take


class Closed(Exception):
    """The server closed TCP (or reset it) where a frame was expected."""


class Failed(Exception):
    """A case saw something it did not expect."""


def mask_bytes(payload, key):
    """XOR payload with the repeating 4-byte key (masks and unmasks)."""
    n = len(payload)
    if n == 0:
        return b""
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^
            int.from_bytes(k, "big")).to_bytes(n, "big")


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, key=None):
    """One client frame, length in its shortest form."""
    if isinstance(payload, str):
        payload = payload.encode()
    b0 = (0x80 if fin else 0) | (rsv & 7) << 4 | (opcode & 0x0F)
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n <= 0xFFFF:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if not mask:
        return head + payload
    key = key if key is not None else os.urandom(4)
    return head + key + mask_bytes(payload, key)


def close_payload(code, reason=b""):
    if isinstance(reason, str):
        reason = reason.encode()
    return struct.pack("!H", code) + reason


class Raw:
    """A WebSocket client over a plain socket: handshake, frames, close."""

    def __init__(self, addr, path="/echo", headers=(), rcvbuf=None,
                 bytewise=False, extra=b""):
        host, port = addr.rsplit(":", 1)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.settimeout(5)
        self.s.connect((host, int(port)))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        key = base64.b64encode(os.urandom(16))
        req = (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " +
               addr.encode() + b"\r\nUpgrade: websocket\r\n"
               b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key +
               b"\r\nSec-WebSocket-Version: 13\r\n")
        for h in headers:
            req += h.encode() + b"\r\n"
        req += b"\r\n" + extra
        if bytewise:
            for b in req:
                self.s.sendall(bytes([b]))
                time.sleep(0.001)
        else:
            self.s.sendall(req)
        head = self.read_until(b"\r\n\r\n", 5)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ")[1])
        self.headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                self.headers[k.strip().lower()] = v.strip()
        if self.status != 101:
            raise Failed("handshake answered %s" % lines[0])
        want = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        if self.headers.get("sec-websocket-accept") != want:
            raise Failed("bad Sec-WebSocket-Accept %r" %
                         self.headers.get("sec-websocket-accept"))

    def read_until(self, marker, timeout):
        end = time.monotonic() + timeout
        while marker not in self.buf:
            self._fill(end)
        i = self.buf.index(marker) + len(marker)
        head, self.buf = self.buf[:i], self.buf[i:]
        return head

    def _fill(self, end):
        left = end - time.monotonic()
        if left <= 0:
            raise socket.timeout("timed out")
        self.s.settimeout(left)
        try:
            data = self.s.recv(1 << 20)
        except ConnectionResetError:
            data = b""
        if not data:
            raise Closed("connection closed")
        self.buf += data

    def _need(self, n, end):
        while len(self.buf) < n:
            self._fill(end)

    def send(self, data):
        self.s.sendall(data)

    def send_frame(self, opcode, payload=b"", **kw):
        self.s.sendall(frame(opcode, payload, **kw))

    def recv_frame(self, timeout=WAIT):
        """(fin, opcode, payload) of the next server frame; checks that the
        server itself keeps the rules (unmasked, no RSV, shortest length)."""
        end = time.monotonic() + timeout
        self._need(2, end)
        b0, b1 = self.buf[0], self.buf[1]
        if b0 & 0x70:
            raise Failed("server frame with RSV bits 0x%02x" % b0)
        if b1 & 0x80:
            raise Failed("server frame is masked")
        n, off = b1 & 0x7F, 2
        if n == 126:
            self._need(4, end)
            n, off = struct.unpack("!H", self.buf[2:4])[0], 4
            if n < 126:
                raise Failed("server length %d not in its shortest form" % n)
        elif n == 127:
            self._need(10, end)
            n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
            if n <= 0xFFFF:
                raise Failed("server length %d not in its shortest form" % n)
        self._need(off + n, end)
        payload = self.buf[off:off + n]
        self.buf = self.buf[off + n:]
        return bool(b0 & 0x80), b0 & 0x0F, payload

    def recv_message(self, timeout=WAIT):
        """(opcode, payload) of the next data message, fragments joined;
        control frames in between fail the case."""
        fin, op, data = self.recv_frame(timeout)
        if op not in (TEXT, BINARY):
            raise Failed("expected a data frame, got %s" % describe(op, data))
        first = op
        while not fin:
            fin, op, more = self.recv_frame(timeout)
            if op != CONT:
                raise Failed("expected a continuation, got %s" %
                             describe(op, more))
            data += more
        return first, data

    def eof_within(self, timeout=WAIT):
        """True when the server closes TCP within timeout; data is
        discarded. Returns the seconds it took, or None."""
        start = time.monotonic()
        end = start + timeout
        self.buf = b""
        try:
            while True:
                self._fill(end)
                self.buf = b""
        except Closed:
            return time.monotonic() - start
        except socket.timeout:
            return None

    def close(self):
        self.s.close()


def describe(op, payload):
    if op == CLOSE:
        if len(payload) >= 2:
            return "close %d" % struct.unpack("!H", payload[:2])[0]
        return "close (no code)"
    names = {CONT: "continuation", TEXT: "text", BINARY: "binary",
             PING: "ping", PONG: "pong"}
    return "%s frame of %d bytes" % (names.get(op, "opcode %d" % op),
                                     len(payload))


def expect_echo(c, op, payload, timeout=WAIT):
    if isinstance(payload, str):
        payload = payload.encode()
    got_op, got = c.recv_message(timeout)
    if got_op != op or got != payload:
        raise Failed("echo differs: sent %s, got %s%s" % (
            describe(op, payload), describe(got_op, got),
            "" if len(got) > 40 else " %r" % got))


def expect_close(c, code, timeout=WAIT):
    """The next frame is a close with this code (None: no payload or any
    code in a tuple), and then the server closes TCP within 2 s."""
    try:
        fin, op, payload = c.recv_frame(timeout)
    except Closed:
        raise Failed("TCP closed without a close frame (wanted %s)" % code)
    except socket.timeout:
        raise Failed("no close frame within %.0f s (wanted %s)" %
                     (timeout, code))
    if op != CLOSE:
        raise Failed("expected close %s, got %s" % (code, describe(op,
                                                                   payload)))
    got = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
    wanted = code if isinstance(code, tuple) else (code,)
    if got not in wanted:
        raise Failed("expected close %s, got %s" % (code, describe(op,
                                                                   payload)))
    if len(payload) > 2:
        try:
            payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            raise Failed("the server's close reason is not UTF-8")
    if c.eof_within(WAIT) is None:
        raise Failed("close %s came but TCP stayed open over %.0f s" %
                     (got, WAIT))
    return payload


def expect_nothing(c, seconds):
    """No frame arrives for a while (and the connection stays open)."""
    try:
        fin, op, payload = c.recv_frame(seconds)
    except socket.timeout:
        return
    raise Failed("unexpected %s" % describe(op, payload))


CASES = []


def case(name, desc, todo=None):
    def register(fn):
        CASES.append((name, desc, fn, todo))
        return fn
    return register


# --- 1 framing ------------------------------------------------------------

SIZES = [0, 125, 126, 127, 65535, 65536, 1 << 20]


def _echo_size(op, n):
    def run(addr):
        c = Raw(addr)
        if op == TEXT:
            payload = (b"*" * n)
        else:
            payload = bytes((i * 7 + 3) & 0xFF for i in range(min(n, 256)))
            payload = (payload * (n // 256 + 1))[:n]
        c.send_frame(op, payload)
        expect_echo(c, op, payload, 5)
        c.close()
    return run


for _i, _n in enumerate(SIZES):
    case("1.1.%d" % (_i + 1), "text message of %d bytes echoed" % _n)(
        _echo_size(TEXT, _n))
    case("1.2.%d" % (_i + 1), "binary message of %d bytes echoed" % _n)(
        _echo_size(BINARY, _n))


@case("1.3.1", "65536-byte text frame sent in 997-byte chops")
def c_chopped(addr):
    c = Raw(addr)
    payload = bytes(0x41 + i % 26 for i in range(65536))
    data = frame(TEXT, payload)
    for i in range(0, len(data), 997):
        c.send(data[i:i + 997])
        time.sleep(0.001)
    expect_echo(c, TEXT, payload)


@case("1.3.2", "a small frame sent one byte at a time")
def c_bytewise(addr):
    c = Raw(addr)
    for b in frame(BINARY, b"\x00\x01byte by byte\xff"):
        c.send(bytes([b]))
        time.sleep(0.002)
    expect_echo(c, BINARY, b"\x00\x01byte by byte\xff")


@case("1.3.3", "100 small messages in one write are echoed in order")
def c_pipelined(addr):
    c = Raw(addr)
    c.send(b"".join(frame(TEXT, "m%d" % i) for i in range(100)))
    for i in range(100):
        expect_echo(c, TEXT, "m%d" % i)


# --- 1.4 pipelined bursts over 64 KiB (the worker reads 64 KiB at a time,
# so a frame that straddles a read follows complete ones in the same read)


def _pattern(op, n, salt=0):
    if op == TEXT:
        return bytes(0x61 + (i * 7 + n + salt) % 26 for i in range(n))
    return bytes((i * 31 + n + salt) & 0xFF for i in range(n))


@case("1.4.1", "a small message then a 70,000-byte one, in one write")
def c_burst_small_big(addr):
    c = Raw(addr)
    big = _pattern(TEXT, 70000)
    c.send(frame(TEXT, b"small") + frame(TEXT, big) + frame(TEXT, b"after"))
    expect_echo(c, TEXT, b"small")
    expect_echo(c, TEXT, big)
    expect_echo(c, TEXT, b"after")


@case("1.4.2", "3,000 pipelined 100-byte messages in one write, in order")
def c_burst_3000(addr):
    c = Raw(addr)
    msgs = [_pattern(TEXT, 100, i) for i in range(3000)]
    c.send(b"".join(frame(TEXT, m) for m in msgs))
    for m in msgs:
        expect_echo(c, TEXT, m)


@case("1.4.3", "a 202 KiB binary message in 101 fragments with a ping "
      "after each, in one write")
def c_burst_101_fragments(addr):
    c = Raw(addr)
    payload = _pattern(BINARY, 101 * 2048)
    parts = split(payload, 101)
    pings = {i: frame(PING, b"p%d" % i) for i in range(100)}
    c.send(fragments(BINARY, parts, pings))
    for i in range(100):
        fin, op, got = c.recv_frame()
        if op != PONG or got != b"p%d" % i:
            raise Failed("expected pong p%d, got %s" % (i, describe(op, got)))
    expect_echo(c, BINARY, payload)


@case("1.4.4", "every size from 0 to 70,000 bytes, text and binary, in 1 "
      "to 200 fragments, in one write")
def c_burst_sizes(addr):
    c = Raw(addr)
    sent, data = [], b""
    for k, (n, op) in enumerate((n, op) for n in (0, 1, 125, 126, 65535,
                                                  65536, 70000)
                                for op in (TEXT, BINARY)):
        payload = _pattern(op, n, k)
        nfrag = (1, 2, 7, 200)[k % 4]
        data += fragments(op, split(payload, nfrag))
        sent.append((op, payload))
    c.send(data)
    for op, payload in sent:
        expect_echo(c, op, payload)


def _envelope(i, pad):
    msg = "x" * pad
    req = '{"pkg_id":1,"req_id":"r%d","data":{"message":"%s"}}' % (i, msg)
    rep = ('{"pkg_id":1,"req_id":"r%d","status_code":0,'
           '"data":{"message":"%s"}}' % (i, msg))
    return frame(TEXT, req), rep.encode()


@case("1.4.5", "/web: 3,000 pipelined envelopes in one write, answered "
      "in order")
def c_burst_web(addr):
    c = Raw(addr, path="/web")
    pairs = [_envelope(i, 50) for i in range(3000)]
    c.send(b"".join(req for req, _ in pairs))
    for _, rep in pairs:
        expect_echo(c, TEXT, rep)


@case("1.4.6", "/web: a small envelope, a 70 KB one and a small one in "
      "one write")
def c_burst_web_big(addr):
    c = Raw(addr, path="/web")
    pairs = [_envelope(0, 10), _envelope(1, 70000), _envelope(2, 10)]
    c.send(b"".join(req for req, _ in pairs))
    for _, rep in pairs:
        expect_echo(c, TEXT, rep)


@case("1.3.4", "an unmasked client frame fails with 1002")
def c_unmasked(addr):
    c = Raw(addr)
    c.send_frame(TEXT, b"unmasked", mask=False)
    expect_close(c, 1002)


@case("1.3.5", "a 16-bit length not in its shortest form fails with 1002")
def c_long_len16(addr):
    c = Raw(addr)
    key = os.urandom(4)
    c.send(struct.pack("!BBH", 0x81, 0x80 | 126, 5) + key +
           mask_bytes(b"hello", key))
    expect_close(c, 1002)


@case("1.3.6", "a 64-bit length with its top bit set fails with 1002")
def c_len64_top(addr):
    c = Raw(addr)
    c.send(struct.pack("!BBQ", 0x82, 0x80 | 127, 1 << 63) + os.urandom(4))
    expect_close(c, 1002)


@case("1.3.7", "a handshake sent one byte at a time, then a message")
def c_handshake_bytewise(addr):
    c = Raw(addr, bytewise=True)
    c.send_frame(TEXT, b"after a slow handshake")
    expect_echo(c, TEXT, "after a slow handshake")


@case("1.3.8", "frames sent in the same write as the handshake")
def c_handshake_pipelined(addr):
    c = Raw(addr, extra=frame(TEXT, b"early") + frame(PING, b"p"))
    expect_echo(c, TEXT, "early")
    fin, op, got = c.recv_frame()
    if op != PONG or got != b"p":
        raise Failed("expected the pong, got %s" % describe(op, got))


# --- 2 pings and pongs ----------------------------------------------------

def _ping(n):
    def run(addr):
        c = Raw(addr)
        payload = bytes((i * 13) & 0xFF for i in range(n))
        c.send_frame(PING, payload)
        fin, op, got = c.recv_frame()
        if op != PONG or got != payload:
            raise Failed("ping of %d bytes answered with %s" % (
                n, describe(op, got)))
    return run


case("2.1", "ping without payload is answered with an empty pong")(_ping(0))
case("2.2", "ping with 125 bytes is answered with the same pong")(_ping(125))
case("2.3", "ping with a text payload is answered with it")(_ping(17))


@case("2.4", "ping of 126 bytes fails with 1002")
def c_ping_126(addr):
    c = Raw(addr)
    c.send_frame(PING, b"x" * 126)
    expect_close(c, 1002)


@case("2.5", "an unsolicited pong is ignored")
def c_pong(addr):
    c = Raw(addr)
    c.send_frame(PONG, b"unsolicited")
    c.send_frame(TEXT, b"after the pong")
    expect_echo(c, TEXT, "after the pong")


@case("2.6", "an unsolicited pong with no payload is ignored")
def c_pong_empty(addr):
    c = Raw(addr)
    c.send_frame(PONG)
    c.send_frame(TEXT, b"after")
    expect_echo(c, TEXT, "after")


@case("2.7", "10 pings in one write get 10 pongs in order")
def c_pings(addr):
    c = Raw(addr)
    c.send(b"".join(frame(PING, b"p%d" % i) for i in range(10)))
    for i in range(10):
        fin, op, got = c.recv_frame()
        if op != PONG or got != b"p%d" % i:
            raise Failed("ping %d answered with %s %r" % (
                i, describe(op, got), got))


@case("2.8", "a ping sent one byte at a time is answered")
def c_ping_bytewise(addr):
    c = Raw(addr)
    for b in frame(PING, b"slow ping"):
        c.send(bytes([b]))
        time.sleep(0.002)
    fin, op, got = c.recv_frame()
    if op != PONG or got != b"slow ping":
        raise Failed("got %s" % describe(op, got))


@case("2.9", "a ping after a close gets no pong")
def c_ping_after_close(addr):
    c = Raw(addr)
    c.send(frame(CLOSE, close_payload(1000)) + frame(PING, b"late"))
    expect_close(c, 1000)


# --- 3 reserved bits ------------------------------------------------------

def _rsv(rsv, op, payload=b"rsv"):
    def run(addr):
        c = Raw(addr)
        c.send_frame(op, payload, rsv=rsv)
        expect_close(c, 1002)
    return run


for _i, (_r, _op, _what) in enumerate([
        (4, TEXT, "RSV1 on a text frame"), (2, TEXT, "RSV2 on a text frame"),
        (1, TEXT, "RSV3 on a text frame"), (6, BINARY, "RSV1+2 on binary"),
        (5, PING, "RSV1+3 on a ping"), (7, CLOSE, "all RSV bits on a close"),
        (3, PONG, "RSV2+3 on a pong")]):
    case("3.%d" % (_i + 1), "%s fails with 1002" % _what)(_rsv(_r, _op))


@case("3.8", "a good message before a frame with RSV2 is still echoed")
def c_rsv_after_good(addr):
    c = Raw(addr)
    c.send(frame(TEXT, b"good") + frame(TEXT, b"bad", rsv=2) +
           frame(PING, b"never"))
    expect_echo(c, TEXT, "good")
    expect_close(c, 1002)


# --- 4 opcodes ------------------------------------------------------------

_n = 0
for _op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15):
    _n += 1
    case("4.%d" % _n, "reserved opcode %d fails with 1002" % _op)(
        _rsv(0, _op, b"reserved"))


@case("4.11", "a good message before reserved opcode 5 is still echoed")
def c_opcode_after_good(addr):
    c = Raw(addr)
    c.send(frame(TEXT, b"first") + frame(5, b"") + frame(PING))
    expect_echo(c, TEXT, "first")
    expect_close(c, 1002)


@case("4.12", "reserved opcode 11 with no payload fails with 1002")
def c_opcode_empty(addr):
    c = Raw(addr)
    c.send_frame(11)
    expect_close(c, 1002)


# --- 5 fragmentation ------------------------------------------------------

def split(data, n):
    """data cut into n pieces (the last ones may be empty)."""
    step = max(1, -(-len(data) // n))
    parts = [data[i * step:(i + 1) * step] for i in range(n)]
    return parts


def fragments(op, parts, controls=None):
    """Frames of one message; controls maps an index to frames sent after
    that fragment."""
    out = b""
    for i, p in enumerate(parts):
        out += frame(op if i == 0 else CONT, p, fin=i == len(parts) - 1)
        if controls and i in controls:
            out += controls[i]
    return out


def _frag(op, n, size=64):
    def run(addr):
        c = Raw(addr)
        payload = bytes(0x61 + i % 26 for i in range(size))
        c.send(fragments(op, split(payload, n)))
        expect_echo(c, op, payload)
    return run


_n = 0
for _op, _k in [(TEXT, 2), (TEXT, 3), (TEXT, 10), (TEXT, 64), (BINARY, 2),
                (BINARY, 16)]:
    _n += 1
    case("5.%d" % _n, "%s in %d fragments is echoed whole" % (
        "text" if _op == TEXT else "binary", _k))(_frag(_op, _k))


@case("5.7", "a text message in 100 fragments sent one per write")
def c_frag_slow(addr):
    c = Raw(addr)
    payload = bytes(0x30 + i % 10 for i in range(1000))
    for i, p in enumerate(split(payload, 100)):
        c.send_frame(TEXT if i == 0 else CONT, p, fin=i == 99)
    expect_echo(c, TEXT, payload)



@case("5.8", "empty first and last fragments")
def c_frag_empty(addr):
    c = Raw(addr)
    c.send(fragments(TEXT, [b"", b"middle", b""]))
    expect_echo(c, TEXT, "middle")


@case("5.9", "a message of only empty fragments")
def c_frag_all_empty(addr):
    c = Raw(addr)
    c.send(fragments(BINARY, [b"", b"", b""]))
    expect_echo(c, BINARY, b"")


@case("5.10", "a ping between fragments is answered before the message")
def c_frag_ping(addr):
    c = Raw(addr)
    c.send(fragments(TEXT, [b"frag", b"ment", b"ed"],
                     {0: frame(PING, b"in between")}))
    fin, op, got = c.recv_frame()
    if op != PONG or got != b"in between":
        raise Failed("expected the pong first, got %s" % describe(op, got))
    expect_echo(c, TEXT, "fragmented")


@case("5.11", "pings and pongs between every fragment")
def c_frag_controls(addr):
    c = Raw(addr)
    parts = [b"a", b"b", b"c", b"d"]
    ctl = {i: frame(PONG, b"u") + frame(PING, b"%d" % i) for i in range(3)}
    c.send(fragments(TEXT, parts, ctl))
    for i in range(3):
        fin, op, got = c.recv_frame()
        if op != PONG or got != b"%d" % i:
            raise Failed("pong %d: got %s" % (i, describe(op, got)))
    expect_echo(c, TEXT, "abcd")


@case("5.12", "fragments sent one per write with a ping in between")
def c_frag_ping_slow(addr):
    c = Raw(addr)
    c.send_frame(TEXT, b"one ", fin=False)
    time.sleep(0.05)
    c.send_frame(PING, b"p")
    fin, op, got = c.recv_frame()
    if op != PONG or got != b"p":
        raise Failed("expected a pong mid-message, got %s" % describe(op, got))
    c.send_frame(CONT, b"two", fin=True)
    expect_echo(c, TEXT, "one two")


@case("5.13", "a continuation without a message fails with 1002")
def c_cont_alone(addr):
    c = Raw(addr)
    c.send_frame(CONT, b"orphan", fin=True)
    expect_close(c, 1002)


@case("5.14", "an unfinished continuation without a message fails with 1002")
def c_cont_alone_nofin(addr):
    c = Raw(addr)
    c.send_frame(CONT, b"orphan", fin=False)
    expect_close(c, 1002)


@case("5.15", "a continuation after a complete message fails with 1002")
def c_cont_after(addr):
    c = Raw(addr)
    c.send(frame(TEXT, b"done") + frame(CONT, b"late"))
    expect_echo(c, TEXT, "done")
    expect_close(c, 1002)


@case("5.16", "a new text message inside a fragmented one fails with 1002")
def c_new_in_frag(addr):
    c = Raw(addr)
    c.send(frame(TEXT, b"start", fin=False) + frame(TEXT, b"again"))
    expect_close(c, 1002)


@case("5.17", "a binary message inside a fragmented text fails with 1002")
def c_new_in_frag2(addr):
    c = Raw(addr)
    c.send(frame(TEXT, b"start", fin=False) + frame(BINARY, b"x", fin=False))
    expect_close(c, 1002)


@case("5.18", "a fragmented ping fails with 1002")
def c_frag_ping_bad(addr):
    c = Raw(addr)
    c.send(frame(PING, b"half", fin=False) + frame(CONT, b"ping"))
    expect_close(c, 1002)


@case("5.19", "a fragmented pong fails with 1002")
def c_frag_pong_bad(addr):
    c = Raw(addr)
    c.send(frame(PONG, b"half", fin=False) + frame(CONT, b"pong"))
    expect_close(c, 1002)


@case("5.20", "a fragmented close fails with 1002")
def c_frag_close_bad(addr):
    c = Raw(addr)
    c.send(frame(CLOSE, close_payload(1000), fin=False))
    expect_close(c, 1002)


@case("5.21", "two fragmented messages back to back")
def c_two_frag(addr):
    c = Raw(addr)
    c.send(fragments(TEXT, [b"first ", b"one"]) +
           fragments(BINARY, [b"\x00", b"\x01", b"\x02"]))
    expect_echo(c, TEXT, "first one")
    expect_echo(c, BINARY, b"\x00\x01\x02")


@case("5.22", "a 1 MiB message (the limit) in 16 fragments, sent in chops")
def c_frag_limit(addr):
    c = Raw(addr)
    payload = os.urandom(1 << 20)
    data = fragments(BINARY, split(payload, 16))
    for i in range(0, len(data), 100003):
        c.send(data[i:i + 100003])
    expect_echo(c, BINARY, payload, 5)


@case("5.23", "fragments adding up to 1 MiB + 1 byte fail with 1009")
def c_frag_over(addr):
    c = Raw(addr)
    c.send(frame(BINARY, b"x" * (1 << 19), fin=False) +
           frame(CONT, b"y" * (1 << 19), fin=False) +
           frame(CONT, b"z", fin=True))
    expect_close(c, 1009)


# --- 6 UTF-8 --------------------------------------------------------------

KOSME = "κόσμε".encode()
CLEF = "a\U0001D11Eb".encode()		# a, a 4-byte character, b


def _utf8_ok(data, desc_parts=1):
    def run(addr):
        c = Raw(addr)
        c.send(fragments(TEXT, split(data, desc_parts)))
        expect_echo(c, TEXT, data)
    return run


_n = 0
for _text, _what in [
        ("κόσμε".encode(), "Greek (2-byte characters)"),
        ("\u20ac\u20ac\u20ac".encode(), "3-byte characters"),
        ("\U0001F600\U0010FFFF".encode(), "4-byte characters up to U+10FFFF"),
        (b"\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80"
         b"\xf4\x8f\xbf\xbf", "the boundaries of every length"),
        ("\ud7ff\ue000\ufffd\ufeff".encode(), "around the surrogates")]:
    _n += 1
    case("6.1.%d" % _n, "valid text: %s" % _what)(_utf8_ok(_text))


@case("6.2.1", "a 4-byte character split in two fragments at every byte")
def c_split_every(addr):
    c = Raw(addr)
    for cut in range(1, len(CLEF)):
        c.send(fragments(TEXT, [CLEF[:cut], CLEF[cut:]]))
        expect_echo(c, TEXT, CLEF)


@case("6.2.2", "valid multi-byte text in one-byte fragments")
def c_bytewise_frags(addr):
    c = Raw(addr)
    data = KOSME + CLEF
    c.send(fragments(TEXT, [data[i:i + 1] for i in range(len(data))]))
    expect_echo(c, TEXT, data)


@case("6.2.3", "a 4-byte character split in 4 fragments, one per write")
def c_split_slow(addr):
    c = Raw(addr)
    ch = "\U0001F600".encode()
    for i in range(4):
        c.send_frame(TEXT if i == 0 else CONT, ch[i:i + 1], fin=i == 3)
        time.sleep(0.01)
    expect_echo(c, TEXT, ch)


@case("6.2.4", "a text frame sent byte by byte with multi-byte characters")
def c_frame_bytewise_utf8(addr):
    c = Raw(addr)
    for b in frame(TEXT, CLEF + KOSME):
        c.send(bytes([b]))
        time.sleep(0.002)
    expect_echo(c, TEXT, CLEF + KOSME)


INVALID = [
    (b"\xc0\xaf", "overlong 2-byte /"),
    (b"\xe0\x80\xaf", "overlong 3-byte /"),
    (b"\xf0\x80\x80\xaf", "overlong 4-byte /"),
    (b"\xc1\xbf", "overlong 2-byte U+7F"),
    (b"\xed\xa0\x80", "high surrogate U+D800"),
    (b"\xed\xbf\xbf", "low surrogate U+DFFF"),
    (b"\xed\xa0\x80\xed\xb0\x80", "a surrogate pair in UTF-8"),
    (b"\xf4\x90\x80\x80", "U+110000, above U+10FFFF"),
    (b"\xf5\x80\x80\x80", "lead byte F5"),
    (b"\xfe", "byte FE"),
    (b"\xff", "byte FF"),
    (b"\x80", "a lone continuation byte"),
    (b"\xc2", "a 2-byte character cut at the end"),
    (b"\xe2\x82", "a 3-byte character cut at the end"),
    (b"\xf0\x9f\x98", "a 4-byte character cut at the end"),
    (b"\xc2\x41", "a continuation byte missing"),
]


def _utf8_bad(data):
    def run(addr):
        c = Raw(addr)
        c.send_frame(TEXT, b"Hello-" + data + (b"" if data in (
            b"\xc2", b"\xe2\x82", b"\xf0\x9f\x98") else b"-world"))
        expect_close(c, 1007)
    return run


_n = 0
for _data, _what in INVALID:
    _n += 1
    case("6.3.%d" % _n, "invalid UTF-8, %s: 1007" % _what)(_utf8_bad(_data))


@case("6.4.1", "invalid UTF-8 in the 2nd of 3 fragments: 1007 before the 3rd")
def c_bad_mid(addr):
    c = Raw(addr)
    c.send(frame(TEXT, KOSME, fin=False) +
           frame(CONT, b"\xed\xa0\x80bad", fin=False))
    expect_close(c, 1007)


@case("6.4.2", "a text message cut in the middle of a character at the end")
def c_bad_cut_frag(addr):
    c = Raw(addr)
    c.send(fragments(TEXT, [b"abc", b"\xf0\x9f", b"\x98"]))
    expect_close(c, 1007)


@case("6.4.3", "invalid UTF-8 early in a frame: 1007 before the frame ends")
def c_bad_partial(addr):
    c = Raw(addr)
    payload = b"valid start \xc0\xaf" + b"x" * 1000
    data = frame(TEXT, payload)
    c.send(data[:len(data) - 900])
    expect_close(c, 1007)


@case("6.4.4", "invalid UTF-8 in a continuation frame's first bytes: "
      "1007 before it ends")
def c_bad_partial_cont(addr):
    c = Raw(addr)
    cont = frame(CONT, b"\xf4\x90" + b"y" * 5000)
    c.send(frame(TEXT, b"fine", fin=False) + cont[:100])
    expect_close(c, 1007)


@case("6.4.5", "invalid UTF-8 in a binary message is fine")
def c_binary_any(addr):
    c = Raw(addr)
    c.send_frame(BINARY, b"\xc0\xaf\xed\xa0\x80\xff")
    expect_echo(c, BINARY, b"\xc0\xaf\xed\xa0\x80\xff")


@case("6.4.6", "a valid message after a fragmented one starts clean")
def c_utf8_reset(addr):
    c = Raw(addr)
    c.send(fragments(BINARY, [b"\xf0\x9f", b"\x98"]) + frame(TEXT, b"clean"))
    expect_echo(c, BINARY, b"\xf0\x9f\x98")
    expect_echo(c, TEXT, "clean")


# --- 7 close handling -----------------------------------------------------

@case("7.1.1", "close 1000 with a reason is answered with close 1000")
def c_close_reason(addr):
    c = Raw(addr)
    c.send_frame(CLOSE, close_payload(1000, "bye now"))
    expect_close(c, 1000)


@case("7.1.2", "close without payload is answered with a close")
def c_close_empty(addr):
    c = Raw(addr)
    c.send_frame(CLOSE)
    payload = expect_close(c, (None, 1000))
    if len(payload) not in (0, 2):
        raise Failed("answer carries %d bytes" % len(payload))


@case("7.1.3", "close with a 123-byte reason (125 in all) is accepted")
def c_close_125(addr):
    c = Raw(addr)
    c.send_frame(CLOSE, close_payload(1000, "r" * 123))
    expect_close(c, 1000)


@case("7.1.4", "close with a 1-byte payload fails with 1002")
def c_close_1byte(addr):
    c = Raw(addr)
    c.send_frame(CLOSE, b"\x03")
    expect_close(c, 1002)


@case("7.1.5", "close with 126 bytes of payload fails with 1002")
def c_close_126(addr):
    c = Raw(addr)
    c.send_frame(CLOSE, close_payload(1000, "r" * 124))
    expect_close(c, 1002)


@case("7.1.6", "close with an invalid UTF-8 reason fails with 1007")
def c_close_bad_reason(addr):
    c = Raw(addr)
    c.send_frame(CLOSE, close_payload(1000, b"bad \xed\xa0\x80 reason"))
    expect_close(c, 1007)


@case("7.1.7", "close with a valid multi-byte reason is accepted")
def c_close_utf8(addr):
    c = Raw(addr)
    c.send_frame(CLOSE, close_payload(1000, KOSME))
    expect_close(c, 1000)


@case("7.2.1", "data after a close is ignored and TCP closes within 2 s")
def c_after_close(addr):
    c = Raw(addr)
    c.send(frame(CLOSE, close_payload(1000)) + frame(TEXT, b"ignored"))
    fin, op, payload = c.recv_frame()
    if op != CLOSE:
        raise Failed("expected the close, got %s" % describe(op, payload))
    try:
        c.send(frame(TEXT, b"ignored too") + frame(PING, b"and this"))
    except OSError:
        pass
    t = c.eof_within(WAIT)
    if t is None:
        raise Failed("TCP still open 2 s after the close handshake")


@case("7.2.2", "a message before the close is echoed, then the close")
def c_msg_then_close(addr):
    c = Raw(addr)
    c.send(frame(TEXT, b"last words") + frame(CLOSE, close_payload(1000)))
    expect_echo(c, TEXT, "last words")
    expect_close(c, 1000)


@case("7.2.3", "a close in the middle of a fragmented message")
def c_close_mid_frag(addr):
    c = Raw(addr)
    c.send(frame(TEXT, b"never ", fin=False) +
           frame(CLOSE, close_payload(1000)) + frame(CONT, b"finished"))
    expect_close(c, 1000)


@case("7.2.4", "a second close is ignored")
def c_double_close(addr):
    c = Raw(addr)
    c.send(frame(CLOSE, close_payload(1000)) +
           frame(CLOSE, close_payload(1001)))
    expect_close(c, 1000)


@case("7.2.5", "a large message then a close: echo first, then close")
def c_big_then_close(addr):
    c = Raw(addr)
    payload = b"z" * 262144
    c.send(frame(BINARY, payload) + frame(CLOSE, close_payload(1000)))
    expect_echo(c, BINARY, payload, 5)
    expect_close(c, 1000)


_n = 0
for _code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000,
              65535):
    _n += 1

    def _bad_code(code):
        def run(addr):
            c = Raw(addr)
            c.send_frame(CLOSE, close_payload(code))
            expect_close(c, 1002)
        return run
    case("7.3.%d" % _n, "close code %d is invalid: 1002" % _code)(
        _bad_code(_code))

_n = 0
for _code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000,
              3999, 4000, 4999):
    _n += 1

    def _good_code(code):
        def run(addr):
            c = Raw(addr)
            c.send_frame(CLOSE, close_payload(code, "ok"))
            expect_close(c, code)
        return run
    case("7.4.%d" % _n, "close code %d is accepted and echoed" % _code)(
        _good_code(_code))


def main():
    addr = sys.argv[1]
    only = [a for a in sys.argv[2:] if not a.startswith("-")]
    skip = [a[1:] for a in sys.argv[2:] if a.startswith("-")]
    n = 0
    for name, desc, fn, todo in CASES:
        if (only and name not in only) or name in skip:
            continue
        n += 1
        label = "%s %s" % (name, desc)
        try:
            fn(addr)
            print("ok " + label, flush=True)
        except (Failed, Closed, socket.timeout, OSError) as e:
            why = str(e) or type(e).__name__
            if todo:
                print("todo %s: %s | %s" % (label, why, todo), flush=True)
            else:
                print("not ok %s: %s" % (label, why), flush=True)
    print("cases %d" % n, flush=True)


if __name__ == "__main__":
    main()

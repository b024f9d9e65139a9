#!/usr/bin/python3
"""A stand-in for Grafana Pyroscope's HTTP ingest API, on loopback.

  pyroscope_rx.py DIR LABELS

Listens on 127.0.0.1 (a free port, written to DIR/port) and checks each
POST /ingest as Pyroscope documents it: query parameters name (hotline
with instance, host and LABELS, k=v,k=v), from <= until (UNIX seconds),
format=pprof, sampleRate; a multipart/form-data body whose field
"profile" holds the profile, saved as DIR/N.pb.gz. Each request gets a
line in DIR/requests.log: "ok N" or "bad WHY". DIR/mode says how to
answer: ok (200), 500, or hang (answer nothing for 20 s). Exits by
itself after 120 s.
"""
import email.parser
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR, LABELS = sys.argv[1], sys.argv[2]
count = 0
lock = threading.Lock()


def check(path, ctype, body):
    """The saved profile's number, or raise ValueError with the reason."""
    u = urllib.parse.urlsplit(path)
    if u.path != "/ingest":
        raise ValueError("path " + u.path)
    q = dict(urllib.parse.parse_qsl(u.query, strict_parsing=True))
    m = re.fullmatch(r"hotline\{instance=([^,{}]+),host=([^,{}]+)(,.*)?\}",
                     q.get("name", ""))
    if not m or (m.group(3) or "")[1:] != LABELS:
        raise ValueError("name " + q.get("name", "(none)"))
    if not int(q["from"]) <= int(q["until"]) or int(q["sampleRate"]) <= 0:
        raise ValueError("from/until/sampleRate")
    if q.get("format") != "pprof":
        raise ValueError("format " + q.get("format", "(none)"))
    msg = email.parser.BytesParser().parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    if not msg.is_multipart():
        raise ValueError("not multipart/form-data")
    for part in msg.get_payload():
        if part.get_param("name", header="content-disposition") == "profile":
            global count
            with lock:
                count += 1
                n = count
            with open(os.path.join(DIR, "%d.pb.gz" % n), "wb") as f:
                f.write(part.get_payload(decode=True))
            return n
    raise ValueError("no field named profile")


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            line = "ok %d" % check(self.path,
                                   self.headers.get("Content-Type", ""), body)
        except (ValueError, KeyError) as e:
            line = "bad %s" % e
        with open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write(line + "\n")
        mode = open(os.path.join(DIR, "mode")).read().strip()
        if mode == "hang":
            time.sleep(20)
            return
        self.send_response(200 if mode == "ok" else 500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
threading.Timer(120, srv.shutdown).start()
srv.serve_forever()

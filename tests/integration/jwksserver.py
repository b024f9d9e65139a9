#!/usr/bin/python3
"""JWKS helpers for t_auth_jwks.sh (loopback only, bounded lifetime).

  jwksserver.py serve DIR PORTFILE LIFETIME [CERT KEY]
        serve DIR over HTTP (HTTPS with CERT and KEY) on 127.0.0.1 and,
        when it can, ::1, on one free port written to PORTFILE; exits
        after LIFETIME seconds. Requests are logged to stderr.
  jwksserver.py jwks KID=PEM...
        print a JWKS document ({"keys": [...]}) of the RSA or EC P-256
        public keys in the PEM files (private or public), one per KID;
        the numbers come from the openssl command line.
"""
import base64
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time


def b64url(n, size=None):
    raw = n.to_bytes(size or (n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def openssl_text(pem):
    out = subprocess.run(["openssl", "pkey", "-in", pem, "-pubin", "-noout",
                          "-text"], capture_output=True, text=True)
    if out.returncode != 0:
        out = subprocess.run(["openssl", "pkey", "-in", pem, "-noout",
                              "-text_pub"], capture_output=True, text=True,
                             check=True)
    return out.stdout


def hexblock(lines, start):
    """The colon-separated hex bytes after a 'name:' line."""
    out = ""
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        out += line.strip().replace(":", "")
    return int(out, 16)


def jwk(kid, pem):
    text = openssl_text(pem)
    lines = text.splitlines()
    if "ASN1 OID: prime256v1" in text:
        i = next(k for k, l in enumerate(lines) if l.startswith("pub:"))
        point = hexblock(lines, i).to_bytes(65, "big")
        return {"kid": kid, "kty": "EC", "crv": "P-256", "use": "sig",
                "alg": "ES256",
                "x": base64.urlsafe_b64encode(point[1:33]).rstrip(b"=")
                .decode(),
                "y": base64.urlsafe_b64encode(point[33:]).rstrip(b"=")
                .decode()}
    i = next(k for k, l in enumerate(lines) if l.startswith("Modulus"))
    n = hexblock(lines, i)
    e = int(next(l for l in lines if l.startswith("Exponent"))
            .split()[1])
    return {"kid": kid, "kty": "RSA", "use": "sig", "alg": "RS256",
            "n": b64url(n), "e": b64url(e)}


def make_handler(root):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

        def log_message(self, fmt, *args):
            sys.stderr.write("jwks %s\n" % (fmt % args))
            sys.stderr.flush()
    return Handler


class Server6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


def serve(root, portfile, lifetime, cert=None, key=None):
    handler = make_handler(root)
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)]
    port = servers[0].server_address[1]
    try:
        servers.append(Server6(("::1", port), handler))
    except OSError:
        pass
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)

        def sni(sock, name, _ctx):
            sys.stderr.write("sni %s\n" % name)
            sys.stderr.flush()
        ctx.sni_callback = sni
        for s in servers:
            s.socket = ctx.wrap_socket(s.socket, server_side=True)
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    time.sleep(lifetime)


def main():
    if sys.argv[1] == "serve":
        a = sys.argv[2:]
        serve(a[0], a[1], float(a[2]), *(a[3:5] if len(a) >= 5 else []))
    elif sys.argv[1] == "jwks":
        keys = [jwk(*arg.split("=", 1)) for arg in sys.argv[2:]]
        print(json.dumps({"keys": keys}))


main()

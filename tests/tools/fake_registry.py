#!/usr/bin/env python3
"""fake_registry.py - a small OCI distribution registry (python3 stdlib) for
the cases Debian's docker-registry cannot play: Bearer token auth from its own
realm endpoint, and answers that lie about their digests.

    fake_registry.py --port-file F [--layout DIR] [--token-user U:P]
                     [--tamper blob|manifest|header] [--relative-location]

It serves the images of an OCI layout (`vmctl save -o DIR/`) under their
names, and keeps whatever is pushed to it in memory.  With --token-user it
answers every /v2/ request without a valid token with a Bearer challenge
whose realm is its own /token endpoint (which wants Basic U:P).  --tamper
flips a byte of every layer blob it serves (blob), serves manifests with an
extra byte (manifest), or announces a wrong Docker-Content-Digest (header).
Requests are logged to stderr one per line.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MANIFEST_RE = re.compile(r"^/v2/(.+)/manifests/([^/]+)$")
BLOB_RE = re.compile(r"^/v2/(.+)/blobs/(sha256:[0-9a-f]{64})$")
UPLOADS_RE = re.compile(r"^/v2/(.+)/blobs/uploads/$")
SESSION_RE = re.compile(r"^/upload/([0-9a-f]+)$")


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.blobs = {}  # digest -> bytes
        self.repo_blobs = {}  # repo -> digests it holds
        self.manifests = {}  # (repo, tag or digest) -> (media type, bytes)
        self.uploads = {}  # id -> bytearray
        self.tokens = set()

    def load_layout(self, layout):
        with open(os.path.join(layout, "index.json")) as f:
            index = json.load(f)
        blobdir = os.path.join(layout, "blobs", "sha256")
        for name in os.listdir(blobdir):
            with open(os.path.join(blobdir, name), "rb") as f:
                self.blobs["sha256:" + name] = f.read()
        for m in index.get("manifests", []):
            ref = m.get("annotations", {}).get("org.opencontainers.image.ref.name", "")
            repo, _, tag = ref.rpartition(":")
            data = self.blobs[m["digest"]]
            mt = m.get("mediaType", "application/vnd.oci.image.manifest.v1+json")
            self.manifests[(repo, tag)] = (mt, data)
            self.manifests[(repo, m["digest"])] = (mt, data)
            self.repo_blobs.setdefault(repo, set()).update(self.blobs)

    def has(self, repo, digest):
        return digest in self.repo_blobs.get(repo, ())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    store = None
    opts = None

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self.reply(status, body, {"Content-Type": "application/json"})

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def authorized(self, repo):
        if not self.opts.token_user:
            return True
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and auth[7:] in self.store.tokens:
            return True
        host = self.headers.get("Host")
        self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"token needed"}]}', {
            "Content-Type": "application/json",
            "WWW-Authenticate": 'Bearer realm="http://%s/token",service="fake registry",'
                                'scope="repository:%s:pull,push"' % (host, repo or "")})
        return False

    def token(self, query):
        want = "Basic " + base64.b64encode(self.opts.token_user.encode()).decode()
        if self.headers.get("Authorization") != want:
            self.reply(401, b'{"details":"bad credentials"}',
                       {"WWW-Authenticate": 'Basic realm="fake token service"'})
            return
        if query.get("service") != ["fake registry"] or not query.get("scope"):
            self.error(400, "BAD_TOKEN_REQUEST", "service or scope missing")
            return
        tok = secrets.token_hex(16)
        with self.store.lock:
            self.store.tokens.add(tok)
        # Both spellings exist in the wild; hand out the OAuth one here.
        self.reply(200, json.dumps({"access_token": tok}).encode(),
                   {"Content-Type": "application/json"})

    def route(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        path = url.path
        if path == "/token":
            return self.token(query)
        m = (MANIFEST_RE.match(path) or BLOB_RE.match(path) or UPLOADS_RE.match(path))
        repo = m.group(1) if m else None
        if path.startswith("/v2/") or SESSION_RE.match(path):
            if not self.authorized(repo):
                return
        if path == "/v2/":
            return self.reply(200, b"{}")
        if MANIFEST_RE.match(path):
            return self.manifest(repo, m.group(2))
        if BLOB_RE.match(path):
            return self.blob(repo, m.group(2))
        if UPLOADS_RE.match(path) and self.command == "POST":
            return self.start_upload(repo, query)
        s = SESSION_RE.match(path)
        if s and s.group(1) in self.store.uploads:
            return self.upload(s.group(1), query)
        self.error(404, "NOT_FOUND", path)

    def manifest(self, repo, ref):
        if self.command == "PUT":
            data = self.read_body()
            d = digest_of(data)
            mt = self.headers.get("Content-Type")
            with self.store.lock:
                self.store.manifests[(repo, ref)] = (mt, data)
                self.store.manifests[(repo, d)] = (mt, data)
            return self.reply(201, b"", {"Docker-Content-Digest": d,
                                         "Location": "/v2/%s/manifests/%s" % (repo, d)})
        got = self.store.manifests.get((repo, ref))
        if not got:
            return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
        mt, data = got
        announced = digest_of(data)
        if self.opts.tamper == "manifest":
            data = data + b" "
            announced = digest_of(data) if ref.startswith("sha256:") else announced
        if self.opts.tamper == "header":
            announced = digest_of(b"something else")
        self.reply(200, data, {"Content-Type": mt, "Docker-Content-Digest": announced})

    def blob(self, repo, digest):
        data = self.store.blobs.get(digest)
        if data is None or not self.store.has(repo, digest):
            return self.error(404, "BLOB_UNKNOWN", "blob unknown")
        if self.opts.tamper == "blob" and len(data) > 1024:
            data = bytes([data[0] ^ 1]) + data[1:]
        self.reply(200, data, {"Content-Type": "application/octet-stream",
                               "Docker-Content-Digest": digest})

    def start_upload(self, repo, query):
        d = query.get("mount", [""])[0]
        if d and self.store.has(query.get("from", [""])[0], d):
            with self.store.lock:
                self.store.repo_blobs.setdefault(repo, set()).add(d)
            sys.stderr.write("mounted %s from %s\n" % (d, query["from"][0]))
            return self.reply(201, b"", {"Docker-Content-Digest": d,
                                         "Location": "/v2/%s/blobs/%s" % (repo, d)})
        uid = secrets.token_hex(8)
        with self.store.lock:
            self.store.uploads[uid] = (repo, bytearray())
        host = "" if self.opts.relative_location else "http://" + self.headers.get("Host")
        self.reply(202, b"", {"Location": "%s/upload/%s?_state=x" % (host, uid),
                              "Range": "0-0"})

    def upload(self, uid, query):
        repo, buf = self.store.uploads[uid]
        buf += self.read_body()
        if self.command == "PATCH":
            return self.reply(202, b"", {"Location": "/upload/%s?_state=y" % uid,
                                         "Range": "0-%d" % (len(buf) - 1)})
        d = query.get("digest", [""])[0]
        if self.command != "PUT" or digest_of(bytes(buf)) != d:
            return self.error(400, "DIGEST_INVALID", "digest does not match")
        with self.store.lock:
            self.store.blobs[d] = bytes(buf)
            self.store.repo_blobs.setdefault(repo, set()).add(d)
            del self.store.uploads[uid]
        self.reply(201, b"", {"Docker-Content-Digest": d})

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = route


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--layout")
    ap.add_argument("--token-user")
    ap.add_argument("--tamper", choices=["blob", "manifest", "header"])
    ap.add_argument("--relative-location", action="store_true")
    opts = ap.parse_args()
    Handler.store = Store()
    Handler.opts = opts
    if opts.layout:
        Handler.store.load_layout(opts.layout)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(opts.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(opts.port_file + ".tmp", opts.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""An https git smart-HTTP server for oauthcli's tests: `git http-backend` (CGI) behind a
small server that lets a request through only when its Basic password is a live access
token of the test provider, which it asks the provider's userinfo endpoint.

    git-server.py ROOT ISSUER CERT KEY LOG

ROOT holds the repositories; LOG gets one JSON line per request: method, path, the user
and password of its Basic header (null when none) and whether it was let through.
Once listening it prints one line: `READY https://127.0.0.1:PORT`.
"""
import base64
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading
import urllib.error
import urllib.request

ROOT, ISSUER, CERT, KEY, LOG = sys.argv[1:6]
LOG_LOCK = threading.Lock()


def token_is_live(token):
    req = urllib.request.Request(f"{ISSUER}/me", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status == 200
    except urllib.error.HTTPError:
        return False


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_git()

    def do_POST(self):
        self.handle_git()

    def handle_git(self):
        user = password = None
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        allowed = password is not None and token_is_live(password)
        path, _, query = self.path.partition("?")
        with LOG_LOCK, open(LOG, "a") as log:
            entry = {"method": self.command, "path": path, "user": user,
                     "password": password, "allowed": allowed}
            log.write(json.dumps(entry) + "\n")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not allowed:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="oauthcli test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        env = {
            "PATH": os.environ["PATH"],
            "GIT_PROJECT_ROOT": ROOT,
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": user,
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        out = subprocess.run(["git", "http-backend"], input=body, env=env,
                             capture_output=True, check=True).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(": ")
            if name.lower() == "status":
                status = int(value.split()[0])
            else:
                headers.append((name, value))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CERT, KEY)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(f"READY https://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()

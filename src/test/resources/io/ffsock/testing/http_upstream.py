# The upstream nginx proxies /echo and /chunked to (NginxServer): nginx itself cannot echo a
# request body or produce a response of unknown length from a static file.
#   POST /echo      -> 200, the request body back, Content-Length, X-Body-Length
#   GET  /chunked?n=K&size=S -> K pieces of S bytes ('a'+i), no Content-Length (nginx then
#                      sends it to an HTTP/1.1 client chunked)
# Usage: http_upstream.py <unix socket path>
import os
import socketserver
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def address_string(self):
        return "unix"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n) if n else b""
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Body-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path != "/chunked":
            self.send_error(404)
            return
        pieces = int(q.get("n", ["5"])[0])
        size = int(q.get("size", ["1000"])[0])
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.flush()
        for i in range(pieces):
            self.wfile.write(bytes([ord("a") + i % 26]) * size)
            self.wfile.flush()
            time.sleep(0.005)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


path = sys.argv[1]
with Server(path, Handler) as s:
    os.chmod(path, 0o777)
    print("ready", flush=True)
    s.serve_forever()

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The demo's HTTP server: one per server namespace.

    http_server.py NAME PORT FILE RATE

GET /          answers "NAME\\n"
GET /big.bin   sends FILE, paced to RATE bytes per second per download,
               so that a download lasts long enough to watch
Every answer carries the header "X-Server: NAME". One thread per
connection, HTTP/1.0 (the connection closes after each answer). Runs
until killed.
"""
import http.server
import os
import socketserver
import sys
import time

CHUNK = 16384


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "hlb-demo"

    def log_message(self, fmt, *args):
        pass

    def head(self, length, ctype):
        self.send_response(200)
        self.send_header("X-Server", self.server.name)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_GET(self):
        if self.path == "/":
            body = (self.server.name + "\n").encode()
            self.head(len(body), "text/plain")
            self.wfile.write(body)
        elif self.path == "/big.bin":
            self.send_file()
        else:
            self.send_error(404)

    def send_file(self):
        path, rate = self.server.file, self.server.rate
        self.head(os.path.getsize(path), "application/octet-stream")
        start, sent = time.monotonic(), 0
        with open(path, "rb") as f:
            while True:
                data = f.read(CHUNK)
                if not data:
                    break
                self.wfile.write(data)
                sent += len(data)
                ahead = sent / rate - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def main():
    name, port, path, rate = sys.argv[1:5]
    srv = Server(("0.0.0.0", int(port)), Handler)
    srv.name, srv.file, srv.rate = name, path, float(rate)
    srv.serve_forever()


main()

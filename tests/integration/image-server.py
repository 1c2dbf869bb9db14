#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A file server for test-image-url*.sh: serves DIR on 127.0.0.1 (the test's private network
# namespace: nothing leaves the machine), with HTTP Range (bytes=N-) and fault modes read from
# DIR/.mode at each request:
#   (empty)   normal
#   truncate  sends the first half of the body (Content-Length says all of it) and closes
#   gone      sends the first half and the server process exits (a server gone mid-transfer)
#   norange   ignores Range: always 200 with the whole file
#   416       answers every Range request 416 (range not satisfiable), a plain GET normally
#   stall     sends the first half, then nothing, the connection kept open (a stalled server)
#   slow:N    sends at N bytes per second (a download that takes a while)
#   nolength  sends no Content-Length: the body ends when the connection closes (size unknown)
# Each GET is one line in LOG once its answer ends: "GET PATH RANGE-HEADER-OR-- STATUS BYTES",
# BYTES the body bytes sent.
# Usage: image-server.py DIR PORT_FILE LOG [PORT]
import http.server
import os
import sys
import time

root, port_file, log = sys.argv[1], sys.argv[2], sys.argv[3]
port = int(sys.argv[4]) if len(sys.argv) > 4 else 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def note(self, status, sent=0):
        with open(log, "a") as f:
            f.write("GET %s %s %d %d\n" % (self.path, self.headers.get("Range") or "-", status, sent))

    def send_body(self, body, mode):
        """Sends body as mode says; returns the bytes sent."""
        rate = int(mode[5:]) if mode.startswith("slow:") else 0
        if mode in ("truncate", "gone", "stall"):
            body = body[: len(body) // 2]
        sent, chunk = 0, 64 * 1024
        try:
            while sent < len(body):
                n = self.wfile.write(body[sent : sent + chunk])
                sent += n if n is not None else min(chunk, len(body) - sent)
                if rate:
                    self.wfile.flush()
                    time.sleep(chunk / rate)
            self.wfile.flush()
        except OSError:
            pass
        return sent

    def do_GET(self):
        try:
            mode = open(os.path.join(root, ".mode")).read().strip()
        except FileNotFoundError:
            mode = ""
        path = os.path.join(root, os.path.basename(self.path))
        if not os.path.isfile(path):
            self.note(404)
            self.send_error(404)
            return
        data = open(path, "rb").read()
        start = 0
        rng = self.headers.get("Range")
        if rng and mode == "416":
            start = len(data) + 1
        elif rng and mode != "norange" and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
        if start > len(data):
            self.note(416)
            self.send_error(416)
            return
        status = 206 if start else 200
        self.send_response(status)
        if mode == "nolength":
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(data) - start))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        sent = self.send_body(data[start:], mode)
        self.note(status, sent)
        if mode == "gone":
            os._exit(0)
        if mode == "stall":
            time.sleep(3600)
        if mode in ("truncate", "stall"):
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True


srv = Server(("127.0.0.1", port), Handler)
tmp = port_file + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(tmp, port_file)
srv.serve_forever()

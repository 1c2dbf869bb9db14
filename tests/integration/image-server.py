#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# A file server for test-image-url*.sh: serves DIR on 127.0.0.1 (the test's private network
# namespace: nothing leaves the machine), with HTTP Range (bytes=N-) and fault modes read from
# DIR/.mode at each request:
#   (empty)   normal
#   truncate  sends the first half of the body (Content-Length says all of it) and closes
#   gone      sends the first half and the server process exits (a server gone mid-transfer)
#   norange   ignores Range: always 200 with the whole file
# Each GET is one line in LOG: "GET PATH RANGE-HEADER-OR-- STATUS".
# Usage: image-server.py DIR PORT_FILE LOG [PORT]
import http.server
import os
import sys

root, port_file, log = sys.argv[1], sys.argv[2], sys.argv[3]
port = int(sys.argv[4]) if len(sys.argv) > 4 else 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def note(self, status):
        with open(log, "a") as f:
            f.write("GET %s %s %d\n" % (self.path, self.headers.get("Range") or "-", status))

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
        if rng and mode != "norange" and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
        if start > len(data):
            self.note(416)
            self.send_error(416)
            return
        status = 206 if start else 200
        self.note(status)
        self.send_response(status)
        self.send_header("Content-Length", str(len(data) - start))
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        body = data[start:]
        if mode in ("truncate", "gone"):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            if mode == "gone":
                os._exit(0)
            self.close_connection = True
            return
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    allow_reuse_address = True


srv = Server(("127.0.0.1", port), Handler)
tmp = port_file + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(tmp, port_file)
srv.serve_forever()

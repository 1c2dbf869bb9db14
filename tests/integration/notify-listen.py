#!/usr/bin/env python3
"""A stand-in for systemd's notify socket: prints every datagram received, one line each
(newlines inside a message become '|'), until killed. Usage: notify-listen.py SOCKET-PATH"""
import os, socket, sys

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
while True:
    data = s.recv(4096)
    print(data.decode(errors="replace").replace("\n", "|"), flush=True)

#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Merges a user-data file the way cloud-init does (its own UserDataProcessor and cloud-config part
# handler, from the cloud-init package on PYTHONPATH) and writes the resulting cloud-config to OUT.
# Prints each part's content type, one per line.
# Usage: cloud-init-merge.py USER-DATA OUT
import sys

from cloudinit import handlers, user_data
from cloudinit.handlers.cloud_config import CloudConfigPartHandler


class Paths:
    def __init__(self, out):
        self.out = out

    def get_ipath(self, name):
        return self.out

    def get_cpath(self, name):
        return self.out + ".d"

    def get_ipath_cur(self, name):
        return self.out + ".d"   # where cloud-init would look for SSL details: nothing there


src, out = sys.argv[1], sys.argv[2]
with open(src, "rb") as f:
    msg = user_data.UserDataProcessor(Paths(out)).process(f.read())
h = CloudConfigPartHandler(Paths(out))
h.handle_part(None, handlers.CONTENT_START, None, None, None, None)
for part in msg.walk():
    if part.get_content_maintype() == "multipart":
        continue
    ctype = part.get_content_type()
    print(ctype)
    if ctype == "text/cloud-config":
        h.handle_part(None, ctype, part.get_filename(), part.get_payload(decode=True).decode(),
                      None, dict(part.items()))
h.handle_part(None, handlers.CONTENT_END, None, None, None, None)

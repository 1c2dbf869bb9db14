#!/bin/sh
set -e
echo "batch node ready" > /etc/motd

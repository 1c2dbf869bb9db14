#!/bin/bash
# The e2e suite (meson suite e2e): build or reuse the guest image (on the host: the image build
# reads the configured Debian mirror), then run test-real-guest.sh against a private libvirtd in
# its own network namespace (tests/integration/harness.sh). VIRTSPEC_BIN names virtspec.
set -u
here=$(cd "$(dirname "$0")" && pwd)
start=$SECONDS
dir=$(bash "$here/build-image.sh") || { echo "FAIL - the guest image could not be built"; exit 1; }
built=$((SECONDS - start))
echo "# timing: image build (or cache hit): $built s (a full build took $(cat "$dir/seconds" 2>/dev/null) s): $dir"
VIRTSPEC_E2E_IMAGE_DIR=$dir VIRTSPEC_E2E_BUILD_SECONDS=$built \
    exec bash "$here/../integration/harness.sh" bash "$here/test-real-guest.sh"

#!/bin/bash -eu
# ClusterFuzzLite runs this inside its image; the build is OSS-Fuzz's
# (docker/build.sh), so both stay one script.
exec "$SRC/kmmfuzz/docker/build.sh"

# troupe container image (GitHub issue 4).
#   docker build -t troupe . && docker run --rm -p 8080:8080 troupe
#   podman build --format docker -t troupe . && podman run --rm -p 8080:8080 troupe
# `--format docker` keeps the HEALTHCHECK under podman/buildah (the OCI format has no field for it).
# Kept to what buildah 1.28 (Debian 12) accepts: no `COPY --link`, no heredoc `RUN <<EOF`.

# ---- build stage: compilers and -dev packages, Release build of the `troupe` target only ----
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ make cmake libboost1.81-dev libboost-system1.81-dev nlohmann-json3-dev libspdlog-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the build reads (tests, benches, web and docs stay out of this stage's cache key).
COPY CMakeLists.txt CMakePresets.json ./
COPY actors actors
COPY config config
COPY server server
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DTROUPE_BUILD_TESTS=OFF -DTROUPE_BUILD_BENCH=OFF \
 && cmake --build build -j"$(nproc)" --target troupe \
 && strip --strip-unneeded build/server/troupe
# The Debian packages that own the shared libraries the binary links: the runtime stage installs
# exactly these. ldd may name a library by its /lib alias or by its /usr/lib path; dpkg knows one.
# (The loop writes to a file, not into a pipe: its `exit 1` must fail this step, not a subshell.)
RUN set -eu; mkdir -p /out; : > /out/owners; \
    for lib in $(ldd build/server/troupe | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do \
      owner=""; \
      for p in "$lib" "/usr$lib" "${lib#/usr}" "$(readlink -f "$lib")"; do \
        owner=$(dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1) && [ -n "$owner" ] && break; \
      done; \
      [ -n "$owner" ] || { echo "no Debian package owns $lib" >&2; exit 1; }; \
      echo "$owner" >> /out/owners; \
    done; \
    sort -u /out/owners > /out/runtime-packages; \
    cat /out/runtime-packages

# ---- runtime stage: shared libraries, the binary, web/ and the default config ----
FROM debian:bookworm-slim
COPY --from=build /out/runtime-packages /tmp/runtime-packages
# curl is the HEALTHCHECK's client. The fixed uid/gid lets orchestrators check runAsNonRoot.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      $(cat /tmp/runtime-packages) curl \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /tmp/runtime-packages \
 && groupadd --system --gid 10001 troupe \
 && useradd --system --uid 10001 --gid troupe --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin troupe
COPY --from=build /src/build/server/troupe /usr/local/bin/troupe
COPY config/troupe.json /etc/troupe/troupe.json
COPY web /opt/troupe/web
# web_root "web" in the config resolves against this directory.
WORKDIR /opt/troupe
# Every setting has a TROUPE_* variable (see docs/configuration.md); `-e TROUPE_PORT=9000` etc.
# Precedence: flags (appended after the image name) > TROUPE_* > the file (mount your own over
# /etc/troupe/troupe.json) > built-in defaults. The default file listens on all interfaces (publish
# the port to choose who can reach it); the image sets no other variable, so a mounted file's
# server.host is obeyed.
ENV TROUPE_CONFIG=/etc/troupe/troupe.json
USER 10001:10001
EXPOSE 8080
# Follows TROUPE_PORT, so change the port with the variable (not a flag) to keep this working.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${TROUPE_PORT:-8080}/healthz" || exit 1
# The binary is PID 1 and handles SIGTERM itself (closes WebSockets with 1001, exits 0): no --init.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/troupe"]

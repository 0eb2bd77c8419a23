# Amend: amend-server, amend-trainer and amend on Debian 12.
#
#   docker build -t amend .
#   docker run -p 8001:8001 -p 8002:8002 -v $PWD/editors:/editors:ro amend
#
# Build stage: the -dev packages (scripts/packages.sh) and a Release build.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/packages.sh scripts/packages.sh
RUN bash -c 'source scripts/packages.sh && amend_install_missing "${AMEND_BUILD_PACKAGES[@]}"' \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DAMEND_BUILD_TESTS=OFF \
          -DAMEND_BUILD_BENCHMARKS=OFF -DAMEND_DEFAULT_DATA_DIR=/usr/share/amend/data \
 && cmake --build build -j"$(nproc)" --target amend-server amend-trainer amend

# Runtime stage: only the shared libraries (deploy/runtime-packages.txt), the three binaries,
# the bundled data, and a non-root user.
FROM debian:12 AS runtime
COPY deploy/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      $(grep -v '^#' /tmp/runtime-packages.txt) \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin amend \
 && mkdir -p /editors && chown amend /editors
COPY --from=build /src/build/server/amend-server /src/build/trainer/amend-trainer \
                  /src/build/client/amend /usr/local/bin/
COPY --from=build /src/data /usr/share/amend/data
ENV OPENBLAS_NUM_THREADS=1 \
    AMEND_DATA_DIR=/usr/share/amend/data \
    AMEND_SERVER=127.0.0.1:8001
USER 10001
EXPOSE 8001 8002
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["amend", "health", "--timeout_seconds", "2"]
ENTRYPOINT ["amend-server"]
CMD ["--editors", "/editors", "--port", "8001", "--metrics_port", "8002"]

# syntax=docker/dockerfile:1
# GPU worker (modernbert-worker) that reuses the libtorch of a PyTorch base image instead of shipping its own: the
# app is published with TorchSharpBackend=none (TorchSharp's libLibTorchSharp.so, no libtorch) and finds PyTorch's
# torch/lib through LD_LIBRARY_PATH. Smaller to build and push when PyTorch images are already cached on the nodes.
# The PyTorch version must be the libtorch version TorchSharp was built against (2.10 for TorchSharp 0.107).
# Build from the repository root:  docker build -f deploy/docker/worker-pytorch.Dockerfile -t modernbert-worker:pytorch .
ARG DOTNET_VERSION=10.0
ARG PYTORCH_BASE_IMAGE=pytorch/pytorch:2.10.0-cuda12.8-cudnn9-runtime

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY . .
# PyTorch images are Ubuntu 22.04 based (libstdc++ older than GCC 13), hence ModernBertWeakGlibcxx=always.
RUN --mount=type=cache,id=modernbert-nuget,target=/root/.nuget/packages \
    dotnet publish src/Worker -c Release -r linux-x64 --self-contained false \
        -p:TorchSharpBackend=none -p:ModernBertWeakGlibcxx=always -o /app

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS dotnet-runtime

FROM ${PYTORCH_BASE_IMAGE}
ARG EXPECTED_TORCH_VERSION=2.10.
# /opt/libtorch links to the image's torch/lib, wherever its Python keeps site-packages.
RUN torch_lib="$(python -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')" \
    && torch_version="$(python -c 'import torch; print(torch.__version__)')" \
    && case "$torch_version" in \
         "${EXPECTED_TORCH_VERSION}"*) ;; \
         *) echo "PyTorch $torch_version found; TorchSharp needs libtorch ${EXPECTED_TORCH_VERSION}x" >&2; exit 1 ;; \
       esac \
    && ln -s "$torch_lib" /opt/libtorch \
    && apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1654 app \
    && useradd --uid 1654 --gid 1654 --create-home --home-dir /home/app --shell /usr/sbin/nologin app
COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet
COPY --from=build /app /app
ENV DOTNET_ROOT=/usr/share/dotnet \
    LD_LIBRARY_PATH=/opt/libtorch \
    PATH=/app:$PATH
# Resident memory that follows the live batch (README, Memory): glibc hands freed buffers over 1 MB back at once, and
# the GC's gen0 budget is 16 MB instead of following the CPU's L3 cache (hundreds of MB on some servers).
ENV MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=1048576 DOTNET_GCgen0size=0x1000000
USER 1654:1654
WORKDIR /home/app
# The container is its own network namespace: the probes and Prometheus reach the endpoint on the pod's address.
ENV Telemetry__Address=0.0.0.0
EXPOSE 9464
ENTRYPOINT ["modernbert-worker"]

# syntax=docker/dockerfile:1
# GPU worker (modernbert-worker) with TorchSharp's CUDA build of libtorch (NuGet package TorchSharp-cuda-linux:
# libtorch 2.10 for CUDA 12.8, restored here, in the build stage) on an NVIDIA CUDA runtime base.
# Build from the repository root:  docker build -f deploy/docker/worker.Dockerfile -t modernbert-worker:cuda .
# The libtorch package ships its own CUDA libraries (cuBLAS, cuDNN, NVRTC); the base image brings the CUDA runtime
# environment that the NVIDIA container toolkit expects. The node needs a driver for CUDA 12.8 (>= 570).
ARG DOTNET_VERSION=10.0
ARG CUDA_BASE_IMAGE=nvidia/cuda:12.8.1-runtime-ubuntu22.04

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG TORCHSHARP_BACKEND=cuda
WORKDIR /src
COPY . .
# Ubuntu 22.04's libstdc++ predates GCC 13: ModernBertWeakGlibcxx=always marks libLibTorchSharp's GLIBCXX_3.4.32 need
# weak (build/LibTorchSharpGlibcxx.targets) whatever the build host has.
RUN --mount=type=cache,id=modernbert-nuget,target=/root/.nuget/packages \
    dotnet publish src/Worker -c Release -r linux-x64 --self-contained false \
        -p:TorchSharpBackend=${TORCHSHARP_BACKEND} -p:ModernBertWeakGlibcxx=always -o /app

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS dotnet-runtime

FROM ${CUDA_BASE_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1654 app \
    && useradd --uid 1654 --gid 1654 --create-home --home-dir /home/app --shell /usr/sbin/nologin app
COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet
COPY --from=build /app /app
ENV DOTNET_ROOT=/usr/share/dotnet \
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

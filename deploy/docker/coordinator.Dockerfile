# syntax=docker/dockerfile:1
# Coordinator and CLI (modernbert), CPU only. TorchSharpBackend=cpu keeps CPU libtorch in the image so that
# `modernbert embed`/`classify` and embedded workers (--workers N) run in it; pass
# --build-arg TORCHSHARP_BACKEND=none for a smaller image that only plans, publishes and tracks fleet runs.
# Build from the repository root:  docker build -f deploy/docker/coordinator.Dockerfile -t modernbert:latest .
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG TORCHSHARP_BACKEND=cpu
WORKDIR /src
COPY . .
# The SDK and runtime images share their Linux release, so the build host's libstdc++ decides (auto).
RUN --mount=type=cache,id=modernbert-nuget,target=/root/.nuget/packages \
    dotnet publish src/Coordinator -c Release -r linux-x64 --self-contained false \
        -p:TorchSharpBackend=${TORCHSHARP_BACKEND} -p:ModernBertWeakGlibcxx=auto -o /app

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}
COPY --from=build /app /app
ENV PATH=/app:$PATH
# Resident memory that follows the live batch (README, Memory): glibc hands freed buffers over 1 MB back at once, and
# the GC's gen0 budget is 16 MB instead of following the CPU's L3 cache (hundreds of MB on some servers).
ENV MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=1048576 DOTNET_GCgen0size=0x1000000
# 1654 is the image's non-root "app" user.
USER 1654:1654
WORKDIR /home/app
# The container is its own network namespace: the probes and Prometheus reach the endpoint on the pod's address.
ENV Telemetry__Address=0.0.0.0
EXPOSE 9464
ENTRYPOINT ["modernbert"]

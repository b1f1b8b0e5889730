#!/usr/bin/env bash
# The project's test command (see README). Installs the services that the integration tests start themselves
# (RabbitMQ, Azurite), g++ and clang, builds the solution and runs every test project. It starts no long-lived service.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly AZURITE_VERSION=3.37.0
readonly TOOLS="$PWD/.tools"

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "$* is not installed; install it as root: apt-get install -y $*" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "$@"; then
        apt-get update
        apt-get install -y --no-install-recommends "$@"
    fi
}

# Debian's package starts a system-wide broker after installing it; the tests want only their own nodes, so a
# temporary policy-rc.d (the standard Debian switch) forbids that start, unless the machine already has one.
install_rabbitmq() {
    local policy=/usr/sbin/policy-rc.d
    if [ "$(id -u)" -eq 0 ] && [ ! -e "$policy" ]; then
        trap "rm -f '$policy'" EXIT
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod +x "$policy"
    fi
    apt_install rabbitmq-server
}

find_rabbitmq_server() {
    PATH="$PATH:/usr/sbin:/sbin" command -v rabbitmq-server || true
}

rabbitmq_server="$(find_rabbitmq_server)"
if [ -z "$rabbitmq_server" ]; then
    install_rabbitmq
    rabbitmq_server="$(find_rabbitmq_server)"
fi

# The CUDA kernels' tests compile the kernels for the CPU (tests/ModernBert.Tests/Modeling/Emulation), and check
# them as CUDA device code with clang 16 or later (tests/ModernBert.Tests/Cuda/ClangCudaCompilationTests.cs).
command -v g++ > /dev/null || apt_install g++
clang_found=false
for version in 19 18 17 16; do
    command -v "clang-$version" > /dev/null && clang_found=true
done
$clang_found || apt_install clang-19

azurite_blob="$TOOLS/node_modules/.bin/azurite-blob"
if [ ! -x "$azurite_blob" ] || ! grep -qs "\"version\": \"$AZURITE_VERSION\"" "$TOOLS/node_modules/azurite/package.json"; then
    ./scripts/npm-install-tool.sh "azurite@$AZURITE_VERSION"
fi

# Read by tests/Common/TestServices.cs. Debian's rabbitmq-server on PATH is a link to a wrapper that switches to the
# rabbitmq user; the real scripts, which the tests run as their own user, are beside the wrapper.
export MODERNBERT_RABBITMQ_BIN="$(dirname "$(readlink -f "$rabbitmq_server")")"
export MODERNBERT_AZURITE_BLOB="$azurite_blob"

./scripts/install-duckdb.sh

# Hugging Face tokenizers' Node binding: NfcAgainstHuggingFaceTests holds our NFC normalizer to its NFC.
readonly TOKENIZERS_VERSION=0.23.2
if ! grep -qs "\"version\": \"$TOKENIZERS_VERSION\"" "$TOOLS/node_modules/tokenizers/package.json"; then
    ./scripts/npm-install-tool.sh "tokenizers@$TOKENIZERS_VERSION"
fi
# SentencePiece builds the normalization charsmaps that PrecompiledCharsMapAgainstHuggingFaceTests reads.
/usr/bin/python3 -c "import sentencepiece" 2> /dev/null || apt_install python3-sentencepiece

dotnet build ModernBert.sln -c Release
# dotnet test's own summary is a block of lines; the closing line below says the same in one line.
log=$(mktemp)
status=0
dotnet test --solution ModernBert.sln -c Release --no-build 2>&1 | tee "$log" || status=$?
count() { grep -E "^\s+$1: [0-9]+" "$log" | tail -1 | grep -oE '[0-9]+' || echo 0; }
echo "tests: $(count succeeded) passed, $(count failed) failed, $(count skipped) skipped"
rm -f "$log"
exit "$status"

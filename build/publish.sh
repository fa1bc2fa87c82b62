#!/usr/bin/env bash
# The one way a service is published. Both Dockerfiles and CI (.ci/static-checks) call this script, so an image
# holds exactly what CI published and checked; .ci/static-checks fails if a Dockerfile runs `dotnet publish` itself.
#
#   build/publish.sh <Project> <outputDir>   restore for the target runtime, then publish (e.g. Producer.Api /app)
#   build/publish.sh --restore <Project>     only the restore: the Dockerfiles run it in a layer of its own, which
#                                            only a change to a project file (or to this script) invalidates
set -euo pipefail

usage() {
  echo "usage: build/publish.sh <Project> <outputDir> | build/publish.sh --restore <Project>" >&2
  exit 2
}

restore_only=false
if [ "${1:-}" = "--restore" ]; then
  restore_only=true
  shift
  [ "$#" -eq 1 ] || usage
else
  [ "$#" -eq 2 ] || usage
fi
project=$1
root=$(cd "$(dirname "$0")/.." && pwd)
csproj="$root/$project/$project.csproj"
if [ ! -f "$csproj" ]; then
  echo "build/publish.sh: no project at $project/$project.csproj" >&2
  exit 2
fi

# The images are Linux, of this machine's architecture (under `docker build --platform`, the emulated one). A
# runtime-specific publish carries librdkafka for that platform only: about 37 MB instead of 106 MB with the native
# builds for Windows, macOS and every Linux. Framework-dependent, so the image's ASP.NET runtime runs it.
case "$(uname -m)" in
  x86_64 | amd64) runtime=linux-x64 ;;
  aarch64 | arm64) runtime=linux-arm64 ;;
  *)
    echo "build/publish.sh: no .NET runtime identifier known for machine type $(uname -m)" >&2
    exit 2
    ;;
esac
# Restore and publish must agree on these, or publishing without a restore finds no assets for the runtime.
target=(--runtime "$runtime" -p:SelfContained=false)

dotnet restore "$csproj" "${target[@]}"
if [ "$restore_only" = true ]; then
  exit 0
fi

# No apphost: containers start the service with `dotnet <Project>.dll`, so the native launcher would be dead weight.
dotnet publish "$csproj" "${target[@]}" \
  --configuration Release \
  --no-restore \
  --output "$2" \
  -p:UseAppHost=false

# The consumer worker. Stages: restore -> publish -> test (opt-in: tests inside the stack) -> runtime (the default).
# Build context: the repository root (docker compose does this; by hand: docker build -f consumer.Dockerfile .).
# Base images by tag, which follows .NET's patch releases; pin a digest (tag@sha256:...) where rebuilds must be
# bit-for-bit repeatable.

# --- restore: only the files restore reads, so this layer survives every change that is not a project change.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS restore
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY build/publish.sh build/
COPY Shared.Contracts/Shared.Contracts.csproj Shared.Contracts/
COPY Shared.Hosting/Shared.Hosting.csproj Shared.Hosting/
COPY Consumer.Worker/Consumer.Worker.csproj Consumer.Worker/
RUN bash build/publish.sh --restore Consumer.Worker

# --- publish: with the script CI runs, never a dotnet publish of its own (.ci/static-checks enforces both).
FROM restore AS publish
# .editorconfig sets analyzer severities: without it the image would compile under laxer rules than CI does.
COPY .editorconfig ./
COPY Shared.Contracts/ Shared.Contracts/
COPY Shared.Hosting/ Shared.Hosting/
COPY Consumer.Worker/ Consumer.Worker/
RUN bash build/publish.sh Consumer.Worker /app

# --- test: the SDK, all sources and every test project, built (docker-compose.test.yml selects this stage), for
#   docker compose exec consumer-worker dotnet test tests/UnitTests --no-build --filter ...
# The container still runs the published output in /app, so the service behaves as in the runtime image. It runs
# as root, unlike the runtime image, because the SDK writes build and test output under /src and /root.
FROM restore AS test
ENV ASPNETCORE_HTTP_PORTS=
COPY Producer.Api/Producer.Api.csproj Producer.Api/
COPY tests/Directory.Build.props tests/
COPY tests/UnitTests/UnitTests.csproj tests/UnitTests/
RUN dotnet restore tests/UnitTests/UnitTests.csproj
COPY . .
# Every test project, also those added later: tests/LiveStackTests runs from this image as the e2e-tests service.
RUN for project in tests/*/*.csproj; do dotnet build "$project" || exit 1; done
COPY --from=publish /app /app
ENTRYPOINT ["dotnet", "/app/Consumer.Worker.dll"]

# --- runtime: the production image and the default target.
# The 10.0 tags are Ubuntu 24.04 (.NET 10 ships no Debian images): glibc, so Confluent.Kafka's librdkafka loads.
# No packages are added. The image has no libsasl2.so.3, which the default librdkafka build links, so Confluent.Kafka
# falls back to its centos8 build, which needs only glibc (SASL is not used here). Installing libsasl2-2 would not
# change that: Debian and Ubuntu ship libsasl2.so.2.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# The worker listens on WORKER_GRPC_PORT and WORKER_HEALTH_PORT; the image's ASPNETCORE_HTTP_PORTS=8080 would only
# earn a warning that Kestrel overrides it.
ENV ASPNETCORE_HTTP_PORTS=
WORKDIR /app
COPY --from=publish /app ./
# The image's non-root user "app" (UID 1654), by number so that a runAsNonRoot check can verify it.
USER $APP_UID
# gRPC (h2c) and the HTTP/1.1 health endpoints.
EXPOSE 5001 8081
ENTRYPOINT ["dotnet", "Consumer.Worker.dll"]

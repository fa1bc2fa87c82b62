# The producer API. Stages: restore -> publish -> test (opt-in: tests inside the stack) -> runtime (the default).
# Build context: the repository root (docker compose does this; by hand: docker build -f producer.Dockerfile .).
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
COPY Producer.Api/Producer.Api.csproj Producer.Api/
RUN bash build/publish.sh --restore Producer.Api

# --- publish: with the script CI runs, never a dotnet publish of its own (.ci/static-checks enforces both).
FROM restore AS publish
# .editorconfig sets analyzer severities: without it the image would compile under laxer rules than CI does.
COPY .editorconfig ./
COPY Shared.Contracts/ Shared.Contracts/
COPY Shared.Hosting/ Shared.Hosting/
COPY Producer.Api/ Producer.Api/
RUN bash build/publish.sh Producer.Api /app

# --- test: the SDK, all sources and every test project, built (docker-compose.test.yml selects this stage), for
#   docker compose exec producer-api dotnet test tests/UnitTests --no-build --filter ...
# The container still runs the published output in /app, so the service behaves as in the runtime image. It runs
# as root, unlike the runtime image, because the SDK writes build and test output under /src and /root.
FROM restore AS test
ENV ASPNETCORE_HTTP_PORTS=
COPY Consumer.Worker/Consumer.Worker.csproj Consumer.Worker/
COPY tests/Directory.Build.props tests/
COPY tests/UnitTests/UnitTests.csproj tests/UnitTests/
RUN dotnet restore tests/UnitTests/UnitTests.csproj
COPY . .
# Every test project, also those added later: tests/LiveStackTests runs from this image as the e2e-tests service.
RUN for project in tests/*/*.csproj; do dotnet build "$project" || exit 1; done
COPY --from=publish /app /app
ENTRYPOINT ["dotnet", "/app/Producer.Api.dll"]

# --- runtime: the production image and the default target.
# The 10.0 tags are Ubuntu 24.04 (.NET 10 ships no Debian images): glibc, so Confluent.Kafka's librdkafka loads.
# No packages are added. The image has no libsasl2.so.3, which the default librdkafka build links, so Confluent.Kafka
# falls back to its centos8 build, which needs only glibc (SASL is not used here). Installing libsasl2-2 would not
# change that: Debian and Ubuntu ship libsasl2.so.2.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# The service listens on API_PORT and BIND_ADDRESS; the image's ASPNETCORE_HTTP_PORTS=8080 would only earn a
# warning that Kestrel overrides it.
ENV ASPNETCORE_HTTP_PORTS=
WORKDIR /app
COPY --from=publish /app ./
# The image's non-root user "app" (UID 1654), by number so that a runAsNonRoot check can verify it.
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "Producer.Api.dll"]

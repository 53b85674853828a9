# The drover distribution: `drover coordinator`, `drover agent`, and the client commands.
# Used by compose.yaml; build alone with `docker build -t drover:local .`.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY events events
COPY broker broker
COPY agent agent
COPY migrations-sql migrations-sql
COPY coordinator coordinator
COPY cli cli
RUN mvn -B -q -Dmaven.test.skip=true package -pl cli -am

FROM eclipse-temurin:17-jre
RUN apt-get update \
    && apt-get install -y --no-install-recommends qemu-system-x86 qemu-utils \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/cli/target/dist/lib /opt/drover/lib
# java expands the class path's wildcard itself.
ENTRYPOINT ["java", "-Xmx1g", "-cp", "/opt/drover/lib/*", "io.drover.cli.Drover"]

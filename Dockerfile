# Build stage: Maven + JDK 17 produce the shaded jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

# Runtime stage: a JRE 17, a non-root user, the jar, the config and a class-data archive.
# Both base images are multi-architecture: on amd64 and arm64 the jar's Netty epoll transport
# (linux-x86_64 and linux-aarch_64) is used, and the start line says "transport epoll".
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --no-create-home portcullis
WORKDIR /app
COPY --from=build /src/target/portcullis.jar /app/portcullis.jar
COPY conf/gateway.json /app/conf/gateway.json
# AppCDS: a short training run (start-up with the demo backends, then SIGTERM), with the flags of
# the ENTRYPOINT, archives the classes start-up loads, made by this very JRE; start-up then maps
# them instead of parsing jars.
RUN timeout -s TERM 10 java -XX:+UseSerialGC -Xms32m -Xmx64m -XX:ArchiveClassesAtExit=/app/portcullis.jsa \
      -jar /app/portcullis.jar --config /app/conf/gateway.json --demo > /dev/null 2>&1; test -s /app/portcullis.jsa
USER 10001
# Main port and admin port (set "admin.host" to "0.0.0.0" in the mounted config to scrape it from outside).
EXPOSE 8080 9901
# Exec form: the JVM is the container's main process and receives SIGTERM itself. The JVM flags
# are the measured choice of docs/performance.md ("JVM flags"): SerialGC, a 64 MiB heap that
# starts at 32 MiB (peak RSS stays under 128 MiB), the AppCDS archive; README "Command line" says
# when to raise -Xmx. deploy/kubernetes/deployment.yaml gives the same flags.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xms32m", "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", \
            "-XX:SharedArchiveFile=/app/portcullis.jsa", \
            "-jar", "/app/portcullis.jar", "--config", "/app/conf/gateway.json"]

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
# AppCDS: a training run with the flags of the ENTRYPOINT, by this very JRE and jar, archives the
# classes that start-up, a proxied request (plain and aggregate, to the demo backends), the admin
# views, /metrics and the dashboard load; start-up and the first requests then map them instead of
# parsing jars (docs/performance.md "Start-up and memory, second pass"). Requests are written with
# bash's /dev/tcp: the image has no HTTP client to rely on.
RUN bash -c 'java -XX:+UseSerialGC -Xms32m -Xmx64m -XX:ArchiveClassesAtExit=/app/portcullis.jsa \
      -jar /app/portcullis.jar --config /app/conf/gateway.json --demo > /tmp/train.log 2>&1 & pid=$!; \
    get() { exec 3<>/dev/tcp/127.0.0.1/$1 && printf "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" "$2" >&3 \
      && cat <&3 > /dev/null; exec 3<&-; }; \
    for i in $(seq 1 300); do grep -q "portcullis ready" /tmp/train.log && break; sleep 0.1; done; \
    for i in $(seq 1 20); do get 8080 /api/users/1; get 8080 /api/orders/1; done 2> /dev/null; \
    get 8080 /api/profile/7; get 8080 /healthz/ready; \
    for path in /metrics /admin/upstreams /admin/routes / /healthz/ready; do get 9901 $path; done 2> /dev/null; \
    kill -TERM $pid; wait $pid; grep -q "portcullis ready" /tmp/train.log && test -s /app/portcullis.jsa' \
    && rm -f /tmp/train.log
USER 10001
# Main port and admin port (set "admin.host" to "0.0.0.0" in the mounted config to scrape it from outside).
EXPOSE 8080 9901
# Exec form: the JVM is the container's main process and receives SIGTERM itself. The JVM flags
# are the measured choice of docs/performance.md ("JVM flags"; "Native memory given back"):
# SerialGC, a 64 MiB heap that starts at 32 MiB, the native heap trimmed every second (peak RSS
# stays near 120 MiB), a 16 MiB young generation with survivor spaces large enough for the
# requests and HTTP/2 streams in flight at a collection (no full collections at 1,024
# connections), the AppCDS archive; README "Command line" says when to raise -Xmx.
# deploy/kubernetes/deployment.yaml gives the same flags.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xms32m", "-Xmx64m", "-XX:TrimNativeHeapInterval=1000", \
            "-Xmn16m", "-XX:SurvivorRatio=2", "-XX:+ExitOnOutOfMemoryError", \
            "-XX:SharedArchiveFile=/app/portcullis.jsa", \
            "-jar", "/app/portcullis.jar", "--config", "/app/conf/gateway.json"]

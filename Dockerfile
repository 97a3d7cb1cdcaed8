# Build stage: Maven + JDK 17 produce the shaded jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

# Runtime stage: a JRE 17, a non-root user, the jar and the config.
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --no-create-home portcullis
WORKDIR /app
COPY --from=build /src/target/portcullis.jar /app/portcullis.jar
COPY conf/gateway.json /app/conf/gateway.json
USER 10001
# Main port and admin port (set "admin.host" to "0.0.0.0" in the mounted config to scrape it from outside).
EXPOSE 8080 9901
# Exec form: the JVM is PID 1's child-free process and receives SIGTERM directly.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/portcullis.jar", "--config", "/app/conf/gateway.json"]

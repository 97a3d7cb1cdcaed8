#!/usr/bin/env bash
# Makes docs/dashboard.png, the README's picture of the dashboard: the shipped conf/gateway.json
# with its demo backends (ports 9001-9006 must be free), some traffic on every route, and a
# screenshot of the admin port's page in headless Chromium (Debian's chromium and chromium-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.portcullis.dashboard.DashboardScreenshot "${1:-docs/dashboard.png}"

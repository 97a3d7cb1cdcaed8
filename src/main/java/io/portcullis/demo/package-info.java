/**
 * In-process demo backends started by {@code --demo}, on the loopback ports that
 * {@code conf/gateway.json} routes to: a healthy {@code users} service on two endpoints, an
 * {@code orders} service, a {@code flaky} one that fails every other request with 503, a
 * {@code broken} one that always answers 500, and a {@code slow} one.
 */
package io.portcullis.demo;

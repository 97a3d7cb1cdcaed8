/**
 * Liveness and readiness (README "Endpoints") on vertx-health-check. Liveness never looks at a
 * dependency; readiness follows the gateway's lifecycle only (DOWN before start-up completes
 * and from the first moment of shutdown) and lists upstream states without depending on them.
 */
package io.portcullis.health;

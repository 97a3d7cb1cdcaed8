/**
 * The gateway's configuration: immutable records parsed once from JSON and validated at load
 * time (README "Command line" and "Configuration reference").
 *
 * <p>{@link io.portcullis.config.ConfigLoader} is the only entry point. It reads the JSON
 * document, checks every rule (types, ranges, unknown keys, references between routes and
 * upstreams, coherence between timeouts) and either returns a fully defaulted
 * {@link io.portcullis.config.GatewayConfig} or throws a
 * {@link io.portcullis.config.ConfigException} listing every problem, one per line, each
 * prefixed with the JSON path it concerns ({@code routes[1].upstream: unknown upstream "user"}),
 * in document order. Before validation it replaces {@code ${NAME}} and {@code ${NAME:-default}}
 * in string values from the environment ({@code $${} is a literal {@code ${}). Past this edge
 * nothing is mutable: a reload swaps a whole snapshot.
 *
 * <p>The package is plain data. It depends on {@code java.*}, {@code io.vertx.core.json} and
 * Jackson's streaming parsers (JSON, and YAML through SnakeYAML's event parser) only, and on no
 * other Portcullis package, so every other package may depend on it. The rules of path
 * parameters and aggregate path templates belong to the {@code route} package: the loader asks
 * them through {@link io.portcullis.config.PathRules}, given to it by whoever makes it (the
 * gateway's loader is {@code io.portcullis.configfile.ConfigFiles}).
 */
package io.portcullis.config;

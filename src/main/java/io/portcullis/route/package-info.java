/**
 * Route matching and path templates (README "Configuration reference"): routes in configuration
 * order, first match wins; exact paths with {@code :name} parameters, whole-segment prefixes,
 * method sets, and prefix stripping; and the aggregate backend targets those parameters fill in
 * ({@link io.portcullis.route.PathTemplate}).
 * Patterns are compiled once at load time; matching allocates nothing for a prefix route.
 *
 * <p>This package owns the rules of patterns and templates. The configuration loader asks them
 * through {@link io.portcullis.route.RoutePathRules} (the {@code config} package's
 * {@code PathRules}), so what validates is exactly what runs.
 */
package io.portcullis.route;

/**
 * Route matching (README "Configuration reference"): routes in configuration order, first match wins; exact paths
 * with {@code :name} parameters, whole-segment prefixes, method sets, and prefix stripping.
 * Patterns are compiled once at load time; matching allocates nothing for a prefix route.
 */
package io.portcullis.route;

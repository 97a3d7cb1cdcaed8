/**
 * The recent latency of each upstream, as a distribution: recorded on the event loops without
 * locks (one HdrHistogram recorder per event loop), gathered periodically into a sliding window,
 * and read as precomputed percentiles — by hedging ({@code routes[].hedge.percentile}), the admin
 * view and the dashboards. Reading a percentile is one volatile read; nothing here computes a
 * percentile per request.
 */
package io.portcullis.latency;

/**
 * The socket layer under both sides of the proxy, below HTTP: when the bytes a connection has
 * written leave for the kernel. {@link io.portcullis.transport.LoopFlushes} holds the flushes of
 * the main listener's HTTP/1.x connections ({@code edge.EdgeConnections}) and of every upstream
 * connection ({@code lifecycle.LoopGenerations}) until the event loop has handled the I/O events
 * of its current pass, then makes them together: the same system calls, fewer wake-ups of the
 * peers that read them. HTTP/2 connections keep Netty's {@code FlushConsolidationHandler}, which
 * gathers one connection's frames.
 */
package io.portcullis.transport;

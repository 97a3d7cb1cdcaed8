/**
 * Hot reload of the configuration file: {@link io.portcullis.reload.ConfigReloader} loads and
 * validates the file off the event loops, one reload at a time, and hands a valid configuration
 * to its {@link io.portcullis.reload.ReloadTarget} (the running gateway); triggers are
 * {@code SIGHUP}, {@code POST /admin/reload} and {@link io.portcullis.reload.FileWatcher}, which
 * polls the file's content through any symlink (a Kubernetes ConfigMap mount). What differs is
 * described by {@link io.portcullis.reload.ConfigChange}; listener settings ({@code server},
 * {@code admin}) are bound at start and stay.
 */
package io.portcullis.reload;

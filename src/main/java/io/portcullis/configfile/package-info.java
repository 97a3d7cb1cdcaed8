/**
 * Configuration files as the gateway reads them: the {@code config} package's loader wired with
 * the {@code route} package's path rules and the {@code edge} package's key-pair check, so that
 * {@code config} stays plain data that imports no other Portcullis package while the rules of path
 * parameters and templates, and of how the listener reads its key and certificate, have one owner.
 * {@link io.portcullis.configfile.ConfigFiles} is what the command line, hot reload and the tests
 * call.
 */
package io.portcullis.configfile;

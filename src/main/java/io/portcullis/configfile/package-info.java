/**
 * Configuration files as the gateway reads them: the {@code config} package's loader wired with
 * the {@code route} package's path rules, so that {@code config} stays plain data that imports no
 * other Portcullis package while the rules of path parameters and templates have one owner.
 * {@link io.portcullis.configfile.ConfigFiles} is what the command line, hot reload and the tests
 * call.
 */
package io.portcullis.configfile;

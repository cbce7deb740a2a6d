package dev.jcable.config;

/** A configuration value that cannot be used; it fails the deployment, naming the option and its source. */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}

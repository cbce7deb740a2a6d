package dev.jcable.config;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import java.util.logging.Logger;

/** Loads the configuration once per deployment, logs the effective values, and makes them injectable. */
@ApplicationScoped
public class Configuration {

    private static final Logger LOG = Logger.getLogger(Configuration.class.getName());

    private CableConfig config;

    @PostConstruct
    void load() {
        config = new ConfigLoader(JndiSources.standard()).load();
        LOG.info(config.summary());
    }

    @Produces
    @Dependent
    public CableConfig get() {
        return config;
    }
}

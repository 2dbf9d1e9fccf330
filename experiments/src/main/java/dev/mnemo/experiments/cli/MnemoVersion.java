package dev.mnemo.experiments.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest (set by Maven), or "development build" when run from classes. */
final class MnemoVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = MnemoCli.class.getPackage().getImplementationVersion();
        return new String[] {"mnemo " + (version == null ? "development build" : version),
                "Java " + Runtime.version()};
    }
}

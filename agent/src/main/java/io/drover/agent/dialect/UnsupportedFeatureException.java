package io.drover.agent.dialect;

/**
 * The connected QEMU lacks a feature that was asked for. The message names the feature, the QEMU
 * version and, where known, what became of the feature (renamed, removed, replaced).
 */
public class UnsupportedFeatureException extends RuntimeException {
    private final String feature;
    private final QemuVersion version;

    public UnsupportedFeatureException(String feature, QemuVersion version, String why) {
        super(feature + " is not supported by QEMU " + version + (why == null || why.isEmpty() ? "" : ": " + why));
        this.feature = feature;
        this.version = version;
    }

    public String feature() {
        return feature;
    }

    public QemuVersion version() {
        return version;
    }
}

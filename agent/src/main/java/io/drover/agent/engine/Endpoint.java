package io.drover.agent.engine;

import io.drover.agent.dialect.LegacyTranslator;
import io.drover.agent.dialect.QemuDialect;
import io.drover.agent.qmp.QmpClient;

/** One QEMU process taking part in a migration: its instance name, its QMP connection and dialect. */
public record Endpoint(String instance, QmpClient qmp, QemuDialect dialect) {

    /** Connects the dialect to an already connected client (learned once per QEMU build: {@link QemuDialect#learnCached}). */
    public static Endpoint of(String instance, QmpClient qmp) {
        return new Endpoint(instance, qmp, QemuDialect.learnCached(qmp));
    }

    public LegacyTranslator legacy() {
        return new LegacyTranslator(qmp, dialect);
    }
}

package io.drover.agent.service;

import io.drover.agent.engine.Endpoint;
import io.drover.agent.engine.MigrationRun;
import io.drover.agent.qemu.QemuProcess;
import io.drover.agent.qmp.QmpClient;
import io.drover.agent.qmp.Subscription;

/**
 * A VM this agent knows: its definition and, while a QEMU runs it here, that process, the QMP
 * connection and its dialect, and the subscription that publishes its events.
 */
final class ManagedVm {
    final VmDefinition definition;
    volatile QemuProcess process;
    volatile QmpClient qmp;
    volatile Endpoint endpoint;
    volatile Subscription published;
    /** The source-side migration of this VM, while one runs or until the VM is retired. */
    volatile MigrationRun migration;

    ManagedVm(VmDefinition definition) {
        this.definition = definition;
    }

    String vmId() {
        return definition.vmId();
    }

    boolean isRunning() {
        QemuProcess p = process;
        return p != null && p.isAlive();
    }
}

package io.drover.agent.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.agent.qemu.QemuProcess;
import io.drover.events.AgentCommand;
import io.drover.events.Json;

/**
 * Executes one {@link AgentCommand} against this host's VMs and returns the command's own result
 * data; a command that cannot be executed as asked throws {@link CommandRefused} naming why.
 */
final class CommandExecutor {
    private final VmManager vms;
    private final MigrationCommands migrations;

    CommandExecutor(VmManager vms, MigrationCommands migrations) {
        this.vms = vms;
        this.migrations = migrations;
    }

    /** After a prepare-incoming succeeded and its uri was handed on; before its result is recorded and published. */
    void prepared(AgentCommand.PrepareIncoming c) {
        migrations.prepared(c);
    }

    JsonNode execute(AgentCommand command) {
        // Java 17: no pattern matching in switch yet; AgentCommand is sealed, so this chain is complete.
        if (command instanceof AgentCommand.DefineVm c) {
            return Json.mapper().valueToTree(vms.define(new VmDefinition(c.vmId(), c.memoryMiB(), c.vcpus(), c.dirtyRate())));
        } else if (command instanceof AgentCommand.StartVm c) {
            return started(vms.start(c.vmId()));
        } else if (command instanceof AgentCommand.StopVm c) {
            vms.stop(c.vmId(), c.force());
            return object().put("state", "stopped").put("forced", c.force());
        } else if (command instanceof AgentCommand.PrepareIncoming c) {
            return migrations.prepareIncoming(c);
        } else if (command instanceof AgentCommand.StartMigration c) {
            return migrations.startMigration(c);
        } else if (command instanceof AgentCommand.DestinationReady c) {
            return migrations.destinationReady(c);
        } else if (command instanceof AgentCommand.TuneMigration c) {
            return migrations.tune(c);
        } else if (command instanceof AgentCommand.CancelMigration c) {
            return migrations.cancel(c);
        } else if (command instanceof AgentCommand.QueryMigration c) {
            return migrations.query(c);
        } else if (command instanceof AgentCommand.RetireVm c) {
            return migrations.retire(c);
        } else if (command instanceof AgentCommand.ResumeSource c) {
            return migrations.resumeSource(c);
        }
        throw new CommandRefused("command kind " + command.getClass().getSimpleName() + " is not handled by this agent");
    }

    /** The kind of a command as it appears on the wire ({@code "define-vm"}...). */
    static String kind(AgentCommand command) {
        return command.command();
    }

    private static JsonNode started(QemuProcess p) {
        return object().put("pid", p.pid()).put("instance", p.instanceName()).put("accel", p.accel().qemuName());
    }

    static ObjectNode object() {
        return Json.mapper().createObjectNode();
    }
}

package io.drover.agent.qemu;

import java.nio.file.Path;

/**
 * The files of one QEMU instance, all in its own directory {@code <workDir>/<vmId>/<instanceName>/}.
 *
 * @param path the instance directory, absolute (a daemonized QEMU changes its directory to /)
 */
record InstanceDir(Path path) {

    InstanceDir {
        path = path.toAbsolutePath().normalize();
    }

    /** The instance's own copy of the VM's base disk image. */
    Path disk() {
        return path.resolve("disk.img");
    }

    /** QMP server socket ({@code -qmp unix:...,server=on,wait=off}); QEMU removes it when it exits cleanly. */
    Path qmpSocket() {
        return path.resolve("qmp.sock");
    }

    /** QEMU's {@code -pidfile}; QEMU removes it when it exits cleanly. */
    Path pidFile() {
        return path.resolve("qemu.pid");
    }

    /** QEMU's {@code -D} log: once daemonized, QEMU writes its error messages here instead of stderr. */
    Path logFile() {
        return path.resolve("qemu.log");
    }

    /** The guest's first serial port ({@code -serial file:...}). */
    Path serialLog() {
        return path.resolve("serial.log");
    }

    /** QEMU's stdout and stderr until it daemonizes. */
    Path consoleFile() {
        return path.resolve("qemu.console");
    }

    /** What Drover knows about the instance, for {@link QemuProcess#reattach}. */
    Path metadataFile() {
        return path.resolve("instance.properties");
    }

    /** The VM id, the name of the instance directory's parent. */
    String vmId() {
        return path.getParent().getFileName().toString();
    }

    /** The instance name, the name of the instance directory. */
    String instanceName() {
        return path.getFileName().toString();
    }
}

package io.drover.agent.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Durable whole-file writes: a crash leaves either the old content or the new one, never a torn file. */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes a temporary sibling, fsyncs it, renames it over {@code file}, then fsyncs the directory. */
    static void write(Path file, byte[] content) {
        write(file, content, true);
    }

    /**
     * Like {@link #write(Path, byte[])} but without the two fsyncs: for a file about a running process (a QEMU)
     * that must outlive the agent's process, not the host's. A reader after an agent crash sees the old content or
     * the new (the rename is atomic and the page cache keeps both); after a host crash the process it describes is
     * gone as well, and the file is not read for it. libvirt keeps its running domains' status files on a tmpfs
     * (/run/libvirt/qemu) for the same reason.
     */
    static void replace(Path file, byte[] content) {
        write(file, content, false);
    }

    private static void write(Path file, byte[] content, boolean durable) {
        Path dir = file.getParent();
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (durable) {
                    ch.force(true);
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically", e);
            }
            if (durable) {
                // The rename is only durable once the directory entry is on disk.
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}

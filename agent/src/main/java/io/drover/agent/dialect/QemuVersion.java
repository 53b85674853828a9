package io.drover.agent.dialect;

import com.fasterxml.jackson.databind.JsonNode;

/** A QEMU version as reported by {@code query-version} (or the QMP greeting). */
public record QemuVersion(int major, int minor, int micro, String packageName) implements Comparable<QemuVersion> {

    /** Parses the {@code {"qemu": {"major":7,"minor":2,"micro":22}, "package": "..."}} object. */
    public static QemuVersion fromQmp(JsonNode version) {
        JsonNode q = version.path("qemu");
        if (!q.has("major")) {
            throw new IllegalArgumentException("not a QEMU version object (no qemu.major): " + version);
        }
        return new QemuVersion(q.path("major").asInt(), q.path("minor").asInt(), q.path("micro").asInt(),
                version.path("package").asText(""));
    }

    public boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }

    @Override
    public int compareTo(QemuVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) c = Integer.compare(minor, o.minor);
        return c != 0 ? c : Integer.compare(micro, o.micro);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + micro;
    }
}

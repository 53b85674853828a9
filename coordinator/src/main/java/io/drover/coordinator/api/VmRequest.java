package io.drover.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /api/vms}: {@code {"vmId", "host", "memoryMiB"?, "vcpus"?, "dirtyRate"?}}, a test VM
 * (Drover's dirtying guest) to define and boot on a host. {@code dirtyRate} is bytes per second the guest
 * dirties: 0 idle (the default), -1 flat out. Parsing fails with a 400 naming the field.
 */
public record VmRequest(String vmId, String host, int memoryMiB, int vcpus, long dirtyRate) {
    static final Set<String> FIELDS = Set.of("vmId", "host", "memoryMiB", "vcpus", "dirtyRate");
    /** The agents' rule for ids they turn into file names. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    public static final int DEFAULT_MEMORY_MIB = 128;
    public static final int DEFAULT_VCPUS = 1;

    public static VmRequest parse(String body) {
        JsonNode root = MigrationRequest.parseJson(body);
        if (!root.isObject()) {
            throw ApiException.badRequest(null, "the body must be a JSON object, got " + root.getNodeType().toString().toLowerCase());
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiException.badRequest(f, "unknown field " + f + " (expected vmId, host, memoryMiB, vcpus and dirtyRate)");
            }
        }
        String vmId = MigrationRequest.requiredText(root, "vmId");
        if (!ID.matcher(vmId).matches() || vmId.equals(".") || vmId.equals("..")) {
            throw ApiException.badRequest("vmId", "vmId '" + vmId + "' must match " + ID.pattern());
        }
        String host = MigrationRequest.requiredText(root, "host");
        long memory = number(root, "memoryMiB", DEFAULT_MEMORY_MIB);
        if (memory < 16 || memory > 1 << 20) {
            throw ApiException.badRequest("memoryMiB", "memoryMiB must be between 16 and 1048576, got " + memory);
        }
        long vcpus = number(root, "vcpus", DEFAULT_VCPUS);
        if (vcpus < 1 || vcpus > 64) {
            throw ApiException.badRequest("vcpus", "vcpus must be between 1 and 64, got " + vcpus);
        }
        long rate = number(root, "dirtyRate", 0);
        if (rate < -1) {
            throw ApiException.badRequest("dirtyRate", "dirtyRate must be bytes per second, 0 (idle) or -1 (flat out), got " + rate);
        }
        return new VmRequest(vmId, host, (int) memory, (int) vcpus, rate);
    }

    private static long number(JsonNode root, String field, long dflt) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber()) {
            throw ApiException.badRequest(field, field + " must be a whole number, got " + n.getNodeType().toString().toLowerCase());
        }
        return n.asLong();
    }
}

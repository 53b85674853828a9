package io.drover.agent.service;

import java.util.regex.Pattern;

/** The ids an agent turns into file names (host and VM ids): checked before any path is built from them. */
final class AgentIds {
    /** Same rule as QEMU instance names: safe as a path element and in a QEMU option value. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private AgentIds() {
    }

    static String requireValid(String what, String value) {
        if (value == null || !ID.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(what + " '" + value + "' must match " + ID.pattern()
                    + " and not be '.' or '..'");
        }
        return value;
    }
}

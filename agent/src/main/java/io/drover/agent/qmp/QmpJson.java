package io.drover.agent.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** The package's one {@link ObjectMapper} and its QMP message helpers. */
final class QmpJson {

    /** Shared: an ObjectMapper is thread-safe once configured, and costly to create. */
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Longest message text put in a log line or exception; {@code query-qmp-schema} replies run to 100s of KB. */
    private static final int MAX_QUOTED_CHARS = 300;

    /** QMP messages are newline-delimited; QEMU does not need the newline but it makes traces readable. */
    private static final byte MESSAGE_SEPARATOR = '\n';

    private QmpJson() {
    }

    /** Encodes {@code {"<verb>": command, "arguments": arguments, "id": id}} followed by a newline. */
    static byte[] encodeCommand(String verb, String command, JsonNode arguments, String id) {
        ObjectNode message = MAPPER.createObjectNode().put(verb, command);
        if (arguments != null) {
            message.set("arguments", arguments);
        }
        message.put("id", id);
        try {
            byte[] json = MAPPER.writeValueAsBytes(message);
            byte[] line = new byte[json.length + 1];
            System.arraycopy(json, 0, line, 0, json.length);
            line[json.length] = MESSAGE_SEPARATOR;
            return line;
        } catch (JsonProcessingException e) {
            throw new QmpException("cannot encode " + command + " as JSON", e);
        }
    }

    /** The message as compact JSON, cut short for logs and exception messages. */
    static String quote(JsonNode message) {
        String text = message.toString();
        return text.length() <= MAX_QUOTED_CHARS ? text : text.substring(0, MAX_QUOTED_CHARS) + "...";
    }

    /** An encoded command line as text without its newline, cut short, for trace logs. */
    static String quote(byte[] line) {
        return new String(line, 0, Math.max(0, Math.min(line.length - 1, MAX_QUOTED_CHARS)), StandardCharsets.UTF_8);
    }
}

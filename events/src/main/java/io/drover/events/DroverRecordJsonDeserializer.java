package io.drover.events;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@link DroverRecord}, typing {@code data} by {@code type}. Every failure is a
 * {@link MismatchedInputException} whose message names the offending attribute.
 */
final class DroverRecordJsonDeserializer extends StdDeserializer<DroverRecord<?>> {

    DroverRecordJsonDeserializer() {
        super(DroverRecord.class);
    }

    @Override
    public DroverRecord<?> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode root = ctxt.readTree(p);
        if (!root.isObject()) {
            throw fail(p, "a DroverRecord must be a JSON object, got " + root.getNodeType());
        }
        String specversion = text(p, root, "specversion");
        String id = text(p, root, "id");
        String source = text(p, root, "source");
        String type = text(p, root, "type");
        String subject = text(p, root, "subject");
        Instant time = time(p, root);
        String datacontenttype = Optional.ofNullable(text(p, root, "datacontenttype"))
                .orElse(DroverRecord.DATA_CONTENT_TYPE);
        Integer version = schemaVersion(p, root);
        try {
            // The CloudEvents attributes first, in the constructor's order, before our extension and data.
            new DroverRecord<>(specversion, id, source, type, subject, time, datacontenttype,
                    version == null ? DroverRecord.CURRENT_SCHEMA_VERSION : version, null);
        } catch (IllegalArgumentException e) {
            throw fail(p, e.getMessage());
        }
        if (version == null) {
            throw fail(p, "missing required attribute '" + DroverRecord.SCHEMA_VERSION_ATTRIBUTE + "'");
        }
        Object data = data(p, ctxt, root.get("data"), type, version);
        return new DroverRecord<>(specversion, id, source, type, subject, time, datacontenttype, version, data);
    }

    private static String text(JsonParser p, JsonNode root, String attribute) throws MismatchedInputException {
        JsonNode node = root.get(attribute);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw fail(p, "CloudEvents attribute '" + attribute + "' must be a string, got " + node.getNodeType());
        }
        return node.textValue();
    }

    private static Instant time(JsonParser p, JsonNode root) throws MismatchedInputException {
        String time = text(p, root, "time");
        if (time == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(time).toInstant();
        } catch (DateTimeParseException e) {
            throw fail(p, "CloudEvents attribute 'time' is not an RFC 3339 timestamp: '" + time + "'");
        }
    }

    /** The schema version, null if absent. */
    private static Integer schemaVersion(JsonParser p, JsonNode root) throws MismatchedInputException {
        JsonNode node = root.get(DroverRecord.SCHEMA_VERSION_ATTRIBUTE);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
            throw fail(p, "attribute '" + DroverRecord.SCHEMA_VERSION_ATTRIBUTE
                    + "' must be a positive integer, got " + node);
        }
        return node.intValue();
    }

    private static Object data(JsonParser p, DeserializationContext ctxt, JsonNode data, String type, int version)
            throws MismatchedInputException {
        if (data == null || data.isNull()) {
            return null;
        }
        Optional<Class<?>> dataClass = version > DroverRecord.CURRENT_SCHEMA_VERSION
                ? Optional.empty()
                : RecordTypes.dataClass(type);
        if (dataClass.isEmpty()) {
            return data;
        }
        try {
            return ctxt.readTreeAsValue(data, dataClass.get());
        } catch (IOException | IllegalArgumentException e) {
            throw fail(p, "attribute 'data' is not a valid " + dataClass.get().getSimpleName() + " for type '" + type
                    + "': " + originalMessage(e));
        }
    }

    /** Jackson's message without the source location, plus the path inside {@code data}, if any. */
    private static String originalMessage(Exception e) {
        if (!(e instanceof JacksonException je)) {
            return e.getMessage();
        }
        StringBuilder path = new StringBuilder();
        if (e instanceof DatabindException de) {
            for (JsonMappingException.Reference ref : de instanceof JsonMappingException jme ? jme.getPath()
                    : List.<JsonMappingException.Reference>of()) {
                path.append(ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
            }
        }
        String message = je.getOriginalMessage();
        return path.length() == 0 ? message : message + " (at data" + path + ")";
    }

    private static MismatchedInputException fail(JsonParser p, String message) {
        return MismatchedInputException.from(p, DroverRecord.class, message);
    }
}

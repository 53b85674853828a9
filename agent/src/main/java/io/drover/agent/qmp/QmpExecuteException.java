package io.drover.agent.qmp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * QEMU answered a command with an {@code error} reply, e.g.
 * {@code {"id": "drover-7", "error": {"class": "GenericError", "desc": "..."}}}.
 * The message reads {@code "<command> failed: <class>: <desc>"}.
 */
public class QmpExecuteException extends QmpException {
    private static final long serialVersionUID = 1L;

    private final String command;
    private final transient JsonNode arguments;
    private final String errorClass;
    private final String description;
    private final transient JsonNode response;

    /**
     * @param command   the command that failed
     * @param arguments its arguments, or {@code null} if it had none
     * @param response  QEMU's whole reply, holding the {@code error} object
     */
    public QmpExecuteException(String command, JsonNode arguments, JsonNode response) {
        this(command, arguments, response, response.path("error").path("class").asText(""),
                response.path("error").path("desc").asText(""));
    }

    private QmpExecuteException(String command, JsonNode arguments, JsonNode response,
                                String errorClass, String description) {
        super(command + " failed: " + errorClass + ": " + description);
        this.command = command;
        this.arguments = arguments;
        this.errorClass = errorClass;
        this.description = description;
        this.response = response;
    }

    /** The QMP command that failed. */
    public String command() {
        return command;
    }

    /** The arguments the command was sent with, or {@code null} if it had none. */
    public JsonNode arguments() {
        return arguments;
    }

    /** QEMU's error class, e.g. {@code GenericError}, {@code CommandNotFound}, {@code DeviceNotFound}. */
    public String errorClass() {
        return errorClass;
    }

    /** QEMU's human-readable error description ({@code desc}). */
    public String description() {
        return description;
    }

    /** QEMU's whole reply message. */
    public JsonNode response() {
        return response;
    }
}

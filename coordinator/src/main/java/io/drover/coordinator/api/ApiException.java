package io.drover.coordinator.api;

/**
 * A request the API refuses: the HTTP status (4xx), what is wrong, and the request field it is about
 * (null when it is about no one field). Sent as {@code {"error": ..., "field": ...}}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String field;

    public ApiException(int status, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.field = field;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, field, message);
    }

    public static ApiException notFound(String field, String message) {
        return new ApiException(404, field, message);
    }

    public static ApiException conflict(String field, String message) {
        return new ApiException(409, field, message);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}

package io.drover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.drover.events.Json;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The coordinator's REST API over java.net.http, JSON both ways; an error answer is an {@link ApiError}. */
final class ApiClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiClient(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /**
     * What the API refused or why it could not be reached.
     *
     * @param status the HTTP status; 0 when there was no answer
     */
    static final class ApiError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String field;

        ApiError(int status, String message, String field) {
            super(message);
            this.status = status;
            this.field = field;
        }

        /** 2 for a request the API rejects as wrong (4xx), 1 otherwise. */
        int exitCode() {
            return status >= 400 && status < 500 ? 2 : 1;
        }

        String describe() {
            return getMessage() + (field == null ? "" : " (field: " + field + ")");
        }
    }

    JsonNode get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    JsonNode post(String path, JsonNode body) {
        String json;
        try {
            json = Json.mapper().writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private URI uri(String path) {
        try {
            return URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--api: '" + base + "' is not a URL: " + e.getMessage());
        }
    }

    private JsonNode send(HttpRequest.Builder b) {
        HttpResponse<String> r;
        try {
            r = http.send(b.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiError(0, "cannot reach the coordinator's API at " + base + " (is `drover coordinator` running? see --api)", null);
        } catch (IOException e) {
            throw new ApiError(0, "talking to the coordinator's API at " + base + ": " + e, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(0, "interrupted", null);
        }
        JsonNode body;
        try {
            body = r.body() == null || r.body().isBlank() ? Json.mapper().nullNode() : Json.mapper().readTree(r.body());
        } catch (JsonProcessingException e) {
            throw new ApiError(r.statusCode(), "HTTP " + r.statusCode() + " from " + base + " without a JSON body: " + abbreviate(r.body()), null);
        }
        if (r.statusCode() >= 300) {
            String error = body.path("error").asText("HTTP " + r.statusCode());
            throw new ApiError(r.statusCode(), error, body.hasNonNull("field") ? body.get("field").asText() : null);
        }
        return body;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}

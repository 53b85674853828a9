package io.drover.cli;

import io.drover.coordinator.EnvVars;
import picocli.CommandLine.Option;

/** Where the coordinator's API is, for the client commands. */
final class ApiOptions {
    @Option(names = "--api", paramLabel = "URL",
            description = "The coordinator's API (default: $" + EnvVars.API + ", else " + EnvVars.DEFAULT_API + ").")
    String api;

    String baseUrl() {
        if (api != null && !api.isBlank()) {
            return api;
        }
        String env = System.getenv(EnvVars.API);
        return env != null && !env.isBlank() ? env : EnvVars.DEFAULT_API;
    }

    ApiClient client() {
        return new ApiClient(baseUrl());
    }
}

package io.drover.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/**
 * The coordinator's convergence-ladder settings for {@code drover migrate}; they go into the request's
 * policy beside {@link PolicyOptions}' settings, which the agents apply.
 */
final class LadderOptions {
    @Option(names = "--downtime-steps", paramLabel = "N",
            description = "Raise the downtime limit in N steps up to --downtime-limit (default 10; 1 starts at the limit).")
    Integer downtimeSteps;

    @Option(names = "--completion-timeout-per-gib", paramLabel = "SECONDS",
            description = "Give up (or switch to post-copy) after this long per GiB of guest RAM (default 150).")
    Long completionTimeoutPerGiB;

    @Option(names = "--stall-timeout", paramLabel = "SECONDS",
            description = "Give up (or switch to post-copy) when the remaining bytes reach no new low for this long (default 150).")
    Long stallTimeout;

    /** Adds the settings given to {@code policy}, the JSON the API reads. */
    ObjectNode addTo(ObjectNode policy) {
        if (downtimeSteps != null) policy.put("downtimeSteps", downtimeSteps);
        if (completionTimeoutPerGiB != null) policy.put("completionTimeoutPerGiB", completionTimeoutPerGiB);
        if (stallTimeout != null) policy.put("stallTimeout", stallTimeout);
        return policy;
    }
}

package io.drover.broker;

/**
 * Thrown when an {@link EmbeddedKafka} broker cannot be started, for example because its
 * port is already in use. The message always names the listener address.
 */
public final class BrokerStartException extends RuntimeException {

    BrokerStartException(String message) {
        super(message);
    }

    BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}

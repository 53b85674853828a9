package io.drover.agent.service;

/** A command the agent will not execute as asked (unknown VM, VM already running, bad sizes...): answered ok=false with the message. */
public final class CommandRefused extends RuntimeException {
    public CommandRefused(String message) {
        super(message);
    }
}

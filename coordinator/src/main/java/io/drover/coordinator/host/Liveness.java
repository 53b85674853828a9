package io.drover.coordinator.host;

/** Whether a host's agent is alive, as its heartbeats tell. */
public enum Liveness { UNKNOWN, UP, DOWN }

package io.drover.agent.qmp;

/** A registration for QMP events; {@link #close()} ends it. Closing twice is harmless. */
public interface Subscription extends AutoCloseable {
    /** Stops delivering events to this subscription. */
    @Override
    void close();
}

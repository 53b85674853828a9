package io.drover.events;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.List;

/**
 * QEMU's {@code COLOMessage} (QAPI, since 2.8): the messages exchanged between the COLO primary and
 * secondary during a checkpoint.
 */
public final class ColoMessage extends OpenEnum<ColoMessage> {

    private static final Values<ColoMessage> VALUES = new Values<>(ColoMessage::new);

    /** Secondary VM is ready for checkpointing. */
    public static final ColoMessage CHECKPOINT_READY = VALUES.known("checkpoint-ready");

    /** Primary VM tells the secondary to prepare for checkpointing. */
    public static final ColoMessage CHECKPOINT_REQUEST = VALUES.known("checkpoint-request");

    /** Secondary VM got the primary's checkpoint request. */
    public static final ColoMessage CHECKPOINT_REPLY = VALUES.known("checkpoint-reply");

    /** VM state will be sent by the primary. */
    public static final ColoMessage VMSTATE_SEND = VALUES.known("vmstate-send");

    /** The total size of the VM state. */
    public static final ColoMessage VMSTATE_SIZE = VALUES.known("vmstate-size");

    /** VM state has been received by the secondary. */
    public static final ColoMessage VMSTATE_RECEIVED = VALUES.known("vmstate-received");

    /** VM state has been loaded by the secondary. */
    public static final ColoMessage VMSTATE_LOADED = VALUES.known("vmstate-loaded");

    private ColoMessage(String raw, boolean known) {
        super(raw, known);
    }

    /** The constant for {@code raw}, or an unknown value keeping it; null for null. Never throws. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ColoMessage of(String raw) {
        return VALUES.of(raw);
    }

    /** The known values, in declaration order. */
    public static List<ColoMessage> values() {
        return VALUES.values();
    }
}

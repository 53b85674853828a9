/**
 * A client for the QEMU Machine Protocol (QMP): {@link io.drover.agent.qmp.QmpClient} connects to
 * a QEMU monitor socket ({@link io.drover.agent.qmp.QmpEndpoint}), executes commands from any
 * number of threads, and delivers asynchronous {@link io.drover.agent.qmp.QmpEvent}s to
 * subscriptions. Every failure is a {@link io.drover.agent.qmp.QmpException}.
 *
 * <p>Protocol reference: QEMU's {@code docs/interop/qmp-spec.txt}; design reference: QEMU's
 * Python library {@code python/qemu/qmp}.
 */
package io.drover.agent.qmp;

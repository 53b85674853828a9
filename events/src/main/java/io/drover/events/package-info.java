/**
 * Drover's public contract: the JSON that agents publish to Kafka and everything else reads.
 *
 * <h2>Layers</h2>
 * <ul>
 *   <li><b>QEMU mirrors.</b> Records and open enums for QEMU's QAPI migration types, with QEMU's exact
 *       (kebab-case) member names: {@link io.drover.events.MigrationInfo}, {@link io.drover.events.MigrationStats},
 *       {@link io.drover.events.MigrationParameters}, {@link io.drover.events.MigrationStatus}, ... The
 *       baseline is QEMU 2.11's {@code qapi/migration.json} (2017) plus the snapshot jobs of QEMU 6.0
 *       (2021); later additions are typed up to QEMU 7.2 (8.x where noted) and each carries its QEMU
 *       version in the Javadoc. Open enums ({@link io.drover.events.OpenEnum}) keep values they do not
 *       know; the evolving structs keep unknown members in {@code extras()}.</li>
 *   <li><b>QMP events.</b> {@link io.drover.events.QmpEventPayload} and its records, wrapped with the
 *       QMP timestamp in {@link io.drover.events.QmpEventData}.</li>
 *   <li><b>Agent data.</b> {@link io.drover.events.MigrationSample} and {@link io.drover.events.MigrationOutcome}
 *       (Drover's own, camelCase names).</li>
 *   <li><b>Envelope.</b> {@link io.drover.events.DroverRecord}, a CloudEvents 1.0 event, typed by
 *       {@link io.drover.events.RecordTypes}, on {@link io.drover.events.Topics}, through
 *       {@link io.drover.events.DroverRecordSerializer} / {@link io.drover.events.DroverRecordDeserializer},
 *       keyed by VM id.</li>
 * </ul>
 *
 * <p>All JSON goes through {@link io.drover.events.Json#mapper()}. Golden files under
 * {@code src/test/resources/golden/} pin the wire format of every type.
 */
package io.drover.events;

/**
 * Read models: tables kept up to date from the journal by pekko-projection, for the queries that would
 * otherwise recover every entity. They lag the journal (by a poll of the read journal), so they answer
 * lists; decisions are taken on the entities or the journal.
 */
package io.drover.coordinator.readmodel;

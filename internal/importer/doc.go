// Package importer owns bulk import of existing users: reading rows (NDJSON
// and CSV, with a per-line limit), the batch engine that sends them to the
// core (or to a Roster server) with bounded memory, the errors file, the
// checkpoint that makes an interrupted import resumable, the progress
// report, and the import benchmark. `roster import` and POST
// /api/v1/users/import both run on it.
package importer

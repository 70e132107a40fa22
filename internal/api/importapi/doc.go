// Package importapi is the import face of the Admin API: POST
// /api/v1/users/import takes users as NDJSON (one JSON object per line, no
// size limit beyond a per-line one), upserts them through the core in
// batches, and answers with NDJSON results as each batch commits: one line
// per input line, then a summary line. Errors found before the stream
// starts (credentials, scope, media type, query) are RFC 9457 problems
// (internal/api/problem); a line's problem is that line's result.
package importapi

// Package api composes Roster's HTTP faces on one stdlib ServeMux, with the
// middleware every request passes through (request id, logging, recovery)
// and the operational endpoints (/healthz, /readyz). Each face lives in its
// own package below this one and owns its dialect and error shape.
package api

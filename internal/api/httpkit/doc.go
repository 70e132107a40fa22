// Package httpkit holds what every HTTP face shares and none owns: request
// ids, the request-scoped logger, and panic recovery. Faces render their own
// errors; this package never writes a response body of its own dialect.
package httpkit

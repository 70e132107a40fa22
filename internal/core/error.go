package core

import (
	"errors"
	"fmt"
	"time"
)

// ErrorCode is the closed set of failure kinds the core reports. Each face
// maps a code to its own status and error shape in exactly one place.
type ErrorCode string

const (
	// Invalid: the input breaks a rule; Field names the offending field.
	Invalid ErrorCode = "invalid"
	// Conflict: the input collides with existing state (a duplicate email).
	Conflict ErrorCode = "conflict"
	// NotFound: no such object in the caller's tenant (other tenants' objects
	// are reported exactly the same way).
	NotFound ErrorCode = "not_found"
	// Forbidden: the caller is known but may not do this.
	Forbidden ErrorCode = "forbidden"
	// Unprocessable: the request is well formed but cannot be carried out
	// as sent (an Idempotency-Key reused with a different request).
	Unprocessable ErrorCode = "unprocessable"
	// Unauthenticated: the caller's credential is missing, unknown or revoked.
	Unauthenticated ErrorCode = "unauthenticated"
	// Busy: a bounded resource (the hash pool) is saturated; retry later.
	Busy ErrorCode = "busy"
	// RateLimited: the caller exceeded a rate limit; retry later.
	RateLimited ErrorCode = "rate_limited"
	// Internal: anything else. Its message is never shown to a client.
	Internal ErrorCode = "internal"
)

// Error is the core's error type. Message is safe to show to the caller: it
// never contains a secret.
type Error struct {
	Code    ErrorCode
	Field   string        // the offending field, in the core's names ("email", "password", ...)
	Message string        // human-readable, safe for clients
	Retry   time.Duration // with Busy and RateLimited: when to try again
	Err     error         // the underlying cause, for logs; never shown to clients
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Code)
	}
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an *Error about one field.
func FieldError(code ErrorCode, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, or Internal
// when there is none (and "" when err is nil).
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// AsError returns the first *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

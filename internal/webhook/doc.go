// Package webhook owns the sending half of Roster's webhooks: Standard
// Webhooks signing (sign.go), the retry schedule (schedule.go), the HTTP
// client that reaches only what the egress policy allows (client.go) and the
// dispatcher that turns the events outbox into signed, retried deliveries
// (dispatcher.go).
//
// What is sent, to whom and in what state a delivery is lives in the core and
// the store (core.Service.FanOutEvents, ClaimDeliveries,
// RecordDeliveryAttempt); this package decides when and how to send and what
// an attempt's outcome is. Delivery is at least once: a crash between a
// receiver's 2xx and the recording of the attempt sends the message again,
// with the same webhook-id, once the lease expires.
package webhook

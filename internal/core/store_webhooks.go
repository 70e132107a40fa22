package core

// webhookReader is the store's read half for webhook endpoints, deliveries
// and their attempts.
type webhookReader interface{}

// webhookWriter is the store's write half for webhook endpoints, deliveries
// and their attempts.
type webhookWriter interface{}

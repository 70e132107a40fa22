package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// The delivery envelope (Standard Webhooks' suggested shape), the same for
// every endpoint kind and for Zapier samples:
//
//	{"type": "user_created", "timestamp": "2026-01-02T03:04:05.000006Z",
//	 "data": {"id": 41, "tenant": {"clientId": "clt_..."}, "actor": "api-key:bdk_AbCd1234",
//	          "subject": {"type": "user", "id": "7"}, ...the event's payload}}
//
// data.id is the event's id (the audit log's), so a receiver can tell
// events apart even across redeliveries. The reserved members (id, tenant,
// actor, subject) come first; a payload member of the same name is dropped
// (no emitted payload has one: webhook_envelope_test checks).
type webhookEnvelope struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

type envelopeTenant struct {
	ClientID string `json:"clientId"`
}

type envelopeSubject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// envelopeReserved are the data members the envelope sets itself.
var envelopeReserved = []string{"id", "tenant", "actor", "subject"}

// webhookTimestampLayout renders envelope timestamps: UTC, microseconds.
const webhookTimestampLayout = "2006-01-02T15:04:05.000000Z07:00"

// WebhookPayload returns the delivery body of event e of the tenant with
// that client id.
func WebhookPayload(e Event, clientID string) (json.RawMessage, error) {
	var members map[string]json.RawMessage
	if len(e.Payload) > 0 {
		if err := json.Unmarshal(e.Payload, &members); err != nil {
			return nil, fmt.Errorf("decode payload of event %d: %w", e.ID, err)
		}
	}
	var data bytes.Buffer
	data.WriteByte('{')
	write := func(key string, v any) error {
		if data.Len() > 1 {
			data.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		data.Write(k)
		data.WriteByte(':')
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s of event %d: %w", key, e.ID, err)
		}
		data.Write(b)
		return nil
	}
	for _, m := range []struct {
		key string
		v   any
	}{
		{"id", e.ID},
		{"tenant", envelopeTenant{ClientID: clientID}},
		{"actor", e.Actor},
		{"subject", envelopeSubject{Type: e.SubjectType, ID: e.SubjectID}},
	} {
		if err := write(m.key, m.v); err != nil {
			return nil, err
		}
	}
	for _, key := range sortedKeys(members) {
		if isEnvelopeReserved(key) {
			continue
		}
		if err := write(key, members[key]); err != nil {
			return nil, err
		}
	}
	data.WriteByte('}')
	body, err := json.Marshal(webhookEnvelope{
		Type:      e.Type,
		Timestamp: e.CreatedAt.UTC().Format(webhookTimestampLayout),
		Data:      data.Bytes(),
	})
	if err != nil {
		return nil, fmt.Errorf("encode envelope of event %d: %w", e.ID, err)
	}
	return body, nil
}

func isEnvelopeReserved(key string) bool { return slices.Contains(envelopeReserved, key) }

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Sorted, so that both stores (PostgreSQL's JSONB reorders members)
	// produce the same bytes for the same event.
	slices.Sort(keys)
	return keys
}

package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks headers (https://www.standardwebhooks.com, spec v1).
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// secretPrefix marks a Standard Webhooks secret; the rest is base64.
const secretPrefix = "whsec_"

// errBadSecret never carries the secret itself.
var errBadSecret = errors.New("webhook signing secret is not whsec_ followed by base64")

// Sign returns the webhook-signature header value for a message: one
// "v1,<base64 HMAC-SHA256>" per secret, separated by spaces, where the HMAC
// is keyed by the base64-decoded part of the secret ("whsec_..." or bare
// base64) and covers "<msgID>.<unix seconds>.<body>". Several secrets sign
// during a rotation, so a receiver holding either one verifies the message.
func Sign(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", errors.New("no webhook signing secret")
	}
	signed := make([]byte, 0, len(msgID)+len(body)+24)
	signed = append(signed, msgID...)
	signed = append(signed, '.')
	signed = strconv.AppendInt(signed, ts.Unix(), 10)
	signed = append(signed, '.')
	signed = append(signed, body...)

	parts := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, secretPrefix))
		if err != nil || len(key) == 0 {
			return "", errBadSecret
		}
		mac := hmac.New(sha256.New, key)
		mac.Write(signed)
		parts = append(parts, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(parts, " "), nil
}

// Timestamp formats t as the webhook-timestamp header: unix seconds.
func Timestamp(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

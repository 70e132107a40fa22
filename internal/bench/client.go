package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// client speaks the Client API with one API key over a transport tuned for
// load: idle connections are kept (up to 1,024 per host), so once warm no
// request dials. dials counts the connections opened, to show it.
type client struct {
	baseURL string
	apiKey  string
	http    *http.Client
	dials   atomic.Int64
}

func newClient(baseURL, apiKey string) *client {
	c := &client{baseURL: baseURL, apiKey: apiKey}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	c.http = &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c.dials.Add(1)
				return dialer.DialContext(ctx, network, addr)
			},
			MaxIdleConns:        0, // no limit over all hosts
			MaxIdleConnsPerHost: 1024,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
	return c
}

func (c *client) close() { c.http.CloseIdleConnections() }

// newUser is seed 000's create payload.
type newUser struct {
	Email                 string `json:"email"`
	DisplayName           string `json:"displayName"`
	Password              string `json:"password"`
	Role                  string `json:"role"`
	EmailFilteringEnabled bool   `json:"emailFilteringEnabled"`
}

// createUser creates a user with email and returns its id. Any answer but
// 201 is an error carrying the status and body.
func (c *client) createUser(ctx context.Context, email string) (int64, error) {
	body, err := json.Marshal(newUser{
		Email: email, DisplayName: "Bench User", Password: "securepassword123",
		Role: "clientUser", EmailFilteringEnabled: true,
	})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/api/users", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusCreated {
		return 0, fmt.Errorf("POST /api/users: status %d: %s", res.StatusCode, bytes.TrimSpace(b))
	}
	var u struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(b, &u); err != nil || u.ID == 0 {
		return 0, fmt.Errorf("POST /api/users: 201 without a user id: %s", b)
	}
	return u.ID, nil
}

// getUser fetches a user and reads the whole answer, so that the
// connection goes back to the pool. Any answer but 200 is an error.
func (c *client) getUser(ctx context.Context, id int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/api/users/"+strconv.FormatInt(id, 10), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.apiKey)
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /api/users/%d: status %d", id, res.StatusCode)
	}
	return nil
}

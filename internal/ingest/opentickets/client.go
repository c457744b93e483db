package opentickets

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/frontline-dev/frontline/internal/ingest/config"
	"github.com/frontline-dev/frontline/internal/version"
)

// Client limits.
const (
	// DefaultMaxBody caps a count answer; a count is a few bytes, and even
	// Freshdesk's page of 30 tickets is far below this.
	DefaultMaxBody = 1 << 20
	// DefaultMaxWait is the longest a round waits out a Retry-After before
	// its next request; a longer one skips the helpdesk until it has passed.
	DefaultMaxWait = 30 * time.Second
	// defaultRetryAfter is assumed when a 429 says nothing.
	defaultRetryAfter = time.Minute
	maxRetryAfter     = time.Hour
	maxErrorSnippet   = 200
)

// ErrRateLimited marks a count not sent or not answered because the
// helpdesk asked to slow down (HTTP 429).
var ErrRateLimited = errors.New("rate limited by the helpdesk")

// apiRequest is one count request, relative to the source's API base.
type apiRequest struct {
	method string
	path   string
	query  url.Values
	body   []byte
}

// describe is the request as logged at start: no credential is in it.
func (r apiRequest) describe() string {
	s := r.method + " " + r.path
	if len(r.query) > 0 {
		s += "?" + encodeQuery(r.query)
	}
	if len(r.body) > 0 {
		s += " " + string(r.body)
	}
	return s
}

// encodeQuery encodes spaces as %20, which every vendor's examples use.
func encodeQuery(v url.Values) string {
	return strings.ReplaceAll(v.Encode(), "+", "%20")
}

// authFunc sets the vendor's auth header from the token and returns every
// form of the credential that must never be echoed.
type authFunc func(h http.Header, token string) []string

func basicAuth(h http.Header, user, pass string) []string {
	enc := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	h.Set("Authorization", "Basic "+enc)
	return []string{enc}
}

// client talks to one source's API, one request at a time.
type client struct {
	base      *url.URL
	tokenFile string
	auth      authFunc
	headers   http.Header // vendor headers besides auth
	http      *http.Client
	maxBody   int64
	maxWait   time.Duration
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
	record    func(result string)

	mu        sync.Mutex
	notBefore time.Time // from the last 429
}

// newHTTPClient: a timeout per request, TLS 1.2 or later, small headers,
// and no redirects followed (a redirect would carry the credential to
// wherever it points, and an API that redirects is misconfigured).
func newHTTPClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.MaxResponseHeaderBytes = 64 << 10
	tr.ResponseHeaderTimeout = timeout
	tr.MaxIdleConnsPerHost = 1
	return &http.Client{
		Timeout:       timeout,
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// do sends the request and returns the answer's body: one request, never
// retried within the round. A 429 fails this queue for the round and
// holds every further request to the helpdesk until its Retry-After has
// passed: a wait of at most maxWait is slept out before the next request,
// a longer one makes the round skip the helpdesk.
func (c *client) do(ctx context.Context, r apiRequest) ([]byte, error) {
	token, err := config.ReadToken(c.tokenFile)
	if err != nil {
		c.record("error")
		return nil, fmt.Errorf("%s: %w", c.endpoint(r), err)
	}
	if err := c.waitTurn(ctx); err != nil {
		c.record("backing_off")
		return nil, fmt.Errorf("%s: %w", c.endpoint(r), err)
	}
	body, retryIn, secrets, err := c.once(ctx, r, token)
	switch {
	case err != nil:
		c.record("error")
		return nil, fmt.Errorf("%s: %s", c.endpoint(r), redact(err.Error(), secrets))
	case retryIn > 0:
		c.record("rate_limited")
		c.mu.Lock()
		c.notBefore = c.now().Add(retryIn)
		c.mu.Unlock()
		return nil, fmt.Errorf("%s: HTTP 429, retry after %s: %w", c.endpoint(r), retryIn, ErrRateLimited)
	}
	c.record("ok")
	return body, nil
}

// waitTurn sleeps out a short Retry-After and refuses a long one.
func (c *client) waitTurn(ctx context.Context) error {
	c.mu.Lock()
	wait := c.notBefore.Sub(c.now())
	c.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	if wait > c.maxWait {
		return fmt.Errorf("not sent, the helpdesk asked to wait %s more: %w", wait.Round(time.Second), ErrRateLimited)
	}
	return c.sleep(ctx, wait)
}

// endpoint names the request in errors: method, host and path, no query.
func (c *client) endpoint(r apiRequest) string {
	u := c.base.JoinPath(r.path)
	return r.method + " " + u.Redacted()
}

// once sends one request. retryIn is non-zero for a 429.
func (c *client) once(ctx context.Context, r apiRequest, token string) (body []byte, retryIn time.Duration, secrets []string, err error) {
	u := c.base.JoinPath(r.path)
	u.RawQuery = encodeQuery(r.query)
	var rd io.Reader
	if len(r.body) > 0 {
		rd = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), rd)
	if err != nil {
		return nil, 0, nil, errors.New("cannot build the request")
	}
	for k, v := range c.headers {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "frontline-ingest/"+version.Version)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	secrets = append(c.auth(req.Header, token), token, url.QueryEscape(token))
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, secrets, transportError(err, c.http.Timeout)
	}
	defer func() { _ = resp.Body.Close() }()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, c.maxBody))
		return nil, retryAfter(resp.Header, c.now()), secrets, nil
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, 0, secrets, fmt.Errorf("HTTP %d redirect%s not followed; point url at the API host itself", resp.StatusCode, redirectTarget(resp))
	}
	body, err = readCapped(resp, c.maxBody)
	if err != nil {
		return nil, 0, secrets, err
	}
	if resp.StatusCode != http.StatusOK {
		// Redacted before it is cut, so no part of a credential survives.
		return nil, 0, secrets, fmt.Errorf("HTTP %s: %s", resp.Status, snippet(redact(string(body), secrets)))
	}
	return body, 0, secrets, nil
}

// transportError drops the URL net/http puts in its errors.
func transportError(err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("no answer within %s", timeout)
		}
		err = ue.Err
	}
	return fmt.Errorf("request failed: %v", err)
}

// redirectTarget names the host a redirect points to, nothing more.
func redirectTarget(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil || loc.Host == "" {
		return ""
	}
	return " to " + loc.Host
}

// readCapped reads at most limit bytes and refuses a longer answer.
func readCapped(resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("answer of %d bytes refused (limit %d)", resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("answer over %d bytes refused", limit)
	}
	return body, nil
}

// retryAfter reads Retry-After (seconds or an HTTP date), else Intercom's
// X-RateLimit-Reset (unix seconds), else assumes a minute.
func retryAfter(h http.Header, now time.Time) time.Duration {
	d := defaultRetryAfter
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			d = time.Duration(s) * time.Second
		} else if t, err := http.ParseTime(v); err == nil {
			d = t.Sub(now)
		}
	} else if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			d = time.Unix(s, 0).Sub(now)
		}
	}
	return min(max(d, time.Second), maxRetryAfter)
}

// snippet is the start of an error answer, printable characters only.
func snippet(body string) string {
	r := []rune(strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, body)))
	switch {
	case len(r) == 0:
		return "(empty answer)"
	case len(r) > maxErrorSnippet:
		return string(r[:maxErrorSnippet]) + "…"
	}
	return string(r)
}

// redact removes every form of the credential from a message.
func redact(msg string, secrets []string) string {
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return msg
}

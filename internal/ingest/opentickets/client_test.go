package opentickets

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/metrics"
)

// zendeskCatchAll is one Zendesk source whose one queue is everything.
const zendeskCatchAll = `
backlog: {mode: single}
sources:
  - name: zd
    vendor: zendesk
    secretFile: /x
    openTickets: {url: URL, email: bot@acme.example, tokenFile: TOKENFILE, timeout: 300ms}
rules:
  - {target: {namespace: support, queue: general}}
`

// fakeClock is a clock that sleeping advances.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func countAnswer(w http.ResponseWriter, n string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"count": `+n+`}`)
}

func TestRateLimitShortRetryAfterIsWaitedOut(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if hits.Add(1) == 1 {
			// Zendesk answers a rate limit with 429 and Retry-After seconds:
			// https://developer.zendesk.com/api-reference/introduction/rate-limits/
			w.Header().Set("Retry-After", "7")
			http.Error(w, `{"error":"TooManyRequests"}`, http.StatusTooManyRequests)
			return
		}
		countAnswer(w, "5")
	}))
	defer srv.Close()
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	m := metrics.New(true)
	c := plan(t, zendeskCatchAll, srv.URL, Options{Now: clock.Now, Sleep: clock.Sleep, Metrics: m})
	// The queue answered 429 fails this round: no second request for it.
	if _, err := c.OpenTickets(context.Background(), target("general")); !errors.Is(err, ErrRateLimited) || hits.Load() != 1 {
		t.Fatalf("429: %v after %d requests", err, hits.Load())
	}
	// The next request waits the 7 seconds out first.
	got, err := c.OpenTickets(context.Background(), target("general"))
	if err != nil || got != 5 {
		t.Fatalf("count %d, %v", got, err)
	}
	if hits.Load() != 2 || len(clock.sleeps) != 1 || clock.sleeps[0] != 7*time.Second {
		t.Fatalf("hits %d, sleeps %v; want one wait of 7s between two requests", hits.Load(), clock.sleeps)
	}
	for result, want := range map[string]float64{"rate_limited": 1, "ok": 1} {
		if v, _ := m.Value("frontline_ingest_open_ticket_requests_total", "source", "zd", "result", result); v != want {
			t.Errorf("%s requests %v, want %v", result, v, want)
		}
	}
}

func TestRateLimitLongRetryAfterStopsRequests(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		countAnswer(w, "9")
	}))
	defer srv.Close()
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	m := metrics.New(true)
	c := plan(t, zendeskCatchAll, srv.URL, Options{Now: clock.Now, Sleep: clock.Sleep, Metrics: m})

	_, err := c.OpenTickets(context.Background(), target("general"))
	if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "retry after 1h0m0s") {
		t.Fatalf("first: %v", err)
	}
	// The next rounds send nothing until the hour has passed.
	for i := 0; i < 3; i++ {
		clock.advance(10 * time.Minute)
		if _, err := c.OpenTickets(context.Background(), target("general")); !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "not sent") {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	if hits.Load() != 1 || len(clock.sleeps) != 0 {
		t.Fatalf("hits %d, sleeps %v while backing off", hits.Load(), clock.sleeps)
	}
	clock.advance(31 * time.Minute)
	if got, err := c.OpenTickets(context.Background(), target("general")); err != nil || got != 9 {
		t.Fatalf("after Retry-After: %d, %v", got, err)
	}
	if v, _ := m.Value("frontline_ingest_open_ticket_requests_total", "source", "zd", "result", "backing_off"); v != 3 {
		t.Fatalf("backing_off %v", v)
	}
}

func TestRetryAfterForms(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		header http.Header
		want   time.Duration
	}{
		{http.Header{"Retry-After": {"30"}}, 30 * time.Second},
		{http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		// Intercom sends the reset time as unix seconds:
		// https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting
		{http.Header{"X-Ratelimit-Reset": {"1767268845"}}, 45 * time.Second},
		{http.Header{}, time.Minute},
		{http.Header{"Retry-After": {"0"}}, time.Second},
		{http.Header{"Retry-After": {"999999"}}, time.Hour},
	}
	for _, c := range cases {
		if got := retryAfter(c.header, now); got != c.want {
			t.Errorf("%v: %v, want %v", c.header, got, c.want)
		}
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	var elsewhere atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		elsewhere.Add(1)
		countAnswer(w, "1")
	}))
	defer evil.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+"/collect", http.StatusFound)
	}))
	defer srv.Close()
	c := plan(t, zendeskCatchAll, srv.URL, Options{})
	_, err := c.OpenTickets(context.Background(), target("general"))
	evilHost, _ := url.Parse(evil.URL)
	if err == nil || !strings.Contains(err.Error(), "HTTP 302 redirect to "+evilHost.Host+" not followed") {
		t.Fatalf("redirect: %v", err)
	}
	if elsewhere.Load() != 0 {
		t.Fatal("the redirect was followed, with the credential")
	}
}

func TestHugeAnswerIsRefused(t *testing.T) {
	huge := `{"count": 1, "padding": "` + strings.Repeat("x", 2<<20) + `"}`
	for _, chunked := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if chunked {
				// No Content-Length: the cap applies while reading.
				w.(http.Flusher).Flush()
			}
			_, _ = io.WriteString(w, huge)
		}))
		c := plan(t, zendeskCatchAll, srv.URL, Options{})
		_, err := c.OpenTickets(context.Background(), target("general"))
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("chunked=%v: %v", chunked, err)
		}
	}
}

func TestTimeoutPerRequest(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := plan(t, zendeskCatchAll, srv.URL, Options{})
	start := time.Now()
	_, err := c.OpenTickets(context.Background(), target("general"))
	if err == nil || !strings.Contains(err.Error(), "no answer within 300ms") {
		t.Fatalf("timeout: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the timeout did not bound the request")
	}
}

func TestCredentialNeverInErrors(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("bot@acme.example/token:" + testToken))
	// A helpdesk that echoes what it got: the Authorization header, then
	// the token placed across the 200-character cut of the error snippet,
	// then the token again, escaped.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		prefix := `{"seen":"` + r.Header.Get("Authorization") + `","pad":"`
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, prefix+strings.Repeat("p", 193-len(prefix))+testToken+
			`","token":"`+testToken+`","escaped":"`+url.QueryEscape(testToken)+`"}`)
	}))
	defer echo.Close()
	c := plan(t, zendeskCatchAll, echo.URL, Options{})
	_, err := c.OpenTickets(context.Background(), target("general"))
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("want a 401 error, got %v", err)
	}
	msgs := []string{err.Error()}

	// A connection that fails, and a token file that vanished.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	c = plan(t, zendeskCatchAll, dead.URL, Options{})
	_, err = c.OpenTickets(context.Background(), target("general"))
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	msgs = append(msgs, err.Error())

	for _, msg := range msgs {
		for _, secret := range []string{testToken, basic, url.QueryEscape(testToken), testToken[:7], basic[:20]} {
			if strings.Contains(msg, secret) {
				t.Errorf("error carries a credential form %q:\n%s", secret, msg)
			}
		}
	}
}

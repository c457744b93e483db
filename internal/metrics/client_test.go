package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/model"
)

// secretMarker stands for whatever a hostile endpoint puts in its answer:
// none of it may reach an error message (conditions, Events, logs).
const secretMarker = "remote-content-7f3a"

func query(t *testing.T, address string, o ClientOptions) error {
	t.Helper()
	api, err := NewHTTPAPI(address, o)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = api.Query(context.Background(), "up", time.Now())
	return err
}

func wantSourceError(t *testing.T, err error, says string) {
	t.Helper()
	var se *SourceError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a SourceError", err, err)
	}
	if !strings.Contains(se.Error(), says) {
		t.Errorf("error %q does not say %q", se, says)
	}
	if strings.Contains(se.Error(), secretMarker) || strings.Contains(se.Error(), "127.0.0.1") {
		t.Errorf("error %q echoes remote content or the address", se)
	}
}

// A redirect is never followed: the host it points at sees no request.
func TestRedirectNotFollowed(t *testing.T) {
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Add(1) }))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/api/v1/admin/tsdb/delete_series?match[]=up", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	err := query(t, redirect.URL, ClientOptions{})
	wantSourceError(t, err, "redirect (HTTP 307)")
	if n := followed.Load(); n != 0 {
		t.Fatalf("the redirect target received %d requests", n)
	}
}

// A 64 MiB answer is cut at the limit: the error says so and the
// operator's memory does not grow by the body.
func TestHugeAnswerIsNotRead(t *testing.T) {
	chunk := []byte(`{"status":"success","data":{"resultType":"vector","result":[` + strings.Repeat(" ", 1<<20))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for range 64 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := query(t, srv.URL, ClientOptions{})
	runtime.ReadMemStats(&after)
	wantSourceError(t, err, "larger than the source's bodyLimit (8Mi)")
	if grown := int64(after.TotalAlloc-before.TotalAlloc) >> 20; grown > 48 {
		t.Errorf("allocated %d MiB reading a refused answer", grown)
	}
	wantSourceError(t, query(t, srv.URL, ClientOptions{MaxBodyBytes: 64 << 10}), "larger than the source's bodyLimit (64Ki)")
}

// manySeries serves an instant vector of n series for any query: well
// under the default bodyLimit, far over what a query for one value needs.
func manySeries(n int) *httptest.Server {
	var b strings.Builder
	b.WriteString(`{"status":"success","data":{"resultType":"vector","result":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"metric":{"__name__":"any_series","namespace":"ns","instance":"host-%05d:9100"},"value":[1700000000,"1"]}`, i)
	}
	b.WriteString(`]}}`)
	body := b.String()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
}

// A query that must return one series (a queue's override, a plan's
// external trigger) is read up to SingleValueBytes, not the source's
// bodyLimit: a tenant's {__name__=~".+"} is refused before it is decoded,
// in words that say what to do. A grouped query reads the whole answer.
func TestSingleValueAnswerIsCapped(t *testing.T) {
	srv := manySeries(5000) // about 500 KiB
	defer srv.Close()
	api, err := NewHTTPAPI(srv.URL, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _, _, err := api.Query(context.Background(), "any_series", time.Now()); err != nil || len(v.(model.Vector)) != 5000 {
		t.Fatalf("a grouped query: %v, want its 5000 series read", err)
	}
	_, _, _, err = api.Query(SingleValue(context.Background()), `{__name__=~".+"}`, time.Now())
	wantSourceError(t, err, "larger than the 64Ki a query for one value may return")
	// Through a queue's override, as a poll reads it.
	req := Request{Key: QueueKey{"ns", "q"}, Overrides: Overrides{Inflow: `{__name__=~".+"}`}}
	r := Read(context.Background(), api, time.Now(), []Request{req}, NewEstimators())[req.Key]
	if r.Usable() || !strings.Contains(r.Message, "a query for one value") {
		t.Errorf("override over the single-value limit: %+v", r)
	}
}

// An endpoint that never answers costs one timeout.
func TestSilentEndpointTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer func() { _ = c.Close() }() // held open, never answered
		}
	}()
	start := time.Now()
	err = query(t, "http://"+ln.Addr().String(), ClientOptions{Timeout: 300 * time.Millisecond})
	wantSourceError(t, err, "no answer within the timeout")
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("waited %s", waited)
	}
}

// Status codes become Frontline's words; the remote body never appears.
func TestFailuresInOwnWords(t *testing.T) {
	for _, tc := range []struct {
		code int
		body string
		says string
	}{
		{http.StatusUnauthorized, secretMarker, "unauthorized (HTTP 401)"},
		{http.StatusForbidden, secretMarker, "unauthorized (HTTP 403)"},
		{http.StatusNotFound, secretMarker, "bad response (HTTP 404)"},
		{http.StatusBadRequest, `{"status":"error","errorType":"bad_data","error":"` + secretMarker + `"}`, "rejected as invalid"},
		{http.StatusBadGateway, secretMarker, "bad response (HTTP 502)"},
		{http.StatusOK, "not json " + secretMarker, "could not be read"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(tc.code)
			_, _ = w.Write([]byte(tc.body))
		}))
		err := query(t, srv.URL, ClientOptions{})
		wantSourceError(t, err, tc.says)
		srv.Close()
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	addr := closed.URL
	closed.Close()
	wantSourceError(t, query(t, addr, ClientOptions{}), "unreachable")
}

func TestSourceLabelDropsCredentials(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pass@thanos.example:443/prefix?token=x": "https://thanos.example:443",
		"http://prometheus.monitoring:9090":                   "http://prometheus.monitoring:9090",
		"::not a url":                                         "invalid",
	} {
		if got := SourceLabel(in); got != want {
			t.Errorf("SourceLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// A credential file that cannot be read fails the request before it is
// sent, in words that name neither the file nor its content.
func TestUnreadableCredentialsInOwnWords(t *testing.T) {
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { sent.Add(1) }))
	defer srv.Close()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, o := range []ClientOptions{
		{BearerTokenFile: filepath.Join(dir, "missing")},
		{BasicAuth: &BasicAuth{Username: "frontline", PasswordFile: empty}},
	} {
		err := query(t, srv.URL, o)
		wantSourceError(t, err, "credentials could not be read")
		if strings.Contains(err.Error(), dir) {
			t.Errorf("error %q names the file", err)
		}
		if CheckCredentials(o) == nil {
			t.Errorf("CheckCredentials(%+v) found nothing wrong", o)
		}
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("%d requests sent without their credentials", n)
	}
}

// Headers and credentials go on every request; the token file is read
// each time.
func TestHeadersAndTokenOnEveryRequest(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("X-Scope-OrgID")+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
	}))
	defer srv.Close()
	token := filepath.Join(t.TempDir(), "token")
	o := ClientOptions{Headers: map[string]string{"X-Scope-OrgID": "support"}, BearerTokenFile: token}
	api, err := NewHTTPAPI(srv.URL, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"one", "two"} {
		if err := os.WriteFile(token, []byte(tok+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := api.Query(context.Background(), "up", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"support Bearer one", "support Bearer two"}; !slices.Equal(got, want) {
		t.Errorf("requests carried %q, want %q", got, want)
	}
}

func TestFailureReason(t *testing.T) {
	for err, want := range map[error]string{
		&SourceError{What: "unauthorized (HTTP 401)", Unauthorized: true}:     "Unauthorized",
		fmt.Errorf("inflow: %w", &SourceError{What: "x", Unauthorized: true}): "Unauthorized",
		&SourceError{What: "unreachable"}:                                     "QueryFailed",
		errors.New("query returned matrix"):                                   "QueryFailed",
	} {
		if got := FailureReason(err); got != want {
			t.Errorf("FailureReason(%v) = %s, want %s", err, got, want)
		}
	}
}

// TestDroppedClientClosesItsConnections: a client the registry drops
// closes its idle keep-alive connection to the source, through every
// wrapper of its transport (credentials, body cap).
func TestDroppedClientClosesItsConnections(t *testing.T) {
	closed := make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateClosed {
			closed <- struct{}{}
		}
	}
	srv.Start()
	defer srv.Close()
	api, err := NewHTTPAPI(srv.URL, ClientOptions{Headers: map[string]string{"X-Scope-OrgID": "t"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.Query(context.Background(), "up", time.Now()); err != nil {
		t.Fatal(err)
	}
	c, ok := api.(interface{ CloseIdleConnections() })
	if !ok {
		t.Fatal("the client cannot close its connections")
	}
	c.CloseIdleConnections()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the idle connection is still open")
	}
}

package opentickets

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/frontline-dev/frontline/internal/ingest/config"
	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// testToken has characters that change under base64 and URL escaping, so
// the redaction tests see every form.
const testToken = "s3cr3t-API+t0ken/xyz"

// fakeAPI is a helpdesk API double: it checks the credential the way the
// vendor documents it, and answers each expected request with a fixture.
type fakeAPI struct {
	t       *testing.T
	auth    func(*http.Request) string // "" when the credential is right
	answers map[string]string          // canonical request → JSON answer

	mu   sync.Mutex
	seen []string
}

func serveFake(t *testing.T, auth func(*http.Request) string, answers map[string]string) (*fakeAPI, string) {
	t.Helper()
	f := &fakeAPI{t: t, auth: auth, answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := canonical(r)
	f.mu.Lock()
	f.seen = append(f.seen, key)
	f.mu.Unlock()
	if bad := f.auth(r); bad != "" {
		f.t.Errorf("%s: %s", key, bad)
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	answer, ok := f.answers[key]
	if !ok {
		f.t.Errorf("unexpected request:\n  %s\nexpected one of:\n  %s", key, strings.Join(keys(f.answers), "\n  "))
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, answer)
}

func (f *fakeAPI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

// canonical writes a request as "METHOD /path k=v&k=v {json}" with the
// query decoded and sorted and the JSON body compacted with sorted keys.
func canonical(r *http.Request) string {
	s := r.Method + " " + r.URL.Path
	q := r.URL.Query()
	var parts []string
	for _, k := range keys(q) {
		for _, v := range q[k] {
			parts = append(parts, k+"="+v)
		}
	}
	if len(parts) > 0 {
		s += " " + strings.Join(parts, "&")
	}
	body, _ := io.ReadAll(r.Body)
	if len(body) > 0 {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return s + " <not JSON: " + string(body) + ">"
		}
		c, _ := json.Marshal(v)
		s += " " + string(c)
	}
	return s
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// header checks one header's exact value.
func header(name, want string) func(*http.Request) string {
	return func(r *http.Request) string {
		if got := r.Header.Get(name); got != want {
			return name + " is " + quote(got) + ", want " + quote(want)
		}
		return ""
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func writeToken(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "api-token")
	if err := os.WriteFile(p, []byte(testToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// plan parses a config (TOKENFILE and URL are replaced) and builds the
// Counter from it.
func plan(t *testing.T, yaml, apiURL string, opts Options) *Counter {
	t.Helper()
	yaml = strings.NewReplacer("TOKENFILE", writeToken(t), "URL", apiURL).Replace(yaml)
	cfg, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatalf("config: %v\n%s", err, yaml)
	}
	c, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func target(q string) routing.Target { return routing.Target{Namespace: "support", Queue: q} }

// wantCounts asks the counter for every queue and compares.
func wantCounts(t *testing.T, c *Counter, want map[string]int64) {
	t.Helper()
	for q, n := range want {
		got, err := c.OpenTickets(context.Background(), target(q))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if got != n {
			t.Errorf("%s: count %d, want %d", q, got, n)
		}
	}
	if len(c.Corrected()) != len(want) {
		t.Errorf("corrected queues %v, want %d of them", c.Corrected(), len(want))
	}
}

// wantSkipped compares the uncorrected queues and their reasons, and that
// each detail mentions a phrase.
func wantSkipped(t *testing.T, c *Counter, want map[string][2]string) {
	t.Helper()
	got := map[string]Skip{}
	for _, s := range c.Skipped() {
		got[s.Target.Queue] = s
	}
	if len(got) != len(want) {
		t.Errorf("skipped %+v, want %v", c.Skipped(), want)
	}
	for q, w := range want {
		s, ok := got[q]
		if !ok {
			t.Errorf("queue %s not skipped", q)
			continue
		}
		if s.Reason != w[0] || !strings.Contains(s.Detail, w[1]) {
			t.Errorf("queue %s skipped as %s: %s\nwant %s mentioning %q", q, s.Reason, s.Detail, w[0], w[1])
		}
	}
}

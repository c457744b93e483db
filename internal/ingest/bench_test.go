package ingest

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/config"
	"github.com/frontline-dev/frontline/test/figures"
)

// benchRules: a realistic rule list; the benchmark's events match the
// fourth rule, so routing does real work.
const benchRules = `
rules:
  - match: {group: ["100"], tags: [vip]}
    target: {namespace: support, queue: vip}
  - match: {channel: [email], brand: ["200"]}
    target: {namespace: support, queue: email-b}
  - match: {channel: [chat], language: [ko]}
    target: {namespace: support-kr, queue: chat}
  - match: {channel: [web_form]}
    target: {namespace: support, queue: web}
  - target: {namespace: support, queue: general}
`

// zendeskBody is a ticket.created event (~1 KiB) with a unique id.
func zendeskBody(i int) []byte {
	b := fixtureCache
	return bytes.Replace(b, []byte("cbe4028c-7239-495d-b020-f22348516046"), []byte(fmt.Sprintf("bench-%032d", i)), 1)
}

var fixtureCache = func() []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "zendesk", "ticket_created.json"))
	if err != nil {
		panic(err)
	}
	return b
}()

// benchServer: one Zendesk source. tolerance and window are parameters:
// the throughput benchmarks replay a fixed set of signed deliveries on an
// advancing clock, so they need a wide tolerance and a short window.
func benchServer(tb testing.TB, now func() time.Time, tolerance, window string, maxEntries int) *Server {
	tb.Helper()
	secret := filepath.Join(tb.TempDir(), "zd")
	if err := os.WriteFile(secret, []byte(testSecret), 0o600); err != nil {
		tb.Fatal(err)
	}
	yaml := fmt.Sprintf("sources:\n  - {name: zd, vendor: zendesk, secretFile: %s, tolerance: %s}\ndedup: {window: %s, maxEntries: %d}\n%s",
		secret, tolerance, window, maxEntries, benchRules)
	c, err := config.Parse([]byte(yaml))
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := New(c, Options{Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// discardWriter is a ResponseWriter that keeps nothing but the status.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

type delivery struct {
	hdr  http.Header
	body []byte
}

var benchURL = &url.URL{Path: "/webhooks/zd"}

func (d *delivery) request() *http.Request {
	return &http.Request{
		Method: http.MethodPost, URL: benchURL, RequestURI: benchURL.Path, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: d.hdr, Body: io.NopCloser(bytes.NewReader(d.body)), ContentLength: int64(len(d.body)), Host: "ingest",
	}
}

// signedSet pre-signs n distinct deliveries so the benchmark times only
// the server.
func signedSet(n int, at time.Time) []delivery {
	out := make([]delivery, n)
	for i := range out {
		body := zendeskBody(i)
		out[i] = delivery{hdr: signZendesk(testSecret, body, at), body: body}
	}
	return out
}

// advancingClock moves 1 ms per call, so a replayed delivery's key has
// left the 1 s window by the time the set comes round again: every
// request takes the full path (verify, parse, new key, route, count).
func advancingClock() func() time.Time {
	var ticks atomic.Int64
	return func() time.Time { return testNow.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
}

const benchSetSize = 8192

// The benchmarks fail below the ingest's targets (figures.WebhooksPerSecond,
// figures.WebhookP99) once a run is this long, enough to time (make bench
// runs 1.2 million with -cpu 1).
const timedRun = 100_000

// BenchmarkSignedWebhook: one request end to end through the handler —
// mux, body limit, Zendesk signature, timestamp, JSON parse,
// de-duplication, routing, counters — on one goroutine.
func BenchmarkSignedWebhook(b *testing.B) {
	srv := benchServer(b, advancingClock(), "1000h", "1s", 1_000_000)
	set := signedSet(benchSetSize, testNow)
	h := srv.Handler()
	w := &discardWriter{h: http.Header{}}
	b.SetBytes(int64(len(set[0].body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.code = 0
		h.ServeHTTP(w, set[i%benchSetSize].request())
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
	b.StopTimer()
	reportRate(b)
	if v, _ := srv.Metrics().Value("frontline_ingest_requests_total", "outcome", "accepted"); int(v) != b.N {
		b.Fatalf("accepted %v of %d", v, b.N)
	}
	if rate := float64(b.N) / b.Elapsed().Seconds(); b.N >= timedRun && runtime.GOMAXPROCS(0) == 1 && rate < figures.WebhooksPerSecond {
		b.Fatalf("%.0f signed webhooks/s on one core, want at least %d", rate, figures.WebhooksPerSecond)
	}
}

// BenchmarkSignedWebhookParallel: the same on every GOMAXPROCS goroutine.
func BenchmarkSignedWebhookParallel(b *testing.B) {
	srv := benchServer(b, advancingClock(), "1000h", "1s", 1_000_000)
	set := signedSet(benchSetSize, testNow)
	h := srv.Handler()
	var next atomic.Int64
	b.SetBytes(int64(len(set[0].body)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			i := int(next.Add(1)) % benchSetSize
			h.ServeHTTP(w, set[i].request())
			if w.code != http.StatusOK {
				b.Errorf("status %d", w.code)
				return
			}
		}
	})
	b.StopTimer()
	reportRate(b)
}

func reportRate(b *testing.B) {
	if b.Elapsed() > 0 {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "webhooks/s")
	}
}

// loadResult is what a sustained run measured.
type loadResult struct {
	p50, p99, max time.Duration
	heapMiB       float64
	rssMiB        float64
	dedupEntries  int
}

// sustainedLoad sends n distinct, freshly signed Zendesk deliveries with
// the production defaults (5 min tolerance, 10 min / 1M-entry window)
// from `workers` goroutines and times each handler call (signing is the
// client's cost and stays outside the timing).
func sustainedLoad(tb testing.TB, n, workers int) loadResult {
	var clock atomic.Int64 // 200 µs of wall time per request: 5,000/s
	now := func() time.Time { return testNow.Add(time.Duration(clock.Load()) * 200 * time.Microsecond) }
	srv := benchServer(tb, now, "5m", "10m", config.DefaultDedupMaxEntries)
	h := srv.Handler()
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	var next atomic.Int64
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			w := &discardWriter{h: http.Header{}}
			mine := make([]time.Duration, 0, n/workers+1)
			for {
				i := int(next.Add(1))
				if i > n {
					break
				}
				clock.Add(1)
				body := zendeskBody(i)
				d := delivery{hdr: signZendesk(testSecret, body, now()), body: body}
				req := d.request()
				start := time.Now()
				h.ServeHTTP(w, req)
				mine = append(mine, time.Since(start))
				if w.code != http.StatusOK {
					tb.Errorf("request %d: status %d", i, w.code)
					return
				}
			}
			lat[g] = mine
		}(g)
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return loadResult{
		p50:          all[len(all)/2],
		p99:          all[len(all)*99/100],
		max:          all[len(all)-1],
		heapMiB:      float64(ms.HeapInuse) / (1 << 20),
		rssMiB:       rssMiB(),
		dedupEntries: srv.dedup.Len(),
	}
}

// rssMiB reads VmRSS from /proc (Linux); 0 elsewhere.
func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkSustainedLoad reports p99 handler latency and memory for b.N
// distinct deliveries at production defaults; run with -benchtime=1200000x
// to fill the 1M-entry de-duplication window.
func BenchmarkSustainedLoad(b *testing.B) {
	r := sustainedLoad(b, b.N, runtime.GOMAXPROCS(0))
	b.ReportMetric(float64(r.p50.Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(r.p99.Nanoseconds()), "p99-ns")
	b.ReportMetric(r.heapMiB, "heap-MiB")
	b.ReportMetric(r.rssMiB, "rss-MiB")
	b.ReportMetric(float64(r.dedupEntries), "dedup-keys")
	if b.N >= timedRun && r.p99 > figures.WebhookP99 {
		b.Fatalf("p99 %v per webhook, want under %v (%d/s on one core)", r.p99, figures.WebhookP99, figures.WebhooksPerSecond)
	}
}

// TestSustainedLoadLatencyAndMemory: 100k distinct signed deliveries; the
// p99 handler latency stays far below a vendor timeout (Intercom's 5 s
// is the shortest) and even below a 5,000/s budget of 200 µs per request
// on one core, and memory stays bounded.
func TestSustainedLoadLatencyAndMemory(t *testing.T) {
	r := sustainedLoad(t, 100_000, 2)
	t.Logf("100k deliveries: p50 %v, p99 %v, max %v; heap in use %.1f MiB, RSS %.1f MiB, dedup keys %d",
		r.p50, r.p99, r.max, r.heapMiB, r.rssMiB, r.dedupEntries)
	if r.dedupEntries != 100_000 {
		t.Errorf("dedup holds %d keys, want 100000", r.dedupEntries)
	}
	// Generous for a shared 2-core machine; the benchmark reports the
	// real figure.
	if r.p99 > 10*time.Millisecond {
		t.Errorf("p99 %v, want < 10ms", r.p99)
	}
	if r.heapMiB > 128 {
		t.Errorf("heap in use %.1f MiB, want < 128 MiB", r.heapMiB)
	}
}

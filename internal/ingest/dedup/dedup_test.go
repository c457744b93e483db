package dedup

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

type step struct {
	scope, key string
	at         time.Duration
	want       bool
}

func TestSeen(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	cases := []struct {
		name  string
		steps []step
	}{
		{"retry within window is a duplicate", []step{{"s", "a", 0, false}, {"s", "a", time.Minute, true}}},
		{"after the window the key is new again", []step{{"s", "a", 0, false}, {"s", "a", 11 * time.Minute, false}, {"s", "a", 12 * time.Minute, true}}},
		{"scopes do not share keys", []step{{"s1", "a", 0, false}, {"s2", "a", 0, false}, {"s1", "a", 0, true}}},
		{"scope and key do not run together", []step{{"ab", "c", 0, false}, {"a", "bc", 0, false}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := New(10*time.Minute, 1000)
			for i, s := range c.steps {
				if got := w.Seen(s.scope, s.key, t0.Add(s.at)); got != s.want {
					t.Fatalf("step %d (%s/%s at %v): seen=%v, want %v", i, s.scope, s.key, s.at, got, s.want)
				}
			}
		})
	}
}

func TestSizeBound(t *testing.T) {
	const max = shards * 4
	w := New(time.Hour, max)
	now := time.Unix(1_700_000_000, 0)
	for i := 0; i < 100*max; i++ {
		w.Seen("s", fmt.Sprint(i), now)
	}
	if w.Len() > max {
		t.Fatalf("holds %d keys, bound is %d", w.Len(), max)
	}
	if w.Evictions() == 0 {
		t.Fatal("a full window must count evictions")
	}
	// The newest key is still remembered.
	if !w.Seen("s", fmt.Sprint(100*max-1), now) {
		t.Fatal("newest key was evicted")
	}
}

func TestExpiryShrinksLen(t *testing.T) {
	w := New(time.Second, 10_000)
	t0 := time.Unix(1_700_000_000, 0)
	for i := 0; i < 1000; i++ {
		w.Seen("s", fmt.Sprint(i), t0)
	}
	if w.Len() != 1000 {
		t.Fatalf("len %d, want 1000", w.Len())
	}
	// Touch every shard after the window: all old keys go.
	for i := 0; i < 5000; i++ {
		w.Seen("later", fmt.Sprint(i), t0.Add(2*time.Second))
	}
	if w.Len() != 5000 {
		t.Fatalf("len %d after expiry, want 5000", w.Len())
	}
}

func TestConcurrentSeenCountsOnce(t *testing.T) {
	w := New(time.Minute, 100_000)
	now := time.Unix(1_700_000_000, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				if !w.Seen("s", fmt.Sprint(i), now) {
					mu.Lock()
					fresh++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if fresh != 1000 {
		t.Fatalf("%d keys counted fresh, want 1000", fresh)
	}
}

// TestMemoryBound: one million keys stay within the documented bound
// (measured ~54 bytes/key; 80 leaves slack for map growth).
func TestMemoryBound(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 200_000
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	w := New(time.Hour, n)
	now := time.Unix(1_700_000_000, 0)
	for i := 0; i < n; i++ {
		w.Seen("s", fmt.Sprint(i), now)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perKey := float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
	t.Logf("%d keys: %.1f bytes/key, %.1f MiB", n, perKey, float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))
	if perKey > 80 {
		t.Fatalf("%.1f bytes per key, want ≤ 80", perKey)
	}
	runtime.KeepAlive(w)
}

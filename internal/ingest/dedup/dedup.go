// Package dedup remembers recently seen webhook deliveries so a vendor's
// retry is counted once.
//
// Memory is bounded twice: an entry lives for a fixed window, and a
// Window never holds more than its maximum; when full, the oldest entry
// goes first (counted as an eviction). Keys are stored as 64-bit seeded
// hashes, about 55 bytes an entry with the map's overhead, so one million
// entries take ~55 MiB.
// A hash collision (about 1 in 10^13 per lookup at one million entries)
// would drop one delivery as a duplicate.
package dedup

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// shards splits the lock so parallel requests rarely contend.
const shards = 64

// Window is a time- and size-bounded set of delivery keys.
type Window struct {
	ttl       time.Duration
	seed      maphash.Seed
	shard     [shards]shard
	evictions atomic.Uint64
	size      atomic.Int64
}

type entry struct {
	hash    uint64
	expires int64 // unix nanoseconds
}

type shard struct {
	mu   sync.Mutex
	seen map[uint64]int64
	// ring holds entries in insertion order, which is expiry order since
	// every entry lives the same ttl.
	ring []entry
	head int
	n    int
	max  int
}

// New returns a window that remembers a key for ttl, holding at most max
// keys (at least one per shard).
func New(ttl time.Duration, max int) *Window {
	per := max / shards
	if per < 1 {
		per = 1
	}
	w := &Window{ttl: ttl, seed: maphash.MakeSeed()}
	for i := range w.shard {
		w.shard[i] = shard{seen: make(map[uint64]int64), max: per}
	}
	return w
}

// Seen records the key (within scope, e.g. a source name) and reports
// whether it was already recorded and is still within the window.
func (w *Window) Seen(scope, key string, now time.Time) bool {
	var h maphash.Hash
	h.SetSeed(w.seed)
	_, _ = h.WriteString(scope)
	_ = h.WriteByte(0)
	_, _ = h.WriteString(key)
	sum := h.Sum64()
	s := &w.shard[sum>>58] // top 6 bits: 64 shards
	nowNs := now.UnixNano()

	s.mu.Lock()
	defer s.mu.Unlock()
	w.size.Add(-int64(s.expire(nowNs)))
	if exp, ok := s.seen[sum]; ok && exp > nowNs {
		return true
	}
	if s.n == s.max {
		s.pop()
		w.size.Add(-1)
		w.evictions.Add(1)
	}
	exp := nowNs + int64(w.ttl)
	s.push(entry{hash: sum, expires: exp})
	s.seen[sum] = exp
	w.size.Add(1)
	return false
}

// Len is the number of keys held (expired ones go on the next access to
// their shard).
func (w *Window) Len() int { return int(w.size.Load()) }

// Evictions counts keys dropped before their window ended because the
// window was full.
func (w *Window) Evictions() uint64 { return w.evictions.Load() }

// expire drops entries whose window has ended and returns how many.
func (s *shard) expire(now int64) int {
	dropped := 0
	for s.n > 0 && s.ring[s.head].expires <= now {
		s.pop()
		dropped++
	}
	return dropped
}

// pop removes the oldest entry; the map entry goes only if it still
// belongs to it (the key may have been recorded again since).
func (s *shard) pop() {
	e := s.ring[s.head]
	if s.seen[e.hash] == e.expires {
		delete(s.seen, e.hash)
	}
	s.head = (s.head + 1) % len(s.ring)
	s.n--
}

// push appends, growing the ring up to max so an idle window stays small.
func (s *shard) push(e entry) {
	if s.n == len(s.ring) {
		s.grow()
	}
	s.ring[(s.head+s.n)%len(s.ring)] = e
	s.n++
}

func (s *shard) grow() {
	size := 2 * len(s.ring)
	if size < 16 {
		size = 16
	}
	if size > s.max {
		size = s.max
	}
	ring := make([]entry, size)
	for i := 0; i < s.n; i++ {
		ring[i] = s.ring[(s.head+i)%len(s.ring)]
	}
	s.ring, s.head = ring, 0
}

// Package helpdesksim is a simulated helpdesk account that sends its
// tickets to frontline-ingest as the helpdesk itself would. Zendesk is
// simulated: a webhook subscribed to ticket events sends
// zen:event-type:ticket.created when a ticket is created and
// zen:event-type:ticket.status_changed (to SOLVED) when it is solved, each
// signed as Zendesk signs (adapter.SignZendesk) and sent at the moment it
// happens. Every ticket carries a tag naming its queue (Tag), which the
// ingest's routing rules match.
//
// Deliveries are retried as a vendor retries (a refused connection, a
// timeout, 429 or 5xx), with the same event id, so the ingest's
// de-duplication counts a retried delivery once. Everything is bounded:
// the tickets waiting to be created or solved, the attempts per delivery,
// the time per attempt.
package helpdesksim

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/adapter"
)

const (
	// maxPending bounds the deliveries waiting for their time (a solve
	// waits a handle time); tickets beyond it are dropped and counted.
	maxPending = 200_000
	workers    = 4
	attempts   = 3
	// webhookID names the simulated webhook in X-Zendesk-Webhook-Id.
	webhookID = "01JFRONT1INESIMU1ATEDZENDESK"
	accountID = 90210
)

// Tag is the tag a simulated ticket of a queue carries; a routing rule
// `match: {tags: [<Tag>]}` sends it to that queue.
func Tag(namespace, queue string) string { return "frontline_" + namespace + "_" + queue }

// Stats is what the account has sent so far.
type Stats struct {
	// Answered counts deliveries by the outcome the ingest answered
	// (accepted, duplicate, unrouted, bad_signature, …).
	Answered map[string]int64 `json:"answered"`
	// Failed deliveries got no answer, or only 429/5xx, in every attempt.
	Failed int64 `json:"failed"`
	// Retried counts attempts after the first.
	Retried int64 `json:"retried"`
	// Dropped tickets found the pending deliveries full.
	Dropped int64 `json:"dropped"`
	// Pending deliveries wait for their time.
	Pending int `json:"pending"`
}

// Zendesk is one simulated Zendesk account sending to one ingest source.
type Zendesk struct {
	url    string
	secret []byte
	client *http.Client
	ids    atomic.Int64
	calls  atomic.Int64

	mu      sync.Mutex
	pending deliveries
	stats   Stats

	wake   chan struct{}
	work   chan *delivery
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewZendesk starts an account that signs with secret and sends to url,
// the ingest's POST /webhooks/{source} of a zendesk source. Close stops it.
func NewZendesk(url string, secret []byte) *Zendesk {
	ctx, cancel := context.WithCancel(context.Background())
	z := &Zendesk{
		url: url, secret: append([]byte(nil), secret...),
		client: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}},
		stats:  Stats{Answered: map[string]int64{}},
		wake:   make(chan struct{}, 1),
		work:   make(chan *delivery),
		ctx:    ctx, cancel: cancel,
	}
	z.ids.Store(100_000)
	z.wg.Add(1 + workers)
	go z.dispatch()
	for range workers {
		go z.sendAll()
	}
	return z
}

// Ticket creates a ticket in the namespace's queue at created (now, or
// moments ahead: it is sent then) and, when handle is positive, solves it
// handle after its creation as Zendesk records it (to the second), so the
// ingest measures exactly handle. Without a handle it stays open.
func (z *Zendesk) Ticket(namespace, queue string, created time.Time, handle time.Duration) {
	t := &ticket{id: z.ids.Add(1), tag: Tag(namespace, queue), created: created.Truncate(time.Second)}
	z.mu.Lock()
	defer z.mu.Unlock()
	if len(z.pending)+2 > maxPending {
		z.stats.Dropped++
		return
	}
	z.push(&delivery{at: created, ticket: t})
	if handle > 0 {
		z.push(&delivery{at: later(t.created.Add(handle), created), ticket: t, solved: true})
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (z *Zendesk) push(d *delivery) {
	heap.Push(&z.pending, d)
	if z.pending[0] == d {
		select {
		case z.wake <- struct{}{}:
		default:
		}
	}
}

// Stats is a copy of the account's counts.
func (z *Zendesk) Stats() Stats {
	z.mu.Lock()
	defer z.mu.Unlock()
	s := z.stats
	s.Answered = make(map[string]int64, len(z.stats.Answered))
	for k, v := range z.stats.Answered {
		s.Answered[k] = v
	}
	s.Pending = len(z.pending)
	return s
}

// Close stops the account: deliveries not yet due are not sent, and one in
// flight is abandoned.
func (z *Zendesk) Close() {
	z.cancel()
	z.wg.Wait()
}

// dispatch hands each delivery to the senders when its time comes.
func (z *Zendesk) dispatch() {
	defer z.wg.Done()
	defer close(z.work)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		z.mu.Lock()
		var due *delivery
		wait := time.Hour
		if len(z.pending) > 0 {
			if wait = time.Until(z.pending[0].at); wait <= 0 {
				due = heap.Pop(&z.pending).(*delivery)
			}
		}
		z.mu.Unlock()
		if due != nil {
			select {
			case z.work <- due:
				continue
			case <-z.ctx.Done():
				return
			}
		}
		timer.Reset(wait)
		select {
		case <-z.ctx.Done():
			return
		case <-z.wake:
		case <-timer.C:
		}
	}
}

func (z *Zendesk) sendAll() {
	defer z.wg.Done()
	for d := range z.work {
		z.send(d)
	}
}

// send delivers one event: its id stays the same across attempts (the
// ingest's de-duplication key), its signature is made afresh for each.
func (z *Zendesk) send(d *delivery) {
	body, err := d.body(eventID())
	if err != nil { // a struct of strings always marshals
		z.count(func(s *Stats) { s.Failed++ })
		return
	}
	backoff := 200 * time.Millisecond
	for attempt := range attempts {
		if attempt > 0 {
			z.count(func(s *Stats) { s.Retried++ })
			select {
			case <-time.After(backoff):
				backoff *= 4
			case <-z.ctx.Done():
				return
			}
		}
		outcome, final := z.post(body)
		if final {
			z.count(func(s *Stats) { s.Answered[outcome]++ })
			return
		}
		if z.ctx.Err() != nil {
			return
		}
	}
	z.count(func(s *Stats) { s.Failed++ })
}

func (z *Zendesk) count(f func(*Stats)) {
	z.mu.Lock()
	defer z.mu.Unlock()
	f(&z.stats)
}

// post makes one attempt: final is false when a vendor would retry.
func (z *Zendesk) post(body []byte) (outcome string, final bool) {
	req, err := http.NewRequestWithContext(z.ctx, http.MethodPost, z.url, bytes.NewReader(body))
	if err != nil {
		return "", false
	}
	req.Header = adapter.SignZendesk(z.secret, body, time.Now())
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Zendesk Webhook")
	req.Header.Set("X-Zendesk-Webhook-Id", webhookID)
	req.Header.Set("X-Zendesk-Webhook-Invocation-Id", strconv.FormatInt(z.calls.Add(1), 10))
	resp, err := z.client.Do(req)
	if err != nil {
		return "", false
	}
	defer func() { _ = resp.Body.Close() }()
	var answer struct {
		Outcome string `json:"outcome"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<10)).Decode(&answer)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return "", false
	}
	if answer.Outcome == "" {
		answer.Outcome = "http_" + strconv.Itoa(resp.StatusCode)
	}
	return answer.Outcome, true
}

// eventID is a random UUID, as Zendesk gives each event.
func eventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

type ticket struct {
	id      int64
	tag     string
	created time.Time // as Zendesk records it: to the second
}

// delivery is one event of a ticket, sent at its time.
type delivery struct {
	at     time.Time
	ticket *ticket
	solved bool
}

// zendeskEvent is a ticket event as Zendesk's event subscriptions send it
// (the fields Frontline reads, and a few more for the look of it).
type zendeskEvent struct {
	Type      string         `json:"type"`
	AccountID int64          `json:"account_id"`
	ID        string         `json:"id"`
	Time      string         `json:"time"`
	Version   string         `json:"zendesk_event_version"`
	Subject   string         `json:"subject"`
	Detail    zendeskTicket  `json:"detail"`
	Event     map[string]any `json:"event"`
}

type zendeskTicket struct {
	ID        string   `json:"id"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
	Status    string   `json:"status"`
	Priority  string   `json:"priority"`
	Subject   string   `json:"subject"`
	Tags      []string `json:"tags"`
	Via       struct {
		Channel string `json:"channel"`
	} `json:"via"`
}

func (d *delivery) body(id string) ([]byte, error) {
	t := d.ticket
	stamp := func(at time.Time) string { return at.UTC().Format(time.RFC3339) }
	e := zendeskEvent{
		Type: "zen:event-type:ticket.created", AccountID: accountID, ID: id, Time: stamp(t.created),
		Version: "2022-11-06", Subject: "zen:ticket:" + strconv.FormatInt(t.id, 10),
		Detail: zendeskTicket{
			ID: strconv.FormatInt(t.id, 10), CreatedAt: stamp(t.created), UpdatedAt: stamp(t.created),
			Status: "NEW", Priority: "NORMAL", Subject: "Simulated ticket", Tags: []string{t.tag},
		},
		Event: map[string]any{},
	}
	e.Detail.Via.Channel = "api"
	if d.solved {
		e.Type, e.Time = "zen:event-type:ticket.status_changed", stamp(d.at)
		e.Detail.Status, e.Detail.UpdatedAt = "SOLVED", stamp(d.at)
		e.Event = map[string]any{"current": "SOLVED", "previous": "OPEN"}
	}
	return json.Marshal(e)
}

// deliveries is a min-heap by time.
type deliveries []*delivery

func (h deliveries) Len() int           { return len(h) }
func (h deliveries) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h deliveries) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *deliveries) Push(x any)        { *h = append(*h, x.(*delivery)) }
func (h *deliveries) Pop() any {
	old := *h
	d := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return d
}

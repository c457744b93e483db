package ingest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
	"github.com/frontline-dev/frontline/internal/ingest/metrics"
)

// status is the HTTP answer to each outcome. Vendors retry on failures, so
// only requests that a retry could fix or that are not ours fail: a
// duplicate, an ignored event and an unrouted one are all 200. A stale
// timestamp is 401, not 408: the delivery is not accepted as authentic
// now (408 would say the server timed out reading it).
var status = map[metrics.Outcome]int{
	metrics.OutcomeAccepted:      http.StatusOK,
	metrics.OutcomeDuplicate:     http.StatusOK,
	metrics.OutcomeIgnored:       http.StatusOK,
	metrics.OutcomeUnrouted:      http.StatusOK,
	metrics.OutcomeBadSignature:  http.StatusUnauthorized,
	metrics.OutcomeStale:         http.StatusUnauthorized,
	metrics.OutcomeMalformed:     http.StatusBadRequest,
	metrics.OutcomeTooLarge:      http.StatusRequestEntityTooLarge,
	metrics.OutcomeUnknownSource: http.StatusNotFound,
	metrics.OutcomeBadMethod:     http.StatusMethodNotAllowed,
}

// replies are precomputed so the hot path writes without formatting.
var replies = func() map[metrics.Outcome][]byte {
	out := map[metrics.Outcome][]byte{}
	for o := range status {
		out[o] = []byte(`{"outcome":"` + o.String() + `"}` + "\n")
	}
	return out
}()

// bodies recycles request buffers; big ones are dropped so one large
// delivery does not pin memory.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const keepBufferBytes = 64 << 10

func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	src := s.sources[r.PathValue("source")]
	if src == nil {
		s.metrics.UnknownSource()
		reply(w, metrics.OutcomeUnknownSource)
		return
	}
	outcome := s.receive(w, r, src, start)
	src.metrics.Done(outcome, s.now().Sub(start))
	reply(w, outcome)
}

func (s *Server) receive(w http.ResponseWriter, r *http.Request, src *source, now time.Time) metrics.Outcome {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return metrics.OutcomeBadMethod
	}
	if r.ContentLength > s.bodyLimit {
		return metrics.OutcomeTooLarge
	}
	buf := bodies.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= keepBufferBytes {
			bodies.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.bodyLimit)); err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return metrics.OutcomeTooLarge
		}
		return metrics.OutcomeMalformed // the client broke off mid-body
	}
	d := event.Delivery{Header: r.Header, Body: buf.Bytes(), PathToken: r.PathValue("token")}
	return s.process(src, &d, now)
}

// process is everything after the body is read: authenticate, parse,
// de-duplicate, route, count. The body is not retained.
func (s *Server) process(src *source, d *event.Delivery, now time.Time) metrics.Outcome {
	if err := src.adapter.Authenticate(d, *src.keys.Load(), now, src.tolerance); err != nil {
		if errors.Is(err, event.ErrStale) {
			s.reject(src, metrics.OutcomeStale, err)
			return metrics.OutcomeStale
		}
		s.reject(src, metrics.OutcomeBadSignature, err)
		return metrics.OutcomeBadSignature
	}
	ev, ok, err := src.adapter.Parse(d)
	if err != nil {
		s.reject(src, metrics.OutcomeMalformed, err)
		return metrics.OutcomeMalformed
	}
	if !ok || (ev.Kind == event.KindFirstReply && !src.firstReply) {
		return metrics.OutcomeIgnored
	}
	if s.dedup.Seen(src.name, ev.Key, now) {
		return metrics.OutcomeDuplicate
	}
	rule, ok := s.routes.Route(src.name, &ev.Attrs)
	if !ok {
		src.metrics.Unrouted()
		return metrics.OutcomeUnrouted
	}
	q := s.queues[rule]
	switch ev.Kind {
	case event.KindCreated:
		q.Created()
	case event.KindSolved:
		q.Solved()
		if !src.firstReply {
			s.observeHandle(src, q, &ev, now)
		}
	case event.KindFirstReply:
		s.observeHandle(src, q, &ev, now)
	}
	return metrics.OutcomeAccepted
}

// observeHandle records At − CreatedAt; without At the receipt time
// stands in (deliveries arrive within seconds).
func (s *Server) observeHandle(src *source, q *metrics.Queue, ev *event.Event, now time.Time) {
	if ev.CreatedAt.IsZero() {
		src.metrics.HandleSkipped(true)
		return
	}
	at := ev.At
	if at.IsZero() {
		at = now
	}
	d := at.Sub(ev.CreatedAt)
	if d < 0 {
		src.metrics.HandleSkipped(false)
		return
	}
	q.ObserveHandle(d)
}

// reject logs why a delivery was refused: source and vendor, never a
// header, a body or a secret.
func (s *Server) reject(src *source, o metrics.Outcome, err error) {
	if s.log.Enabled(context.Background(), slog.LevelDebug) {
		s.log.Debug("webhook rejected", "source", src.name, "vendor", src.vendor, "outcome", o.String(), "reason", err.Error())
	}
}

func reply(w http.ResponseWriter, o metrics.Outcome) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status[o])
	_, _ = w.Write(replies[o])
}

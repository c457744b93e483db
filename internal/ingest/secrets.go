package ingest

import (
	"bytes"
	"context"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/config"
	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// ReloadSecrets re-reads every source's secret file. A changed file
// replaces the secrets at once (kubelet rewrites a mounted Secret in
// place); an unreadable or empty one keeps the old secrets and is counted.
func (s *Server) ReloadSecrets() {
	for _, src := range s.sources {
		keys, err := config.ReadSecret(src.secretFile)
		if err != nil {
			s.metrics.SecretReload(src.name, true)
			s.log.Warn("secret file unreadable; keeping the current secret", "source", src.name, "file", src.secretFile, "err", err)
			continue
		}
		if sameKeys(*src.keys.Load(), keys) {
			continue
		}
		src.keys.Store(&keys)
		s.metrics.SecretReload(src.name, false)
		s.log.Info("secret reloaded", "source", src.name, "secrets", len(keys))
	}
}

// WatchSecrets reloads every interval until ctx ends.
func (s *Server) WatchSecrets(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.ReloadSecrets()
		}
	}
}

func sameKeys(a, b event.Keys) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

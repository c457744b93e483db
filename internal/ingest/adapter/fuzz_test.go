package adapter

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// fuzzAdapter: for any body and headers, Authenticate and Parse return
// (never panic), errors are of the documented classes, and an accepted
// event has a key and a known kind. Seeds are the vendor's fixtures.
func fuzzAdapter(f *testing.F, vendor string, s Settings) {
	a, err := New(vendor, s)
	if err != nil {
		f.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "testdata", vendor, "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "sha1=00", "2099-07-04T06:03:20Z")
	}
	f.Add([]byte(`{}`), "", "")
	f.Add([]byte(`null`), "v1=zz", "-1")
	f.Add([]byte(`[1,2]`), "sha256=", "99999999999999999999")
	keys := event.Keys{[]byte("secret")}
	now := time.Date(2099, 7, 4, 6, 3, 20, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte, sig, ts string) {
		d := &event.Delivery{Body: body, PathToken: sig, Header: http.Header{}}
		for _, h := range []string{"X-Zendesk-Webhook-Signature", "X-Hub-Signature", "X-Chatwoot-Signature", "X-Frontline-Signature", "X-Frontline-Token", "Authorization"} {
			d.Header.Set(h, sig)
		}
		for _, h := range []string{"X-Zendesk-Webhook-Signature-Timestamp", "X-Chatwoot-Timestamp", "X-Frontline-Timestamp", "X-Zammad-Trigger"} {
			d.Header.Set(h, ts)
		}
		if err := a.Authenticate(d, keys, now, 5*time.Minute); err != nil &&
			!errors.Is(err, event.ErrBadSignature) && !errors.Is(err, event.ErrStale) {
			t.Fatalf("authenticate error of no class: %v", err)
		}
		ev, ok, err := a.Parse(d)
		switch {
		case err != nil:
			if !errors.Is(err, event.ErrMalformed) {
				t.Fatalf("parse error of no class: %v", err)
			}
			if ok {
				t.Fatal("ok with an error")
			}
		case ok:
			if ev.Key == "" || ev.Kind == event.KindUnknown {
				t.Fatalf("accepted event without key or kind: %+v", ev)
			}
		}
	})
}

func FuzzParseZendesk(f *testing.F)  { fuzzAdapter(f, "zendesk", Settings{}) }
func FuzzParseIntercom(f *testing.F) { fuzzAdapter(f, "intercom", Settings{}) }
func FuzzParseFreshdesk(f *testing.F) {
	fuzzAdapter(f, "freshdesk", Settings{BasicUser: "frontline"})
}
func FuzzParseZammad(f *testing.F) {
	fuzzAdapter(f, "zammad", Settings{TriggerKinds: map[string]event.Kind{"2099-07-04T06:03:20Z": event.KindSolved}})
}
func FuzzParseChatwoot(f *testing.F) { fuzzAdapter(f, "chatwoot", Settings{}) }
func FuzzParseGeneric(f *testing.F)  { fuzzAdapter(f, "generic", Settings{}) }

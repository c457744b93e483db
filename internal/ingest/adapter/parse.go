package adapter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/clip"
	"github.com/frontline-dev/frontline/internal/ingest/event"
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{event.ErrMalformed}, args...)...)
}

// decode unmarshals a JSON object body; anything else is malformed.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return malformed("empty body")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return malformed("%v", err)
	}
	return nil
}

// flexString reads an id that vendors send as a number or as a string.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("id is neither a string nor a number")
		}
		*f = flexString(n.String())
	}
	return nil
}

// flexTime reads a time sent as unix seconds (number or numeric string) or
// as one of the text layouts vendors use.
type flexTime struct{ time.Time }

func (f *flexTime) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		f.Time = time.Time{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		t, err := parseTime(s)
		if err != nil {
			return err
		}
		f.Time = t
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("time is neither a string nor a number")
	}
	t, err := unixTime(n.String())
	if err != nil {
		return err
	}
	f.Time = t
	return nil
}

// textLayouts are the formats seen in vendor payloads and placeholders:
// RFC 3339, Zendesk's {{..._with_timestamp}} without seconds, Chatwoot's
// "2020-03-03 13:05:57 UTC".
var textLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02T15:04:05",
}

// parseTime reads a text time; an empty string is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, "-:") {
		return unixTime(s)
	}
	for _, l := range textLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", clip.String(s, 40))
}

// unixTime reads whole or fractional unix seconds; 0 is the zero time.
func unixTime(s string) (time.Time, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e11 {
		return time.Time{}, fmt.Errorf("unreadable unix time %q", clip.String(s, 40))
	}
	if f == 0 {
		return time.Time{}, nil
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
}

// tagList reads tags sent as a JSON array or as one string separated by
// spaces or commas (how Zendesk and Freshdesk placeholders render them).
type tagList []string

func (t *tagList) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = nil
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = splitTags(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("tags are neither a list nor a string")
	}
	*t = list
	return nil
}

func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// key joins the parts of a de-duplication key.
func key(parts ...string) string { return strings.Join(parts, "|") }

// stamp renders a time for a key; the zero time renders empty.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixNano(), 10)
}

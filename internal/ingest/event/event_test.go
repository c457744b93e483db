package event

import "testing"

func TestKindNamesRoundTrip(t *testing.T) {
	for _, k := range []Kind{KindCreated, KindFirstReply, KindSolved} {
		if got := ParseKind(k.String()); got != k {
			t.Errorf("ParseKind(%q) = %v, want %v", k.String(), got, k)
		}
	}
	for _, s := range []string{"", "closed", "Created", "unknown"} {
		if ParseKind(s) != KindUnknown {
			t.Errorf("ParseKind(%q) is a known kind", s)
		}
	}
}

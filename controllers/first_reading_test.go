package controllers

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/polling"
)

// TestAwaitingFirstReadingAfterARestart: a queue waits up to
// firstReadingWait for the poller's first reading, counted from its
// creation or from this reconciler's start, whichever is later. After a
// restart (a queue created long ago, with a status) it waits too: deciding
// without a reading would say its metrics are unknown and its SLA at risk
// until the first poll. The wait's end lets it go on (a reading does, at once).
func TestAwaitingFirstReadingAfterARestart(t *testing.T) {
	start := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		created time.Duration // before the start
		after   time.Duration // since the start
		want    bool
	}{
		{"restart, no reading yet", 24 * time.Hour, time.Second, true},
		{"restart, waited long enough", 24 * time.Hour, firstReadingWait, false},
		{"created after the start, no reading yet", -20 * time.Second, 25 * time.Second, true},
		{"created after the start, waited long enough", -20 * time.Second, 30 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clocktesting.NewFakeClock(start)
			r := &SupportQueueReconciler{Clock: clk, Readings: polling.NewStore()}
			q := &supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "q",
				CreationTimestamp: metav1.NewTime(start.Add(-tc.created))}}
			q.Status.Conditions = []metav1.Condition{{Type: supportv1alpha1.ConditionReady, Status: metav1.ConditionTrue}}
			r.awaitingFirstReading(q) // the reconciler's first run: its start
			clk.Step(tc.after)
			if got := r.awaitingFirstReading(q); got != tc.want {
				t.Errorf("awaiting %v, want %v", got, tc.want)
			}
		})
	}
}

package surge

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// TestSeveralPlansAddOnce: two active plans on one queue combine (the
// largest of each action), and the decision reports what they added
// together, once.
func TestSeveralPlansAddOnce(t *testing.T) {
	plan := func(name string, extraAgents int32, factor supportv1alpha1.Decimal, botCap int32) supportv1alpha1.SurgePlan {
		return supportv1alpha1.SurgePlan{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: supportv1alpha1.SurgePlanSpec{
			Actions: supportv1alpha1.SurgeActions{
				Agents:   &supportv1alpha1.AgentSurge{ExtraReplicas: extraAgents},
				Chatbots: &supportv1alpha1.ChatbotSurge{Factor: &factor, MaxReplicas: botCap},
			}}}
	}
	s, names, _ := Combine([]supportv1alpha1.SurgePlan{plan("volatility", 10, "2", 30), plan("inflow", 6, "3", 20)})
	if s.ExtraAgents != 10 || s.BotFactor != 3 || s.BotCap != 30 || len(names) != 2 || names[0] != "inflow" {
		t.Fatalf("combined %+v %v: want the largest of each action", s, names)
	}
	rate := 400.0 / 3600 // 14 agents, 1 bot at the minimum
	in := scaling.QueueInput{
		Now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		Shape: scaling.Shape{Agents: scaling.Agents{Min: 2, Max: 60, Concurrency: 1, DefaultHandleTime: 3 * time.Minute},
			Bots: &scaling.Bots{Min: 1, Max: 10, ConversationsPerReplica: 50, HandleTime: 90 * time.Second, Containment: 0.5}},
		Target:       &scaling.Target{RealTime: true, ServiceLevel: 0.8, Within: 20 * time.Second, MaxOccupancy: 0.85},
		Measurements: scaling.Measurements{InflowPerSecond: &rate},
		MetricsOK:    true,
		Surge:        s,
	}
	if d := scaling.DecideQueue(in); d.AddedAgents != 10 || d.AddedBots != 2 {
		t.Errorf("added %d agents and %d bots, want 10 and 2 (not 16 agents)", d.AddedAgents, d.AddedBots)
	}
}

package surge

import (
	"math"
	"sort"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scaling"
)

// Pinned is an incident FAQ a plan pins into a queue's knowledge.
type Pinned struct {
	Plan string
	supportv1alpha1.PinnedFAQ
}

// Combine merges the actions of the Active plans that select a queue.
// Several plans combine deterministically: the largest of each action wins
// (extra agents, bot factor, extra bots, bot cap) and pinned FAQs are the
// union, keyed by plan and id. It returns the plans' names, sorted.
func Combine(active []supportv1alpha1.SurgePlan) (scaling.Surge, []string, []Pinned) {
	out := scaling.Surge{BotFactor: 1}
	var names []string
	var pinned []Pinned
	for _, p := range active {
		names = append(names, p.Name)
		a := p.Spec.Actions
		if a.Agents != nil {
			out.ExtraAgents = max(out.ExtraAgents, a.Agents.ExtraReplicas)
		}
		if c := a.Chatbots; c != nil {
			if c.Factor != nil {
				if f, err := c.Factor.Float64(); err == nil {
					out.BotFactor = math.Max(out.BotFactor, f)
				}
			}
			if c.ExtraReplicas != nil {
				out.ExtraBots = max(out.ExtraBots, *c.ExtraReplicas)
			}
			out.BotCap = max(out.BotCap, c.MaxReplicas)
		}
		for _, f := range a.PinnedFAQs {
			pinned = append(pinned, Pinned{Plan: p.Name, PinnedFAQ: f})
		}
	}
	sort.Strings(names)
	return out, names, pinned
}

// Package knowledge lays out the knowledge ConfigMap a queue's bots read
// (<queue>-knowledge, mounted at FRONTLINE_KNOWLEDGE_DIR), and says which
// of a plan's pinned FAQs a queue's languages lack. Keys:
//
//   - every key of the user's FAQ ConfigMap, as it is;
//   - "00-pinned-<plan>-<id>": each pinned FAQ of an Active plan in its own
//     language, as "Q: ...\nA: ...\n"; the prefix sorts them first, for bots
//     that read in order;
//   - "pinned-faqs.<language>.json", one per language in the queue's
//     spec.languages (the tag as written there, as in FRONTLINE_LANGUAGES)
//     while something is pinned: a JSON array of Entry, by plan and id,
//     each in the text RFC 4647 lookup picks for that language (see
//     internal/language), or in the FAQ's own language with "fallback":
//     true when no translation matches.
//
// The kubelet updates a mounted ConfigMap in place, so pinned FAQs reach
// running bots without a restart.
package knowledge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/clip"
	"github.com/frontline-dev/frontline/internal/language"
	"github.com/frontline-dev/frontline/internal/surge"
)

// DefaultLanguage is a pinned FAQ's language when unset, as in the CRD.
const DefaultLanguage = "en"

// MaxMissing bounds a plan's status.missingTranslations.
const MaxMissing = 100

// Entry is one pinned FAQ in a pinned-faqs.<language>.json array.
type Entry struct {
	// Plan is the SurgePlan that pins it.
	Plan string `json:"plan"`
	// ID is the FAQ's id, unique within its plan.
	ID string `json:"id"`
	// Language is the tag of the text given: the matching translation's,
	// or the FAQ's own.
	Language string `json:"language"`
	// Fallback is true when no translation matches the file's language.
	Fallback bool `json:"fallback,omitempty"`
	// Question and Answer are the text.
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// PinnedKey is the key of a pinned FAQ in its own language.
func PinnedKey(p surge.Pinned) string { return "00-pinned-" + p.Plan + "-" + p.ID }

// LanguageKey is the key of the pinned FAQs for one queue language.
func LanguageKey(tag string) string { return "pinned-faqs." + tag + ".json" }

// Data merges the user's FAQ with the pinned FAQs: each in its own
// language, and for each of the queue's languages in the best match.
func Data(userFAQ map[string]string, pinned []surge.Pinned, languages []string) map[string]string {
	data := make(map[string]string, len(userFAQ)+len(pinned)+len(languages))
	for k, v := range userFAQ {
		data[k] = v
	}
	pinned = sorted(pinned)
	for _, p := range pinned {
		data[PinnedKey(p)] = fmt.Sprintf("Q: %s\nA: %s\n", p.Question, p.Answer)
	}
	if len(pinned) == 0 {
		return data
	}
	for _, tag := range languages {
		data[LanguageKey(tag)] = encode(ForLanguage(pinned, tag))
	}
	return data
}

// ForLanguage is every pinned FAQ as a queue serving tag gets it, by plan
// and id.
func ForLanguage(pinned []surge.Pinned, tag string) []Entry {
	out := make([]Entry, 0, len(pinned))
	for _, p := range sorted(pinned) {
		tags := tagsOf(p.PinnedFAQ)
		choices, _ := language.Choose([]string{tag}, tags, 0)
		c := choices[0]
		e := Entry{Plan: p.Plan, ID: p.ID, Language: tags[0], Fallback: !c.Matched, Question: p.Question, Answer: p.Answer}
		if c.Index > 0 {
			t := p.Translations[c.Index-1]
			e.Language, e.Question, e.Answer = t.Language, t.Question, t.Answer
		}
		out = append(out, e)
	}
	return out
}

// Missing lists, for each queue with bots and each language it serves, the
// FAQs that no translation matches (by queue name, then the queue's order
// of languages), at most MaxMissing entries; nil when every language is
// matched.
func Missing(faqs []supportv1alpha1.PinnedFAQ, queues []supportv1alpha1.SupportQueue) []supportv1alpha1.MissingTranslation {
	if len(faqs) == 0 {
		return nil
	}
	queues = append([]supportv1alpha1.SupportQueue(nil), queues...)
	sort.SliceStable(queues, func(i, j int) bool { return queues[i].Name < queues[j].Name })
	var out []supportv1alpha1.MissingTranslation
	for _, q := range queues {
		if q.Spec.Chatbot == nil {
			continue // no bots, no knowledge ConfigMap
		}
		for _, tag := range q.Spec.Languages {
			var ids []string
			for _, f := range faqs {
				if _, missing := language.Choose([]string{tag}, tagsOf(f), 0); len(missing) > 0 {
					ids = append(ids, f.ID)
				}
			}
			if len(ids) == 0 {
				continue
			}
			if len(out) == MaxMissing {
				return out
			}
			out = append(out, supportv1alpha1.MissingTranslation{Queue: q.Name, Language: tag, FAQs: ids})
		}
	}
	return out
}

// maxSummary bounds Summary: an Event's note holds 1 kB.
const maxSummary = 1000

// Summary says which queue languages lack which FAQs, for an Event.
func Summary(missing []supportv1alpha1.MissingTranslation) string {
	parts := make([]string, 0, len(missing))
	for _, m := range missing {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", m.Queue, m.Language, strings.Join(m.FAQs, ", ")))
	}
	s := "pinned FAQs without a translation, served in their own language: " + strings.Join(parts, "; ")
	return clip.String(s, maxSummary)
}

// tagsOf is the FAQ's own language, then its translations' tags: the
// lookup's candidates, the first also its default.
func tagsOf(f supportv1alpha1.PinnedFAQ) []string {
	own := f.Language
	if own == "" {
		own = DefaultLanguage
	}
	tags := []string{own}
	for _, t := range f.Translations {
		tags = append(tags, t.Language)
	}
	return tags
}

func sorted(pinned []surge.Pinned) []surge.Pinned {
	out := append([]surge.Pinned(nil), pinned...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Plan != out[j].Plan {
			return out[i].Plan < out[j].Plan
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// encode writes entries as indented JSON, text unescaped (Korean stays
// readable, "<" stays "<").
func encode(entries []Entry) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(entries); err != nil {
		return "[]\n" // unreachable: strings and a bool always encode
	}
	return b.String()
}

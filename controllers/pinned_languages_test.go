package controllers

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	kbase "github.com/frontline-dev/frontline/internal/knowledge"
)

// pinnedFile reads a queue's pinned FAQs for one language from its
// knowledge ConfigMap.
func pinnedFile(ns, queue, tag string) ([]kbase.Entry, error) {
	cm := &corev1.ConfigMap{}
	if err := env.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: queue + "-knowledge"}, cm); err != nil {
		return nil, err
	}
	raw, ok := cm.Data[kbase.LanguageKey(tag)]
	if !ok {
		return nil, fmt.Errorf("%s-knowledge has no %s", queue, kbase.LanguageKey(tag))
	}
	var out []kbase.Entry
	return out, json.Unmarshal([]byte(raw), &out)
}

// TestPinnedFAQLanguages: an Active plan's FAQ, written in English with
// Korean and Traditional Chinese translations, reaches a queue [en, ko]
// in each language and a zh-Hant-TW queue in zh-Hant; a Japanese queue
// gets the English text marked as a fallback and is named in the plan's
// status, with an Event, until a translation is added.
func TestPinnedFAQLanguages(t *testing.T) {
	ns := newNamespace(t)
	queues := map[string][]string{"retail-chat": {"en", "ko"}, "tw-chat": {"zh-Hant-TW"}, "jp-chat": {"ja"}}
	create(t, policy(ns, "p", 80))
	for name, tags := range queues {
		setGaugeInflow(ns, name, 600)
		q := retailQueue(ns, name)
		q.Spec.Languages = tags
		create(t, q)
	}
	plan := volatilityPlan(ns, "btc-crash")
	plan.Spec.Mode = supportv1alpha1.SurgeModeAlways
	faq := &plan.Spec.Actions.PinnedFAQs[0]
	faq.Translations = []supportv1alpha1.FAQTranslation{
		{Language: "ko", Question: "BTC 출금이 왜 지연되나요?", Answer: "네트워크 혼잡 때문이며 자금은 안전합니다."},
		{Language: "zh-Hant", Question: "為什麼我的 BTC 提款延遲？", Answer: "網路擁塞，資金不會遺失。"},
	}
	create(t, plan)

	want := map[[2]string]kbase.Entry{
		{"retail-chat", "en"}:     {Language: "en", Answer: "Network congestion; no funds are lost."},
		{"retail-chat", "ko"}:     {Language: "ko", Answer: "네트워크 혼잡 때문이며 자금은 안전합니다."},
		{"tw-chat", "zh-Hant-TW"}: {Language: "zh-Hant", Answer: "網路擁塞，資金不會遺失。"},
		{"jp-chat", "ja"}:         {Language: "en", Fallback: true, Answer: "Network congestion; no funds are lost."},
	}
	checkFiles := func() {
		t.Helper()
		eventually(t, 60*time.Second, func() error {
			for k, w := range want {
				got, err := pinnedFile(ns, k[0], k[1])
				if err != nil {
					return err
				}
				if len(got) != 1 || got[0].Plan != "btc-crash" || got[0].ID != "btc-withdrawals-delayed" ||
					got[0].Language != w.Language || got[0].Fallback != w.Fallback || got[0].Answer != w.Answer {
					return fmt.Errorf("%s %s: %+v, want %+v", k[0], k[1], got, w)
				}
			}
			return nil
		})
	}
	checkFiles()
	// The key bots read before languages keeps the FAQ's own text.
	if data := knowledge(t, ns, "retail-chat"); !strings.Contains(data["00-pinned-btc-crash-btc-withdrawals-delayed"], "no funds are lost") {
		t.Errorf("the untranslated key is gone: %v", data)
	}

	eventually(t, 20*time.Second, func() error {
		got := getPlan(t, ns, "btc-crash").Status.MissingTranslations
		w := []supportv1alpha1.MissingTranslation{{Queue: "jp-chat", Language: "ja", FAQs: []string{"btc-withdrawals-delayed"}}}
		if !reflect.DeepEqual(got, w) {
			return fmt.Errorf("missingTranslations %+v, want %+v", got, w)
		}
		if !hasEvent(t, ns, "btc-crash", supportv1alpha1.ReasonTranslationMissing) {
			return fmt.Errorf("no %s Event", supportv1alpha1.ReasonTranslationMissing)
		}
		return nil
	})

	// Translated: the Japanese desk gets Japanese, the status clears.
	p := getPlan(t, ns, "btc-crash")
	before := p.DeepCopy()
	p.Spec.Actions.PinnedFAQs[0].Translations = append(p.Spec.Actions.PinnedFAQs[0].Translations,
		supportv1alpha1.FAQTranslation{Language: "ja", Question: "BTCの出金が遅れているのはなぜですか？", Answer: "ネットワークの混雑によるもので、資金は失われません。"})
	if err := env.Client.Patch(ctx, p, client.MergeFrom(before)); err != nil {
		t.Fatal(err)
	}
	want[[2]string{"jp-chat", "ja"}] = kbase.Entry{Language: "ja", Answer: "ネットワークの混雑によるもので、資金は失われません。"}
	checkFiles()
	eventually(t, 20*time.Second, func() error {
		if got := getPlan(t, ns, "btc-crash").Status.MissingTranslations; got != nil {
			return fmt.Errorf("missingTranslations %+v, want none", got)
		}
		if !hasEvent(t, ns, "btc-crash", supportv1alpha1.ReasonTranslationsComplete) {
			return fmt.Errorf("no %s Event", supportv1alpha1.ReasonTranslationsComplete)
		}
		return nil
	})
}

// A queue without a FAQ of its own whose languages' copies of the pinned
// FAQs overflow a ConfigMap says so, and still scales its bots.
func TestPinnedFAQLanguagesOverflow(t *testing.T) {
	ns := newNamespace(t)
	setGaugeInflow(ns, "retail-chat", 600)
	q := retailQueue(ns, "retail-chat")
	q.Spec.Languages = []string{"en", "ko", "ja", "vi", "th", "id", "tr", "ru", "es", "pt", "fr", "de", "it", "pl", "uk", "ar",
		"fa", "hi", "bn", "ms", "fil", "nl", "sv", "cs", "ro", "hu", "el", "he", "zh-Hans", "zh-Hant", "zh-Hant-TW", "zh-Hant-HK"}
	plan := volatilityPlan(ns, "btc-crash")
	plan.Spec.Mode = supportv1alpha1.SurgeModeAlways
	for i := range 8 { // 8 FAQs of 4 kB, 33 copies: over 1 MiB
		plan.Spec.Actions.PinnedFAQs = append(plan.Spec.Actions.PinnedFAQs, supportv1alpha1.PinnedFAQ{
			ID: fmt.Sprintf("incident-%d", i), Question: "Are my funds safe?", Answer: strings.Repeat("y", 4000)})
	}
	create(t, policy(ns, "p", 80), q, plan)

	waitReplicas(t, ns, "retail-chat-chatbot", 5, 60*time.Second)
	eventually(t, 30*time.Second, func() error {
		c := condition(getQueue(t, ns, "retail-chat"), supportv1alpha1.ConditionKnowledgePublished)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != supportv1alpha1.ReasonKnowledgeTooLarge {
			return fmt.Errorf("KnowledgePublished = %+v", c)
		}
		if !strings.Contains(c.Message, "shorten the pinned FAQs (each of the queue's 32 languages holds a copy)") {
			return fmt.Errorf("message %q does not say what to shorten", c.Message)
		}
		return nil
	})
}

// An Event only when the list of missing translations changes.
func TestMissingTranslationsEventOnChange(t *testing.T) {
	faq := supportv1alpha1.PinnedFAQ{ID: "delayed", Language: "en", Question: "q", Answer: "a",
		Translations: []supportv1alpha1.FAQTranslation{{Language: "ko", Question: "q", Answer: "a"}}}
	q := func(tags ...string) supportv1alpha1.SupportQueue {
		sq := retailQueue("ns", "chat")
		sq.Spec.Languages = tags
		return *sq
	}
	ja := []supportv1alpha1.MissingTranslation{{Queue: "chat", Language: "ja", FAQs: []string{"delayed"}}}
	for _, tc := range []struct {
		name  string
		prev  []supportv1alpha1.MissingTranslation
		queue supportv1alpha1.SupportQueue
		event string // "" for none
	}{
		{"calm stays quiet", nil, q("en", "ko"), ""},
		{"a gap appears", nil, q("en", "ja"), "Warning TranslationMissing"},
		{"the same gap again", ja, q("en", "ja"), ""},
		{"another gap", ja, q("ja", "de"), "Warning TranslationMissing"},
		{"closed", ja, q("en"), "Normal TranslationsComplete"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := volatilityPlan("ns", "plan")
			p.Spec.Actions.PinnedFAQs = []supportv1alpha1.PinnedFAQ{faq}
			p.Status.MissingTranslations = tc.prev
			rec := events.NewFakeRecorder(4)
			recordMissingTranslations(p, []supportv1alpha1.SupportQueue{tc.queue}, rec)
			close(rec.Events)
			var got []string
			for e := range rec.Events {
				got = append(got, e)
			}
			switch {
			case tc.event == "" && len(got) > 0:
				t.Errorf("events %q, want none", got)
			case tc.event != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tc.event)):
				t.Errorf("events %q, want one %s", got, tc.event)
			}
		})
	}
}

package knowledge

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/surge"
)

// delayed is written in English with Korean and Traditional Chinese
// translations; fees has no translation.
var (
	delayed = supportv1alpha1.PinnedFAQ{ID: "btc-delayed", Language: "en",
		Question: "Why is my BTC withdrawal delayed?", Answer: "Network congestion; no funds are lost.",
		Translations: []supportv1alpha1.FAQTranslation{
			{Language: "ko", Question: "BTC 출금이 왜 지연되나요?", Answer: "네트워크 혼잡 때문이며 자금은 안전합니다."},
			{Language: "zh-Hant", Question: "為什麼我的 BTC 提款延遲？", Answer: "網路擁塞，資金不會遺失。"},
		}}
	fees = supportv1alpha1.PinnedFAQ{ID: "fees", Question: "Are fees higher?", Answer: "No."}
)

func TestForLanguage(t *testing.T) {
	pinned := []surge.Pinned{{Plan: "btc-crash", PinnedFAQ: delayed}, {Plan: "aaa", PinnedFAQ: fees}}
	for _, tc := range []struct {
		tag  string
		want []Entry // by plan and id
	}{
		{"en", []Entry{
			{Plan: "aaa", ID: "fees", Language: "en", Question: "Are fees higher?", Answer: "No."},
			{Plan: "btc-crash", ID: "btc-delayed", Language: "en", Question: delayed.Question, Answer: delayed.Answer},
		}},
		{"en-US", []Entry{
			{Plan: "aaa", ID: "fees", Language: "en", Question: "Are fees higher?", Answer: "No."},
			{Plan: "btc-crash", ID: "btc-delayed", Language: "en", Question: delayed.Question, Answer: delayed.Answer},
		}},
		{"ko", []Entry{
			{Plan: "aaa", ID: "fees", Language: "en", Fallback: true, Question: "Are fees higher?", Answer: "No."},
			{Plan: "btc-crash", ID: "btc-delayed", Language: "ko", Question: "BTC 출금이 왜 지연되나요?", Answer: "네트워크 혼잡 때문이며 자금은 안전합니다."},
		}},
		{"zh-Hant-TW", []Entry{
			{Plan: "aaa", ID: "fees", Language: "en", Fallback: true, Question: "Are fees higher?", Answer: "No."},
			{Plan: "btc-crash", ID: "btc-delayed", Language: "zh-Hant", Question: "為什麼我的 BTC 提款延遲？", Answer: "網路擁塞，資金不會遺失。"},
		}},
		{"ja", []Entry{
			{Plan: "aaa", ID: "fees", Language: "en", Fallback: true, Question: "Are fees higher?", Answer: "No."},
			{Plan: "btc-crash", ID: "btc-delayed", Language: "en", Fallback: true, Question: delayed.Question, Answer: delayed.Answer},
		}},
	} {
		t.Run(tc.tag, func(t *testing.T) {
			if got := ForLanguage(pinned, tc.tag); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	if pinned[0].Plan != "btc-crash" {
		t.Error("ForLanguage reordered its caller's slice")
	}
}

func TestData(t *testing.T) {
	user := map[string]string{"trading-fees": "Q: fees?\nA: 0.1%\n"}
	t.Run("nothing pinned", func(t *testing.T) {
		got := Data(user, nil, []string{"en", "ko"})
		if !reflect.DeepEqual(got, user) {
			t.Errorf("got %v, want the user's FAQ alone", got)
		}
	})
	t.Run("pinned", func(t *testing.T) {
		got := Data(user, []surge.Pinned{{Plan: "btc-crash", PinnedFAQ: delayed}}, []string{"en", "ko"})
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		wantKeys := []string{"00-pinned-btc-crash-btc-delayed", "pinned-faqs.en.json", "pinned-faqs.ko.json", "trading-fees"}
		if !sameSet(keys, wantKeys) {
			t.Fatalf("keys %v, want %v", keys, wantKeys)
		}
		// The key bots read before languages keeps its text and format.
		if got["00-pinned-btc-crash-btc-delayed"] != "Q: Why is my BTC withdrawal delayed?\nA: Network congestion; no funds are lost.\n" {
			t.Errorf("legacy key: %q", got["00-pinned-btc-crash-btc-delayed"])
		}
		var ko []Entry
		if err := json.Unmarshal([]byte(got["pinned-faqs.ko.json"]), &ko); err != nil {
			t.Fatal(err)
		}
		if len(ko) != 1 || ko[0].Language != "ko" || ko[0].Answer != "네트워크 혼잡 때문이며 자금은 안전합니다." || ko[0].Fallback {
			t.Errorf("ko: %+v", ko)
		}
		if !strings.Contains(got["pinned-faqs.ko.json"], "출금") {
			t.Errorf("Korean escaped: %s", got["pinned-faqs.ko.json"])
		}
	})
	t.Run("text kept as written", func(t *testing.T) {
		f := supportv1alpha1.PinnedFAQ{ID: "a", Question: "Fees < 1% & rising?", Answer: "No."}
		got := Data(nil, []surge.Pinned{{Plan: "p", PinnedFAQ: f}}, []string{"en"})["pinned-faqs.en.json"]
		if !strings.Contains(got, "Fees < 1% & rising?") {
			t.Errorf("HTML-escaped: %s", got)
		}
	})
}

func queue(name string, bots bool, languages ...string) supportv1alpha1.SupportQueue {
	q := supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: supportv1alpha1.SupportQueueSpec{Languages: languages}}
	if bots {
		q.Spec.Chatbot = &supportv1alpha1.ChatbotSpec{}
	}
	return q
}

func TestMissing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faqs   []supportv1alpha1.PinnedFAQ
		queues []supportv1alpha1.SupportQueue
		want   []supportv1alpha1.MissingTranslation
	}{
		{"every language matched", []supportv1alpha1.PinnedFAQ{delayed},
			[]supportv1alpha1.SupportQueue{queue("retail-chat", true, "en", "ko"), queue("tw-chat", true, "zh-Hant-TW", "en-US")}, nil},
		{"no FAQs", nil, []supportv1alpha1.SupportQueue{queue("retail-chat", true, "ja")}, nil},
		{"queue without bots", []supportv1alpha1.PinnedFAQ{delayed}, []supportv1alpha1.SupportQueue{queue("phone", false, "ja")}, nil},
		{"queue without languages", []supportv1alpha1.PinnedFAQ{delayed}, []supportv1alpha1.SupportQueue{queue("retail-chat", true)}, nil},
		{"missing named per queue and language", []supportv1alpha1.PinnedFAQ{delayed, fees},
			[]supportv1alpha1.SupportQueue{queue("vip-chat", true, "en", "ko", "ja"), queue("cn-chat", true, "zh", "zh-Hant-HK")},
			[]supportv1alpha1.MissingTranslation{
				{Queue: "cn-chat", Language: "zh", FAQs: []string{"btc-delayed", "fees"}},
				{Queue: "cn-chat", Language: "zh-Hant-HK", FAQs: []string{"fees"}},
				{Queue: "vip-chat", Language: "ko", FAQs: []string{"fees"}},
				{Queue: "vip-chat", Language: "ja", FAQs: []string{"btc-delayed", "fees"}},
			}},
		{"case-insensitive", []supportv1alpha1.PinnedFAQ{delayed},
			[]supportv1alpha1.SupportQueue{queue("q", true, "KO", "ZH-HANT", "EN-gb")}, nil},
		{"own language other than en", []supportv1alpha1.PinnedFAQ{{ID: "ko-only", Language: "ko", Question: "q", Answer: "a"}},
			[]supportv1alpha1.SupportQueue{queue("q", true, "ko-KR", "en")},
			[]supportv1alpha1.MissingTranslation{{Queue: "q", Language: "en", FAQs: []string{"ko-only"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Missing(tc.faqs, tc.queues); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestMissingIsBounded(t *testing.T) {
	var queues []supportv1alpha1.SupportQueue
	for i := range 40 {
		queues = append(queues, queue(fmt.Sprintf("q%02d", i), true, "ja", "de", "fr"))
	}
	got := Missing([]supportv1alpha1.PinnedFAQ{delayed}, queues)
	if len(got) != MaxMissing || got[0].Queue != "q00" || got[MaxMissing-1].Queue != "q33" {
		t.Errorf("%d entries, from %s to %s; want the first %d", len(got), got[0].Queue, got[len(got)-1].Queue, MaxMissing)
	}
}

func TestSummary(t *testing.T) {
	got := Summary([]supportv1alpha1.MissingTranslation{{Queue: "vip-chat", Language: "ja", FAQs: []string{"btc-delayed", "fees"}}})
	want := "pinned FAQs without a translation, served in their own language: vip-chat ja (btc-delayed, fees)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	var many []supportv1alpha1.MissingTranslation
	for i := range MaxMissing {
		many = append(many, supportv1alpha1.MissingTranslation{Queue: fmt.Sprintf("큐-%03d", i), Language: "ja", FAQs: []string{"btc-delayed"}})
	}
	long := Summary(many)
	if len(long) > maxSummary || !utf8.ValidString(long) || !strings.HasSuffix(long, "…") {
		t.Errorf("%d bytes, valid UTF-8 %v: want at most %d, cut on a rune", len(long), utf8.ValidString(long), maxSummary)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

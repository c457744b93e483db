package language

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	xlanguage "golang.org/x/text/language"

	"github.com/frontline-dev/frontline/config/crd"
)

func TestFallbacks(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		want []string
	}{
		{"en", []string{"en"}},
		{"en-US", []string{"en-US", "en"}},
		{"zh-Hant-TW", []string{"zh-Hant-TW", "zh-Hant", "zh"}},
		// RFC 4647 section 3.4's own example.
		{"zh-Hant-CN-x-private1-private2", []string{"zh-Hant-CN-x-private1-private2", "zh-Hant-CN-x-private1", "zh-Hant-CN", "zh-Hant", "zh"}},
		{"en-a-bbb-x-ccc", []string{"en-a-bbb-x-ccc", "en-a-bbb", "en"}},
		{"de-DE-u-co-phonebk", []string{"de-DE-u-co-phonebk", "de-DE-u-co", "de-DE", "de"}},
		{"x-klingon", []string{"x-klingon"}},
		{"", nil},
	} {
		if got := Fallbacks(tc.tag); !slices.Equal(got, tc.want) {
			t.Errorf("Fallbacks(%q) = %q, want %q", tc.tag, got, tc.want)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name      string
		want      string
		available []string
		match     string // "" for none
	}{
		{"exact", "ko", []string{"en", "ko"}, "ko"},
		{"region falls back to language", "en-US", []string{"en", "ko"}, "en"},
		{"script kept before language", "zh-Hant-TW", []string{"zh", "zh-Hant", "en"}, "zh-Hant"},
		{"language when no script matches", "zh-Hant-TW", []string{"zh-Hans", "zh"}, "zh"},
		{"most specific first", "zh-Hant-TW", []string{"zh-Hant", "zh-Hant-TW"}, "zh-Hant-TW"},
		{"case-insensitive", "ZH-hant-tw", []string{"en", "zh-Hant"}, "zh-Hant"},
		{"case-insensitive available", "ko", []string{"KO"}, "KO"},
		{"available never truncated", "zh", []string{"zh-Hant", "zh-Hans"}, ""},
		{"sibling region is no match", "en-US", []string{"en-GB"}, ""},
		{"private use", "x-klingon", []string{"x-klingon"}, "x-klingon"},
		{"private use alone matches nothing else", "x-klingon", []string{"en"}, ""},
		{"private-use suffix dropped", "ko-x-formal", []string{"ko"}, "ko"},
		{"private-use suffix kept when offered", "ko-x-formal", []string{"ko", "ko-x-formal"}, "ko-x-formal"},
		{"singleton dropped with its subtag", "en-a-bbb", []string{"en-a"}, ""},
		{"extension", "de-DE-u-co-phonebk", []string{"de-DE", "de"}, "de-DE"},
		{"no match", "ja", []string{"en", "ko"}, ""},
		{"nothing available", "en", nil, ""},
		{"prefix is not a subtag", "en", []string{"e"}, ""},
		{"longer language is not a match", "zh", []string{"zho"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := Lookup(tc.want, tc.available)
			got := ""
			if i >= 0 {
				got = tc.available[i]
			}
			if got != tc.match {
				t.Errorf("Lookup(%q, %q) = %q, want %q", tc.want, tc.available, got, tc.match)
			}
		})
	}
}

func TestChoose(t *testing.T) {
	available := []string{"en", "ko", "zh-Hant"} // the default first
	choices, missing := Choose([]string{"en-US", "ko", "zh-Hant-TW", "ja", "zh"}, available, 0)
	want := []Choice{
		{Want: "en-US", Index: 0, Matched: true},
		{Want: "ko", Index: 1, Matched: true},
		{Want: "zh-Hant-TW", Index: 2, Matched: true},
		{Want: "ja", Index: 0, Matched: false},
		{Want: "zh", Index: 0, Matched: false},
	}
	if !slices.Equal(choices, want) {
		t.Errorf("choices %+v, want %+v", choices, want)
	}
	if !slices.Equal(missing, []string{"ja", "zh"}) {
		t.Errorf("missing %q, want [ja zh]", missing)
	}
	// The default counts as a match when a tag truncates to it.
	if _, missing := Choose([]string{"en-GB"}, []string{"en"}, 0); len(missing) != 0 {
		t.Errorf("en-GB over a default of en: missing %q", missing)
	}
	if choices, missing := Choose(nil, available, 0); choices != nil || missing != nil {
		t.Errorf("no wanted languages: %v %v", choices, missing)
	}
}

// wellFormedTags are well-formed BCP 47 tags; x/text agrees.
var wellFormedTags = []string{
	"en", "ko", "ja", "EN", "en-US", "en-us", "zh-Hant", "zh-Hant-TW", "zh-hant-tw", "es-419",
	"sr-Latn-RS", "yue", "yue-Hant-HK", "de-CH-1901", "sl-rozaj-biske", "sl-IT-nedis",
	"hy-Latn-IT-arevela", "de-DE-u-co-phonebk", "en-US-u-islamcal", "ja-JP-u-ca-japanese",
	"en-a-bbb-x-ccc", "ko-x-formal", "x-klingon", "X-private", "qaa-Qaaa-QM-x-southern",
	"zh-cmn-Hans-CN", "zh-yue-HK", "cmn", "art-lojban", "en-US-x-twain", "th-TH-u-nu-thai",
}

// illFormedTags break RFC 5646's syntax; x/text agrees.
var illFormedTags = []string{
	"", "e", "English!", "en_US", "en-", "-en", "en--US", "en-US-", "zh-Hant-TW-",
	"en-abcdefghi", "123", "en-x", "en-x-", "x", "x-", "en-a", "en-a-b", "a-DE",
	"en US", "ko\n", "en-US-x-abcdefghi", "en-1234567890", "de-419-DE",
}

func TestWellFormed(t *testing.T) {
	for _, tag := range wellFormedTags {
		if !WellFormed(tag) {
			t.Errorf("%q: refused, but it is well-formed", tag)
		}
	}
	for _, tag := range illFormedTags {
		if WellFormed(tag) {
			t.Errorf("%q: accepted, but it is not well-formed", tag)
		}
	}
	if long := "en-" + strings.Repeat("abcdefgh-", 7) + "x"; WellFormed(long) {
		t.Errorf("%d characters accepted, over the %d bound", len(long), MaxLength)
	}
}

// The pattern agrees with golang.org/x/text on syntax: x/text may refuse a
// well-formed tag whose subtags it does not know (a ValueError), never for
// its syntax.
func TestWellFormedAgreesWithXText(t *testing.T) {
	for _, tag := range wellFormedTags {
		var unknown xlanguage.ValueError
		if _, err := xlanguage.Parse(tag); err != nil && !errors.As(err, &unknown) {
			t.Errorf("%q: x/text finds a syntax error (%v), the pattern none", tag, err)
		}
	}
	for _, tag := range illFormedTags {
		if tag == "en_US" {
			continue // x/text reads "_" as "-"; RFC 5646 does not
		}
		if _, err := xlanguage.Parse(tag); err == nil {
			t.Errorf("%q: x/text parses it, the pattern refuses it", tag)
		}
	}
}

// Every language tag in the CRDs is checked with Pattern and MaxLength,
// so what admission accepts is what this package reads.
func TestCRDsCarryThePattern(t *testing.T) {
	files, err := fs.Glob(crd.Bases, "bases/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, f := range files {
		raw, err := crd.Bases.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		walkTags(c.Spec.Names.Kind, c.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"], "spec", func(path string, s apiextensionsv1.JSONSchemaProps) {
			found[path] = true
			if s.Pattern != Pattern {
				t.Errorf("%s: pattern %q, want language.Pattern", path, s.Pattern)
			}
			if s.MaxLength == nil || *s.MaxLength != MaxLength {
				t.Errorf("%s: maxLength %v, want %d", path, s.MaxLength, MaxLength)
			}
		})
	}
	for _, path := range []string{
		"SupportQueue spec.languages[]",
		"SurgePlan spec.actions.pinnedFAQs[].language",
		"SurgePlan spec.actions.pinnedFAQs[].translations[].language",
	} {
		if !found[path] {
			t.Errorf("%s: not found in the CRDs (found %v)", path, found)
		}
	}
}

// walkTags calls f on every string field named language or languages.
func walkTags(kind string, s apiextensionsv1.JSONSchemaProps, path string, f func(string, apiextensionsv1.JSONSchemaProps)) {
	switch s.Type {
	case "object":
		for name, p := range s.Properties {
			walkTags(kind, p, path+"."+name, f)
		}
	case "array":
		if s.Items != nil && s.Items.Schema != nil {
			walkTags(kind, *s.Items.Schema, path+"[]", f)
		}
	case "string":
		if strings.HasSuffix(path, ".language") || strings.HasSuffix(path, ".languages[]") {
			f(kind+" "+path, s)
		}
	}
}

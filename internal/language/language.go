// Package language picks, for a language a queue serves, the text to give
// it among the languages a text is written in.
//
// Tags are BCP 47 (RFC 5646): "en", "ko", "zh-Hant", "zh-Hant-TW",
// "es-419". The choice is RFC 4647's Lookup (section 3.4): the queue's tag
// is tried as written, then truncated one subtag at a time from the end
// (zh-Hant-TW, zh-Hant, zh), dropping a single-letter subtag left at the
// end (en-a-bbb-x-ccc: en-a-bbb, en), and compared with the available tags
// case-insensitively. Only the queue's tag is truncated, never the
// available ones: a queue serving "zh" does not get a "zh-Hant" text, whose
// readers it cannot assume. When nothing matches, the default text is
// served and the language is reported as missing, so a desk is never
// served another language without anyone being told.
package language

import (
	"regexp"
	"strings"
)

// Pattern is a well-formed BCP 47 tag (RFC 5646 section 2.1): a language
// (with up to three extended subtags), an optional script, region,
// variants, extensions and private use; or a private-use tag alone. The
// grandfathered irregular tags (i-klingon, en-GB-oed, ...) are left out:
// each has a preferred value to use instead. The CRDs carry the same
// pattern, so what admission accepts is what Lookup reads.
const Pattern = `^(([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[0-9A-WYZa-wyz](-[A-Za-z0-9]{2,8})+)*(-[Xx](-[A-Za-z0-9]{1,8})+)?|[Xx](-[A-Za-z0-9]{1,8})+)$`

// MaxLength bounds a tag at admission: room for a language, script,
// region, a variant and an extension or private-use subtags.
const MaxLength = 63

var wellFormed = regexp.MustCompile(Pattern)

// WellFormed reports whether tag is a BCP 47 tag that admission accepts.
func WellFormed(tag string) bool {
	return len(tag) <= MaxLength && wellFormed.MatchString(tag)
}

// Fallbacks is the lookup chain of tag, most specific first: tag itself,
// then each truncation (zh-Hant-TW, zh-Hant, zh). A private-use tag alone
// ("x-klingon") has only itself.
func Fallbacks(tag string) []string {
	var out []string
	for tag != "" {
		out = append(out, tag)
		tag = truncate(tag)
	}
	return out
}

// truncate drops the last subtag, and then a single-letter subtag left at
// the end (an extension or private-use introducer is nothing alone).
func truncate(tag string) string {
	i := strings.LastIndexByte(tag, '-')
	if i < 0 {
		return ""
	}
	tag = tag[:i]
	if j := strings.LastIndexByte(tag, '-'); len(tag)-j-1 == 1 {
		if j < 0 {
			return ""
		}
		tag = tag[:j]
	}
	return tag
}

// Lookup returns the index in available of the tag RFC 4647 lookup picks
// for want, or -1 when none matches. Tags compare case-insensitively;
// among equal ones the first wins.
func Lookup(want string, available []string) int {
	for _, r := range Fallbacks(want) {
		for i, a := range available {
			if strings.EqualFold(r, a) {
				return i
			}
		}
	}
	return -1
}

// Choice is what one wanted language is served.
type Choice struct {
	// Want is the language asked for, as written.
	Want string
	// Index is the served tag's index in the available tags: the match,
	// or the default when nothing matched.
	Index int
	// Matched is false when the default is served for want of a match.
	Matched bool
}

// Choose resolves each wanted language by Lookup among available, falling
// back to available[def]; missing lists, in order, the wanted languages
// served the default without a match.
func Choose(wanted, available []string, def int) (choices []Choice, missing []string) {
	for _, w := range wanted {
		c := Choice{Want: w, Index: Lookup(w, available), Matched: true}
		if c.Index < 0 {
			c.Index, c.Matched = def, false
			missing = append(missing, w)
		}
		choices = append(choices, c)
	}
	return choices, missing
}

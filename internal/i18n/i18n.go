// Package i18n holds the interface's message catalogs and picks the
// language a viewer reads: an explicit choice first, then the browser's
// Accept-Language, then English.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"
)

// Bundle is every catalog, loaded once at start-up. It is read-only after
// Load and safe for concurrent use.
type Bundle struct {
	tags     []language.Tag // tags[0] is the fallback
	catalogs map[string]map[string]string
	matcher  language.Matcher
}

// Load reads the catalogs of every interface language from fsys: <lang>.json
// and any <lang>.<part>.json (one part per surface, such as the editors'
// pages), each a flat object of key to message, merged per language; a key
// defined twice is an error. fallback must be among them; it is chosen when
// nothing else matches.
func Load(fsys fs.FS, fallback string) (*Bundle, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("i18n: list catalogs: %w", err)
	}
	b := &Bundle{catalogs: map[string]map[string]string{}}
	for _, name := range names {
		lang, _, _ := strings.Cut(strings.TrimSuffix(path.Base(name), ".json"), ".")
		tag, err := language.Parse(lang)
		if err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", name, err)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", name, err)
		}
		msgs := map[string]string{}
		if err := json.Unmarshal(data, &msgs); err != nil {
			return nil, fmt.Errorf("i18n: decode %s: %w", name, err)
		}
		if have, ok := b.catalogs[tag.String()]; ok {
			for k, v := range msgs {
				if _, dup := have[k]; dup {
					return nil, fmt.Errorf("i18n: %s defines %q again", name, k)
				}
				have[k] = v
			}
			continue
		}
		b.catalogs[tag.String()] = msgs
		if tag.String() == fallback {
			b.tags = append([]language.Tag{tag}, b.tags...)
		} else {
			b.tags = append(b.tags, tag)
		}
	}
	if _, ok := b.catalogs[fallback]; !ok {
		return nil, fmt.Errorf("i18n: no catalog for the fallback language %q", fallback)
	}
	b.matcher = language.NewMatcher(b.tags)
	return b, nil
}

// Langs returns the interface languages, fallback first.
func (b *Bundle) Langs() []string {
	out := make([]string, len(b.tags))
	for i, t := range b.tags {
		out[i] = t.String()
	}
	return out
}

// Has reports whether lang is an interface language exactly.
func (b *Bundle) Has(lang string) bool {
	_, ok := b.catalogs[lang]
	return ok
}

// Match picks the interface language: the first of prefs that names a
// catalog exactly (an explicit choice: ?ui=, then the cookie), otherwise
// the best match for the Accept-Language header, otherwise the fallback.
func (b *Bundle) Match(acceptLanguage string, prefs ...string) *Translator {
	for _, p := range prefs {
		if b.Has(p) {
			return b.Translator(p)
		}
	}
	accepted, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(accepted) == 0 {
		return b.Translator(b.tags[0].String())
	}
	_, idx, conf := b.matcher.Match(accepted...)
	if conf == language.No {
		idx = 0
	}
	return b.Translator(b.tags[idx].String())
}

// Translator returns the translator for an interface language; an unknown
// language gets the fallback's.
func (b *Bundle) Translator(lang string) *Translator {
	msgs, ok := b.catalogs[lang]
	if !ok {
		lang = b.tags[0].String()
		msgs = b.catalogs[lang]
	}
	return &Translator{lang: lang, msgs: msgs, fallback: b.catalogs[b.tags[0].String()]}
}

// Missing lists, per language, the keys the fallback catalog has and that
// language lacks or leaves empty, and the keys it has that the fallback
// does not know. Empty means every catalog is complete.
func (b *Bundle) Missing() map[string][]string {
	ref := b.catalogs[b.tags[0].String()]
	out := map[string][]string{}
	for lang, msgs := range b.catalogs {
		var bad []string
		for k := range ref {
			if strings.TrimSpace(msgs[k]) == "" {
				bad = append(bad, k)
			}
		}
		for k := range msgs {
			if _, ok := ref[k]; !ok {
				bad = append(bad, "unknown:"+k)
			}
		}
		if len(bad) > 0 {
			slices.Sort(bad)
			out[lang] = bad
		}
	}
	return out
}

// Keys returns the fallback catalog's keys, sorted.
func (b *Bundle) Keys() []string {
	ref := b.catalogs[b.tags[0].String()]
	keys := make([]string, 0, len(ref))
	for k := range ref {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Message returns the raw message of key in lang, for tests.
func (b *Bundle) Message(lang, key string) (string, bool) {
	m, ok := b.catalogs[lang][key]
	return m, ok
}

// Translator renders messages of one language.
type Translator struct {
	lang     string
	msgs     map[string]string
	fallback map[string]string
}

// Lang is the translator's BCP 47 tag.
func (t *Translator) Lang() string { return t.lang }

// T returns the message for key with {0}, {1}, … replaced by args. A key
// missing from the catalog falls back to English, then to the key itself,
// so a gap shows instead of an empty string.
func (t *Translator) T(key string, args ...any) string {
	msg, ok := t.msgs[key]
	if !ok {
		if msg, ok = t.fallback[key]; !ok {
			return key
		}
	}
	if len(args) == 0 {
		return msg
	}
	pairs := make([]string, 0, 2*len(args))
	for i, a := range args {
		pairs = append(pairs, "{"+strconv.Itoa(i)+"}", fmt.Sprint(a))
	}
	return strings.NewReplacer(pairs...).Replace(msg)
}

// N picks key+".one" or key+".other" by the language's plural rule for n
// and passes n as {0} (and args as {1}, …).
func (t *Translator) N(key string, n int, args ...any) string {
	return t.T(key+"."+pluralForm(t.lang, n), append([]any{n}, args...)...)
}

// pluralForm covers the interface languages: French treats 0 and 1 as
// singular; English, Spanish and German only 1.
func pluralForm(lang string, n int) string {
	base, _, _ := strings.Cut(lang, "-")
	if n == 1 || (base == "fr" && n == 0) {
		return "one"
	}
	return "other"
}

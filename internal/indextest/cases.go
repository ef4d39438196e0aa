package indextest

import "github.com/verbatim-archive/verbatim/internal/archive"

func q(text string, langs ...string) archive.SearchQuery {
	return archive.SearchQuery{Text: text, Langs: langs}
}

func wordCases() []searchCase {
	return []searchCase{
		{name: "one word", q: q("Palermo", "en"), want: []string{"hrc-side-event/en@4"}},
		{name: "case does not matter", q: q("pALERMO", "en"), want: []string{"hrc-side-event/en@4"}},
		// Cue 4 holds "victims" only in its next cue: reported there, once.
		{name: "word in next cue reported once", q: q("victims", "en"), want: []string{"hrc-side-event/en@9", "hrc-side-event/en@17"}},
		{name: "every word must match", q: q("Palermo survivors", "en"), want: nil},
		{name: "words across a cue boundary", q: q("Palermo victims", "en"), want: []string{"hrc-side-event/en@4"}},
		{name: "all languages", q: q("Survivors"), want: []string{"hrc-side-event/en@13", "istac-launch/en@0", "istac-launch/en@4"}},
		{name: "no match", q: q("zebra"), want: nil},
		// Meilisearch reads "-word" as an exclusion; the archive's query
		// language has none, so the minus is a separator.
		{name: "a leading minus excludes nothing", q: q("Palermo -victims", "en"), want: []string{"hrc-side-event/en@4"}},
	}
}

func phraseCases() []searchCase {
	return []searchCase{
		{name: "phrase", q: q(`"Palermo Protocol"`, "en"), want: []string{"hrc-side-event/en@4"}},
		{name: "phrase word order", q: q(`"Protocol Palermo"`, "en"), want: nil},
		{name: "phrase words not adjacent", q: q(`"Palermo milestone"`, "en"), want: nil},
		{name: "phrase across two cues points at the first", q: q(`"milestone for the protection of victims"`, "en"), want: []string{"hrc-side-event/en@4"}},
		{name: "phrase inside the second cue points at it", q: q(`"protection of victims"`, "en"), want: []string{"hrc-side-event/en@9"}},
		{name: "phrase and word", q: q(`"human beings" welcome`), want: []string{"hrc-side-event/en@0"}},
		{name: "spanish phrase", q: q(`"trata de personas"`), want: []string{"hrc-side-event/es@0"}},
		{name: "unclosed quote is a phrase to the end", q: q(`"human beings`, "en"), want: []string{"hrc-side-event/en@0"}},
	}
}

func typoCases() []searchCase {
	trafficking := []string{"hrc-side-event/en@0", "istac-launch/en@0", "istac-launch/en@4"}
	return []searchCase{
		{name: "exact", q: q("trafficking", "en"), want: trafficking},
		{name: "one typo in 10 letters", q: q("trafficing", "en"), want: trafficking},
		// Not "trafikking": its English stem "trafik" is two typos from
		// "train" as well (police-training), which bleve compares stems by.
		{name: "two typos in 10 letters", q: q("traficcking", "en"), want: trafficking},
		{name: "one typo in 7 letters", q: q("protcol", "en"), want: []string{"hrc-side-event/en@4"}},
		{name: "two typos in 6 letters", q: q("prtcol", "en"), want: nil},
		{name: "one typo in 4 letters", q: q("thnk", "en"), want: nil},
		{name: "no typos in phrases", q: q(`"Palermo Protocl"`, "en"), want: nil},
	}
}

func languageCases() []searchCase {
	return []searchCase{
		{name: "german compound", q: q("Menschenhandel"), want: []string{"hrc-side-event/de@0", "istac-launch/de@0", "istac-launch/de@4"}},
		{name: "german umlaut", q: q("Überlebende", "de"), want: []string{"istac-launch/de@0", "istac-launch/de@4"}},
		{name: "german plural", q: q("Kind", "de"), want: []string{"hrc-side-event/de@13"}},
		{name: "german umlaut plural", q: q("Haus", "de"), want: []string{"hrc-side-event/de@13"}},
		{name: "french plural", q: q("réseau", "fr"), want: []string{"hrc-side-event/fr@13"}},
		{name: "french without accent", q: q("reseaux", "fr"), want: []string{"hrc-side-event/fr@13"}},
		{name: "spanish plural", q: q("persona", "es"), want: []string{"hrc-side-event/es@0"}},
		{name: "spanish without accent", q: q("victimas", "es"), want: []string{"hrc-side-event/es@9"}},
		{name: "other language", q: q("sobreviventes"), want: []string{"istac-launch/pt@4"}},
	}
}

func filterCases() []searchCase {
	without := func(from, to string) archive.SearchQuery {
		return archive.SearchQuery{Text: "without", DateFrom: from, DateTo: to}
	}
	return []searchCase{
		{name: "lang", q: q("Palermo", "de"), want: []string{"hrc-side-event/de@4"}},
		{name: "langs", q: q("Palermo", "en", "de"), want: []string{"hrc-side-event/en@4", "hrc-side-event/de@4"}},
		{name: "lang without documents", q: q("Palermo", "it"), want: nil},
		{name: "speaker", q: archive.SearchQuery{Text: "victims", Speakers: []string{jonasWeber}}, want: []string{"hrc-side-event/en@17"}},
		{name: "speakers", q: archive.SearchQuery{Text: "victims", Speakers: []string{anaRuiz, jonasWeber}},
			want: []string{"hrc-side-event/en@9", "hrc-side-event/en@17", "hrc-side-event/fr@9", "hrc-side-event/es@9"}},
		{name: "recording", q: archive.SearchQuery{Text: "Survivors", RecordingID: recISTAC}, want: []string{"istac-launch/en@0", "istac-launch/en@4"}},
		{name: "event", q: archive.SearchQuery{Text: "Survivors", Event: "HRC 59"}, want: []string{"hrc-side-event/en@13"}},
		// Meilisearch compares filter strings case-insensitively; the
		// archive's filters are exact values.
		{name: "filters compare exactly", q: archive.SearchQuery{Text: "victims", Speakers: []string{"jonas weber"}}, want: nil},
		{name: "event compares exactly", q: archive.SearchQuery{Text: "Survivors", Event: "hrc 59"}, want: nil},
		{name: "date from", q: without("2024-01-01", ""), want: []string{"istac-launch/en@8"}},
		{name: "date to", q: without("", "2023-12-31"), want: []string{"old-panel/en@1", "old-panel/en@5"}},
		{name: "date range inclusive", q: without("2024-11-05", "2024-11-05"), want: []string{"istac-launch/en@8"}},
		{name: "kind original", q: archive.SearchQuery{Text: "Palermo", Kind: archive.KindOriginal}, want: []string{"hrc-side-event/en@4"}},
		{name: "kind interpretation", q: archive.SearchQuery{Text: "Palermo", Langs: []string{"en"}, Kind: archive.KindInterpretation}, want: nil},
		{name: "every filter", q: archive.SearchQuery{
			Text: "victims", Langs: []string{"en"}, Speakers: []string{anaRuiz}, RecordingID: recHRC,
			Event: "HRC 59", DateFrom: "2025-06-20", DateTo: "2025-06-20", Kind: archive.KindOriginal,
		}, want: []string{"hrc-side-event/en@9"}},
	}
}

func orderingCases() []searchCase {
	return []searchCase{
		// Identical cues score the same: newer recording first, then time.
		{name: "ties by date then time", q: q("without"), ordered: true,
			want: []string{"istac-launch/en@8", "old-panel/en@1", "old-panel/en@5"}},
		// The typo match is in the newest recording, yet ranks second.
		{name: "exact before typo", q: q("heard", "en"), ordered: true,
			want: []string{"hrc-side-event/en@13", "press-briefing/en@2"}},
	}
}

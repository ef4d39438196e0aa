package indextest

import "github.com/verbatim-archive/verbatim/internal/archive"

// recording is one recording of the fixed corpus, with its tracks.
type recording struct {
	id, title, event, date string
	tracks                 []track
}

type track struct {
	lang string
	kind archive.Kind
	cues []archive.Cue
}

func cue(startS int, speaker, text string) archive.Cue {
	return archive.Cue{StartMS: int64(startS) * 1000, EndMS: int64(startS)*1000 + 3500, Speaker: speaker, Text: text}
}

const (
	recHRC     = "hrc-side-event"
	recISTAC   = "istac-launch"
	recPanel   = "old-panel"
	recBriefng = "press-briefing"
	recTrain   = "police-training"

	anaRuiz    = "Ana Ruiz"
	jonasWeber = "Jonas Weber"
	moderator  = "Moderator"
	mariaLopez = "Maria Lopez"
)

// corpus is small on purpose: every expectation of the suite can be
// checked by reading it. Timings are the same across the languages of a
// recording, as they are in the archive.
func corpus() []recording {
	return []recording{
		{
			id: recHRC, title: "Trafficking in human beings: side event", event: "HRC 59", date: "2025-06-20",
			tracks: []track{
				{lang: "en", kind: archive.KindOriginal, cues: []archive.Cue{
					cue(0, moderator, "Welcome to this side event on trafficking in human beings."),
					cue(4, anaRuiz, "The Palermo Protocol was a milestone for the"),
					cue(9, anaRuiz, "protection of victims across borders."),
					cue(13, jonasWeber, "Survivors must be heard <script>alert(1)</script> & respected."),
					cue(17, jonasWeber, "Children are the most vulnerable victims."),
				}},
				{lang: "fr", kind: archive.KindInterpretation, cues: []archive.Cue{
					cue(0, moderator, "Bienvenue à cet événement parallèle sur la traite des êtres humains."),
					cue(4, anaRuiz, "Le Protocole de Palerme a été une étape décisive pour"),
					cue(9, anaRuiz, "la protection des victimes au-delà des frontières."),
					cue(13, jonasWeber, "Les réseaux criminels exploitent les plus vulnérables."),
				}},
				{lang: "es", kind: archive.KindInterpretation, cues: []archive.Cue{
					cue(0, moderator, "Bienvenidos a este evento paralelo sobre la trata de personas."),
					cue(4, anaRuiz, "El Protocolo de Palermo fue un hito para"),
					cue(9, anaRuiz, "la protección de las víctimas más allá de las fronteras."),
					cue(13, jonasWeber, "Las redes criminales explotan a los más vulnerables."),
				}},
				{lang: "de", kind: archive.KindInterpretation, cues: []archive.Cue{
					cue(0, moderator, "Willkommen zu dieser Nebenveranstaltung über Menschenhandel."),
					cue(4, anaRuiz, "Das Palermo-Protokoll war ein Meilenstein für den"),
					cue(9, anaRuiz, "Schutz der Opfer über Grenzen hinweg."),
					cue(13, jonasWeber, "Kinder brauchen sichere Häuser."),
				}},
			},
		},
		{
			id: recISTAC, title: "Launch of ISTAC", event: "ISTAC launch", date: "2024-11-05",
			tracks: []track{
				{lang: "en", kind: archive.KindInterpretation, cues: []archive.Cue{
					cue(0, moderator, "Today we launch the International Survivors of Trafficking Advisory Council."),
					cue(4, mariaLopez, "Survivors know what works against trafficking networks."),
					cue(8, mariaLopez, "Nothing about us without us."),
					cue(11, mariaLopez, "Thank you."),
				}},
				{lang: "de", kind: archive.KindOriginal, cues: []archive.Cue{
					cue(0, moderator, "Heute starten wir den Internationalen Beirat der Überlebenden von Menschenhandel."),
					cue(4, mariaLopez, "Überlebende wissen, was gegen Netzwerke des Menschenhandels wirkt."),
				}},
				{lang: "pt", kind: archive.KindInterpretation, cues: []archive.Cue{
					cue(4, mariaLopez, "Os sobreviventes sabem o que funciona."),
				}},
			},
		},
		{
			id: recPanel, title: "Panel on survivor voices", event: "Expert panel", date: "2023-03-01",
			tracks: []track{
				{lang: "en", kind: archive.KindOriginal, cues: []archive.Cue{
					cue(1, anaRuiz, "Nothing about us without us."),
					cue(3, anaRuiz, "Thank you."),
					cue(5, anaRuiz, "Nothing about us without us."),
					cue(7, anaRuiz, "Thank you."),
				}},
			},
		},
		{
			id: recBriefng, title: "Press briefing", event: "Briefing", date: "2026-01-15",
			tracks: []track{
				{lang: "en", kind: archive.KindOriginal, cues: []archive.Cue{
					cue(2, "", "A herd of reporters waited outside."),
				}},
			},
		},
		{
			// The newest recording: a near spelling found here must still
			// rank after the exact matches of older ones.
			id: recTrain, title: "Police training", event: "Training", date: "2026-02-01",
			tracks: []track{
				{lang: "en", kind: archive.KindOriginal, cues: []archive.Cue{
					cue(3, moderator, "Police training starts today."),
				}},
			},
		},
	}
}

// Docs turns a recording's tracks into index documents the way the Service
// does: one per cue, Next holding the following cue's text.
func (r recording) docs() []archive.CueDoc {
	var docs []archive.CueDoc
	for _, tr := range r.tracks {
		for i, c := range tr.cues {
			d := archive.CueDoc{
				RecordingID: r.id, Title: r.title, Event: r.event, Date: r.date,
				Lang: tr.lang, Kind: tr.kind, Source: archive.SourceHuman, Seq: i,
				StartMS: c.StartMS, EndMS: c.EndMS, Speaker: c.Speaker, Text: c.Text,
			}
			if i+1 < len(tr.cues) {
				d.Next = tr.cues[i+1].Text
			}
			docs = append(docs, d)
		}
	}
	return docs
}

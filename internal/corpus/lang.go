package corpus

import (
	"math/rand/v2"
	"strings"
)

// language is what the generator needs to write plausible text in one
// language: its most frequent words (real ones, so stop-word lists and
// stemmers meet what they expect) and syllables for the long tail of
// generated words.
type language struct {
	common  []string
	onsets  []string
	vowels  []string
	codas   []string
	capital float64 // share of tail words written capitalised (German nouns)
}

func languages() map[string]language {
	return map[string]language{
		"en": {
			common: strings.Fields(`the of and to a in that is was it for on with as he be at by this had not are but from or
			have an they which one you were her all she there would their we him been has when who will more no if out so said
			what up its about into than them can only other new some could time these two may then do first any my now such like
			our over man me even most made after also did many before must through back years where much your way well down should
			because each just those people how too little state good very make world still own see men work long get here between
			both life being under never day same another know while last might us great old year off come since against go came
			right used take three human rights trafficking victims survivors protection council women children law support report`),
			onsets:  []string{"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "th", "st", "tr", "pl", "gr", "sh", "ch", "br", "cr"},
			vowels:  []string{"a", "e", "i", "o", "u", "ea", "ou", "ai", "ee", "io"},
			codas:   []string{"", "", "n", "r", "s", "t", "nd", "ng", "ck", "ll", "st", "rt", "tion", "ment"},
			capital: 0.03,
		},
		"fr": {
			common: strings.Fields(`de la le et les des en un une du que est pour qui dans a par plus pas au sur ne se ce il sont
			avec son cette aux elle nous ont mais comme ou leur été sa ses on tout bien fait peut aussi entre même deux sans
			dont nos très ces deux faire être avoir autres après encore elles vous non notre lui ils si leurs était temps
			donc alors autre depuis tous avant sous vie droits humains traite victimes survivants protection conseil femmes
			enfants loi soutien rapport réseaux travail monde pays personnes années`),
			onsets:  []string{"b", "c", "d", "f", "g", "j", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "tr", "pr", "gr", "pl", "qu"},
			vowels:  []string{"a", "e", "i", "o", "u", "é", "è", "ou", "ai", "eau", "oi", "an", "on", "en", "ê"},
			codas:   []string{"", "", "s", "t", "r", "x", "nt", "ille", "ment", "ion", "que", "ç"},
			capital: 0.03,
		},
		"es": {
			common: strings.Fields(`de la que el en y a los se del las un por con no una su para es al lo como más pero sus le ya o
			este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos durante todos uno les
			ni contra otros ese eso ante ellos e esto mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho
			quienes nada muchos cual poco ella estar estas algunas algo nosotros derechos humanos trata personas víctimas
			sobrevivientes protección consejo mujeres niños ley apoyo informe redes trabajo mundo países años`),
			onsets:  []string{"b", "c", "d", "f", "g", "j", "l", "m", "n", "ñ", "p", "r", "s", "t", "v", "ll", "rr", "ch", "tr", "pr", "qu"},
			vowels:  []string{"a", "e", "i", "o", "u", "á", "é", "í", "ó", "ú", "ie", "ue", "io"},
			codas:   []string{"", "", "", "n", "s", "r", "l", "d", "ción", "dad", "mente"},
			capital: 0.03,
		},
		"de": {
			common: strings.Fields(`der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an
			werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur oder aber
			vor zur bis mehr durch man sein wurde sei hatte kann gegen vom können schon wenn habe seine ihre dann unter wir
			soll ich eines Jahr zwei Jahren diese dieser wieder keine seiner worden Menschenrechte Menschenhandel Opfer
			Überlebende Schutz Rat Frauen Kinder Gesetz Unterstützung Bericht Netzwerke Arbeit Welt Länder Menschen`),
			onsets:  []string{"b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "w", "z", "sch", "st", "sp", "pf", "kr", "br", "gr", "schw"},
			vowels:  []string{"a", "e", "i", "o", "u", "ä", "ö", "ü", "ei", "au", "eu", "ie"},
			codas:   []string{"", "", "n", "r", "s", "t", "ch", "ng", "ß", "rt", "cht", "lich", "ung", "keit", "en", "er"},
			capital: 0.35,
		},
	}
}

// vocabulary returns size distinct words, most frequent first: the common
// words, then generated ones.
func (l language) vocabulary(rng *rand.Rand, size int) []string {
	words := make([]string, 0, size)
	seen := map[string]bool{}
	for _, w := range l.common {
		if !seen[w] && len(words) < size {
			seen[w] = true
			words = append(words, w)
		}
	}
	for len(words) < size {
		w := l.word(rng)
		if !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

func (l language) word(rng *rand.Rand) string {
	var b strings.Builder
	for n := 1 + rng.IntN(2) + rng.IntN(2); n > 0; n-- {
		if rng.IntN(4) > 0 {
			b.WriteString(pick(rng, l.onsets))
		}
		b.WriteString(pick(rng, l.vowels))
		if n == 1 || rng.IntN(3) == 0 {
			b.WriteString(pick(rng, l.codas))
		}
	}
	w := b.String()
	if rng.Float64() < l.capital {
		w = capitalise(w)
	}
	return w
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

func capitalise(w string) string {
	for i, r := range w {
		return strings.ToUpper(string(r)) + w[i+len(string(r)):]
	}
	return w
}

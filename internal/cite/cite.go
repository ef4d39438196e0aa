// Package cite writes the citations of a quoted moment of a recording,
// ready to copy: plain text, Markdown, APA (7th edition) and Chicago
// (author-date, 17th edition). It is pure: the caller gives every fact,
// the access date included.
//
// The citations are in English, the language of both style guides; the
// quoted words stay in the language they were quoted in. A speaker's
// name is inverted and cut to initials the way each style asks, except a
// pseudonym, which is given as it is.
package cite

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Speaker is one quoted speaker as viewers see them.
type Speaker struct {
	Name string
	Role string
	// Anonymised: Name is a pseudonym, not a person's name.
	Anonymised bool
}

// Quote is everything a citation states.
type Quote struct {
	Words    string // the quoted words; empty when they are withheld
	Speakers []Speaker
	Title    string // the recording's title
	Event    string
	Date     string // the recording's date, YYYY-MM-DD; "" when unknown
	Place    string
	// About says what the words are, in English: "English interpretation
	// of a statement made in French; transcribed by a person".
	About      string
	Start, End string // the moment, as timecodes ("1:35")
	URL        string // absolute, timestamped
	Site       string // the archive's name
	Accessed   time.Time
}

// Citations are the four styles of one quote.
type Citations struct {
	Plain, Markdown, APA, Chicago string
}

// Format writes q in every style.
func Format(q Quote) Citations {
	q.Words = strings.Join(strings.Fields(q.Words), " ")
	if q.Event == q.Title {
		q.Event = ""
	}
	return Citations{Plain: plain(q), Markdown: markdown(q), APA: apa(q), Chicago: chicago(q)}
}

// plain: “Words” — Speaker (Role). Title, Event, Place, Month D, YYYY,
// 1:35–1:41. About. URL (accessed YYYY-MM-DD).
func plain(q Quote) string {
	var b strings.Builder
	if q.Words != "" {
		b.WriteString("“" + q.Words + "” — ")
	}
	if who := listed(q.Speakers, plainName); who != "" {
		b.WriteString(who + ". ")
	}
	b.WriteString(joinNonEmpty(", ", q.Title, q.Event, q.Place, longDate(q.Date), q.Start+"–"+q.End) + ". ")
	if q.About != "" {
		b.WriteString(sentence(q.About) + " ")
	}
	b.WriteString(q.URL + " (accessed " + q.Accessed.UTC().Format(time.DateOnly) + ").")
	return b.String()
}

func plainName(s Speaker) string {
	switch {
	case s.Anonymised:
		return s.Name + " (pseudonym)"
	case s.Role != "":
		return s.Name + " (" + s.Role + ")"
	}
	return s.Name
}

// markdown: the words as a block quote, then a line naming who, where and
// when, the moment linked.
func markdown(q Quote) string {
	var b strings.Builder
	if q.Words != "" {
		b.WriteString("> " + mdEscape(q.Words) + "\n>\n> — ")
	}
	if who := listed(q.Speakers, func(s Speaker) string { return mdEscape(plainName(s)) }); who != "" {
		b.WriteString(who + ", ")
	}
	title := ""
	if q.Title != "" {
		title = "*" + mdEscape(q.Title) + "*"
	}
	b.WriteString(joinNonEmpty(", ", title, mdEscape(q.Event), mdEscape(q.Place), longDate(q.Date)))
	b.WriteString(", [" + q.Start + "–" + q.End + "](" + mdURL(q.URL) + "). ")
	if q.About != "" {
		b.WriteString(mdEscape(sentence(q.About)) + " ")
	}
	b.WriteString("Accessed " + q.Accessed.UTC().Format(time.DateOnly) + ".")
	return b.String()
}

// apa: Lopez, M., & Real, A. (2021, July 1). Title [Video; 1:35–1:41;
// About]. Event, Place. Site. Retrieved Month D, YYYY, from URL
func apa(q Quote) string {
	date := "(n.d.)."
	if y, md, ok := dateParts(q.Date); ok {
		date = "(" + y + ", " + md + ")."
	}
	desc := joinNonEmpty("; ", "Video", q.Start+"–"+q.End, q.About)
	work := q.Title + " [" + desc + "]."
	var b strings.Builder
	if who := apaAuthors(q.Speakers); who != "" {
		b.WriteString(period(who) + " " + date + " " + work)
	} else {
		b.WriteString(work + " " + date)
	}
	if where := joinNonEmpty(", ", q.Event, q.Place); where != "" {
		b.WriteString(" " + period(where))
	}
	if q.Site != "" {
		b.WriteString(" " + period(q.Site))
	}
	b.WriteString(" Retrieved " + monthDayYear(q.Accessed) + ", from " + q.URL)
	return b.String()
}

func apaAuthors(ss []Speaker) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
		if !s.Anonymised {
			names[i] = initialled(s.Name)
		}
	}
	return series(names, "&")
}

// chicago (author-date): Lopez, Maria, and Ana Real. 2021. “Title.”
// Event, Place, July 1. Video, 1:35–1:41. About. Site. Accessed Month D,
// YYYY. URL.
func chicago(q Quote) string {
	year, md := "n.d.", ""
	if y, m, ok := dateParts(q.Date); ok {
		year, md = y, m
	}
	title := "“" + strings.TrimSuffix(q.Title, ".") + ".”"
	var b strings.Builder
	if who := chicagoAuthors(q.Speakers); who != "" {
		b.WriteString(period(who) + " " + period(year) + " " + title)
	} else {
		b.WriteString(title + " " + period(year))
	}
	if where := joinNonEmpty(", ", q.Event, q.Place, md); where != "" {
		b.WriteString(" " + period(where))
	}
	b.WriteString(" Video, " + q.Start + "–" + q.End + ".")
	if q.About != "" {
		b.WriteString(" " + sentence(q.About))
	}
	if q.Site != "" {
		b.WriteString(" " + period(q.Site))
	}
	b.WriteString(" Accessed " + monthDayYear(q.Accessed) + ". " + q.URL + ".")
	return b.String()
}

func chicagoAuthors(ss []Speaker) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
		if i == 0 && !s.Anonymised {
			names[i] = inverted(s.Name)
		}
	}
	return series(names, "and")
}

// series joins the names of a reference's authors, a comma before the
// conjunction even between two ("Lopez, M., & Real, A."; "Lopez, Maria,
// and Ana Real"), as both styles write it.
func series(names []string, conj string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + ", " + conj + " " + names[len(names)-1]
}

// inverted is "Surname, Given Names"; a one-word name stays as it is.
func inverted(name string) string {
	f := strings.Fields(name)
	if len(f) < 2 {
		return name
	}
	return f[len(f)-1] + ", " + strings.Join(f[:len(f)-1], " ")
}

// initialled is "Surname, G. N.", hyphenated given names kept
// hyphenated ("Jean-Pierre" is "J.-P.").
func initialled(name string) string {
	f := strings.Fields(name)
	if len(f) < 2 {
		return name
	}
	var given []string
	for _, g := range f[:len(f)-1] {
		var parts []string
		for _, p := range strings.Split(g, "-") {
			if r, _ := utf8.DecodeRuneInString(p); r != utf8.RuneError {
				parts = append(parts, strings.ToUpper(string(r))+".")
			}
		}
		given = append(given, strings.Join(parts, "-"))
	}
	return f[len(f)-1] + ", " + strings.Join(given, " ")
}

// listed names the speakers: "A", "A and B", "A, B and C".
func listed(ss []Speaker, name func(Speaker) string) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = name(s)
	}
	if len(names) <= 2 {
		return strings.Join(names, " and ")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

var months = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// dateParts splits a YYYY-MM-DD date into "2021" and "July 1".
func dateParts(date string) (year, monthDay string, ok bool) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return "", "", false
	}
	return strconv.Itoa(d.Year()), months[d.Month()-1] + " " + strconv.Itoa(d.Day()), true
}

func longDate(date string) string {
	if y, md, ok := dateParts(date); ok {
		return md + ", " + y
	}
	return ""
}

func monthDayYear(t time.Time) string {
	t = t.UTC()
	return months[t.Month()-1] + " " + strconv.Itoa(t.Day()) + ", " + strconv.Itoa(t.Year())
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// period ends s with one full stop (none added after "." "?" "!").
func period(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

// sentence is s with a capital first letter and a full stop.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return period(strings.ToUpper(string(r)) + s[n:])
}

// mdEscape keeps the words from being read as Markdown.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "#", `\#`).Replace(s)
}

// mdURL keeps a URL inside a Markdown link's parentheses.
func mdURL(u string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(u)
}

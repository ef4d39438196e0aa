package subtitle

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// TTML is read by our own walk over the XML rather than astisub's reader,
// which ignores ttm:agent, glues words that sit on different source lines
// or in sibling spans, drops the text of nested spans, knows no dur
// attribute or nested div, and panics on a <p> without begin.

// ttmlRates are the tt element's timing parameters.
type ttmlRates struct {
	frame, subFrame, tick float64
}

// ttmlCtx is what an element passes to its children.
type ttmlCtx struct {
	offset time.Duration // begin of the parent time container
	agent  string
	style  run
	inP    bool
}

type ttmlCue struct {
	line       int
	start, end time.Duration
	agent      string // the cue's speaker
	spans      []ttmlSpan
}

// ttmlSpan is one agent's turn in a cue: a new one starts wherever the
// text's agent changes (a <span ttm:agent> inside another agent's <p>).
type ttmlSpan struct {
	agent string
	lines [][]run
}

func (c *ttmlCue) speaking() *ttmlSpan { return &c.spans[len(c.spans)-1] }

type ttmlReader struct {
	dec     *xml.Decoder
	rates   ttmlRates
	agents  map[string]string // xml:id -> ttm:name
	styles  map[string]run    // xml:id -> inline styles
	stack   []ttmlCtx
	agentID string // the ttm:agent element being read
	inName  bool
	cues    []ttmlCue
	cur     *ttmlCue
}

func readTTML(text string) ([]rawCue, error) {
	r := &ttmlReader{
		dec:    newTTMLDecoder(text),
		rates:  ttmlRates{frame: 30, subFrame: 1, tick: 1},
		agents: map[string]string{},
		styles: map[string]run{},
	}
	if err := r.walk(); err != nil {
		return nil, err
	}
	out := make([]rawCue, len(r.cues))
	for k, c := range r.cues {
		out[k] = rawCue{line: c.line, start: c.start, end: c.end}
		for _, sp := range c.spans {
			rs := rawSpan{speaker: r.agentName(sp.agent)}
			for _, l := range sp.lines {
				cursor := 0
				plain, styled := joinRuns(l, "", &cursor)
				rs.lines.add(collapse(plain), collapse(styled))
			}
			out[k].spans = append(out[k].spans, rs)
		}
	}
	return out, nil
}

func newTTMLDecoder(text string) *xml.Decoder {
	d := xml.NewDecoder(strings.NewReader(text))
	d.Entity = xml.HTMLEntity // &nbsp; and friends turn up in hand-made files
	return d
}

func (r *ttmlReader) walk() error {
	for {
		line, _ := r.dec.InputPos()
		tok, err := r.dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return invalid(se.Line, "malformed XML: %s", se.Msg)
			}
			return invalid(line, "malformed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := r.start(t, line); err != nil {
				return err
			}
		case xml.EndElement:
			r.end(t)
		case xml.CharData:
			r.text(string(t))
		}
	}
}

func (r *ttmlReader) parent() ttmlCtx {
	if len(r.stack) == 0 {
		return ttmlCtx{}
	}
	return r.stack[len(r.stack)-1]
}

func (r *ttmlReader) start(t xml.StartElement, line int) error {
	ctx := r.parent()
	name := t.Name.Local
	switch name {
	case "tt":
		r.rates = readRates(t)
	case "style":
		if id := attr(t, "id"); id != "" && !ctx.inP {
			r.styles[id] = inlineStyle(t, run{})
		}
	case "agent":
		r.agentID = attr(t, "id")
	case "name":
		r.inName = r.agentID != ""
	case "body", "div":
		if err := r.container(t, &ctx, line); err != nil {
			return err
		}
	case "p":
		if err := r.startP(t, &ctx, line); err != nil {
			return err
		}
	case "span":
		if ctx.inP {
			ctx.style = inlineStyle(t, r.styleOf(t, ctx.style))
			if a := firstField(attr(t, "agent")); a != "" {
				ctx.agent = a
			}
		}
	case "metadata":
		ctx.inP = false // descriptions inside a cue are not its text
	case "br":
		if ctx.inP {
			sp := r.cur.speaking()
			sp.lines = append(sp.lines, nil)
		}
	}
	r.stack = append(r.stack, ctx)
	return nil
}

func (r *ttmlReader) container(t xml.StartElement, ctx *ttmlCtx, line int) error {
	if b := attr(t, "begin"); b != "" {
		d, ok := parseTTMLTime(b, r.rates)
		if !ok {
			return invalid(line, "unreadable begin time %q", b)
		}
		ctx.offset += d
	}
	if a := firstField(attr(t, "agent")); a != "" {
		ctx.agent = a
	}
	ctx.style = inlineStyle(t, r.styleOf(t, ctx.style))
	return nil
}

func (r *ttmlReader) startP(t xml.StartElement, ctx *ttmlCtx, line int) error {
	if ctx.inP {
		return invalid(line, "<p> inside <p>")
	}
	begin, end, dur := attr(t, "begin"), attr(t, "end"), attr(t, "dur")
	if begin == "" && ctx.offset == 0 {
		return invalid(line, "cue has no begin time")
	}
	if end == "" && dur == "" {
		return invalid(line, "cue has no end time")
	}
	var b, e time.Duration
	var ok bool
	if begin != "" {
		if b, ok = parseTTMLTime(begin, r.rates); !ok {
			return invalid(line, "unreadable begin time %q", begin)
		}
	}
	if end != "" {
		if e, ok = parseTTMLTime(end, r.rates); !ok {
			return invalid(line, "unreadable end time %q", end)
		}
	} else {
		if e, ok = parseTTMLTime(dur, r.rates); !ok {
			return invalid(line, "unreadable duration %q", dur)
		}
		e += b
	}
	if e < b {
		return invalid(line, "end time before start time")
	}
	agent := ctx.agent
	if a := firstField(attr(t, "agent")); a != "" {
		agent = a
	}
	ctx.inP = true
	ctx.agent = agent
	ctx.style = inlineStyle(t, r.styleOf(t, ctx.style))
	r.cues = append(r.cues, ttmlCue{
		line: line, start: ctx.offset + b, end: ctx.offset + e, agent: agent,
		spans: []ttmlSpan{{agent: agent, lines: [][]run{nil}}},
	})
	r.cur = &r.cues[len(r.cues)-1]
	return nil
}

func (r *ttmlReader) end(t xml.EndElement) {
	if len(r.stack) == 0 {
		return
	}
	switch t.Name.Local {
	case "agent":
		r.agentID = ""
	case "name":
		r.inName = false
	case "p":
		r.cur = nil
	}
	r.stack = r.stack[:len(r.stack)-1]
}

func (r *ttmlReader) text(s string) {
	if r.inName {
		if _, ok := r.agents[r.agentID]; !ok {
			r.agents[r.agentID] = collapse(s)
		}
		return
	}
	ctx := r.parent()
	if !ctx.inP || r.cur == nil {
		return
	}
	rn := ctx.style
	rn.text = collapse(s)
	if rn.text != "" && ctx.agent != r.cur.speaking().agent {
		// Text spoken by another agent is that agent's own turn.
		if r.cur.agent == "" {
			r.cur.agent = ctx.agent
		}
		r.cur.spans = append(r.cur.spans, ttmlSpan{agent: ctx.agent, lines: [][]run{nil}})
	}
	if rn.text == "" {
		rn.text = " "
	} else if startsSpace(s) {
		rn.text = " " + rn.text
	}
	if len(s) > 0 && endsSpace(s) && rn.text != " " {
		rn.text += " "
	}
	sp := r.cur.speaking()
	last := len(sp.lines) - 1
	sp.lines[last] = append(sp.lines[last], rn)
}

// agentName resolves a ttm:agent reference to the agent's ttm:name, or the
// reference itself when the file declares no name for it.
func (r *ttmlReader) agentName(id string) string {
	if n, ok := r.agents[id]; ok && n != "" {
		return n
	}
	return id
}

func (r *ttmlReader) styleOf(t xml.StartElement, base run) run {
	for _, id := range strings.Fields(attr(t, "style")) {
		s := r.styles[id]
		base.b, base.i, base.u = base.b || s.b, base.i || s.i, base.u || s.u
	}
	return base
}

// inlineStyle applies tts:fontWeight, tts:fontStyle and tts:textDecoration.
func inlineStyle(t xml.StartElement, base run) run {
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "fontWeight":
			base.b = a.Value == "bold"
		case "fontStyle":
			base.i = a.Value == "italic" || a.Value == "oblique"
		case "textDecoration":
			if strings.Contains(a.Value, "noUnderline") {
				base.u = false
			} else if strings.Contains(a.Value, "underline") {
				base.u = true
			}
		}
	}
	return base
}

func readRates(t xml.StartElement) ttmlRates {
	rates := ttmlRates{frame: 30, subFrame: 1, tick: 1}
	if f, err := strconv.ParseFloat(attr(t, "frameRate"), 64); err == nil && f > 0 {
		rates.frame = f
		rates.tick = f
	}
	if num, den, ok := strings.Cut(attr(t, "frameRateMultiplier"), " "); ok {
		n, err1 := strconv.ParseFloat(num, 64)
		d, err2 := strconv.ParseFloat(den, 64)
		if err1 == nil && err2 == nil && n > 0 && d > 0 {
			rates.frame *= n / d
		}
	}
	if f, err := strconv.ParseFloat(attr(t, "subFrameRate"), 64); err == nil && f > 0 {
		rates.subFrame = f
	}
	if f, err := strconv.ParseFloat(attr(t, "tickRate"), 64); err == nil && f > 0 {
		rates.tick = f
	}
	return rates
}

// parseTTMLTime reads a TTML time expression: clock time (hh:mm:ss,
// hh:mm:ss.fraction, hh:mm:ss:frames[.subframes]) or offset time (a number
// and one of h, m, s, ms, f, t).
func parseTTMLTime(s string, rates ttmlRates) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	for _, unit := range []string{"ms", "h", "m", "s", "f", "t"} {
		num, ok := strings.CutSuffix(s, unit)
		if !ok || num == "" || strings.ContainsAny(num, ":") {
			continue
		}
		v, err := strconv.ParseFloat(num, 64)
		secs := offsetSeconds(v, unit, rates)
		if err != nil || v < 0 || secs > 1e6 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 3:
		if clock, frac, ok := strings.Cut(s, "."); ok && len(frac) > 3 {
			s = clock + "." + frac[:3] // TTML allows any precision; we keep ms
		}
		return parseClock(s)
	case 4:
		base, ok := parseClock(strings.Join(parts[:3], ":"))
		frames, sub, _ := strings.Cut(parts[3], ".")
		f, ok2 := digits(frames, 4)
		if !ok || !ok2 {
			return 0, false
		}
		fv := float64(f)
		if sub != "" {
			sf, ok3 := digits(sub, 4)
			if !ok3 {
				return 0, false
			}
			fv += float64(sf) / rates.subFrame
		}
		return base + time.Duration(fv/rates.frame*float64(time.Second)), true
	}
	return 0, false
}

func offsetSeconds(v float64, unit string, rates ttmlRates) float64 {
	switch unit {
	case "h":
		return v * 3600
	case "m":
		return v * 60
	case "ms":
		return v / 1000
	case "f":
		return v / rates.frame
	case "t":
		return v / rates.tick
	}
	return v
}

func attr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func firstField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// collapse applies XML's default whitespace handling: runs of spaces, tabs
// and newlines become one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

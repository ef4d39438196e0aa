package archive

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Search limits.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
)

// Search finds moments. The index holds only what viewers may see, so
// everyone gets the same answers. An unreachable index answers
// ErrUnavailable; watching keeps working meanwhile.
func (s *Service) Search(ctx context.Context, who Principal, q SearchQuery) (SearchResult, error) {
	if err := normalizeQuery(&q, s.query); err != nil {
		return SearchResult{}, err
	}
	res, err := s.index.Search(ctx, q)
	if err != nil {
		if errors.Is(err, ErrInvalid) {
			return SearchResult{}, fmt.Errorf("archive: search: %w", err)
		}
		return SearchResult{}, &Error{Kind: ErrUnavailable, Where: "archive: search", Message: "search is unavailable, try again shortly", Err: err}
	}
	if res.Hits == nil {
		res.Hits = []Hit{}
	}
	for i := range res.Hits {
		res.Hits[i].URL = WatchURL(res.Hits[i].RecordingID, res.Hits[i].StartMS, res.Hits[i].Lang)
	}
	return res, nil
}

// normalizeQuery checks q against the limits before anything else looks
// at it, so an oversized query costs one pass over its text.
func normalizeQuery(q *SearchQuery, lim QueryLimits) error {
	q.Text = strings.TrimSpace(q.Text)
	if err := lim.Check(q.Text); err != nil {
		return err
	}
	if err := checkRest(*q); err != nil {
		return err
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 {
		q.PerPage = DefaultPerPage
	}
	if q.PerPage > MaxPerPage {
		q.PerPage = MaxPerPage
	}
	for i, l := range q.Langs {
		c, err := canonicalLang(l)
		if err != nil {
			return fmt.Errorf("archive: search: %w", err)
		}
		q.Langs[i] = c
	}
	for _, d := range []string{q.DateFrom, q.DateTo} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			return fmtErr("search", "", ErrInvalid, fmt.Sprintf("date %q is not YYYY-MM-DD", d))
		}
	}
	if err := validProvenance(q.Kind, ""); err != nil {
		return fmt.Errorf("archive: search: %w", err)
	}
	return nil
}

// WatchURL is the page that plays a recording at a moment in a language:
// /watch/<id>?t=<seconds>&lang=<lang>.
func WatchURL(id string, startMS int64, lang string) string {
	u := "/watch/" + url.PathEscape(id) + "?t=" + strconv.FormatFloat(float64(startMS)/1000, 'f', -1, 64)
	if lang != "" {
		u += "&lang=" + url.QueryEscape(lang)
	}
	return u
}

// Check is the state of one dependency.
type Check struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

type pinger interface {
	Ping(ctx context.Context) error
}

// Ready checks storage and index. Storage is pinged when the store can be;
// otherwise a listing proves it answers.
func (s *Service) Ready(ctx context.Context) []Check {
	storage := Check{Name: "storage", OK: true}
	var err error
	if p, ok := s.blobs.(pinger); ok {
		err = p.Ping(ctx)
	} else {
		_, err = s.blobs.List(ctx, "accounts/")
	}
	if err != nil {
		storage = Check{Name: "storage", Error: err.Error()}
	}
	index := Check{Name: "index", OK: true}
	if err := s.index.Ping(ctx); err != nil {
		index = Check{Name: "index", Error: err.Error()}
	}
	return []Check{storage, index}
}

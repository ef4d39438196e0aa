package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// Session cookies. Over TLS (or behind a trusted proxy that says https)
// the cookie is __Host- prefixed, Secure, host-only and Path=/, so no
// subdomain or plain-http page can plant or read it. Over plain http (a
// laptop on localhost) browsers refuse __Host- cookies, so a plain name
// is used; the server reads only the name that fits the connection.
const (
	sessionCookieTLS   = "__Host-verbatim_session"
	sessionCookiePlain = "verbatim_session"
	csrfCookieTLS      = "__Host-verbatim_csrf"
	csrfCookiePlain    = "verbatim_csrf"
	sessionCtxKey      = "verbatim.session"
)

// sessionKeys signs and verifies session cookies with HMAC-SHA256. The
// first key signs; every key verifies, so an operator rotates by putting
// a new key first and dropping the old one a session lifetime later.
// Without configured keys the one kept in storage is used, so every
// instance on one store accepts every other's sessions.
type sessionKeys struct {
	svc        *archive.Service
	configured [][]byte

	mu     sync.Mutex
	stored []byte
}

func (k *sessionKeys) keys(ctx context.Context) ([][]byte, error) {
	if len(k.configured) > 0 {
		return k.configured, nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stored == nil {
		key, err := k.svc.SessionKey(ctx)
		if err != nil {
			return nil, err
		}
		k.stored = key
	}
	return [][]byte{k.stored}, nil
}

// cookieSession is what a verified cookie says.
type cookieSession struct {
	archive.Session
	Nonce   string // random per sign-in; CSRF tokens derive from it
	Expires time.Time
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return m.Sum(nil)
}

var b64 = base64.RawURLEncoding

// encodeSession is base64url("v1|name|epoch|expires|nonce") "." base64url(mac).
func encodeSession(key []byte, cs cookieSession) string {
	payload := b64.EncodeToString([]byte(strings.Join([]string{
		"v1", cs.Name, strconv.FormatInt(cs.Epoch, 10), strconv.FormatInt(cs.Expires.Unix(), 10), cs.Nonce,
	}, "|")))
	return payload + "." + b64.EncodeToString(mac(key, "session", payload))
}

var errBadSession = errors.New("server: session cookie does not verify")

func decodeSession(keys [][]byte, value string, now time.Time) (cookieSession, error) {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok || len(value) > 512 {
		return cookieSession{}, errBadSession
	}
	got, err := b64.DecodeString(sig)
	if err != nil {
		return cookieSession{}, errBadSession
	}
	valid := false
	for _, k := range keys {
		valid = valid || hmac.Equal(got, mac(k, "session", payload))
	}
	if !valid {
		return cookieSession{}, errBadSession
	}
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return cookieSession{}, errBadSession
	}
	f := strings.Split(string(raw), "|")
	if len(f) != 5 || f[0] != "v1" {
		return cookieSession{}, errBadSession
	}
	epoch, err1 := strconv.ParseInt(f[2], 10, 64)
	exp, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		return cookieSession{}, errBadSession
	}
	cs := cookieSession{Session: archive.Session{Name: f[1], Epoch: epoch}, Expires: time.Unix(exp, 0), Nonce: f[4]}
	if !now.Before(cs.Expires) {
		return cookieSession{}, fmt.Errorf("server: session expired at %s: %w", cs.Expires.UTC(), errBadSession)
	}
	return cs, nil
}

// secure reports whether the client reached us over TLS: directly, or
// through a trusted proxy that says so in X-Forwarded-Proto. Echo's own
// Scheme() believes that header from anyone, which would let a plain-http
// client pick the cookie name.
func (s *Server) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !strings.EqualFold(r.Header.Get(echo.HeaderXForwardedProto), "https") {
		return false
	}
	return s.fromTrustedProxy(r)
}

func (s *Server) sessionCookieName(r *http.Request) string {
	if s.secure(r) {
		return sessionCookieTLS
	}
	return sessionCookiePlain
}

func (s *Server) csrfCookieName(r *http.Request) string {
	if s.secure(r) {
		return csrfCookieTLS
	}
	return csrfCookiePlain
}

// cookie builds a cookie with the attributes every one of ours has.
func (s *Server) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	}
}

// sessionPrincipal implements sessionReader: a cookie that verifies, has
// not expired and whose account still has that session epoch. Anything
// else is an anonymous viewer (the cookie is dropped).
func (s *Server) sessionPrincipal(c echo.Context) (archive.Principal, bool, error) {
	r := c.Request()
	ck, err := r.Cookie(s.sessionCookieName(r))
	if err != nil || ck.Value == "" {
		return archive.Principal{}, false, nil
	}
	keys, err := s.sessKeys.keys(r.Context())
	if err != nil {
		return archive.Principal{}, false, err
	}
	cs, err := decodeSession(keys, ck.Value, s.now())
	if err != nil {
		c.SetCookie(s.cookie(r, ck.Name, "", -1))
		return archive.Principal{}, false, nil
	}
	p, err := s.svc.SessionPrincipal(r.Context(), cs.Session)
	if errors.Is(err, archive.ErrUnauthorized) {
		c.SetCookie(s.cookie(r, ck.Name, "", -1))
		return archive.Principal{}, false, nil
	}
	if err != nil {
		return archive.Principal{}, false, err
	}
	c.Set(sessionCtxKey, cs)
	return p, true, nil
}

// startSession signs a new session for the account and sets its cookie.
func (s *Server) startSession(c echo.Context, sess archive.Session) error {
	r := c.Request()
	keys, err := s.sessKeys.keys(r.Context())
	if err != nil {
		return err
	}
	cs := cookieSession{Session: sess, Nonce: randomToken(), Expires: s.now().Add(s.opts.SessionTTL)}
	c.SetCookie(s.cookie(r, s.sessionCookieName(r), encodeSession(keys[0], cs), int(s.opts.SessionTTL/time.Second)))
	c.Set(sessionCtxKey, cs)
	return nil
}

func (s *Server) endSessionCookie(c echo.Context) {
	r := c.Request()
	c.SetCookie(s.cookie(r, s.sessionCookieName(r), "", -1))
}

// currentSession is the verified session of this request, if any.
func currentSession(c echo.Context) (cookieSession, bool) {
	cs, ok := c.Get(sessionCtxKey).(cookieSession)
	return cs, ok
}

func randomToken() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return b64.EncodeToString(b[:])
}

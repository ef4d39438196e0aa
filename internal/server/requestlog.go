package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routeOf is the request's route template ("/watch/:id"), never the path a
// client sent, so logs and metrics name routes, not recordings or queries.
func routeOf(c echo.Context) string {
	if p := c.Path(); p != "" {
		return p
	}
	return "unmatched"
}

const (
	headerRequestID = "X-Request-Id"
	requestIDKey    = "verbatim.requestid"
)

// requestID gives every request an id: the X-Request-Id a trusted proxy
// sent (so one id follows the request through the proxy's logs and ours),
// or a fresh random one. It is returned in the X-Request-Id response
// header and in JSON error bodies, and logged with the request.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(headerRequestID)
		if !validRequestID(id) || !s.fromTrustedProxy(c.Request()) {
			var b [12]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(requestIDKey, id)
		c.Response().Header().Set(headerRequestID, id)
		return next(c)
	}
}

// validRequestID accepts what proxies generate (UUIDs, hex, base64url)
// and nothing that could forge log lines.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:+/=", r)
		if !ok {
			return false
		}
	}
	return true
}

// requestIDOf is the id requestID chose ("" outside a request).
func requestIDOf(c echo.Context) string {
	id, _ := c.Get(requestIDKey).(string)
	return id
}

// fromTrustedProxy reports whether the peer is one of the configured
// proxies (VERBATIM_TRUSTED_PROXIES), whose headers are believed.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil {
		return false
	}
	for _, n := range s.proxies {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// clientAttrs are the log attributes that say who asked and what for: the
// client's address and the query string. They are only logged when the
// operator turned that on (VERBATIM_LOG_CLIENTS=1).
func (s *Server) clientAttrs(c echo.Context) []slog.Attr {
	if !s.opts.LogClients {
		return nil
	}
	return []slog.Attr{slog.String("ip", c.RealIP()), slog.String("query", c.Request().URL.RawQuery)}
}

// requestLogger logs every request once, with the status the error
// handler chose: method, route template (not the path: no recording ids,
// no query strings), status, duration, bytes and request id. Health checks
// are logged at DEBUG.
func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogStatus: true, LogLatency: true, LogResponseSize: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			route := routeOf(c)
			level := slog.LevelInfo
			if route == "/healthz" || route == "/readyz" || route == "/metrics" {
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{
				slog.String("method", v.Method), slog.String("route", route), slog.Int("status", v.Status),
				slog.Duration("duration", v.Latency), slog.Int64("bytes", v.ResponseSize),
				slog.String("request_id", requestIDOf(c)),
			}
			s.log.LogAttrs(context.WithoutCancel(c.Request().Context()), level, "request", append(attrs, s.clientAttrs(c)...)...)
			return nil
		},
	})
}

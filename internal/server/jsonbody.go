package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/verbatim-archive/verbatim/internal/archive"
)

// maxJSON is the largest JSON body any handler accepts (413 beyond).
const maxJSON = 1 << 20

// decodeJSON is the one way a handler reads a JSON body, and it is strict:
// the Content-Type must be application/json (parameters such as
// charset=utf-8 allowed; a missing or other type is a 415, so a cross-site
// form or no-cors post is never taken for JSON), the body at most maxJSON
// bytes (413), one value with nothing after it, no key twice in an object
// and no field the target does not know (400, naming what is wrong).
func decodeJSON(c echo.Context, v any) error {
	if err := checkJSONType(c.Request().Header.Get(echo.HeaderContentType)); err != nil {
		return err
	}
	if c.Request().ContentLength > maxJSON {
		return archive.NewError(archive.ErrTooLarge, "the JSON body is larger than %d bytes", maxJSON)
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxJSON))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return archive.NewError(archive.ErrTooLarge, "the JSON body is larger than %d bytes", maxJSON)
	}
	if err != nil {
		return fmt.Errorf("server: read JSON body: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return archive.NewError(archive.ErrInvalid, "the body is empty: send a JSON object")
	}
	if err := checkJSONKeys(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return archive.NewError(archive.ErrInvalid, "JSON body: %s", jsonProblem(err))
	}
	return nil
}

// checkJSONType accepts application/json in any case, with parameters;
// only UTF-8 is JSON (RFC 8259), so another charset is refused too.
func checkJSONType(ct string) error {
	if strings.TrimSpace(ct) == "" {
		return archive.NewError(archive.ErrUnsupported, "a JSON body needs Content-Type: application/json")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != echo.MIMEApplicationJSON {
		return archive.NewError(archive.ErrUnsupported, "the body must be application/json, not %q", ct)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return archive.NewError(archive.ErrUnsupported, "a JSON body is UTF-8, not charset %q", cs)
	}
	return nil
}

// checkJSONKeys walks the tokens of one JSON value: it must be well formed,
// alone in the body, and no object may hold a key twice. encoding/json
// would keep the last of two keys and match keys without regard to case,
// so "title" and "Title" count as the same key.
func checkJSONKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := walkJSON(dec); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return archive.NewError(archive.ErrInvalid, "JSON body: something follows the value at byte %d", dec.InputOffset())
	}
	return nil
}

// walkJSON reads one value from dec; objects are checked for repeated keys.
func walkJSON(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return archive.NewError(archive.ErrInvalid, "JSON body: %s", jsonProblem(err))
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]string{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return archive.NewError(archive.ErrInvalid, "JSON body: %s", jsonProblem(err))
			}
			key, _ := kt.(string)
			if first, dup := seen[strings.ToLower(key)]; dup {
				if first == key {
					return archive.NewError(archive.ErrInvalid, "JSON body: key %q appears twice", key)
				}
				return archive.NewError(archive.ErrInvalid, "JSON body: keys %q and %q are the same field", first, key)
			}
			seen[strings.ToLower(key)] = key
			if err := walkJSON(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
	case json.Delim('['):
		for dec.More() {
			if err := walkJSON(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
	}
	if err != nil {
		return archive.NewError(archive.ErrInvalid, "JSON body: %s", jsonProblem(err))
	}
	return nil
}

// jsonProblem words a decoding error for the client (encoding/json's
// messages name the field or byte; they hold only what the client sent).
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q must be %s, not a JSON %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("the body must be %s, not a JSON %s", te.Type, te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

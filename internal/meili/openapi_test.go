package meili

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The fake Meilisearch (fake_test.go) checks every request the adapter
// sends against Meilisearch's published OpenAPI description (v1.53.0,
// ../shared/meilisearch/), named by VERBATIM_MEILI_OPENAPI: the path and
// method must be an operation of the API, every query parameter one of
// the operation's, and the body valid against its schema. The spec's
// object schemas are closed first (no property beyond those listed), as
// the server's own types reject unknown fields: a misspelt field fails.

// specOp is one operation of the API, ready to check requests.
type specOp struct {
	method, template string
	re               *regexp.Regexp
	query            map[string]map[string]any // parameter name → its schema
	body             *jsonschema.Schema        // nil: the operation takes no body
}

// specValidator holds the API's operations.
type specValidator struct{ ops []specOp }

var (
	specOnce sync.Once
	spec     *specValidator
	specErr  error
)

// openAPISpec returns the validator, nil when VERBATIM_MEILI_OPENAPI is not
// set. A relative path is taken from the repository root, as .ci/run sets it.
func openAPISpec() (*specValidator, error) {
	specOnce.Do(func() {
		p := os.Getenv("VERBATIM_MEILI_OPENAPI")
		if p == "" {
			return
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join("..", "..", p) // tests run in internal/meili
		}
		spec, specErr = loadSpec(p)
	})
	return spec, specErr
}

func loadSpec(path string) (*specValidator, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("openapi: %s: %w", path, err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi: %s is not an object", path)
	}
	closeSchemas(root, false)
	const base = "file:///meilisearch-openapi.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(base, root); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	paths, _ := root["paths"].(map[string]any)
	v := &specValidator{}
	templates := make([]string, 0, len(paths))
	for p := range paths {
		templates = append(templates, p)
	}
	sort.Strings(templates)
	for _, tmpl := range templates {
		item := paths[tmpl].(map[string]any)
		for method, o := range item {
			opObj, ok := o.(map[string]any)
			if !ok {
				continue
			}
			op := specOp{method: strings.ToUpper(method), template: tmpl, re: templateRE(tmpl), query: map[string]map[string]any{}}
			params, _ := opObj["parameters"].([]any)
			for _, pa := range params {
				pm, _ := pa.(map[string]any)
				if pm["in"] == "query" {
					sch, _ := pm["schema"].(map[string]any)
					op.query[pm["name"].(string)] = sch
				}
			}
			if rb, ok := opObj["requestBody"].(map[string]any); ok {
				if content, ok := rb["content"].(map[string]any); ok {
					if _, ok := content["application/json"]; ok {
						ptr := "/paths/" + escapePointer(tmpl) + "/" + method + "/requestBody/content/application~1json/schema"
						sch, err := c.Compile(base + "#" + (&url.URL{Fragment: ptr}).EscapedFragment())
						if err != nil {
							return nil, fmt.Errorf("openapi: compile %s %s: %w", op.method, tmpl, err)
						}
						op.body = sch
					}
				}
			}
			v.ops = append(v.ops, op)
		}
	}
	return v, nil
}

// closeSchemas sets additionalProperties false on every object schema that
// lists properties and says nothing of others. Members of an allOf are
// left open (each describes part of one object) and their parent is
// closed with unevaluatedProperties, which sees the members' properties.
func closeSchemas(v any, inAllOf bool) {
	switch v := v.(type) {
	case map[string]any:
		_, hasProps := v["properties"]
		_, hasAP := v["additionalProperties"]
		_, hasUP := v["unevaluatedProperties"]
		_, hasAllOf := v["allOf"]
		if hasAllOf && !hasAP && !hasUP && !inAllOf {
			v["unevaluatedProperties"] = false
		} else if hasProps && !hasAP && !hasUP && !inAllOf {
			v["additionalProperties"] = false
		}
		for k, sub := range v {
			if k == "allOf" {
				for _, m := range sub.([]any) {
					closeSchemas(m, true)
				}
				continue
			}
			if k == "properties" || k == "$defs" || k == "schemas" {
				// maps of name → schema: each schema stands alone
				if m, ok := sub.(map[string]any); ok {
					for _, s := range m {
						closeSchemas(s, false)
					}
					continue
				}
			}
			closeSchemas(sub, false)
		}
	case []any:
		for _, sub := range v {
			closeSchemas(sub, false)
		}
	}
}

func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

var paramRE = regexp.MustCompile(`\{[^}]+\}`)

func templateRE(tmpl string) *regexp.Regexp {
	parts := paramRE.Split(tmpl, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, "[^/]+") + "$")
}

// check reports what is wrong with the request, nil when the API accepts
// its shape. Literal paths win over templated ones (/indexes/x/documents/
// delete is not the document "delete").
func (v *specValidator) check(method, rawURL string, body []byte) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	var op *specOp
	for i := range v.ops {
		o := &v.ops[i]
		if o.method != method || !o.re.MatchString(u.Path) {
			continue
		}
		if op == nil || strings.Count(o.template, "{") < strings.Count(op.template, "{") {
			op = o
		}
	}
	if op == nil {
		return fmt.Errorf("%s %s is not an operation of the API", method, u.Path)
	}
	for name, vals := range u.Query() {
		sch, ok := op.query[name]
		if !ok {
			return fmt.Errorf("%s %s: query parameter %q is not one of the operation's", method, op.template, name)
		}
		for _, val := range vals {
			if err := checkScalar(sch, val); err != nil {
				return fmt.Errorf("%s %s: query parameter %s=%q: %v", method, op.template, name, val, err)
			}
		}
	}
	switch {
	case op.body == nil && len(body) > 0:
		return fmt.Errorf("%s %s takes no JSON body; got %s", method, op.template, body)
	case op.body == nil:
		return nil
	case len(body) == 0:
		return fmt.Errorf("%s %s needs a JSON body", method, op.template)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s: body is not JSON: %v", method, op.template, err)
	}
	if err := op.body.Validate(doc); err != nil {
		return fmt.Errorf("%s %s: body %s: %v", method, op.template, body, err)
	}
	return nil
}

// checkScalar checks a query value against a scalar schema type.
func checkScalar(sch map[string]any, val string) error {
	types := []string{}
	switch t := sch["type"].(type) {
	case string:
		types = append(types, t)
	case []any:
		for _, x := range t {
			types = append(types, fmt.Sprint(x))
		}
	}
	if len(types) == 0 {
		return nil
	}
	for _, t := range types {
		switch t {
		case "string", "array", "null":
			return nil
		case "integer":
			if _, err := strconv.ParseInt(val, 10, 64); err == nil {
				return nil
			}
		case "boolean":
			if val == "true" || val == "false" {
				return nil
			}
		case "number":
			if _, err := strconv.ParseFloat(val, 64); err == nil {
				return nil
			}
		}
	}
	return fmt.Errorf("not a %s", strings.Join(types, " or "))
}

func requireSpec(t *testing.T) *specValidator {
	t.Helper()
	v, err := openAPISpec()
	if err != nil {
		t.Fatalf("load the OpenAPI description: %v", err)
	}
	if v == nil {
		t.Skip("set VERBATIM_MEILI_OPENAPI to Meilisearch's OpenAPI description (.ci/run sets ../shared/meilisearch/meilisearch-openapi-1.53.0.json) to validate the adapter's requests")
	}
	return v
}

// TestOpenAPIValidator shows that the validator fails what the server
// rejects: a misspelt field, a field of the wrong type, an unknown query
// parameter or route, while the correct request passes.
func TestOpenAPIValidator(t *testing.T) {
	v := requireSpec(t)
	for _, c := range []struct {
		method, url, body string
		ok                bool
	}{
		{"POST", "/indexes/verbatim/search", `{"q":"x","page":1,"hitsPerPage":20,"showMatchesPosition":true}`, true},
		{"POST", "/indexes/verbatim/search", `{"q":"x","hitsPerPgae":20}`, false},
		{"POST", "/indexes/verbatim/search", `{"q":"x","page":"one"}`, false},
		{"PATCH", "/indexes/verbatim/settings", `{"rankingRules":["words"],"typoTolerance":{"enabled":true,"minWordSizeForTypos":{"oneTypo":5}}}`, true},
		{"PATCH", "/indexes/verbatim/settings", `{"typoTolerance":{"enabled":true,"minWordSizeForTypo":{"oneTypo":5}}}`, false},
		{"POST", "/indexes", `{"uid":"verbatim","primaryKey":"id"}`, true},
		{"POST", "/indexes", `{"uid":"verbatim","primary_key":"id"}`, false},
		{"POST", "/indexes/verbatim/documents?primaryKey=id", `[{"id":"a"}]`, true},
		{"POST", "/indexes/verbatim/documents?primarykey=id", `[{"id":"a"}]`, false},
		{"POST", "/swap-indexes", `[{"indexes":["a","b"]}]`, true},
		{"POST", "/swap-indexes", `[{"indexes":["a","b"],"renam":true}]`, false},
		{"GET", "/tasks/12", "", true},
		{"GET", "/tasks/twelve/x", "", false},
	} {
		err := v.check(c.method, c.url, []byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("check(%s %s %s) = %v; want ok=%v", c.method, c.url, c.body, err, c.ok)
		}
	}
}

// The application key that docker-compose's meili-key service creates
// (deploy/meili-key.json) is a valid POST /keys body.
func TestOpenAPIComposeKey(t *testing.T) {
	v := requireSpec(t)
	raw, err := os.ReadFile("../../deploy/meili-key.json")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.NewReplacer("@UID@", "6062abda-a5aa-4414-ac91-ecd7944c0f8d", "@INDEX@", "verbatim").Replace(string(raw))
	if err := v.check("POST", "/keys", []byte(body)); err != nil {
		t.Errorf("deploy/meili-key.json: %v", err)
	}
}

// validated records which operations the package's tests sent, so that
// TestOpenAPICoverage can show that every operation the adapter uses was
// checked.
var validated sync.Map // "METHOD template" → true

func (v *specValidator) record(method, rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return
	}
	var best *specOp
	for i := range v.ops {
		o := &v.ops[i]
		if o.method == method && o.re.MatchString(u.Path) && (best == nil || strings.Count(o.template, "{") < strings.Count(best.template, "{")) {
			best = o
		}
	}
	if best != nil {
		validated.Store(method+" "+best.template, true)
	}
}

// specOK marshals v and validates it as the body of method path; for
// tests that build request bodies.
func specOK(t *testing.T, method, path string, v any) {
	t.Helper()
	sv := requireSpec(t)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := sv.check(method, path, b); err != nil {
		t.Error(err)
	}
}

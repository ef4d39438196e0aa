// Command gen writes the JSON schemas kubeconform checks the manifests in
// deploy/kubernetes against, from the OpenAPI (v2) document of one
// Kubernetes release, in the shape kubeconform's own schemas have
// (standalone and strict, as openapi2jsonschema --stand-alone --strict
// makes them): every $ref inlined, objects closed with
// additionalProperties: false, int-or-string and quantities accepting a
// string or a number. Descriptions are dropped to keep them small.
//
// The schemas are committed: CI has no network beyond the Go module proxy.
// Regenerate them (for Kubernetes v1.34.2) with
//
//	go mod download k8s.io/kubernetes@v1.34.2
//	go run ./deploy/kubernetes/schemas/gen \
//	  -swagger "$(go env GOMODCACHE)/k8s.io/kubernetes@v1.34.2/api/openapi-spec/swagger.json" \
//	  -out deploy/kubernetes/schemas
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

// kinds are the definitions the manifests use, and their file names as
// kubeconform looks them up ({{.ResourceKind}}{{.KindSuffix}}.json).
var kinds = map[string]string{
	"io.k8s.api.core.v1.ConfigMap":                      "configmap-v1",
	"io.k8s.api.core.v1.Secret":                         "secret-v1",
	"io.k8s.api.core.v1.Service":                        "service-v1",
	"io.k8s.api.core.v1.PersistentVolumeClaim":          "persistentvolumeclaim-v1",
	"io.k8s.api.apps.v1.Deployment":                     "deployment-apps-v1",
	"io.k8s.api.policy.v1.PodDisruptionBudget":          "poddisruptionbudget-policy-v1",
	"io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler": "horizontalpodautoscaler-autoscaling-v2",
	"io.k8s.api.networking.v1.Ingress":                  "ingress-networking-v1",
}

func main() {
	swagger := flag.String("swagger", "", "Kubernetes OpenAPI v2 `file` (api/openapi-spec/swagger.json)")
	out := flag.String("out", "deploy/kubernetes/schemas", "output `directory`")
	flag.Parse()
	data, err := os.ReadFile(*swagger)
	if err != nil {
		log.Fatal(err)
	}
	var doc struct {
		Definitions map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		log.Fatal(err)
	}
	for def, name := range kinds {
		d, ok := doc.Definitions[def]
		if !ok {
			log.Fatalf("%s: no such definition", def)
		}
		s := inline(d, doc.Definitions, nil)
		s.(map[string]any)["$schema"] = "http://json-schema.org/schema#"
		b, err := json.MarshalIndent(s, "", " ")
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*out, name+".json"), append(b, '\n'), 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s.json: %s, %d bytes\n", name, def, len(b))
	}
}

// inline resolves $refs (seen guards against recursive definitions,
// which the kinds above do not reach: JSONSchemaProps is not among them)
// and closes objects.
func inline(v any, defs map[string]any, seen []string) any {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/definitions/")
			for _, s := range seen {
				if s == name {
					return map[string]any{} // recursion: accept anything
				}
			}
			switch name {
			case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
				return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
			case "io.k8s.apimachinery.pkg.api.resource.Quantity":
				return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
			}
			return inline(defs[name], defs, append(seen, name))
		}
		m := map[string]any{}
		for k, x := range v {
			if k == "description" || strings.HasPrefix(k, "x-kubernetes-") {
				continue
			}
			if k == "properties" {
				props := map[string]any{}
				for p, s := range x.(map[string]any) {
					props[p] = inline(s, defs, seen)
				}
				m[k] = props
				continue
			}
			m[k] = inline(x, defs, seen)
		}
		if _, ok := m["properties"]; ok {
			if _, set := m["additionalProperties"]; !set {
				m["additionalProperties"] = false
			}
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = inline(x, defs, seen)
		}
		return out
	}
	return v
}

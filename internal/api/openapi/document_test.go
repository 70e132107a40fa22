package openapi_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi/datamodel"

	"github.com/rosterhq/roster/internal/api/openapi"
)

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	doc, err := libopenapi.NewDocument(openapi.Document())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	info := doc.GetSpecInfo()
	if info.SpecFormat != datamodel.OAS31 || info.Version != "3.1.0" {
		t.Fatalf("got format %q version %q, want OpenAPI 3.1.0", info.SpecFormat, info.Version)
	}
	if _, err := doc.BuildV3Model(); err != nil {
		t.Fatalf("build the model (bad $ref?): %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("build the validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		t.Fatalf("the document breaks the OpenAPI 3.1 schema:\n%s", describe(verrs))
	}
}

// TestSeedExampleIsTheRequestExample: the create operation's example is
// seed 000's own example request.
func TestSeedExampleIsTheRequestExample(t *testing.T) {
	var doc struct {
		Components struct {
			RequestBodies map[string]struct {
				Content map[string]struct {
					Examples map[string]struct {
						Value any `json:"value"`
					} `json:"examples"`
				} `json:"content"`
			} `json:"requestBodies"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapi.Document(), &doc); err != nil {
		t.Fatal(err)
	}
	got := doc.Components.RequestBodies["CreateUser"].Content["application/json"].Examples["seed000"].Value
	var want any
	if err := json.Unmarshal([]byte(seedFixture(t, "seed000_create.json")), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the create example is %v, want seed 000's example request %v", got, want)
	}
}

// notOperations are routes that are not API operations, so not in the
// document: the reference page and its assets.
var notOperations = []string{
	"GET /docs",
	"GET /docs/redoc.standalone.js",
	"GET /docs/redoc.standalone.js.LICENSE.txt",
}

// routePattern is a ServeMux pattern with a method.
var routePattern = regexp.MustCompile(`^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (/\S*)$`)

// registeredRoutes returns every route pattern written as a string literal
// in internal/api's non-test Go files, as "METHOD /path" with wildcards in
// OpenAPI's form ({name...} becomes {name}).
func registeredRoutes(t *testing.T) map[string][]string {
	t.Helper()
	routes := map[string][]string{} // route -> files
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			m := routePattern.FindStringSubmatch(s)
			if m == nil {
				return true
			}
			route := m[1] + " " + strings.ReplaceAll(m[2], "...}", "}")
			routes[route] = append(routes[route], path)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return routes
}

// TestEveryRouteIsDocumented: each route pattern registered in internal/api
// is a documented operation (or the reference page), and each documented
// operation is a registered route.
func TestEveryRouteIsDocumented(t *testing.T) {
	c := newContract(t)
	documented := operations(c.model)
	routes := registeredRoutes(t)
	if len(routes) == 0 {
		t.Fatal("found no route patterns under internal/api: the scan is broken")
	}
	for route, files := range routes {
		if strings.HasSuffix(route, "/") {
			t.Errorf("%s (in %v) is a subtree pattern: describe its routes in openapi.json or list it in notOperations", route, files)
			continue
		}
		if !slices.Contains(documented, route) && !slices.Contains(notOperations, route) {
			t.Errorf("%s (in %v) is served but not in openapi.json: describe it there", route, files)
		}
	}
	for _, op := range documented {
		if _, ok := routes[op]; !ok {
			t.Errorf("openapi.json describes %s, but no route pattern in internal/api registers it", op)
		}
	}
	for _, r := range notOperations {
		if _, ok := routes[r]; !ok {
			t.Errorf("notOperations lists %s, which is no longer registered: remove it", r)
		}
	}
}

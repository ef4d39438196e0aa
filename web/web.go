// Package web holds the viewer pages' templates, static assets and the
// interface's message catalogs, embedded in the binary so that one file is
// the whole program.
package web

import (
	"embed"
	"io/fs"
)

//go:embed templates/*.html static i18n/*.json
var files embed.FS

// Templates returns the html/template sources (*.html).
func Templates() fs.FS { return sub("templates") }

// Static returns the assets served under /static/ (CSS, JavaScript, icons).
func Static() fs.FS { return sub("static") }

// Catalogs returns the message catalogs, one <lang>.json per interface
// language.
func Catalogs() fs.FS { return sub("i18n") }

// sub cannot fail for a directory embedded above; fs.Sub only rejects
// invalid names.
func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		return files
	}
	return f
}

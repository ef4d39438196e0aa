// Package deploy holds the container files (Dockerfiles, docker-compose's
// helper scripts) and, as its only Go, the test that checks
// docker-compose.yml's promises: the application never gets Meilisearch's
// master key, and the images are pinned.
package deploy

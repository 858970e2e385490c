package pg

import (
	"embed"
	"fmt"
	"io/fs"
)

// SubFS returns the tree at dir in fsys, for a service's embedded migrations
// directory. It panics only when dir is not a valid path, a mistake in the program,
// since an embed.FS is fixed at build time.
func SubFS(fsys embed.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("pg: embedded %s: %v", dir, err))
	}
	return sub
}

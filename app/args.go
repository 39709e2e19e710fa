package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseInts reads a comma-separated list of whole numbers ("1,2").
func parseInts(s string) ([]int, error) {
	out := []int{}
	for _, p := range splitList(s) {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", p)
		}
		out = append(out, n)
	}
	return out, nil
}

// parsePairs reads model pairs written "a:b", from the window or the command line.
func parsePairs(pairs []string) ([][2]string, error) {
	out := [][2]string{}
	for _, p := range pairs {
		a, b, ok := strings.Cut(p, ":")
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if !ok || a == "" || b == "" {
			return nil, fmt.Errorf("pair %q is not MODEL:MODEL", p)
		}
		out = append(out, [2]string{a, b})
	}
	return out, nil
}

// writeFileAtomic writes a file that appears only when complete: fill
// writes beside it, then the file is renamed into place.
func writeFileAtomic(path string, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeOut writes to w when path is "" or "-", else atomically to the file.
func writeOut(w io.Writer, path string, fill func(io.Writer) error) error {
	if path == "" || path == "-" {
		return fill(w)
	}
	return writeFileAtomic(path, fill)
}

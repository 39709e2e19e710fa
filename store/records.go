package store

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// recordError locates a problem in an input file by line and, when known, field.
type recordError struct {
	Line  int
	Field string
	Err   error
}

func (e *recordError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d: field %q: %v", e.Line, e.Field, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

func (e *recordError) Unwrap() error { return e.Err }

func fieldErr(line int, field, format string, args ...any) error {
	return &recordError{Line: line, Field: field, Err: fmt.Errorf(format, args...)}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// recordReader yields the records of a file one at a time, so files are
// streamed and memory stays flat as they grow.
type recordReader interface {
	// Next returns the next record's first line and raw JSON (or, for CSV,
	// a JSON object built from the row); io.EOF at the end.
	Next() (line int, raw []byte, err error)
}

// jsonlReader reads one JSON value per line; blank lines are skipped.
type jsonlReader struct {
	r    *bufio.Reader
	line int
}

func newJSONLReader(r io.Reader) *jsonlReader {
	return &jsonlReader{r: bufio.NewReaderSize(r, 1<<16)}
}

// maxRecordBytes caps one record (a JSONL line, an element of a JSON
// array, a CSV row), so that memory stays flat however a file is laid out:
// a longer record is refused with its line (and, in JSONL, its field)
// rather than read whole.
const maxRecordBytes = 16 << 20

// errRecordTooLong is what a reader stops with at a record over the cap.
var errRecordTooLong = fmt.Errorf("record longer than %d MiB: refused (Concord reads one record at a time into memory)", maxRecordBytes>>20)

// readLine reads a line of at most maxRecordBytes (and what it read of a
// longer one, with errRecordTooLong).
func (j *jsonlReader) readLine() ([]byte, error) {
	var b []byte
	for {
		chunk, err := j.r.ReadSlice('\n')
		if len(b) == 0 && err != bufio.ErrBufferFull {
			return append([]byte(nil), chunk...), err // the common case: one copy
		}
		if len(b)+len(chunk) > cap(b) { // double, as append would not (it grows large slices by a quarter)
			nb := make([]byte, len(b), min(2*cap(b)+len(chunk), maxRecordBytes+len(chunk)))
			copy(nb, b)
			b = nb
		}
		b = append(b, chunk...)
		if len(b) > maxRecordBytes {
			return b[:maxRecordBytes], errRecordTooLong
		}
		if err != bufio.ErrBufferFull {
			return b, err
		}
	}
}

func (j *jsonlReader) Next() (int, []byte, error) {
	for {
		b, err := j.readLine()
		if err == errRecordTooLong {
			j.line++
			return j.line, nil, &recordError{Line: j.line, Field: fieldAt(b), Err: err}
		}
		if len(b) == 0 && err != nil {
			return 0, nil, err
		}
		j.line++
		if j.line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		b = bytes.TrimRight(b, "\r\n")
		if len(bytes.TrimSpace(b)) == 0 {
			if err != nil {
				return 0, nil, err
			}
			continue
		}
		if !utf8.Valid(b) {
			return j.line, nil, &recordError{Line: j.line, Err: fmt.Errorf("invalid UTF-8 at byte %d of the line", invalidAt(b))}
		}
		if !json.Valid(b) {
			var v any
			e := json.Unmarshal(b, &v)
			return j.line, nil, &recordError{Line: j.line, Err: fmt.Errorf("invalid JSON: %v", e)}
		}
		return j.line, b, nil
	}
}

// fieldAt names the top-level field of a JSON object that prefix, the
// object cut short, ends in ("" when it is not in one). It scans without
// decoding, so a cut of any length costs no memory.
func fieldAt(prefix []byte) string {
	depth, key := 0, ""
	for i := 0; i < len(prefix); i++ {
		switch prefix[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			j := i + 1
			for j < len(prefix) && prefix[j] != '"' {
				if prefix[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(prefix) {
				return key // cut inside this string
			}
			if depth == 1 {
				k := j + 1
				for k < len(prefix) && (prefix[k] == ' ' || prefix[k] == '\t' || prefix[k] == '\r' || prefix[k] == '\n') {
					k++
				}
				var s string
				if k < len(prefix) && prefix[k] == ':' && json.Unmarshal(prefix[i:j+1], &s) == nil {
					key = s
				}
			}
			i = j
		}
	}
	return key
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// lineCounter tracks newline offsets of what a reader has delivered, so a
// byte offset can be turned into a line number; it forgets offsets already
// passed, so its memory stays small.
type lineCounter struct {
	r    io.Reader
	off  int64
	nl   []int64
	base int // newlines before nl[0]
	// start is where the record being read began: Read stops with
	// errRecordTooLong when it has delivered maxRecordBytes past it (and a
	// reader's read-ahead).
	start int64
}

// readAhead is how far past a record's start and cap a decoder may have
// read (its buffer grows to the largest record it held).
const readAhead = maxRecordBytes

func (c *lineCounter) Read(p []byte) (int, error) {
	if c.off-c.start > maxRecordBytes+readAhead {
		return 0, errRecordTooLong
	}
	n, err := c.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		c.nl = append(c.nl, c.off+int64(i+j))
		i += j + 1
	}
	c.off += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte offset off; offsets must not decrease.
func (c *lineCounter) lineAt(off int64) int {
	i := 0
	for i < len(c.nl) && c.nl[i] < off {
		i++
	}
	c.base += i
	c.nl = c.nl[i:]
	return c.base + 1
}

// jsonArrayReader streams the elements of a top-level JSON array.
type jsonArrayReader struct {
	lc      *lineCounter
	dec     *json.Decoder
	started bool
}

func newJSONArrayReader(r io.Reader) *jsonArrayReader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	lc := &lineCounter{r: br}
	return &jsonArrayReader{lc: lc, dec: json.NewDecoder(lc)}
}

func (a *jsonArrayReader) Next() (int, []byte, error) {
	if !a.started {
		a.started = true
		tok, err := a.dec.Token()
		if err == io.EOF {
			return 0, nil, io.EOF
		}
		if err != nil {
			return 1, nil, &recordError{Line: a.lc.lineAt(a.dec.InputOffset()), Err: fmt.Errorf("invalid JSON: %v", err)}
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return 1, nil, &recordError{Line: 1, Err: errors.New("want a JSON array of records")}
		}
	}
	if !a.dec.More() {
		if _, err := a.dec.Token(); err != nil {
			return 0, nil, &recordError{Line: a.lc.lineAt(a.dec.InputOffset()), Err: fmt.Errorf("invalid JSON: %v", err)}
		}
		return 0, nil, io.EOF
	}
	start := a.dec.InputOffset()
	a.lc.start = start
	var raw json.RawMessage
	if err := a.dec.Decode(&raw); err != nil {
		if errors.Is(err, errRecordTooLong) {
			return 0, nil, &recordError{Line: a.lc.lineAt(start + 1), Err: err}
		}
		return 0, nil, &recordError{Line: a.lc.lineAt(start + 1), Err: fmt.Errorf("invalid JSON: %v", err)}
	}
	line := a.lc.lineAt(start + int64(len(raw)-len(bytes.TrimLeft(raw, " \t\r\n,"))) + 1)
	if !utf8.Valid(raw) {
		return line, nil, &recordError{Line: line, Err: errors.New("invalid UTF-8")}
	}
	return line, raw, nil
}

// csvReader reads a headed CSV file: row gives a row's cells, and Next turns
// it into a JSON object of strings, keyed by the header.
type csvReader struct {
	r      *csv.Reader
	lc     *lineCounter
	header []string
	keys   [][]byte // the header's names as JSON strings
	buf    []byte
}

func newCSVReader(r io.Reader) (*csvReader, error) {
	br := bufio.NewReaderSize(r, 1<<16) // rows of answers are kilobytes: fewer reads
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	lc := &lineCounter{r: br}
	cr := csv.NewReader(lc)
	cr.ReuseRecord = true
	h, err := cr.Read()
	if errors.Is(err, errRecordTooLong) {
		return nil, &recordError{Line: 1, Err: err}
	}
	if err == io.EOF {
		return nil, &recordError{Line: 1, Err: errors.New("file is empty")}
	}
	if err != nil {
		return nil, &recordError{Line: 1, Err: fmt.Errorf("invalid CSV header: %v", err)}
	}
	header := append([]string(nil), h...)
	keys := make([][]byte, len(header))
	for i, f := range header {
		if !utf8.ValidString(f) {
			return nil, &recordError{Line: 1, Err: fmt.Errorf("invalid UTF-8 in header column %d", i+1)}
		}
		keys[i] = appendJSONString(nil, f)
	}
	return &csvReader{r: cr, lc: lc, header: header, keys: keys}, nil
}

// row returns the next row's line and cells (valid UTF-8; reused by the
// next call), or io.EOF.
func (c *csvReader) row() (int, []string, error) {
	start := c.r.InputOffset()
	c.lc.start = start
	next := c.lc.lineAt(start + 1) // also forgets the newlines passed
	rec, err := c.r.Read()
	if err == io.EOF {
		return 0, nil, io.EOF
	}
	if errors.Is(err, errRecordTooLong) {
		return next, nil, &recordError{Line: next, Err: err}
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return pe.Line, nil, &recordError{Line: pe.Line, Err: fmt.Errorf("invalid CSV: %v", pe.Err)}
		}
		return 0, nil, err
	}
	line, _ := c.r.FieldPos(0)
	if len(rec) > len(c.header) {
		rec = rec[:len(c.header)]
	}
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return line, nil, fieldErr(line, c.header[i], "invalid UTF-8")
		}
	}
	return line, rec, nil
}

func (c *csvReader) Next() (int, []byte, error) {
	line, rec, err := c.row()
	if err != nil {
		return line, nil, err
	}
	c.buf = append(c.buf[:0], '{')
	for i, f := range rec {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = append(c.buf, c.keys[i]...)
		c.buf = append(c.buf, ':')
		c.buf = appendJSONString(c.buf, f)
	}
	c.buf = append(c.buf, '}')
	return line, c.buf, nil
}

// appendJSONString appends s as json.Marshal writes it, without its
// reflection and allocations when s is printable ASCII, NUL bytes (the
// separators of derived ids) aside.
func appendJSONString(dst []byte, s string) []byte {
	start := len(dst)
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0:
			dst = append(dst, `\u0000`...)
		case c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&':
			b, _ := json.Marshal(s)
			return append(dst[:start], b...)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// decodeRecord unmarshals raw into dst, turning type errors into errors that
// name the field.
func decodeRecord(line int, raw []byte, dst any) error {
	if err := json.Unmarshal(raw, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fieldErr(line, te.Field, "wrong type: got %s, want %s", te.Value, jsonTypeName(te.Type.Kind().String()))
		}
		return &recordError{Line: line, Err: fmt.Errorf("invalid JSON: %v", err)}
	}
	return nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "int", "int64", "float64":
		return "number"
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return kind
}

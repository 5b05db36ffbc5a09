package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"restock/importer"
)

// Format is a report file format.
type Format string

// Report formats, named by the extension of the report path.
const (
	FormatCSV  Format = "csv"
	FormatJSON Format = "json"
	FormatXLSX Format = "xlsx"
)

// encoders maps each format to its encoder.
var encoders = map[Format]encoder{
	FormatCSV:  csvEncoder{},
	FormatJSON: jsonEncoder{},
	FormatXLSX: xlsxEncoder{},
}

// An encoder writes a report in one format. It gets each file it writes from create,
// so that Write can replace all of them atomically once the encoder has finished.
type encoder interface {
	// encode writes doc to path, and to any files beside it that the format needs,
	// and returns the first error.
	encode(path string, doc *document, create createFunc) error
}

// document is a report as the encoders read it: its rows and products come one at a
// time, from a Report in memory or built from an importer.Result as they are written.
// Each iterator may be ranged over once per file that needs it.
type document struct {
	run      Run
	summary  Summary
	rows     iter.Seq[Row]
	products iter.Seq[Product]
}

func (r *Report) document() *document {
	return &document{
		run:      r.Run,
		summary:  r.Summary,
		rows:     slices.Values(r.Rows),
		products: slices.Values(r.Products),
	}
}

// createFunc returns a writer for the file that will replace path.
type createFunc func(path string) (io.Writer, error)

// FormatOf returns the format that the extension of path names: FormatCSV for ".csv",
// FormatJSON for ".json" and FormatXLSX for ".xlsx", in any letter case. For any other
// extension it returns an error naming the extension and the accepted ones. Call it before the run starts, so that a bad
// report path is rejected before any request is sent.
func FormatOf(path string) (Format, error) {
	ext := filepath.Ext(path)
	switch strings.ToLower(ext) {
	case ".csv":
		return FormatCSV, nil
	case ".json":
		return FormatJSON, nil
	case ".xlsx":
		return FormatXLSX, nil
	case "":
		return "", fmt.Errorf("report path %q has no extension: use a path ending in .csv, .json or .xlsx", path)
	default:
		return "", fmt.Errorf("report path %q has unsupported extension %q: use a path ending in .csv, .json or .xlsx", path, ext)
	}
}

// ProductsPath returns the path of the products file that Write creates beside a CSV
// report: the report path with "-products" before its extension, so "out/report.csv"
// becomes "out/report-products.csv".
func ProductsPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-products" + ext
}

// Write writes r to path in the format that FormatOf returns for path.
//
// JSON is one indented object, described at Report. CSV is two files: the rows in path,
// and the products in ProductsPath(path). XLSX is one workbook with a sheet of rows and
// a sheet of products. CSV and XLSX reports have no run details or summary.
//
// Each file is written to a temporary file in the same folder, synced, and then renamed
// to its final name, so a reader sees either the old file or the whole new one. On
// error the temporary files are removed.
//
// NOTE: The two CSV files are renamed one after the other. If the second rename fails,
// the first file has already been replaced.
func Write(path string, r *Report) error {
	return writeDocument(path, r.document())
}

// WriteResult writes the report of result to path, as Write writes Build(result, run),
// but builds each row and product as it writes it, so that no copy of every row is
// held in memory. The summary is Summarize(result).
func WriteResult(path string, result *importer.Result, run Run) error {
	return writeDocument(path, &document{
		run:      run,
		summary:  Summarize(result),
		rows:     resultRows(result, run.DryRun),
		products: resultProducts(result),
	})
}

func writeDocument(path string, doc *document) error {
	format, err := FormatOf(path)
	if err != nil {
		return err
	}

	err = writeAtomically(func(create createFunc) error {
		return encoders[format].encode(path, doc, create)
	})
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// writeAtomically calls write, then replaces each file that write created. On error it
// removes every temporary file that it has not yet renamed.
func writeAtomically(write func(create createFunc) error) error {
	var files pendingFiles
	if err := write(files.create); err != nil {
		files.discard()
		return err
	}
	return files.commit()
}

// pendingFiles is the temporary files of one write, in the order they were created.
type pendingFiles []*pendingFile

func (files *pendingFiles) create(path string) (io.Writer, error) {
	file, err := createPending(path)
	if err != nil {
		return nil, err
	}
	*files = append(*files, file)
	return file, nil
}

// commit syncs and closes every file, then renames each over its target in the order
// they were created.
func (files pendingFiles) commit() error {
	for _, file := range files {
		if err := file.finish(); err != nil {
			files.discard()
			return err
		}
	}
	for i, file := range files {
		if err := os.Rename(file.temp.Name(), file.target); err != nil {
			files[i:].discard()
			return &fs.PathError{Op: "replace", Path: file.target, Err: unwrapOSError(err)}
		}
	}
	return nil
}

func (files pendingFiles) discard() {
	for _, file := range files {
		file.temp.Close() // Fails harmlessly when commit has closed the file already.
		os.Remove(file.temp.Name())
	}
}

// pendingFile is a temporary file in the folder of target, which replaces target
// when committed.
type pendingFile struct {
	temp   *os.File
	target string
}

// createPending creates a hidden temporary file beside target. Unlike os.CreateTemp,
// which uses mode 0600, it creates the file with mode 0666 less the umask, as
// os.Create does, so the report can be read like any other file the user creates.
func createPending(target string) (*pendingFile, error) {
	dir, base := filepath.Split(target)
	for range 100 {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		temp, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue // Another file has this random name; try the next one.
		}
		if err != nil {
			return nil, &fs.PathError{Op: "create", Path: target, Err: unwrapOSError(err)}
		}
		return &pendingFile{temp: temp, target: target}, nil
	}
	return nil, &fs.PathError{Op: "create", Path: target, Err: errors.New("no free temporary file name after 100 attempts")}
}

// Write writes to the temporary file. An error names the target, which is the path
// the caller gave, rather than the temporary file.
func (f *pendingFile) Write(b []byte) (int, error) {
	n, err := f.temp.Write(b)
	if err != nil {
		err = &fs.PathError{Op: "write", Path: f.target, Err: unwrapOSError(err)}
	}
	return n, err
}

// finish syncs and closes the temporary file.
func (f *pendingFile) finish() error {
	if err := f.temp.Sync(); err != nil {
		return &fs.PathError{Op: "sync", Path: f.target, Err: unwrapOSError(err)}
	}
	if err := f.temp.Close(); err != nil {
		return &fs.PathError{Op: "close", Path: f.target, Err: unwrapOSError(err)}
	}
	return nil
}

// unwrapOSError returns the cause inside an *fs.PathError or *os.LinkError, whose own
// message would name the temporary file.
func unwrapOSError(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	var linkErr *os.LinkError
	if errors.As(err, &linkErr) {
		return linkErr.Err
	}
	return err
}

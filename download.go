package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"restock/importer"
)

// Limits of an input downloaded from a URL.
const (
	downloadTimeout = 2 * time.Minute

	// maxDownloadSize is far above a real restock file (a million rows of
	// CSV take about 80 MB) and stops a wrong link to a huge file.
	maxDownloadSize = 256 << 20
)

// download fetches the input from cfg.input into a temporary file and
// returns it for reading. The file is kept as the run's input copy once the
// run has an id (keepInputCopy), so that a resume and the repeat guard work
// on exactly the bytes the run read.
func (c *command) download(cfg *config) (io.Reader, string, func(), error) {
	if err := checkURL("FILE", cfg.input, cfg.allowHTTP); err != nil {
		return nil, "", nil, err
	}
	timeout, sizeLimit := c.downloadTimeout, c.maxDownloadSize
	if timeout <= 0 {
		timeout = downloadTimeout
	}
	if sizeLimit <= 0 {
		sizeLimit = maxDownloadSize
	}
	client := c.httpClient
	if client == nil {
		client = &http.Client{}
	}

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.input, nil)
	if err != nil {
		return nil, "", nil, usageErrorf("invalid FILE URL %q: %v", cfg.input, err)
	}
	request.Header.Set("User-Agent", "restock/"+version())
	response, err := client.Do(request)
	if err != nil {
		return nil, "", nil, usageErrorf("cannot download %s: %s", cfg.input, describeDownloadError(err, timeout))
	}
	defer response.Body.Close()
	if response.StatusCode != http.StatusOK {
		return nil, "", nil, usageErrorf("cannot download %s: the server responded %s; check the link (a Google Sheet must be published to the web as CSV)", cfg.input, response.Status)
	}

	file, err := os.CreateTemp("", "restock-download-*")
	if err != nil {
		return nil, "", nil, fmt.Errorf("store the download: %w", err)
	}
	remove := func() { file.Close(); os.Remove(file.Name()) }
	n, err := io.Copy(file, io.LimitReader(response.Body, sizeLimit+1))
	switch {
	case err != nil:
		remove()
		return nil, "", nil, usageErrorf("cannot download %s: %s", cfg.input, describeDownloadError(err, timeout))
	case n > sizeLimit:
		remove()
		return nil, "", nil, usageErrorf("cannot download %s: it is larger than %s, the limit for an input file; check the link", cfg.input, formatSize(sizeLimit))
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		remove()
		return nil, "", nil, fmt.Errorf("read the download: %w", err)
	}
	c.inputCopy = file.Name()
	c.printf("downloaded %s (%d bytes)", cfg.input, n)
	return file, cfg.input, func() { file.Close() }, nil
}

// describeDownloadError names what failed: the name lookup, a timeout, or
// the connection.
func describeDownloadError(err error, timeout time.Duration) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve the host name %q: check the link and the network", dnsErr.Name)
	case errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err):
		return fmt.Sprintf("no complete answer within %v", timeout)
	default:
		return err.Error()
	}
}

// copyStdin returns standard input, copied to a temporary file as it is
// read, so that a resumed run can read the same bytes again.
func (c *command) copyStdin() (io.Reader, func(), error) {
	file, err := os.CreateTemp("", "restock-stdin-*")
	if err != nil {
		return nil, nil, fmt.Errorf("keep a copy of standard input: %w", err)
	}
	c.inputCopy = file.Name()
	return io.TeeReader(c.stdin, file), func() { file.Close() }, nil
}

// keepInputCopy moves the copy of a downloaded or piped input beside the
// journal of the run, or removes it when there is no run to keep it for.
func (c *command) keepInputCopy(state *importer.StateDir, runID string) error {
	if c.inputCopy == "" {
		return nil
	}
	defer func() { c.inputCopy = "" }()
	if state == nil || runID == "" {
		return os.Remove(c.inputCopy)
	}
	if err := moveFile(c.inputCopy, state.InputCopyPath(runID)); err != nil {
		return fmt.Errorf("keep the input beside the run journal: %w", err)
	}
	return nil
}

// moveFile renames a file, or copies it when the rename crosses file
// systems.
func moveFile(from, to string) error {
	if err := os.Rename(from, to); err == nil {
		return nil
	}
	source, err := os.Open(from)
	if err != nil {
		return err
	}
	defer source.Close()
	target, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(target, source); err != nil {
		target.Close()
		return err
	}
	if err := target.Sync(); err != nil {
		target.Close()
		return err
	}
	if err := target.Close(); err != nil {
		return err
	}
	return os.Remove(from)
}

// formatSize writes a byte count in MiB, or in bytes below one MiB.
func formatSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

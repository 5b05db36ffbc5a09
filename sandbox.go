package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"restock/importer"
	"restock/youcan/youcantest"
)

// sandboxToken is the token of the demo store; it is not a secret.
const sandboxToken = youcantest.SandboxToken

// sandboxLevelsFile keeps the demo store's stock levels between runs, in the
// sandbox's state folder.
const sandboxLevelsFile = "sandbox-store.json"

// sandboxStateDir returns the sandbox's own state folder, inside the state
// folder, so that demo runs never mix with the runs of a real store.
func sandboxStateDir(base string) string {
	return filepath.Join(base, "sandbox")
}

// startSandbox serves the demo store on 127.0.0.1, with the levels its last
// run left, or from its seed with --sandbox-reset or on its first run.
func (c *command) startSandbox(cfg *config, state *importer.StateDir) (apiURL string, stop func(), err error) {
	store := youcantest.Sandbox()
	if state != nil {
		levels, err := readSandboxLevels(state)
		if err != nil {
			return "", nil, err
		}
		store.SetLevels(levels)
	}
	c.sandbox = store

	apiURL, stop, err = store.Start()
	if err != nil {
		return "", nil, fmt.Errorf("start the sandbox store: %w", err)
	}
	c.printf("sandbox: a demo store at %s with the products of samples/restock.csv, which keeps its stock between runs (--sandbox-reset starts it again); nothing leaves this machine", apiURL)
	return apiURL, stop, nil
}

func readSandboxLevels(state *importer.StateDir) (map[string]int, error) {
	data, err := os.ReadFile(filepath.Join(state.Path, sandboxLevelsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the sandbox store: %w", err)
	}
	var levels map[string]int
	if err := json.Unmarshal(data, &levels); err != nil {
		return nil, fmt.Errorf("read the sandbox store %s: %w; start it again with --sandbox-reset", filepath.Join(state.Path, sandboxLevelsFile), err)
	}
	return levels, nil
}

// saveSandbox keeps the demo store's levels for its next run. A dry run
// changes nothing, so it saves nothing.
func (c *command) saveSandbox(cfg *config, state *importer.StateDir) error {
	if c.sandbox == nil || state == nil || cfg.dryRun {
		return nil
	}
	data, err := json.MarshalIndent(c.sandbox.Levels(), "", "  ")
	if err != nil {
		return fmt.Errorf("save the sandbox store: %w", err)
	}
	path := filepath.Join(state.Path, sandboxLevelsFile)
	temporary := path + ".tmp"
	if err := os.WriteFile(temporary, data, 0o600); err != nil {
		return fmt.Errorf("save the sandbox store: %w", err)
	}
	if err := os.Rename(temporary, path); err != nil {
		return fmt.Errorf("save the sandbox store: %w", err)
	}
	return nil
}

// resetSandbox deletes the demo store's saved levels and runs, so that it
// starts again from its seed.
func resetSandbox(state *importer.StateDir) error {
	if err := os.Remove(filepath.Join(state.Path, sandboxLevelsFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("reset the sandbox store: %w", err)
	}
	runs := filepath.Join(state.Path, "runs")
	if err := os.RemoveAll(runs); err != nil {
		return fmt.Errorf("reset the sandbox runs: %w", err)
	}
	return os.MkdirAll(runs, 0o700)
}

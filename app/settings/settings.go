// Package settings keeps Concord's per-user configuration files: the judge's API key and the price table.
package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"concord/judge"
)

// DefaultAPIKeyEnv is the environment variable the API key is read from.
const DefaultAPIKeyEnv = "OPENAI_API_KEY"

// Dir is Concord's per-user configuration folder ($XDG_CONFIG_HOME/concord).
func Dir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config folder: %w", err)
	}
	return filepath.Join(d, "concord"), nil
}

func file(name string) (string, error) {
	d, err := Dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, name), nil
}

// SaveAPIKey writes the key to a file only the user can read; an empty key
// removes the file.
func SaveAPIKey(key string) error {
	key = strings.TrimSpace(key)
	p, err := file("api_key")
	if err != nil {
		return err
	}
	if key == "" {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the API key file: %w", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("save the API key: %w", err)
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(key+"\n"), 0o600); err != nil {
		return fmt.Errorf("save the API key: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil { // WriteFile keeps an existing file's mode
		return fmt.Errorf("save the API key: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("save the API key: %w", err)
	}
	return nil
}

// APIKey takes the key from the named environment variable (default
// OPENAI_API_KEY), else the key file; source says which, for display
// ("env VAR", "key file", or "none" when neither has one: a local server
// such as Ollama needs no key). Errors never contain the key.
func APIKey(getenv func(string) string, envVar string) (key, source string, err error) {
	if envVar == "" {
		envVar = DefaultAPIKeyEnv
	}
	if k := strings.TrimSpace(getenv(envVar)); k != "" {
		return k, "env " + envVar, nil
	}
	p, err := file("api_key")
	if err != nil {
		return "", "", err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "none", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("read the API key file: %w", err)
	}
	return strings.TrimSpace(string(b)), "key file", nil
}

// PricesFile is the price table's file in the config folder.
func PricesFile() (string, error) { return file("prices.json") }

// PriceRow is one model's price (USD per million tokens) as the price
// table editor shows it; a model name also prices the models it prefixes.
type PriceRow struct {
	Model string `json:"model"`
	judge.Price
}

// PriceTable is the editable price table and where it is kept.
type PriceTable struct {
	File string     `json:"file"`
	Rows []PriceRow `json:"rows"` // sorted by model
}

// Prices reads the price table, creating the file with the defaults when
// it does not exist.
func Prices() (*PriceTable, error) {
	p, err := PricesFile()
	if err != nil {
		return nil, err
	}
	t, err := judge.LoadPrices(p)
	if err != nil {
		return nil, err
	}
	out := &PriceTable{File: p, Rows: []PriceRow{}}
	for m, pr := range t {
		out.Rows = append(out.Rows, PriceRow{Model: m, Price: pr})
	}
	slices.SortFunc(out.Rows, func(x, y PriceRow) int { return strings.Compare(x.Model, y.Model) })
	return out, nil
}

// SavePrices replaces the price table with rows, after checking that every
// row names a model once (prices are checked by judge.SavePrices).
func SavePrices(rows []PriceRow) (*PriceTable, error) {
	t := judge.PriceTable{}
	for _, r := range rows {
		m := strings.TrimSpace(r.Model)
		if m == "" {
			return nil, errors.New("price table: a row has no model name")
		}
		if _, dup := t[m]; dup {
			return nil, fmt.Errorf("price table: %s is listed twice", m)
		}
		t[m] = r.Price
	}
	p, err := PricesFile()
	if err != nil {
		return nil, err
	}
	if err := judge.SavePrices(p, t); err != nil {
		return nil, err
	}
	return Prices()
}

// PriceLookup is the table the dry run's cost estimate uses, and its file
// ("" when there is no config folder: the defaults then).
func PriceLookup() (judge.PriceTable, string, error) {
	p, err := PricesFile()
	if err != nil {
		return judge.DefaultPrices(), "", nil
	}
	t, err := judge.LoadPrices(p)
	if err != nil {
		return nil, "", err
	}
	return t, p, nil
}

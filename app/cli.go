package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"concord/store"
)

// Env is what a CLI command needs from its surroundings.
type Env struct {
	Stdout, Stderr io.Writer
	// DBPath is the database the command works on (from --db, CONCORD_DB or the default).
	DBPath string
	// IsTerminal reports whether Stdout is a terminal (for progress bars).
	IsTerminal bool
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
}

// OpenStore opens the command's database.
func (e *Env) OpenStore() (*store.Store, error) { return store.Open(e.DBPath) }

// Command is a headless subcommand of the concord binary.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, env *Env, args []string) error
}

var commands = map[string]Command{}

// register adds a subcommand; each command's file calls it from init.
func register(c Command) { commands[c.Name] = c }

// IsCommand reports whether name is a headless subcommand.
func IsCommand(name string) bool {
	_, ok := commands[name]
	return ok || name == "help" || name == "-h" || name == "--help"
}

// ErrUsage marks a command-line mistake (exit code 2).
var ErrUsage = errors.New("usage")

// RunCommand runs the subcommand args[0] with the rest of args.
func RunCommand(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		Usage(env.Stdout)
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		Usage(env.Stderr)
		return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
	}
	return c.Run(ctx, env, args[1:])
}

// Usage prints the list of subcommands.
func Usage(w io.Writer) {
	fmt.Fprintln(w, "Concord: can we trust the LLM judge?")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintln(w, "  concord [--db PATH]                 open the app window")
	fmt.Fprintln(w, "  concord [--db PATH] COMMAND [ARGS]  run a command headless")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The database is --db PATH, else $CONCORD_DB, else", DefaultDBPath())
	fmt.Fprintln(w, "Run 'concord COMMAND -h' for a command's flags.")
}

// DefaultDBPath is the per-user database: $XDG_DATA_HOME/concord/concord.db
// (~/.local/share/concord/concord.db).
func DefaultDBPath() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "concord", "concord.db")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "concord.db"
	}
	return filepath.Join(home, ".local", "share", "concord", "concord.db")
}

// newFlags makes a flag set for a subcommand whose errors go to env.Stderr.
func newFlags(env *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("concord "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: concord %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses flags anywhere among the arguments (flag stops at the
// first positional otherwise) and returns the positionals.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

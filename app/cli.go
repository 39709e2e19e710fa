package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"concord/store"
)

// Env is what a CLI command needs from its surroundings.
type Env struct {
	Stdout, Stderr io.Writer
	// DBPath is the database when --db is not given (from CONCORD_DB or the default).
	DBPath string
	// IsTerminal reports whether Stdout is a terminal: long commands then
	// draw progress on Stderr, and stay quiet when piped.
	IsTerminal bool
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string
}

// OpenStore opens the command's database, recording this build's version
// when it writes.
func (e *Env) OpenStore() (*store.Store, error) {
	return store.Open(e.DBPath, store.WithAppVersion(Version))
}

// getenv is Env.Getenv, or the process environment when unset.
func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return os.Getenv(k)
	}
	return e.Getenv(k)
}

// Exit codes of the concord binary, documented in the README.
const (
	ExitOK        = 0   // the command did what it was asked
	ExitFailure   = 1   // it failed: bad input, a missing database, a judge run with errored games
	ExitUsage     = 2   // the command line is wrong: unknown command or flag, bad flag value
	ExitCancelled = 130 // interrupted (Ctrl+C or SIGTERM); a judge run resumes when run again
)

// ErrUsage marks a command-line mistake (exit code 2).
var ErrUsage = errors.New("usage")

// usagef is a command-line mistake with a message.
func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// ExitCode maps an error from RunCommand to the process's exit code.
func ExitCode(err error) int {
	var coded interface{ ExitCode() int }
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &coded):
		return coded.ExitCode()
	case errors.Is(err, ErrUsage):
		return ExitUsage
	case errors.Is(err, context.Canceled):
		return ExitCancelled
	}
	return ExitFailure
}

// Main runs a headless command line (without the program name), prints any
// error on Stderr and returns the exit code.
func Main(ctx context.Context, env *Env, args []string) int {
	err := RunCommand(ctx, env, args)
	if err != nil {
		fmt.Fprintln(env.Stderr, "concord:", err)
		if errors.Is(err, ErrUsage) {
			fmt.Fprintln(env.Stderr, "Run 'concord --help' or 'concord COMMAND --help' for usage.")
		}
	}
	return ExitCode(err)
}

// RunCommand runs a headless command line (without the program name).
func RunCommand(ctx context.Context, env *Env, args []string) error {
	c := &cli{env: env}
	root := c.root()
	root.SetArgs(args)
	_, err := root.ExecuteContextC(ctx)
	if err != nil && !c.ran && !errors.Is(err, ErrUsage) {
		// cobra's own complaints: unknown command or flag, wrong arguments
		err = fmt.Errorf("%w: %v", ErrUsage, err)
	}
	return err
}

// cli is one run of the command line.
type cli struct {
	env *Env
	db  string // --db
	// ran is set once a command's own code starts: errors before it are
	// cobra's usage errors.
	ran bool
}

// root builds the command table; help, usage and shell completion are all
// generated from it.
func (c *cli) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "concord",
		Short: "Concord: can we trust the LLM judge?",
		Long: `Concord: can we trust the LLM judge?

Run without a command (concord [--db PATH]) it opens the app window; with a
command it works headless on the database.`,
		Version:           versionLine(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetOut(c.env.Stdout)
	root.SetErr(c.env.Stderr)
	root.SetVersionTemplate("concord {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	})
	root.PersistentFlags().StringVar(&c.db, "db", "", "database file (default: $CONCORD_DB, else "+DefaultDBPath()+")")
	root.AddGroup(&cobra.Group{ID: "data", Title: "Data:"}, &cobra.Group{ID: "annotate", Title: "Annotation:"},
		&cobra.Group{ID: "audit", Title: "Judging and auditing:"}, &cobra.Group{ID: "other", Title: "Other:"})
	root.SetHelpCommandGroupID("other")
	root.AddCommand(c.importCmd(), c.infoCmd(), c.exportCmd(), c.studyCmd(), c.judgeCmd(), c.reportCmd(), c.probeCmd(),
		c.versionCmd(), c.completionCmd(root), c.openCmd())
	return root
}

// run wraps a command's code: it marks the command as started (so its
// errors are not taken for usage errors) and resolves --db.
func (c *cli) run(f func(ctx context.Context, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c.ran = true
		if c.db != "" {
			c.env.DBPath = c.db
		}
		return f(cmd.Context(), cmd, args)
	}
}

// openExisting opens the database for a command that reads it, refusing
// to create an empty one.
func (c *cli) openExisting(command string) (*store.Store, error) {
	if _, err := os.Stat(c.env.DBPath); err != nil {
		return nil, fmt.Errorf("%s: no database at %s (import something first, or pass --db)", command, c.env.DBPath)
	}
	return c.env.OpenStore()
}

// noArgs refuses positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments (got %q)", cmd.CommandPath(), args)
	}
	return nil
}

// WindowArgs decides between the window and a headless command. The window
// is for a command line with no command: nothing, or flags only (Wails's
// dev build reads its own -assetdir and -devserver). It returns the
// database path (--db, else $CONCORD_DB, else the default) and the
// arguments left for Wails.
func WindowArgs(args []string, getenv func(string) string) (dbPath string, rest []string, window bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--db" && i+1 < len(args):
			dbPath = args[i+1]
			i++
		case strings.HasPrefix(a, "--db="):
			dbPath = strings.TrimPrefix(a, "--db=")
		case len(rest) == 0 && a == "open" && i+1 < len(args) && isFile(args[i+1]):
			dbPath = args[i+1] // concord open FILE: the window on FILE
			i++
		case len(rest) == 0 && strings.HasSuffix(strings.ToLower(a), ".concord") && isFile(a):
			dbPath = a // concord FILE.concord: a double-click on a package (the desktop entry's Exec)
		case len(rest) == 0 && !strings.HasPrefix(a, "-"),
			a == "-h", a == "--help", a == "--version", a == "--db":
			return "", nil, false // a command, or a request for help
		default:
			rest = append(rest, a)
		}
	}
	if dbPath == "" {
		dbPath = getenv("CONCORD_DB")
	}
	if dbPath == "" {
		dbPath = DefaultDBPath()
	}
	return dbPath, rest, true
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

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
